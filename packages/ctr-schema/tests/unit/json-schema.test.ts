import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ContactTraceRecordSchema } from '../../src/contact-trace-record-schema.js';
import {
  CHANNELS,
  contactTraceRecordJsonSchema,
  DISCONNECT_REASONS,
  ENDPOINT_TYPES,
  INITIATION_METHODS,
  type JsonSchema,
} from '../../src/index.js';
import { normaliseJsonSchema } from '../../src/json-schema.js';
import { TIMESTAMP_PATTERN } from '../../src/primitives.js';
import { loadEvent, validEventNames } from '../load-events.js';

const schema = contactTraceRecordJsonSchema();
const properties = schema.properties as Record<string, JsonSchema>;

/** The non-null alternative of a nullable property: `anyOf: [X, { type: 'null' }]` -> X. */
function nonNull(property: JsonSchema): JsonSchema[] {
  return property.anyOf ? property.anyOf.filter((alternative) => alternative.type !== 'null') : [property];
}

function propertyAt(path: string[]): JsonSchema {
  let node: JsonSchema = schema;
  for (const key of path) {
    const objectSchema = nonNull(node).find(
      (alternative) => alternative.type === 'object' || alternative.type === 'array',
    );
    if (!objectSchema) throw new Error(`no object schema on the way to ${path.join('.')}`);
    const container = objectSchema.type === 'array' ? (objectSchema.items as JsonSchema) : objectSchema;
    const members = (container.properties ?? {}) as Record<string, JsonSchema>;
    if (!members[key]) throw new Error(`no member ${key} on the way to ${path.join('.')}`);
    node = members[key];
  }
  return node;
}

const TIMESTAMP = expect.objectContaining({ type: 'string', format: 'date-time' });

/** zod 4.1 to 4.4's datetime pattern: seconds optional (`07:00Z` matches). */
const OPTIONAL_SECONDS_PATTERN = TIMESTAMP_PATTERN.replace(
  String.raw`:[0-5]\d:[0-5]\d(?:\.\d+)?`,
  String.raw`:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?`,
);

/**
 * What zod 4.1 to 4.4 write where zod 4.5+ writes `type: [A, B]` (`anyOf: [{ type: A }, { type: B }]`)
 * and a timestamp pattern (seconds optional); checked against real zod 4.1.0 to 4.4.3 output.
 */
function olderZodOutput(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(olderZodOutput);
  if (typeof node !== 'object' || node === null) return node;
  const older: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) older[key] = olderZodOutput(value);
  if (older.format === 'date-time') older.pattern = OPTIONAL_SECONDS_PATTERN;
  const { type, ...rest } = older;
  return Array.isArray(type) ? { ...rest, anyOf: type.map((member: unknown) => ({ type: member })) } : older;
}

/**
 * A deliberately small JSON Schema validator (type, enum, anyOf, properties, required, items,
 * additionalProperties, pattern, minimum, maximum, minLength): enough to prove that teams using a
 * JSON Schema validator accept the same records as the zod schema. Returns the bad paths.
 */
function validate(node: JsonSchema | boolean, value: unknown, path = '$'): string[] {
  if (node === true || (typeof node === 'object' && Object.keys(node).length === 0)) return [];
  if (node === false) return [path];
  if (node.anyOf)
    return node.anyOf.some((alternative) => validate(alternative, value, path).length === 0) ? [] : [path];
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  const typeOf = (candidate: unknown) =>
    candidate === null ? 'null' : Array.isArray(candidate) ? 'array' : typeof candidate;
  const matchesType = types.some(
    (type) =>
      type === typeOf(value) ||
      (type === 'integer' && Number.isInteger(value)) ||
      (type === 'number' && typeof value === 'number'),
  );
  if (types.length > 0 && !matchesType) return [path];
  if (node.enum && !node.enum.includes(value as never)) return [path];
  if (typeof value === 'string') {
    if (node.pattern && !new RegExp(node.pattern).test(value)) return [path];
    if (node.minLength !== undefined && value.length < node.minLength) return [path];
  }
  if (typeof value === 'number') {
    if (node.minimum !== undefined && value < node.minimum) return [path];
    if (node.maximum !== undefined && value > node.maximum) return [path];
  }
  if (Array.isArray(value) && node.items) {
    return value.flatMap((item, index) => validate(node.items as JsonSchema, item, `${path}[${index}]`));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const members = value as Record<string, unknown>;
    const declared = (node.properties ?? {}) as Record<string, JsonSchema>;
    const missing = (node.required ?? []).filter((key) => !(key in members)).map((key) => `${path}.${key}`);
    return [
      ...missing,
      ...Object.entries(members).flatMap(([key, member]) =>
        key in declared
          ? validate(declared[key]!, member, `${path}.${key}`)
          : validate((node.additionalProperties ?? true) as JsonSchema, member, `${path}.${key}`),
      ),
    ];
  }
  return [];
}

