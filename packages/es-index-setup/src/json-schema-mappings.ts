/** A JSON Schema node as zod 4's `toJSONSchema` emits it (the subset the mapping walker reads). */
export interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: boolean | JsonSchemaNode;
  items?: JsonSchemaNode | JsonSchemaNode[];
  prefixItems?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  maximum?: number;
  minimum?: number;
  $ref?: string;
  $defs?: Record<string, JsonSchemaNode>;
  definitions?: Record<string, JsonSchemaNode>;
  [keyword: string]: unknown;
}

/** One field of an Elasticsearch mapping (`{ type: 'keyword' }`, `{ properties: {...} }`...). */
export type MappingProperty = {
  type?: string;
  properties?: Record<string, MappingProperty>;
  fields?: Record<string, MappingProperty>;
} & Record<string, unknown>;

/** What a schema node holds once `null` is set aside: the walker maps each kind to a field type. */
export type SchemaKind =
  | { kind: 'object'; properties: Record<string, JsonSchemaNode> }
  | { kind: 'map' }
  | { kind: 'date' }
  | { kind: 'string' }
  | { kind: 'integer'; maximum: number | undefined; minimum: number | undefined }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'unknown' };

/** The decisions the walker delegates: how each kind of leaf at a path becomes a field. */
export interface MappingRules {
  leaf(path: readonly string[], kind: Exclude<SchemaKind, { kind: 'object' }>): MappingProperty;
  /** A fixed mapping for a path (e.g. an open map or a recursive subtree): the walker does not descend into it. */
  override?(path: readonly string[]): MappingProperty | undefined;
}

const MAX_DEPTH = 12;

function resolveReference(node: JsonSchemaNode, root: JsonSchemaNode): JsonSchemaNode {
  let current = node;
  for (let hops = 0; current.$ref !== undefined && hops < 32; hops++) {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(current.$ref);
    const table = match ? (match[1] === '$defs' ? root.$defs : root.definitions) : undefined;
    const target =
      match && table
        ? table[
            decodeURIComponent(match[2] ?? '')
              .replaceAll('~1', '/')
              .replaceAll('~0', '~')
          ]
        : undefined;
    if (current.$ref === '#') return root;
    if (!target) return {};
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

/** The `$ref`s a node points to directly or through its unions and arrays: a repeat among ancestors is a cycle. */
function referencesOf(node: JsonSchemaNode, depth = 0): string[] {
  if (depth > MAX_DEPTH) return [];
  const own = node.$ref === undefined ? [] : [node.$ref];
  const nested = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  const items = Array.isArray(node.items) ? node.items : node.items ? [node.items] : [];
  return [...own, ...[...nested, ...items].flatMap((child) => referencesOf(child, depth + 1))];
}

/** Splits a node into its non-null alternatives (anyOf/oneOf/type arrays), with `allOf` merged and refs resolved. */
function alternatives(node: JsonSchemaNode, root: JsonSchemaNode, depth = 0): JsonSchemaNode[] {
  const resolved = resolveReference(node, root);
  if (depth > MAX_DEPTH) return [resolved];
  const union = resolved.anyOf ?? resolved.oneOf;
  if (union) return union.flatMap((variant) => alternatives(variant, root, depth + 1));
  if (resolved.allOf) {
    const merged: JsonSchemaNode = { properties: {} };
    for (const part of resolved.allOf) {
      const { properties, ...partResolved } = resolveReference(part, root);
      Object.assign(merged, partResolved);
      merged.properties = Object.assign(merged.properties ?? {}, properties);
    }
    const { allOf: _allOf, ...rest } = resolved;
    return alternatives(
      { ...merged, ...rest, properties: { ...merged.properties, ...rest.properties } },
      root,
      depth + 1,
    );
  }
  if (Array.isArray(resolved.type)) {
    return resolved.type.filter((type) => type !== 'null').map((type) => ({ ...resolved, type }));
  }
  if (resolved.type === 'null' || resolved.const === null) return [];
  return [resolved];
}

function kindOfSingle(node: JsonSchemaNode): SchemaKind | 'array' {
  const type = typeof node.type === 'string' ? node.type : undefined;
  const constType = node.const === undefined ? undefined : typeof node.const;
  const enumTypes = node.enum
    ? new Set(node.enum.filter((value) => value !== null).map((value) => typeof value))
    : undefined;
  if (type === 'array' || node.items !== undefined || node.prefixItems !== undefined) return 'array';
  if (
    type === 'object' ||
    node.properties !== undefined ||
    (type === undefined && node.additionalProperties !== undefined)
  ) {
    if (node.properties && Object.keys(node.properties).length > 0)
      return { kind: 'object', properties: node.properties };
    return { kind: 'map' };
  }
  if (type === 'string' || constType === 'string' || (enumTypes?.size === 1 && enumTypes.has('string'))) {
    return node.format === 'date-time' ? { kind: 'date' } : { kind: 'string' };
  }
  if (type === 'integer') return { kind: 'integer', maximum: node.maximum, minimum: node.minimum };
  if (type === 'number' || constType === 'number') return { kind: 'number' };
  if (type === 'boolean' || constType === 'boolean') return { kind: 'boolean' };
  return { kind: 'unknown' };
}

const ANNOTATION_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
]);

