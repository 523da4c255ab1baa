import { safeParseContactTraceRecord } from '@ctr-stream/ctr-schema';
import { describe, expect, it } from 'vitest';
import { SimulationOptionsError } from '../../src/errors.js';
import { simulateLiveTraffic } from '../../src/live-traffic.js';
import type { SimulatedRecord } from '../../src/record-types.js';
import { simulateContactTraffic } from '../../src/simulate.js';

/** The records of a live simulation up to (not including) a timestamp. */
function recordsBefore(records: Iterable<SimulatedRecord>, end: string): SimulatedRecord[] {
  const taken: SimulatedRecord[] = [];
  for (const record of records) {
    if (record.record.LastUpdateTimestamp >= end) break;
    taken.push(record);
  }
  return taken;
}

// Wednesday 2024-03-06, 09:30 in Sydney (UTC+10): the morning ramp.
const FROM = Date.parse('2024-03-05T23:30:00Z');
const OPTIONS = { contactsPerDay: 400, seed: 9, utcOffsetMinutes: 600 } as const;
// Four days: past a weekend boundary and past the updates re-published days later.
const UNTIL = '2024-03-09T23:30:00Z';
const live = simulateLiveTraffic({ ...OPTIONS, from: FROM });
const records = recordsBefore(live.records, UNTIL);

