import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeParseContactTraceRecord } from '../../src/index.js';
import { formatIssuePath } from '../../src/parse.js';
import { canonicalJson } from '../canonical-json.js';
import { loadEvent, validEventNames } from '../load-events.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const CORE = new Set([
  'AWSAccountId',
  'AWSContactTraceRecordFormatVersion',
  'Channel',
  'ContactId',
  'InitiationMethod',
  'InitiationTimestamp',
  'InstanceARN',
  'LastUpdateTimestamp',
]);
// Maps whose values are typed: a random member added there is invalid, and Tags/SegmentAttributes members cannot be null.
const TYPED_VALUE_MAPS = new Set(['Tags', 'SegmentAttributes', 'Attributes']);
const NON_NULL_VALUE_MAPS = new Set(['Tags', 'SegmentAttributes']);
const TIMESTAMP_KEY = /Timestamp$|^stateStartTimestamp$|^stateEndTimestamp$/;
const OPEN_ENUM_PATHS = [
  ['Channel'],
  ['InitiationMethod'],
  ['DisconnectReason'],
  ['CustomerEndpoint', 'Type'],
  ['SystemEndpoint', 'Type'],
  ['Recording', 'Status'],
  ['AnsweringMachineDetectionStatus'],
];

const records = validEventNames().map((name) => ({ name, record: loadEvent(name) as Json }));

function get(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, Json>)[key];
  }
  return node;
}

/** Every object (with its path) and every member of a typed object that may be null or absent. */
function walk(record: Json) {
  const objects: Path[] = [];
  const optionalMembers: Path[] = [];
  const timestamps: Path[] = [];
  const visit = (node: Json, path: Path) => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        visit(item, [...path, index]);
      });
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const ownKey = path.at(-1);
    const isTypedMap = typeof ownKey === 'string' && TYPED_VALUE_MAPS.has(ownKey);
    if (!isTypedMap) objects.push(path);
    for (const [key, value] of Object.entries(node)) {
      const member = [...path, key];
      const isCore = path.length === 0 && CORE.has(key);
      const inNonNullMap = typeof ownKey === 'string' && NON_NULL_VALUE_MAPS.has(ownKey);
      if (!isCore && !inNonNullMap) optionalMembers.push(member);
      if (typeof value === 'string' && TIMESTAMP_KEY.test(key)) timestamps.push(member);
      visit(value, member);
    }
  };
  visit(record, []);
  return { objects, optionalMembers, timestamps };
}

