import { z } from 'zod';
import { ContactTraceRecordSchema } from './contact-trace-record-schema.js';

/** A JSON Schema document (draft 2020-12), as plain JSON data. */
export type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * `anyOf: [{ anyOf: [A, B] }, C]` -> `anyOf: [A, B, C]` (equivalent), so a nullable open enum is one
 * flat `anyOf` and consumers never have to recurse through wrappers; and `type: [T, 'null']` ->
 * `anyOf: [{ type: T }, { type: 'null' }]`, so every nullable field has the same shape.
 */
function flattenAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(flattenAnyOf);
  if (typeof node !== 'object' || node === null) return node;
  const flattened: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) flattened[key] = flattenAnyOf(value);
  const types = flattened.type;
  if (Array.isArray(types) && types.length === 2 && types.includes('null')) {
    // { type: ['string', 'null'], ... } -> anyOf: [{ type: 'string', ... }, { type: 'null' }], one nullable shape.
    const { type: _type, ...constraints } = flattened;
    return { anyOf: [{ type: types.find((type) => type !== 'null'), ...constraints }, { type: 'null' }] };
  }
  const alternatives = flattened.anyOf;
  if (Array.isArray(alternatives)) {
    flattened.anyOf = alternatives.flatMap((alternative: unknown) => {
      if (typeof alternative !== 'object' || alternative === null) return [alternative];
      const keys = Object.keys(alternative);
      const inner = (alternative as { anyOf?: unknown }).anyOf;
      return keys.length === 1 && Array.isArray(inner) ? inner : [alternative];
    });
  }
  return flattened;
}

function buildJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(ContactTraceRecordSchema, { target: 'draft-2020-12', reused: 'inline' });
  const { $schema, ...rest } = flattenAnyOf(generated) as JsonSchema;
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
 * Shape (stable across minor versions): no `$ref`, every subschema inline. Timestamps are
 * `{ type: 'string', format: 'date-time', pattern }`; integers `{ type: 'integer', minimum, maximum }`;
 * an open enumeration is `anyOf: [{ type: 'string', enum: [...known] }, { type: 'string' }]`; a
 * nullable field adds `{ type: 'null' }` to the same flat `anyOf` (or is `anyOf: [schema, { type: 'null' }]`);
 * objects carry `additionalProperties: {}` (anything allowed); maps are `additionalProperties: <value schema>`.
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