describe('simulateLiveTraffic', () => {
  it('starts at `from` and keeps delivery order across days, duplicates right after their original', () => {
    expect(live.options.from).toBe('2024-03-05T23:30:00Z');
    expect(records.length).toBeGreaterThan(1000);
    expect(records[0]!.record.LastUpdateTimestamp >= '2024-03-05T23:30:00Z').toBe(true);
    for (let index = 1; index < records.length; index++) {
      const [previous, current] = [records[index - 1]!, records[index]!];
      expect(previous.record.LastUpdateTimestamp <= current.record.LastUpdateTimestamp).toBe(true);
      if (current.kind === 'duplicate') expect(current.data).toBe(previous.data);
    }
    const kinds = new Set(records.map((record) => record.kind));
    expect([...kinds].sort()).toEqual(['duplicate', 'original', 'update']);
    const days = new Set(records.map((record) => record.day));
    expect([...days].sort()).toEqual(['2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-09']);
  });

  it('produces valid CTRs, the day of each being that of its LastUpdateTimestamp', () => {
    for (const simulated of records.slice(0, 500)) {
      const result = safeParseContactTraceRecord(JSON.parse(simulated.data));
      if (!result.success) throw new Error(`${simulated.contactId}: ${JSON.stringify(result.error.issues)}`);
      expect(simulated.day).toBe(simulated.record.LastUpdateTimestamp.slice(0, 10));
    }
  });

  it('has the batch simulation’s contact center and caller directory, but contacts of its own', () => {
    const batch = simulateContactTraffic({ ...OPTIONS, startDate: '2024-03-05', days: 6 });
    expect([...live.callerDirectory]).toEqual([...batch.callerDirectory]);
    expect(live.contactCenter).toEqual(batch.contactCenter);
    // Its traffic is drawn from streams of its own: a history sent with the same seed shares no ContactId with it.
    const batchIds = new Set(batch.records.map((record) => record.contactId));
    expect(records.filter((record) => batchIds.has(record.contactId))).toEqual([]);
    // Nor does a live run started another day.
    const nextWeek = recordsBefore(
      simulateLiveTraffic({ ...OPTIONS, from: FROM + 7 * 86_400_000 }).records,
      '2024-03-14',
    );
    const liveIds = new Set(records.map((record) => record.contactId));
    expect(nextWeek.length).toBeGreaterThan(100);
    expect(nextWeek.filter((record) => liveIds.has(record.contactId))).toEqual([]);
  });

  it('follows the batch model: the busiest hours of a weekday are its business hours', () => {
    const perHour = new Map<number, number>();
    for (const record of records.filter((r) => r.day === '2024-03-06' && r.kind === 'original')) {
      // Sydney time (UTC+10) of the contact's end.
      const hour = (Number(record.record.LastUpdateTimestamp.slice(11, 13)) + 10) % 24;
      perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
    }
    const busiest = [...perHour].sort((left, right) => right[1] - left[1]).slice(0, 3);
    for (const [hour] of busiest) expect(hour).toBeGreaterThanOrEqual(8);
    for (const [hour] of busiest) expect(hour).toBeLessThan(18);
  });

  it('re-publishes updates of contacts that ended before it started', () => {
    const firstSeen = new Map<string, string>();
    for (const record of records)
      if (!firstSeen.has(record.contactId)) firstSeen.set(record.contactId, record.kind);
    // An update whose contact has no earlier record here: the contact ended before `from`.
    expect([...firstSeen.values()]).toContain('update');
  });

  it('gives the same records for the same moments whenever it starts on the same day', () => {
    const later = FROM + 3 * 3_600_000 + 1234;
    const again = recordsBefore(simulateLiveTraffic({ ...OPTIONS, from: later }).records, UNTIL);
    const laterStart = new Date(Math.ceil(later / 1000) * 1000).toISOString().replace('.000', '');
    expect(again.map((record) => record.data)).toEqual(
      records
        .filter((record) => record.record.LastUpdateTimestamp >= laterStart)
        .map((record) => record.data),
    );
    expect(again.map((record) => record.kind)).toEqual(
      records
        .filter((record) => record.record.LastUpdateTimestamp >= laterStart)
        .map((record) => record.kind),
    );
  });

  it('accepts a Date, and iterates its records once', () => {
    const fromDate = simulateLiveTraffic({ ...OPTIONS, from: new Date(FROM) });
    expect(recordsBefore(fromDate.records, '2024-03-06T01:00:00Z').map((record) => record.data)).toEqual(
      records
        .filter((record) => record.record.LastUpdateTimestamp < '2024-03-06T01:00:00Z')
        .map((r) => r.data),
    );
    expect(() => fromDate.records[Symbol.iterator]()).toThrow('iterated once');
  });

  it('generates the next day ahead, in its last 4 hours, a contact at a time, changing no record', () => {
    const sliced = simulateLiveTraffic({ ...OPTIONS, from: FROM });
    // Nothing to do before the iteration starts.
    expect(sliced.records.generateAhead(0)).toBe(false);
    const taken: SimulatedRecord[] = [];
    // Per local day (Sydney midnight = 14:00 UTC): when generating it ahead began, and the contacts it gave.
    const started = new Map<string, string>();
    const contacts = new Map<string, number>();
    let day = '2024-03-07';
    for (const record of sliced.records) {
      const at = record.record.LastUpdateTimestamp;
      if (at >= UNTIL) break;
      taken.push(record);
      // Budget 0: one contact per call.
      while (sliced.records.generateAhead(0)) {
        if (!started.has(day)) started.set(day, at);
        contacts.set(day, (contacts.get(day) ?? 0) + 1);
      }
      if (contacts.has(day))
        day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    }
    expect(taken.map((record) => record.data)).toEqual(records.map((record) => record.data));
    expect(taken.map((record) => record.kind)).toEqual(records.map((record) => record.kind));
    // Sydney's midnight before 2024-03-07 is 2024-03-06T14:00Z: generating that day starts from 10:00Z.
    for (const [localDay, at] of started) {
      const midnight = Date.parse(`${localDay}T00:00:00Z`) - 10 * 3_600_000;
      expect(Date.parse(at)).toBeGreaterThanOrEqual(midnight - 4 * 3_600_000);
      expect(Date.parse(at)).toBeLessThan(midnight);
    }
    expect([...started.keys()]).toEqual(['2024-03-07', '2024-03-08', '2024-03-09', '2024-03-10']);
    // A weekday's volume (400 a day, +-10%), then a Saturday's (weekendFactor).
    expect(contacts.get('2024-03-07')).toBeGreaterThanOrEqual(360);
    expect(contacts.get('2024-03-09')!).toBeLessThan(contacts.get('2024-03-08')!);
  });

  it('refuses an invalid start or model option, listing every problem', () => {
    let caught: unknown;
    try {
      simulateLiveTraffic({ from: Number.NaN, contactsPerDay: -1, utcOffsetMinutes: 5000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SimulationOptionsError);
    const problems = (caught as SimulationOptionsError).problems;
    expect(problems).toContain('from must be a valid Date or epoch milliseconds (got NaN)');
    expect(problems.some((problem) => problem.startsWith('contactsPerDay must be'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('utcOffsetMinutes must be'))).toBe(true);
    expect(() => simulateLiveTraffic({ from: new Date('not a date') })).toThrow(SimulationOptionsError);
    // No contacts would leave the iteration looking for a first record forever.
    expect(() => simulateLiveTraffic({ from: FROM, contactsPerDay: 0 })).toThrow(
      'contactsPerDay must be at least 1 for live traffic (got 0)',
    );
  });
});
