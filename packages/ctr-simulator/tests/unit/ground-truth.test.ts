import { describe, expect, it } from 'vitest';
import { simulateContactTraffic } from '../../src/simulate.js';

/**
 * An independent recount from the bytes that would be sent, the way Elasticsearch sees them: one
 * document per line, bucketed by the UTC day of LastUpdateTimestamp, unique count of ContactId.
 */
function recount(ndjson: string, directory: ReadonlyMap<string, string>) {
  const perDay: Record<string, Set<string>> = {};
  const recordsPerDay: Record<string, number> = {};
  const all = new Set<string>();
  const byChannel: Record<string, Set<string>> = {};
  const abandoned = new Set<string>();
  let known = 0;
  let unknown = 0;
  let voiceWithPhone = 0;
  let lines = 0;
  for (const line of ndjson.split('\n')) {
    if (line === '') continue;
    lines++;
    const document = JSON.parse(line);
    const day = new Date(document.LastUpdateTimestamp).toISOString().slice(0, 10);
    perDay[day] ??= new Set();
    perDay[day].add(document.ContactId);
    recordsPerDay[day] = (recordsPerDay[day] ?? 0) + 1;
    all.add(document.ContactId);
    byChannel[document.Channel] ??= new Set();
    byChannel[document.Channel]!.add(document.ContactId);
    const enqueued = typeof document.Queue?.EnqueueTimestamp === 'string';
    const neverConnected = !document.Agent?.ConnectedToAgentTimestamp;
    if (
      enqueued &&
      neverConnected &&
      !document.NextContactId &&
      // Records of the 2018 shape have no DisconnectReason (ctr.md 1.11: queued, never connected).
      (document.DisconnectReason === 'CUSTOMER_DISCONNECT' || document.DisconnectReason === undefined)
    ) {
      abandoned.add(document.ContactId);
    }
    const endpoint = document.CustomerEndpoint;
    if (endpoint?.Type === 'TELEPHONE_NUMBER' && endpoint.Address) {
      if (document.Channel === 'VOICE') voiceWithPhone++;
      if (directory.has(endpoint.Address)) known++;
      else unknown++;
    }
  }
  return {
    days: Object.keys(perDay)
      .sort()
      .map((date) => ({ date, distinctContacts: perDay[date]!.size, records: recordsPerDay[date]! })),
    lines,
    distinct: all.size,
    byChannel: Object.fromEntries(Object.entries(byChannel).map(([channel, ids]) => [channel, ids.size])),
    abandoned: abandoned.size,
    known,
    unknown,
    voiceWithPhone,
  };
}

describe('ground truth', () => {
  for (const seed of [1, 7, 2024]) {
    it(`matches an independent recount of the NDJSON bytes (seed ${seed})`, () => {
      const simulation = simulateContactTraffic({
        startDate: '2024-02-26',
        days: 8,
        contactsPerDay: 120,
        seed,
      });
      const ndjson = simulation.records.map((record) => `${record.data}\n`).join('');
      const truth = simulation.groundTruth;
      const counted = recount(ndjson, simulation.callerDirectory);
      expect(truth.days).toEqual(counted.days);
      expect(truth.totals.records).toBe(counted.lines);
      expect(truth.totals.distinctContacts).toBe(counted.distinct);
      expect(truth.totals.distinctContactsByChannel).toEqual({
        VOICE: 0,
        CHAT: 0,
        TASK: 0,
        ...counted.byChannel,
      });
      expect(truth.totals.abandonedContacts).toBe(counted.abandoned);
      expect(truth.totals.recordsWithKnownCaller).toBe(counted.known);
      expect(truth.totals.recordsWithUnknownCaller).toBe(counted.unknown);
      expect(truth.totals.voiceRecordsWithPhoneNumber).toBe(counted.voiceWithPhone);
      expect(truth.totals.originalRecords + truth.totals.updateRecords + truth.totals.duplicateRecords).toBe(
        counted.lines,
      );
      // Updates landing on a later day make the per-day sum exceed the distinct total.
      const perDaySum = truth.days.reduce((sum, day) => sum + day.distinctContacts, 0);
      expect(perDaySum).toBeGreaterThanOrEqual(truth.totals.distinctContacts);
    });
  }

  it('counts a contact once per day however many records it has that day', () => {
    const simulation = simulateContactTraffic({
      startDate: '2024-03-04',
      days: 3,
      contactsPerDay: 200,
      seed: 5,
      duplicateRate: 0.5,
    });
    const truth = simulation.groundTruth;
    expect(truth.totals.duplicateRecords).toBeGreaterThan(100);
    const dayRecords = truth.days.reduce((sum, day) => sum + day.records, 0);
    expect(dayRecords).toBe(truth.totals.records);
    expect(truth.days.every((day) => day.records > day.distinctContacts)).toBe(true);
  });
});
