import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFastValidator, fastValidatorSource } from '../../src/fast-validator.js';
import { contactTraceRecordJsonSchema, safeParseContactTraceRecord } from '../../src/index.js';
import { safeParseWithZod } from '../../src/parse.js';
import { loadEvent, validEventNames } from '../load-events.js';

// The fast path must give zod's verdict (plus the __proto__ rule): for every JSON value, fast accepts
// exactly when zod accepts; for anything else, fast may only say "no" (then zod decides).
const fastValidator = compileFastValidator(contactTraceRecordJsonSchema());
if (fastValidator === undefined) throw new Error('the shipped JSON Schema must compile to a fast validator');
const fast = fastValidator;
const zodAccepts = (input: unknown) => safeParseWithZod(input).success;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const INVALID = ['agent-as-string.json', 'bad-timestamps-and-duration.json', 'missing-contact-id.json'];
const records = validEventNames().map((name) => loadEvent(name) as Json);
const allInputs = [
  ...records,
  ...INVALID.map((name) => loadEvent(`invalid/${name}`) as Json),
  loadEvent('not-ctr/agent-event.json') as Json,
];

/** Every path to a value in the record (not the root itself), objects and arrays included. */
function pathsOf(root: Json): Path[] {
  const paths: Path[] = [];
  const visit = (node: Json, path: Path) => {
    if (path.length > 0) paths.push(path);
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, [...path, index]);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) visit(value, [...path, key]);
    }
  };
  visit(root, []);
  return paths;
}

function parentOf(root: Json, path: Path): Record<string | number, unknown> {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  return node as Record<string | number, unknown>;
}

/** Adds an own enumerable `__proto__` key, exactly as JSON.parse creates it. */
function addPrototypeKey(target: object, value: unknown) {
  Object.defineProperty(target, '__proto__', { value, enumerable: true, writable: true, configurable: true });
}

const badTimestamp = fc.constantFrom(
  '2018-02-30T07:00:12Z',
  '2019-02-29T00:00:00Z',
  '2018-11-02T07:00Z',
  '2018-11-02 07:00:12',
  '2018-11-02T07:00:12+01:00',
  '2018-11-02T24:00:00Z',
  '2018-11-02T07:00:12.Z',
  '20181102T070012Z',
  '',
);
const goodTimestamp = fc.constantFrom(
  '2020-02-29T23:59:59Z',
  '2018-11-02T07:00:12.5Z',
  '2000-02-29T00:00:00.123456Z',
);
const replacement: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, 1.5, -1, -0, 0, 2 ** 53, 9_007_199_254_740_991, 1e21, true, '', '39', [], {}),
  badTimestamp,
  goodTimestamp,
  fc.string({ maxLength: 12 }), // an open enum value, or a string where something else belongs
);

type Mutation =
  | { kind: 'set'; pick: number; value: unknown }
  | { kind: 'delete'; pick: number }
  | { kind: 'add'; pick: number; key: string; value: unknown }
  | { kind: 'proto'; pick: number; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value: replacement }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pick: fc.nat(),
      key: fc.oneof(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('ContactId', 'Agent', 'Name', 'Status', 'constructor', 'toString', 'Type', 'ARN'),
      ),
      value: replacement,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('proto' as const), pick: fc.nat(), value: replacement }),
  },
);

function mutate(record: Json, change: Mutation): void {
  const paths = pathsOf(record);
  if (change.kind === 'add' || change.kind === 'proto') {
    const containers = [[] as Path, ...paths].filter((path) => {
      const node = path.length === 0 ? record : parentOf(record, path)[path.at(-1) as string];
      return typeof node === 'object' && node !== null && !Array.isArray(node);
    });
    const path = containers[change.pick % containers.length] as Path;
    const target = (path.length === 0 ? record : parentOf(record, path)[path.at(-1) as string]) as object;
    if (change.kind === 'proto') addPrototypeKey(target, change.value);
    else if (change.key === '__proto__') addPrototypeKey(target, change.value);
    else (target as Record<string, unknown>)[change.key] = change.value;
    return;
  }
  if (paths.length === 0) return;
  const path = paths[change.pick % paths.length] as Path;
  const parent = parentOf(record, path);
  const key = path.at(-1) as string | number;
  if (change.kind === 'set') parent[key] = change.value;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
}

