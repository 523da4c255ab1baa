import { z } from 'zod';
import { ContactTraceRecordSchema } from './contact-trace-record-schema.js';
import { TIMESTAMP_PATTERN } from './primitives.js';

/** A JSON Schema document (draft 2020-12), as plain JSON data. */
export type JsonSchema = z.core.JSONSchema.BaseSchema;

/** `{ type: 'string' }`, `{ type: ['string', 'number'] }`: a type assertion and nothing else. */
function bareTypes(alternative: unknown): string[] | undefined {
  if (typeof alternative !== 'object' || alternative === null || Array.isArray(alternative)) return undefined;
  const keys = Object.keys(alternative);
  const type = (alternative as { type?: unknown }).type;
  if (keys.length !== 1 || keys[0] !== 'type') return undefined;
  if (typeof type === 'string') return [type];
  return Array.isArray(type) && type.every((member) => typeof member === 'string') ? type : undefined;
}

/**
 * Brings `z.toJSONSchema` output to the one shape the README promises, whatever zod `^4.1` wrote it
 * (internal; exported for the tests, which feed it what older zod versions write):
 *
 * - `anyOf: [{ anyOf: [A, B] }, C]` -> `anyOf: [A, B, C]` (equivalent), so a nullable open enum is one
 *   flat `anyOf` and consumers never have to recurse through wrappers;
 * - an `anyOf` of bare types -> one `type` list (`{ type: ['string', 'number', 'boolean', 'null'] }`
 *   for `Attributes` values), as zod 4.5+ writes it (zod 4.1 to 4.4 write the `anyOf`);
 * - but a nullable member is always `anyOf: [{ type: T, ... }, { type: 'null' }]`, never
 *   `type: [T, 'null']` (zod 4.5+ writes the list), so every nullable field has the same shape;
 * - every timestamp (`format: 'date-time'`, only `TimestampSchema` has it) gets `TIMESTAMP_PATTERN`,
 *   seconds required (zod 4.1 to 4.4 write a pattern that accepts `07:00Z`).
 */
export function normaliseJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normaliseJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const normalised: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) normalised[key] = normaliseJsonSchema(value);
  if (normalised.type === 'string' && normalised.format === 'date-time')
    normalised.pattern = TIMESTAMP_PATTERN;
  const alternatives = normalised.anyOf;
  if (Array.isArray(alternatives)) {
    const flat = alternatives.flatMap((alternative: unknown) => {
      if (typeof alternative !== 'object' || alternative === null) return [alternative];
      const keys = Object.keys(alternative);
      const inner = (alternative as { anyOf?: unknown }).anyOf;
      return keys.length === 1 && Array.isArray(inner) ? inner : [alternative];
    });
    normalised.anyOf = flat;
    const typeLists = flat.map(bareTypes);
    if (normalised.type === undefined && flat.length > 0 && typeLists.every((types) => types !== undefined)) {
      // anyOf: [{ type: 'string' }, { type: 'number' }] -> type: ['string', 'number']; the nullable case is undone below.
      const types = [...new Set(typeLists.flat())];
      delete normalised.anyOf;
      normalised.type = types.length === 1 ? types[0] : types;
    }
  }
  const types = normalised.type;
  if (Array.isArray(types) && types.length === 2 && types.includes('null')) {
    // { type: ['string', 'null'], ... } -> anyOf: [{ type: 'string', ... }, { type: 'null' }], one nullable shape.
    const { type: _type, ...constraints } = normalised;
    return { anyOf: [{ type: types.find((type) => type !== 'null'), ...constraints }, { type: 'null' }] };
  }
  return normalised;
}

function buildJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(ContactTraceRecordSchema, { target: 'draft-2020-12', reused: 'inline' });
  const { $schema, ...rest } = normaliseJsonSchema(generated) as JsonSchema;
  return {
    $schema: $schema ?? 'https://json-schema.org/draft/2020-12/schema',
    title: 'ContactTraceRecord',
    description:
      'Amazon Connect contact trace record (CTR) as streamed to Kinesis / Firehose, generated from the zod schema of @ctr-stream/ctr-schema. Unknown properties are allowed at every level; enumerations are open (anyOf known enum | any string).',
    ...rest,
  };
}

let cached: JsonSchema | undefined;

/**
 * The JSON Schema (draft 2020-12) of the contact trace record, generated from
 * `ContactTraceRecordSchema`, for tools and teams in other languages (the build also writes it to
 * `dist/contact-trace-record.schema.json`, exported as `@ctr-stream/ctr-schema/contact-trace-record.schema.json`).
 *
 * Shape (stable across minor versions, and the same whichever zod `^4.1` the application installs):
 * no `$ref`, every subschema inline. Timestamps are `{ type: 'string', format: 'date-time', pattern }`
 * (seconds required); integers `{ type: 'integer', minimum, maximum }`;
 * an open enumeration is `anyOf: [{ type: 'string', enum: [...known] }, { type: 'string' }]`; a
 * nullable field adds `{ type: 'null' }` to the same flat `anyOf` (or is `anyOf: [schema, { type: 'null' }]`);
 * objects carry `additionalProperties: {}` (anything allowed); maps are `additionalProperties: <value schema>`;
 * a member undocumented on the official CTR page, which accepts any JSON value, is
 * `{ description, anyOf: [<documented shape>, {}] }`.
 * Each call returns a fresh copy that the caller may mutate.
 *
 * @example
 * ```ts
 * import { contactTraceRecordJsonSchema } from '@ctr-stream/ctr-schema';
 * const schema = contactTraceRecordJsonSchema();
 * console.log(schema.properties?.LastUpdateTimestamp); // { type: 'string', format: 'date-time', ... }
 * ```
 */
export function contactTraceRecordJsonSchema(): JsonSchema {
  return structuredClone(sharedJsonSchema());
}

/** The cached JSON Schema itself, not a copy: internal, read-only (the fast validator compiles it). */
export function sharedJsonSchema(): JsonSchema {
  cached ??= buildJsonSchema();
  return cached;
}