const futureKey = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }).map((suffix) => `Future${suffix}`),
  fc.constantFrom('constructor', 'toString', 'valueOf', 'hasOwnProperty', '', ' ', 'a.b', '0', 'Ünïcødé'),
);
const timestamp = fc
  .tuple(
    fc.date({
      min: new Date('2017-03-10T00:00:00Z'),
      max: new Date('2099-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    fc.boolean(),
  )
  .map(([date, withMilliseconds]) =>
    withMilliseconds ? date.toISOString() : date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  );

type Mutation =
  | { kind: 'add'; pick: number; key: string; value: unknown }
  | { kind: 'null'; pick: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'enum'; pick: number; value: string }
  | { kind: 'timestamp'; pick: number; value: string }
  | { kind: 'count'; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    pick: fc.nat(),
    key: futureKey,
    value: fc.jsonValue({ maxDepth: 3 }),
  }),
  fc.record({ kind: fc.constant('null' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('enum' as const), pick: fc.nat(), value: fc.string({ maxLength: 20 }) }),
  fc.record({ kind: fc.constant('timestamp' as const), pick: fc.nat(), value: timestamp }),
  fc.record({ kind: fc.constant('count' as const), value: fc.nat({ max: 1_000_000 }) }),
);

function setAt(root: Json, path: Path, value: unknown) {
  const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
}

function applyMutation(record: Json, change: Mutation): void {
  const { objects, optionalMembers, timestamps } = walk(record);
  const pickFrom = <T>(items: T[], pick: number): T | undefined => items[pick % Math.max(items.length, 1)];
  switch (change.kind) {
    case 'add': {
      const path = pickFrom(objects, change.pick);
      const target = path && (get(record, path) as Record<string, unknown>);
      // Only keys the object does not have: a known key with a random value is a different test.
      if (target && !Object.hasOwn(target, change.key)) {
        Object.defineProperty(target, change.key, {
          value: change.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return;
    }
    case 'null': {
      const path = pickFrom(optionalMembers, change.pick);
      if (path) setAt(record, path, null);
      return;
    }
    case 'delete': {
      const path = pickFrom(optionalMembers, change.pick);
      if (path) delete (get(record, path.slice(0, -1)) as Record<string | number, unknown>)[path.at(-1)!];
      return;
    }
    case 'enum': {
      const path = pickFrom(OPEN_ENUM_PATHS, change.pick)!;
      if (typeof get(record, path) === 'string') setAt(record, path, change.value);
      return;
    }
    case 'timestamp': {
      const path = pickFrom(timestamps, change.pick);
      if (path) setAt(record, path, change.value);
      return;
    }
    case 'count': {
      if (typeof get(record, ['AgentConnectionAttempts']) === 'number')
        setAt(record, ['AgentConnectionAttempts'], change.value);
      return;
    }
  }
}

/** A fixture with 1 to 8 random, valid changes, as it would arrive: through JSON. */
const validVariant = fc
  .tuple(fc.constantFrom(...records), fc.array(mutation, { minLength: 1, maxLength: 8 }))
  .map(([{ name, record }, changes]) => {
    const variant = structuredClone(record);
    for (const change of changes) applyMutation(variant, change);
    return { name, changes, input: JSON.parse(JSON.stringify(variant)) as Json };
  });

describe('round trip (property)', () => {
  it('JSON.stringify(parse(x)) equals x for generated valid variants of every fixture', () => {
    const originals = new Map(records.map(({ name, record }) => [name, canonicalJson(record)]));
    const kinds = new Set<string>();
    let changed = 0;
    fc.assert(
      fc.property(validVariant, ({ name, changes, input }) => {
        const result = safeParseContactTraceRecord(input);
        if (!result.success) throw result.error;
        expect(canonicalJson(result.data)).toBe(canonicalJson(input));
        if (canonicalJson(input) !== originals.get(name)) changed++;
        for (const change of changes) kinds.add(change.kind);
      }),
      { numRuns: 400, seed: 20_240_304 },
    );
    // Guard against a vacuous generator: most variants really differ from their fixture.
    expect(changed).toBeGreaterThan(300);
    expect([...kinds].sort()).toEqual(['add', 'count', 'delete', 'enum', 'null', 'timestamp']);
  });

  it('names the exact path of a corrupted timestamp or object, at any depth', () => {
    const corruption = fc.tuple(
      validVariant,
      fc.nat(),
      fc.constantFrom('not a timestamp', '2018-11-02T07:00:12+01:00', 42, true),
    );
    fc.assert(
      fc.property(corruption, ([{ input }, pick, badValue]) => {
        const { timestamps, objects } = walk(input);
        const typedObjects = objects.filter(
          (path) =>
            path.length > 0 &&
            typeof path.at(-1) === 'string' &&
            [
              'Agent',
              'Queue',
              'CustomerEndpoint',
              'Recording',
              'RoutingProfile',
              'HierarchyGroups',
              'Level1',
            ].includes(path.at(-1) as string),
        );
        const candidates = [...timestamps, ...typedObjects];
        const path = candidates[pick % candidates.length];
        if (!path) return;
        setAt(input, path, badValue);
        const result = safeParseContactTraceRecord(input);
        expect(result.success).toBe(false);
        if (!result.success)
          expect(result.error.issues.map((issue) => issue.path)).toContain(formatIssuePath(path));
      }),
      { numRuns: 200, seed: 20_181_102 },
    );
  });
});