describe('contactTraceRecordJsonSchema()', () => {
  it('is a draft 2020-12 object schema with the required core and no $ref', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('ContactTraceRecord');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toEqual({});
    expect(schema.required).toEqual([
      'AWSAccountId',
      'AWSContactTraceRecordFormatVersion',
      'Channel',
      'ContactId',
      'InitiationMethod',
      'InitiationTimestamp',
      'InstanceARN',
      'LastUpdateTimestamp',
    ]);
    expect(JSON.stringify(schema)).not.toContain('$ref');
    expect(JSON.stringify(schema)).not.toContain('$defs');
  });

  it('types timestamps as strings with format date-time, nested ones too', () => {
    expect(properties.LastUpdateTimestamp).toEqual(TIMESTAMP);
    expect(properties.InitiationTimestamp).toEqual(TIMESTAMP);
    for (const path of [
      ['ConnectedToSystemTimestamp'],
      ['DisconnectTimestamp'],
      ['Agent', 'ConnectedToAgentTimestamp'],
      ['Agent', 'AfterContactWorkEndTimestamp'],
      ['Queue', 'EnqueueTimestamp'],
      ['Recordings', 'StartTimestamp'],
      ['RoutingCriteria', 'ActivationTimestamp'],
    ]) {
      expect(propertyAt(path)).toEqual({ anyOf: [TIMESTAMP, { type: 'null' }] });
    }
  });

  it('types integers as integer, not number', () => {
    for (const path of [
      ['AgentConnectionAttempts'],
      ['Queue', 'Duration'],
      ['Agent', 'AgentInteractionDuration'],
    ]) {
      expect(propertyAt(path)).toEqual({
        anyOf: [{ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, { type: 'null' }],
      });
    }
    expect(nonNull(propertyAt(['QualityMetrics', 'Agent', 'Audio', 'QualityScore']))).toEqual([
      { type: 'number' },
    ]);
  });

  it('writes an open enumeration as one flat anyOf: known enum values, any string (and null when nullable)', () => {
    expect(properties.Channel).toEqual({
      anyOf: [{ type: 'string', enum: [...CHANNELS] }, { type: 'string' }],
    });
    expect(properties.InitiationMethod).toEqual({
      anyOf: [{ type: 'string', enum: [...INITIATION_METHODS] }, { type: 'string' }],
    });
    expect(properties.DisconnectReason).toEqual({
      anyOf: [{ type: 'string', enum: [...DISCONNECT_REASONS] }, { type: 'string' }, { type: 'null' }],
    });
    expect(propertyAt(['CustomerEndpoint', 'Type'])).toEqual({
      anyOf: [{ type: 'string', enum: [...ENDPOINT_TYPES] }, { type: 'string' }, { type: 'null' }],
    });
  });

  it('writes every nullable scalar as anyOf [schema, null], never as a type array', () => {
    expect(properties.InitialContactId).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(propertyAt(['CustomerEndpoint', 'Address'])).toEqual({
      anyOf: [{ type: 'string' }, { type: 'null' }],
    });
    const typeArrays: string[] = [];
    JSON.stringify(schema, (key, value: unknown) => {
      if (key === 'type' && Array.isArray(value) && value.includes('null') && value.length === 2)
        typeArrays.push(key);
      return value;
    });
    expect(typeArrays).toEqual([]);
  });

  it('keeps objects open and types maps', () => {
    const agent = nonNull(properties.Agent!)[0]!;
    expect(agent.type).toBe('object');
    expect(agent.additionalProperties).toEqual({});
    expect(Object.keys(agent.properties ?? {})).toEqual(
      expect.arrayContaining(['Username', 'HierarchyGroups']),
    );
    expect(nonNull(properties.Attributes!)[0]).toEqual({
      type: 'object',
      propertyNames: { type: 'string' },
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    });
  });

  it('accepts every fixture and rejects the invalid ones at the same paths as zod', () => {
    for (const name of validEventNames()) expect(validate(schema, loadEvent(name)), name).toEqual([]);
    expect(validate(schema, loadEvent('invalid/agent-as-string.json'))).toEqual([
      '$.Agent',
      '$.CustomerEndpoint',
    ]);
    expect(validate(schema, loadEvent('invalid/missing-contact-id.json'))).toEqual(['$.ContactId']);
    expect(validate(schema, loadEvent('invalid/bad-timestamps-and-duration.json'))).toEqual([
      '$.LastUpdateTimestamp',
      '$.Queue',
    ]);
  });

  it('writes every timestamp with the pattern that requires seconds', () => {
    const patterns = new Set<unknown>();
    JSON.stringify(schema, (_key, value: { format?: unknown; pattern?: unknown }) => {
      if (typeof value === 'object' && value !== null && value.format === 'date-time')
        patterns.add(value.pattern);
      return value;
    });
    expect([...patterns]).toEqual([TIMESTAMP_PATTERN]);
    const pattern = new RegExp(properties.LastUpdateTimestamp!.pattern!);
    expect(pattern.test('2018-11-02T07:00:12Z')).toBe(true);
    expect(pattern.test('2018-11-02T07:00:12.412Z')).toBe(true);
    expect(pattern.test('2018-11-02T07:00Z')).toBe(false);
    expect(
      validate(schema, {
        ...loadEvent('tutorial-abandoned-2018.json'),
        LastUpdateTimestamp: '2018-11-02T07:00Z',
      }),
    ).toEqual(['$.LastUpdateTimestamp']);
  });

  it('is the document shipped in the package (the shape is under semver: update the file on purpose only)', async () => {
    // Byte for byte what scripts/write-json-schema.mjs writes to dist/contact-trace-record.schema.json.
    await expect(`${JSON.stringify(schema, null, 2)}\n`).toMatchFileSnapshot(
      './__snapshots__/contact-trace-record.schema.json',
    );
  });

  const builtFile = new URL('../../dist/contact-trace-record.schema.json', import.meta.url);
  it.skipIf(!existsSync(builtFile))(
    'is what the build wrote to dist/contact-trace-record.schema.json',
    () => {
      expect(JSON.parse(readFileSync(builtFile, 'utf8'))).toEqual(schema);
    },
  );

  it('is the same document whatever zod ^4.1 generated it (zod 4.1 to 4.4 write unions and timestamps differently)', () => {
    const generated = z.toJSONSchema(ContactTraceRecordSchema, { target: 'draft-2020-12', reused: 'inline' });
    const asOlderZodWritesIt = olderZodOutput(generated);
    expect(asOlderZodWritesIt).not.toEqual(normaliseJsonSchema(generated)); // there is something to normalise
    expect(normaliseJsonSchema(asOlderZodWritesIt)).toEqual(normaliseJsonSchema(generated));
    expect(JSON.stringify(normaliseJsonSchema(asOlderZodWritesIt))).toBe(
      JSON.stringify(normaliseJsonSchema(generated)),
    );
  });

  it.each([
    [
      'an anyOf of bare types (zod < 4.5) becomes a type list',
      { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] },
      { type: ['string', 'number', 'boolean', 'null'] },
    ],
    [
      'a type list (zod >= 4.5) stays',
      { type: ['string', 'number', 'boolean', 'null'] },
      { type: ['string', 'number', 'boolean', 'null'] },
    ],
    [
      'a nullable bare type (zod < 4.5) stays an anyOf',
      { anyOf: [{ type: 'string' }, { type: 'null' }] },
      { anyOf: [{ type: 'string' }, { type: 'null' }] },
    ],
    [
      'a nullable type list (zod >= 4.5) becomes an anyOf',
      { type: ['integer', 'null'], minimum: 0 },
      { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
    ],
    [
      'a nullable union of bare types folds into one type list, as zod >= 4.5 writes it',
      { anyOf: [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, { type: 'null' }] },
      { type: ['string', 'number', 'null'] },
    ],
    [
      'a nullable open enumeration is one flat anyOf',
      { anyOf: [{ anyOf: [{ type: 'string', enum: ['VOICE'] }, { type: 'string' }] }, { type: 'null' }] },
      { anyOf: [{ type: 'string', enum: ['VOICE'] }, { type: 'string' }, { type: 'null' }] },
    ],
    [
      "a timestamp with zod < 4.5's optional seconds gets the pattern that requires them",
      { type: 'string', format: 'date-time', pattern: OPTIONAL_SECONDS_PATTERN },
      { type: 'string', format: 'date-time', pattern: TIMESTAMP_PATTERN },
    ],
  ])('normalises zod output: %s', (_case, generated, expected) => {
    expect(new RegExp(OPTIONAL_SECONDS_PATTERN).test('2018-11-02T07:00Z')).toBe(true); // a faithful stand-in
    expect(normaliseJsonSchema(generated)).toEqual(expected);
  });

  it('returns a fresh copy on every call', () => {
    const first = contactTraceRecordJsonSchema();
    (first.properties as Record<string, unknown>).Channel = 'mutated';
    expect(contactTraceRecordJsonSchema().properties?.Channel).toEqual(properties.Channel);
  });
});