describe('fast validator: the same verdict as zod', () => {
  it('compiles from the shipped JSON Schema, without $ref, to straight-line code', () => {
    const generated = fastValidatorSource(contactTraceRecordJsonSchema());
    expect(generated?.source).toContain('v["LastUpdateTimestamp"]');
    expect(typeof fastValidator).toBe('function');
  });

  it('gives every fixture (valid, invalid, not a CTR) the same verdict as zod', () => {
    for (const input of allInputs) expect(fast(input)).toBe(zodAccepts(input));
    expect(records.every((record) => fast(record))).toBe(true);
    expect(allInputs.filter((input) => !fast(input)).length).toBe(INVALID.length + 1);
  });

  it('gives generated valid and invalid variants the same verdict as zod', () => {
    const verdicts = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(
        fc.nat({ max: records.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (index, changes) => {
          const record = structuredClone(records[index]) as Json;
          for (const change of changes) mutate(record, change);
          // Through JSON and back, too: what a Firehose record decodes to.
          const viaJson = JSON.parse(JSON.stringify(record)) as unknown;
          const expected = zodAccepts(record);
          verdicts[expected ? 'accepted' : 'rejected']++;
          expect(fast(record)).toBe(expected);
          expect(fast(viaJson)).toBe(zodAccepts(viaJson));
        },
      ),
      { numRuns: 3_000, seed: 20_240_604 },
    );
    // Not vacuous: both verdicts are exercised, a lot.
    expect(verdicts.accepted).toBeGreaterThan(500);
    expect(verdicts.rejected).toBeGreaterThan(500);
  });

  it('agrees on targeted edge cases of every primitive', () => {
    const base = () => structuredClone(records[0]) as Record<string, unknown>;
    const cases: [string, (record: Record<string, unknown>) => void][] = [
      ['empty ContactId', (record) => (record.ContactId = '')],
      ['missing InstanceARN', (record) => delete record.InstanceARN],
      ['null Channel', (record) => (record.Channel = null)],
      ['open Channel', (record) => (record.Channel = 'CARRIER_PIGEON')],
      ['float count', (record) => (record.AgentConnectionAttempts = 1.5)],
      ['negative count', (record) => (record.AgentConnectionAttempts = -1)],
      ['unsafe integer count', (record) => (record.AgentConnectionAttempts = 2 ** 53)],
      ['largest safe count', (record) => (record.AgentConnectionAttempts = 2 ** 53 - 1)],
      ['number attribute', (record) => (record.Attributes = { a: 1.25, b: true, c: null })],
      ['object attribute', (record) => (record.Attributes = { a: {} })],
      ['array as Attributes', (record) => (record.Attributes = ['x'])],
      ['array as Agent', (record) => (record.Agent = [])],
      ['null tag value', (record) => (record.Tags = { a: null })],
      ['References as array', (record) => (record.References = [1, 'x'])],
      ['leap day 2100', (record) => (record.LastUpdateTimestamp = '2100-02-29T00:00:00Z')],
      ['leap day 2000', (record) => (record.LastUpdateTimestamp = '2000-02-29T00:00:00Z')],
      ['unicode ContactId', (record) => (record.ContactId = '\u{1F600}')],
    ];
    for (const [name, change] of cases) {
      const record = base();
      change(record);
      expect(fast(record), name).toBe(zodAccepts(record));
    }
  });
});

describe('safeParseContactTraceRecord: identical results on both paths', () => {
  it('returns the input itself on success and zod-worded issues on failure', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: records.length - 1 }),
        fc.array(mutation, { maxLength: 2 }),
        (index, changes) => {
          const record = structuredClone(records[index]) as Json;
          for (const change of changes) mutate(record, change);
          const actual = safeParseContactTraceRecord(record);
          const expected = safeParseWithZod(record);
          expect(actual.success).toBe(expected.success);
          if (actual.success) expect(actual.data).toBe(record);
          else if (!expected.success) {
            expect(actual.error.issues).toEqual(expected.error.issues);
            expect(actual.error.message).toBe(expected.error.message);
          }
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });

  it('leaves values that are not JSON to zod, with the same verdict', () => {
    class Agent {
      Username = 'bob';
    }
    const symbolKeyed = { a: 'x', [Symbol('s')]: 'y' };
    const cases: [string, (record: Record<string, unknown>) => void][] = [
      ['class instance as Agent', (record) => (record.Agent = new Agent())],
      ['class instance as Attributes', (record) => (record.Attributes = new Agent())],
      [
        'null-prototype Attributes',
        (record) => (record.Attributes = Object.assign(Object.create(null), { a: 'x' })),
      ],
      ['symbol key in Attributes', (record) => (record.Attributes = symbolKeyed)],
      ['NaN count', (record) => (record.AgentConnectionAttempts = Number.NaN)],
      ['Infinity attribute', (record) => (record.Attributes = { a: Number.POSITIVE_INFINITY })],
      ['function in ContactDetails', (record) => (record.ContactDetails = { constructor: () => 1 })],
      ['undefined optional member', (record) => (record.Agent = undefined)],
      ['undefined required member', (record) => (record.ContactId = undefined)],
      ['Date as timestamp', (record) => (record.LastUpdateTimestamp = new Date())],
      [
        'non-enumerable Agent',
        (record) => Object.defineProperty(record, 'Agent', { value: 'x', enumerable: false }),
      ],
      [
        'deeply nested unknown field',
        (record) => {
          let deep: unknown = {};
          for (let depth = 0; depth < 50_000; depth++) deep = { next: deep };
          record.FutureDeep = deep;
        },
      ],
    ];
    for (const [name, change] of cases) {
      const record = structuredClone(records[0]) as Record<string, unknown>;
      change(record);
      const zodResult = safeParseWithZod(record);
      if (fast(record)) expect(zodResult.success, name).toBe(true);
      const result = safeParseContactTraceRecord(record);
      expect(result.success, name).toBe(zodResult.success);
      if (result.success) expect(result.data, name).toBe(record);
      else if (!zodResult.success) expect(result.error.issues, name).toEqual(zodResult.error.issues);
    }
  });

  it('falls back to zod when the schema uses a keyword the compiler does not know', () => {
    expect(compileFastValidator({ type: 'string', maxLength: 3 })).toBeUndefined();
    expect(compileFastValidator({ type: 'string', format: 'email' })).toBeUndefined();
    expect(compileFastValidator({ type: 'object', additionalProperties: false })).toBeUndefined();
    expect(compileFastValidator({ type: 'string', minLength: 2 })).toBeUndefined();
    expect(compileFastValidator({ type: 'integer', minimum: 0 })?.(1)).toBe(true);
  });
});