/** `{}` or annotations only: a schema every value satisfies. */
function acceptsAnything(node: JsonSchemaNode): boolean {
  return Object.keys(node).every((keyword) => ANNOTATION_KEYWORDS.has(keyword));
}

/** Classifies a node: what every non-null value it accepts looks like (arrays are looked through, as Elasticsearch does). */
export function classifySchemaNode(node: JsonSchemaNode, root: JsonSchemaNode = node, depth = 0): SchemaKind {
  const kinds: SchemaKind[] = [];
  const all = alternatives(node, root);
  // `anyOf: [documented, {}]`, a member accepted whatever its shape (the CTR's undocumented ones): mapped by
  // the documented shape; a value of another shape is then Elasticsearch's to accept or reject.
  const constrained = all.filter((alternative) => !acceptsAnything(alternative));
  for (const alternative of constrained.length > 0 ? constrained : all) {
    const kind = kindOfSingle(alternative);
    if (kind === 'array') {
      const items = Array.isArray(alternative.items)
        ? alternative.items
        : alternative.items
          ? [alternative.items]
          : [];
      const all = [...items, ...(alternative.prefixItems ?? [])];
      if (all.length === 0 || depth > MAX_DEPTH) kinds.push({ kind: 'unknown' });
      else for (const item of all) kinds.push(classifySchemaNode(item, root, depth + 1));
    } else kinds.push(kind);
  }
  return mergeKinds(kinds);
}

function mergeKinds(kinds: SchemaKind[]): SchemaKind {
  const [first, ...rest] = kinds;
  if (!first) return { kind: 'unknown' };
  let merged: SchemaKind = first;
  for (const next of rest) {
    if (merged.kind === next.kind) {
      if (merged.kind === 'object' && next.kind === 'object') {
        merged = { kind: 'object', properties: { ...merged.properties, ...next.properties } };
      } else if (merged.kind === 'integer' && next.kind === 'integer') {
        merged = {
          kind: 'integer',
          maximum:
            merged.maximum === undefined || next.maximum === undefined
              ? undefined
              : Math.max(merged.maximum, next.maximum),
          minimum:
            merged.minimum === undefined || next.minimum === undefined
              ? undefined
              : Math.min(merged.minimum, next.minimum),
        };
      }
      continue;
    }
    const pair = new Set([merged.kind, next.kind]);
    if (pair.has('integer') && pair.has('number')) merged = { kind: 'number' };
    // A timestamp that may also be any string (an open format) is stored as a keyword.
    else if (pair.has('date') && pair.has('string')) merged = { kind: 'string' };
    // Objects with and without declared properties: an open map.
    else if (pair.has('object') && pair.has('map')) merged = { kind: 'map' };
    else return { kind: 'unknown' };
  }
  return merged;
}

/**
 * Walks a JSON Schema (zod 4 `toJSONSchema` output: nullable as `anyOf` with `{type:'null'}`, open
 * enums as `anyOf` of an `enum` and a plain string, `$ref`s to `$defs`) into Elasticsearch mapping
 * properties. Objects with declared properties become `properties`; every leaf, open map or value of
 * unknown shape is handed to `rules.leaf` with its path.
 *
 * @example
 * ```ts
 * import { mappingPropertiesFromJsonSchema } from '@ctr-stream/es-index-setup';
 * const properties = mappingPropertiesFromJsonSchema(
 *   { type: 'object', properties: { Id: { type: 'string' } } },
 *   { leaf: () => ({ type: 'keyword' }) },
 * ); // { Id: { type: 'keyword' } }
 * ```
 */
export function mappingPropertiesFromJsonSchema(
  schema: JsonSchemaNode,
  rules: MappingRules,
): Record<string, MappingProperty> {
  const walk = (
    properties: Record<string, JsonSchemaNode>,
    path: readonly string[],
    ancestors: ReadonlySet<string>,
  ): Record<string, MappingProperty> => {
    const result: Record<string, MappingProperty> = {};
    for (const [name, node] of Object.entries(properties)) {
      const fieldPath = [...path, name];
      const fixed = rules.override?.(fieldPath);
      if (fixed) {
        result[name] = fixed;
        continue;
      }
      const references = referencesOf(node);
      const recursive = references.some((reference) => ancestors.has(reference));
      const kind = recursive ? ({ kind: 'unknown' } as const) : classifySchemaNode(node, schema);
      if (kind.kind === 'object' && fieldPath.length <= MAX_DEPTH) {
        result[name] = {
          properties: walk(kind.properties, fieldPath, new Set([...ancestors, ...references])),
        };
      } else {
        result[name] = rules.leaf(fieldPath, kind.kind === 'object' ? { kind: 'unknown' } : kind);
      }
    }
    return result;
  };
  const rootKind = classifySchemaNode(schema, schema);
  return rootKind.kind === 'object' ? walk(rootKind.properties, [], new Set(['#'])) : {};
}
