import { describe, expect, test } from 'vitest';
import {
  callsPerDayMatches,
  EXACT_UNIQUE_COUNT_LIMIT,
  nothingSimulated,
  redactUrl,
  runSucceeded,
  uniqueCountTolerance,
} from '../../src/index.js';

const expected = new Map([
  ['2026-03-02', 30],
  ['2026-03-03', 28],
]);
const totals = {
  sent: 60,
  sendFailed: 0,
  delivered: 60,
  enrichedWithName: 20,
  unknownCallers: 10,
  lookupFailed: 0,
  failed: 0,
  backedUp: 60,
};
const good = {
  callsPerDay: [
    { date: '2026-03-02', calls: 30 },
    { date: '2026-03-03', calls: 28 },
  ],
  expectedCallsPerDay: expected,
  totals,
};

describe('what makes npm start exit 0', () => {
  test('a table equal to the ground truth, every record delivered', () => {
    expect(runSucceeded(good)).toBe(true);
  });

  test('an empty table is a mismatch, not a vacuous match', () => {
    expect(callsPerDayMatches({ callsPerDay: [], expectedCallsPerDay: expected })).toBe(false);
    expect(runSucceeded({ ...good, callsPerDay: [], totals: { ...totals, delivered: 0, failed: 60 } })).toBe(
      false,
    );
  });

  test('a run that simulated nothing (a quiet weekend day) succeeds with nothing to compare; one that lost all does not', () => {
    const none = {
      callsPerDay: [],
      expectedCallsPerDay: new Map<string, number>(),
      totals: { ...totals, sent: 0, delivered: 0, enrichedWithName: 0, unknownCallers: 0, backedUp: 0 },
    };
    expect(nothingSimulated(none)).toBe(true);
    expect(runSucceeded(none)).toBe(true);
    // Records sent and expected: not "nothing simulated", whatever reached the index.
    expect(
      nothingSimulated({ ...good, callsPerDay: [], totals: { ...totals, delivered: 0, failed: 60 } }),
    ).toBe(false);
    expect(nothingSimulated({ ...none, totals: { ...none.totals, sendFailed: 3 } })).toBe(false);
  });

  test('a day missing from Elasticsearch is a mismatch', () => {
    expect(
      callsPerDayMatches({ callsPerDay: [{ date: '2026-03-02', calls: 30 }], expectedCallsPerDay: expected }),
    ).toBe(false);
  });

  test('a day Elasticsearch has but the ground truth does not is a mismatch', () => {
    const extra = [...good.callsPerDay, { date: '2018-11-02', calls: 1 }];
    expect(callsPerDayMatches({ callsPerDay: extra, expectedCallsPerDay: expected })).toBe(false);
  });

  test('empty histogram buckets between days do not count', () => {
    const withGap = [good.callsPerDay[0]!, { date: '2026-03-04', calls: 0 }, good.callsPerDay[1]!];
    expect(callsPerDayMatches({ callsPerDay: withGap, expectedCallsPerDay: expected })).toBe(true);
  });

  test('a day may be off by what the unique count’s hashing allows: nothing on small days', () => {
    expect(uniqueCountTolerance(200)).toBe(0);
    expect(uniqueCountTolerance(259)).toBe(0);
    expect(uniqueCountTolerance(260)).toBe(1);
    expect(uniqueCountTolerance(1_745)).toBe(1);
    expect(uniqueCountTolerance(1_746)).toBe(2);
    expect(uniqueCountTolerance(5_545)).toBe(4);
    expect(uniqueCountTolerance(EXACT_UNIQUE_COUNT_LIMIT)).toBe(40);
    expect(uniqueCountTolerance(100_000)).toBe(1_000);
    const table = (date: string, calls: number, expectedCalls: number) => ({
      callsPerDay: [{ date, calls }],
      expectedCallsPerDay: new Map([[date, expectedCalls]]),
    });
    expect(callsPerDayMatches(table('2026-03-02', 5_541, 5_545))).toBe(true);
    expect(callsPerDayMatches(table('2026-03-02', 5_549, 5_545))).toBe(true);
    expect(callsPerDayMatches(table('2026-03-02', 5_540, 5_545))).toBe(false);
    expect(callsPerDayMatches(table('2026-03-02', 199, 200))).toBe(false);
    expect(callsPerDayMatches(table('2026-03-02', 60_600, 60_000))).toBe(true);
    expect(callsPerDayMatches(table('2026-03-02', 60_601, 60_000))).toBe(false);
  });

  test('failed or lost records fail the run even when the table matches', () => {
    expect(runSucceeded({ ...good, totals: { ...totals, delivered: 59, failed: 1 } })).toBe(false);
    expect(runSucceeded({ ...good, totals: { ...totals, delivered: 59 } })).toBe(false);
    expect(runSucceeded({ ...good, totals: { ...totals, sendFailed: 1 } })).toBe(false);
  });
});

describe('redactUrl', () => {
  test('hides credentials', () => {
    const shown = redactUrl('https://elastic:s3cret@search.example.com:9243/');
    expect(shown).toBe('https://search.example.com:9243');
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('elastic');
    expect(redactUrl('http://127.0.0.1:9200')).toBe('http://127.0.0.1:9200');
  });
});
