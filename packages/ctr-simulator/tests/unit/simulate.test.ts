import { parseContactTraceRecordJson, safeParseContactTraceRecord } from '@ctr-stream/ctr-schema';
import { describe, expect, it } from 'vitest';
import { BUSINESS_HOURS } from '../../src/arrival-curve.js';
import { SimulationOptionsError } from '../../src/errors.js';
import type { GeneratedContactTraceRecord } from '../../src/record-types.js';
import { simulateContactTraffic, simulateContactTrafficAsync } from '../../src/simulate.js';

// Monday 2024-03-04 to Sunday 2024-03-17: ten weekdays, four weekend days.
const simulation = simulateContactTraffic({
  startDate: '2024-03-04',
  days: 14,
  contactsPerDay: 300,
  seed: 42,
});
const records = simulation.records.map((simulated) => simulated.record);
const byId = new Map<string, GeneratedContactTraceRecord>();
for (const record of records) if (!byId.has(record.ContactId)) byId.set(record.ContactId, record);

function keysAreSorted(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysAreSorted);
  if (value === null || typeof value !== 'object') return true;
  const keys = Object.keys(value);
  return (
    keys.every((key, index) => index === 0 || keys[index - 1]! < key) &&
    Object.values(value).every(keysAreSorted)
  );
}

const seconds = (timestamp: string | null | undefined) =>
  timestamp ? Date.parse(timestamp) / 1000 : Number.NaN;

describe('simulateContactTraffic: determinism', () => {
  it('gives the same bytes for the same seed and options', () => {
    const again = simulateContactTraffic({
      startDate: '2024-03-04',
      days: 14,
      contactsPerDay: 300,
      seed: 42,
    });
    expect(again.records.map((record) => record.data).join('\n')).toBe(
      simulation.records.map((record) => record.data).join('\n'),
    );
    expect([...again.callerDirectory]).toEqual([...simulation.callerDirectory]);
    expect(again.groundTruth).toEqual(simulation.groundTruth);
  });

  it('gives the same simulation asynchronously, serving timers between days and every 1,000 records', async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const again = await simulateContactTrafficAsync({
        startDate: '2024-03-04',
        days: 14,
        contactsPerDay: 300,
        seed: 42,
      });
      expect(again.records.map((record) => record.data)).toEqual(
        simulation.records.map((record) => record.data),
      );
      expect([...again.callerDirectory]).toEqual([...simulation.callerDirectory]);
      expect(again.groundTruth).toEqual(simulation.groundTruth);
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThanOrEqual(14);
    await expect(simulateContactTrafficAsync({ startDate: '2024-03-04', days: 0 })).rejects.toBeInstanceOf(
      SimulationOptionsError,
    );
  });

  it('gives different records for another seed', () => {
    const other = simulateContactTraffic({
      startDate: '2024-03-04',
      days: 14,
      contactsPerDay: 300,
      seed: 43,
    });
    expect(other.records[0]!.data).not.toBe(simulation.records[0]!.data);
    expect(other.records[0]!.contactId).not.toBe(simulation.records[0]!.contactId);
  });

  it('never calls Math.random', () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random used');
    };
    try {
      expect(
        simulateContactTraffic({ startDate: '2024-03-04', days: 1, contactsPerDay: 50, seed: 1 }).records
          .length,
      ).toBeGreaterThan(0);
    } finally {
      Math.random = original;
    }
  });
});

describe('simulateContactTraffic: every record is a valid CTR in Connect layout', () => {
  it('passes @ctr-stream/ctr-schema, from the object and from the sent bytes', () => {
    for (const simulated of simulation.records) {
      const result = safeParseContactTraceRecord(simulated.record);
      if (!result.success) throw new Error(`${simulated.contactId}: ${JSON.stringify(result.error.issues)}`);
      expect(parseContactTraceRecordJson(simulated.data).ContactId).toBe(simulated.contactId);
    }
  });

  it('emits compact single-line JSON with keys in alphabetical order at every level', () => {
    for (const simulated of simulation.records) {
      expect(simulated.data).not.toMatch(/[\n\r]/);
      expect(keysAreSorted(JSON.parse(simulated.data))).toBe(true);
      expect(JSON.parse(simulated.data)).toEqual(JSON.parse(JSON.stringify(simulated.record)));
    }
  });

  it('uses second-precision UTC timestamps and consistent timings', () => {
    for (const record of records) {
      for (const timestamp of [
        record.InitiationTimestamp,
        record.LastUpdateTimestamp,
        record.DisconnectTimestamp,
      ]) {
        expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
      expect(seconds(record.DisconnectTimestamp)).toBeGreaterThanOrEqual(seconds(record.InitiationTimestamp));
      expect(seconds(record.LastUpdateTimestamp)).toBeGreaterThan(seconds(record.DisconnectTimestamp));
      if (record.Queue) {
        expect(record.Queue.Duration).toBe(
          seconds(record.Queue.DequeueTimestamp) - seconds(record.Queue.EnqueueTimestamp),
        );
        expect(record.Queue.Duration).toBeGreaterThanOrEqual(0);
      }
      if (record.Agent) {
        const agent = record.Agent;
        expect(agent.AfterContactWorkDuration).toBe(
          seconds(agent.AfterContactWorkEndTimestamp) - seconds(agent.AfterContactWorkStartTimestamp),
        );
        expect(agent.LongestHoldDuration).toBeLessThanOrEqual(agent.CustomerHoldDuration);
        expect(agent.NumberOfHolds === 0).toBe(agent.CustomerHoldDuration === 0);
        expect(seconds(record.LastUpdateTimestamp)).toBeGreaterThan(
          seconds(agent.AfterContactWorkEndTimestamp),
        );
      }
    }
  });

  it('has E.164 phone numbers, mostly +61', () => {
    const phones = records.flatMap((record) =>
      record.CustomerEndpoint ? [record.CustomerEndpoint.Address] : [],
    );
    expect(phones.every((phone) => /^\+[1-9]\d{7,14}$/.test(phone))).toBe(true);
    const australian = phones.filter((phone) => phone.startsWith('+61')).length / phones.length;
    expect(australian).toBeGreaterThan(0.75);
    expect(australian).toBeLessThan(0.95);
  });
});

describe('simulateContactTraffic: the contact-center model', () => {
  const localDay = (record: GeneratedContactTraceRecord) => new Date(record.InitiationTimestamp).getUTCDay();
  const inbound = records.filter((record) => record.InitiationMethod === 'INBOUND');

  it('puts most inbound arrivals in business hours', () => {
    const hours = inbound.map((record) => new Date(record.InitiationTimestamp).getUTCHours());
    const business = hours.filter((hour) => hour >= BUSINESS_HOURS.start && hour < BUSINESS_HOURS.end).length;
    expect(business / hours.length).toBeGreaterThan(0.8);
    expect(business / hours.length).toBeLessThan(0.99);
  });

  it('makes weekends quieter than weekdays', () => {
    const weekend = inbound.filter((record) => [0, 6].includes(localDay(record))).length / 4;
    const weekday = inbound.filter((record) => ![0, 6].includes(localDay(record))).length / 10;
    expect(weekend / weekday).toBeGreaterThan(0.2);
    expect(weekend / weekday).toBeLessThan(0.45);
  });

  it('mixes channels close to the default 70/20/10', () => {
    const contacts = simulation.groundTruth.totals.distinctContactsByChannel;
    const total = contacts.VOICE + contacts.CHAT + contacts.TASK;
    expect(contacts.VOICE / total).toBeGreaterThan(0.62);
    expect(contacts.VOICE / total).toBeLessThan(0.78);
    expect(contacts.CHAT / total).toBeGreaterThan(0.14);
    expect(contacts.TASK / total).toBeGreaterThan(0.06);
    for (const record of records) {
      if (record.Channel === 'VOICE') expect(record.MediaStreams).toEqual([{ Type: 'AUDIO' }]);
      if (record.Channel === 'CHAT') expect(record.MediaStreams).toEqual([{ Type: 'CHAT' }]);
      if (record.Channel !== 'VOICE') expect(record.CustomerEndpoint).toBeNull();
    }
  });

  it('links transfers: a TRANSFER contact points back to the first, which points forward', () => {
    const transfers = records.filter((record) => record.InitiationMethod === 'TRANSFER');
    expect(transfers.length).toBeGreaterThan(20);
    for (const transfer of transfers) {
      const first = byId.get(transfer.PreviousContactId!)!;
      expect(first.NextContactId).toBe(transfer.ContactId);
      expect(transfer.InitialContactId).toBe(first.ContactId);
      expect(first.InitialContactId).toBeNull();
      expect(transfer.CustomerEndpoint).toEqual(first.CustomerEndpoint);
      expect(transfer.InitiationTimestamp).toBe(first.DisconnectTimestamp);
      expect(transfer.Agent?.ARN).not.toBe(first.Agent?.ARN);
    }
    // Transfers to an agent's queue carry Queue.Name null, as Connect emits them.
    expect(
      transfers.some((record) => record.Queue?.Name === null && record.Queue.ARN.includes('/queue/agent/')),
    ).toBe(true);
  });

  it('creates callbacks with no SystemEndpoint, linked to the inbound call', () => {
    const callbacks = records.filter((record) => record.InitiationMethod === 'CALLBACK');
    expect(callbacks.length).toBeGreaterThan(10);
    for (const callback of callbacks) {
      expect(callback.SystemEndpoint).toBeNull();
      const inboundLeg = byId.get(callback.PreviousContactId!)!;
      expect(inboundLeg.NextContactId).toBe(callback.ContactId);
      expect(inboundLeg.Agent).toBeNull();
      expect(callback.CustomerEndpoint).toEqual(inboundLeg.CustomerEndpoint);
    }
  });

  it('has abandoned contacts (queued, no agent), self-service calls (no queue) and outbound calls', () => {
    const abandoned = records.filter(
      (record) => record.Queue && !record.Agent && record.DisconnectReason === 'CUSTOMER_DISCONNECT',
    );
    expect(abandoned.length).toBeGreaterThan(50);
    expect(abandoned.every((record) => record.Recording === null && record.Recordings === null)).toBe(true);
    expect(records.some((record) => record.Queue === null && record.Agent === null)).toBe(true);
    const outbound = records.filter((record) => record.InitiationMethod === 'OUTBOUND');
    expect(outbound.length).toBeGreaterThan(50);
    expect(outbound.some((record) => record.ConnectedToSystemTimestamp === null)).toBe(true);
    expect(outbound.every((record) => record.Agent !== null && record.CustomerEndpoint !== null)).toBe(true);
  });

  it('has hold figures that add up: each hold 5 s or more, the longest one of them', () => {
    const many = simulateContactTraffic({ startDate: '2024-03-04', days: 7, contactsPerDay: 2000, seed: 1 });
    let multiple = 0;
    for (const { record } of many.records) {
      const agent = record.Agent;
      if (!agent) continue;
      const holds = agent.NumberOfHolds ?? 0;
      const total = agent.CustomerHoldDuration ?? 0;
      const longest = agent.LongestHoldDuration ?? 0;
      if (holds === 0) {
        expect([total, longest], record.ContactId).toEqual([0, 0]);
        continue;
      }
      if (holds > 1) multiple++;
      expect(total, record.ContactId).toBeGreaterThanOrEqual(5 * holds);
      expect(longest, record.ContactId).toBeLessThanOrEqual(total - 5 * (holds - 1));
      expect(longest, record.ContactId).toBeGreaterThanOrEqual(Math.ceil(total / holds));
    }
    expect(multiple).toBeGreaterThan(50);
  });

  it('ends an externally transferred call by the customer or the third party, never the agent who left', () => {
    const many = simulateContactTraffic({ startDate: '2024-03-04', days: 7, contactsPerDay: 2000, seed: 1 });
    const external = many.records.filter(({ record }) => record.TransferredToEndpoint != null);
    expect(external.length).toBeGreaterThan(20);
    for (const { record } of external)
      expect(record.DisconnectReason, record.ContactId).not.toBe('AGENT_DISCONNECT');
  });

  it('never puts on hold a customer who did not answer an outbound call', () => {
    const unanswered = records.filter(
      (record) => record.InitiationMethod === 'OUTBOUND' && record.ConnectedToSystemTimestamp === null,
    );
    expect(unanswered.length).toBeGreaterThan(10);
    for (const record of unanswered) {
      expect(record.Agent).toMatchObject({
        NumberOfHolds: 0,
        CustomerHoldDuration: 0,
        LongestHoldDuration: 0,
      });
    }
  });

  it('counts abandoned calls of the 2018 record shape (no DisconnectReason) in the ground truth', () => {
    const legacy = simulateContactTraffic({
      startDate: '2024-03-04',
      days: 7,
      contactsPerDay: 400,
      seed: 7,
      legacyRecordShare: 0.5,
    });
    const abandoned = new Set<string>();
    let legacyAbandoned = 0;
    for (const { record } of legacy.records) {
      if (record.Queue === null || record.Agent !== null || record.NextContactId !== null) continue;
      if (record.DisconnectReason === undefined) legacyAbandoned++;
      if (record.DisconnectReason === undefined || record.DisconnectReason === 'CUSTOMER_DISCONNECT')
        abandoned.add(record.ContactId);
    }
    expect(legacyAbandoned).toBeGreaterThan(10);
    expect(legacy.groundTruth.totals.abandonedContacts).toBe(abandoned.size);
  });

  it('has holds, after-contact work, recordings, routing profiles and hierarchy groups', () => {
    const handled = records.filter((record) => record.Agent !== null);
    expect(handled.some((record) => record.Agent!.NumberOfHolds > 1)).toBe(true);
    expect(handled.some((record) => record.Agent!.AfterContactWorkDuration > 0)).toBe(true);
    expect(handled.some((record) => record.Agent!.HierarchyGroups === null)).toBe(true);
    expect(
      handled.some(
        (record) => record.Agent!.HierarchyGroups?.Level1 && record.Agent!.HierarchyGroups.Level3 === null,
      ),
    ).toBe(true);
    expect(new Set(handled.map((record) => record.Agent!.RoutingProfile.Name)).size).toBeGreaterThanOrEqual(
      3,
    );
    const recorded = records.filter((record) => record.Recording !== null);
    expect(recorded.length).toBeGreaterThan(100);
    for (const record of recorded) {
      expect(record.Recording!.Location).toContain(`${record.ContactId}_`);
      expect(record.Recording!.Location).not.toMatch(/^s3:/);
      expect(record.Recordings![0]!.Location).toBe(record.Recording!.Location);
    }
  });

  it('has an external transfer and legacy (2018-shaped) records without the newer fields', () => {
    expect(
      records.some(
        (record) => record.TransferredToEndpoint !== null && record.TransferCompletedTimestamp !== null,
      ),
    ).toBe(true);
    const legacy = records.filter((record) => !('DisconnectReason' in record));
    expect(legacy.length).toBeGreaterThan(0);
    for (const record of legacy) {
      for (const field of [
        'Campaign',
        'References',
        'VoiceIdResult',
        'AnsweringMachineDetectionStatus',
        'ContactDetails',
      ]) {
        expect(field in record).toBe(false);
      }
    }
  });

  it('draws repeat callers from the directory and unknown numbers outside it', () => {
    const totals = simulation.groundTruth.totals;
    const knownShare =
      totals.recordsWithKnownCaller / (totals.recordsWithKnownCaller + totals.recordsWithUnknownCaller);
    expect(knownShare).toBeGreaterThan(0.6);
    expect(knownShare).toBeLessThan(0.8);
    expect(totals.recordsWithKnownCaller).toBeGreaterThan(totals.distinctKnownCallers * 1.5);
  });
});

describe('simulateContactTraffic: updates and duplicates', () => {
  it('re-publishes some contacts later with one more attribute, sometimes on a later day', () => {
    const updates = simulation.records.filter((record) => record.kind === 'update');
    expect(updates.length).toBeGreaterThan(50);
    let laterDay = 0;
    for (const update of updates) {
      const earlier = simulation.records.filter(
        (record) =>
          record.contactId === update.contactId &&
          record.record.LastUpdateTimestamp < update.record.LastUpdateTimestamp,
      );
      const previous = earlier.at(-1)!;
      expect(previous).toBeDefined();
      const addedKeys = Object.keys(update.record.Attributes).filter(
        (key) => !(key in previous.record.Attributes),
      );
      expect(addedKeys).toHaveLength(1);
      expect({ ...update.record, Attributes: undefined, LastUpdateTimestamp: undefined }).toEqual({
        ...previous.record,
        Attributes: undefined,
        LastUpdateTimestamp: undefined,
      });
      if (update.day > previous.day) laterDay++;
    }
    expect(laterDay).toBeGreaterThan(0);
    expect(
      updates.some(
        (update) =>
          'GreetingPlayed' in update.record.Attributes && 'greetingPlayed' in update.record.Attributes,
      ),
    ).toBe(true);
  });

  it('never dates an update after the simulated period, nor holds those due later at its last second', () => {
    const end = Date.parse('2024-03-18T00:00:00Z') / 1000;
    const updates = simulation.records.filter((record) => record.kind === 'update');
    for (const update of updates) expect(seconds(update.record.LastUpdateTimestamp)).toBeLessThan(end);
    // An update due after the period is not sent in it: no spike at 23:59:59 of the last day.
    expect(updates.filter((update) => seconds(update.record.LastUpdateTimestamp) === end - 1)).toEqual([]);
  });

  it('says a greeting was played only to inbound voice callers', () => {
    const greeted = records.filter((record) => 'GreetingPlayed' in record.Attributes);
    expect(greeted.length).toBeGreaterThan(0);
    for (const record of greeted) {
      expect(record.Channel).toBe('VOICE');
      expect(['INBOUND', 'TRANSFER', 'QUEUE_TRANSFER']).toContain(record.InitiationMethod);
    }
  });

  it('delivers some records twice, byte-identical, right after the original', () => {
    const duplicates = simulation.records
      .map((record, index) => ({ record, index }))
      .filter(({ record }) => record.kind === 'duplicate');
    expect(duplicates.length).toBeGreaterThan(10);
    for (const { record, index } of duplicates) expect(simulation.records[index - 1]!.data).toBe(record.data);
  });

  it('orders records by LastUpdateTimestamp (delivery order)', () => {
    const stamps = records.map((record) => record.LastUpdateTimestamp);
    expect(stamps).toEqual([...stamps].sort());
  });
});

describe('simulateContactTraffic: options', () => {
  it('applies channelMix, rates and the country code mix', () => {
    const voiceOnly = simulateContactTraffic({
      startDate: '2024-03-04',
      days: 2,
      contactsPerDay: 100,
      channelMix: { CHAT: 0, TASK: 0 },
      updateRate: 0,
      duplicateRate: 0,
      countryCodeMix: { '64': 1 },
      knownCallerShare: 0,
    });
    const totals = voiceOnly.groundTruth.totals;
    expect(totals.distinctContactsByChannel.CHAT + totals.distinctContactsByChannel.TASK).toBe(0);
    expect(totals.updateRecords + totals.duplicateRecords).toBe(0);
    expect(totals.recordsWithKnownCaller).toBe(0);
    for (const record of voiceOnly.records)
      expect(record.record.CustomerEndpoint!.Address.startsWith('+64')).toBe(true);
  });

  it('shifts arrivals to the local business day with utcOffsetMinutes', () => {
    const sydney = simulateContactTraffic({
      startDate: '2024-03-04',
      days: 1,
      contactsPerDay: 300,
      utcOffsetMinutes: 600,
      seed: 3,
    });
    const inboundHours = sydney.records
      .filter((record) => record.record.InitiationMethod === 'INBOUND')
      .map((record) => (new Date(record.record.InitiationTimestamp).getUTCHours() + 10) % 24);
    const business = inboundHours.filter((hour) => hour >= 8 && hour < 18).length;
    expect(business / inboundHours.length).toBeGreaterThan(0.8);
    expect(sydney.records[0]!.record.InitiationTimestamp < '2024-03-04T00:00:00Z').toBe(true);
  });

  it('produces no records for zero contacts per day', () => {
    const empty = simulateContactTraffic({ startDate: '2024-03-04', contactsPerDay: 0 });
    expect(empty.records).toEqual([]);
    expect(empty.groundTruth.days).toEqual([]);
  });

  it.each([
    [{ startDate: '2024-02-30' }, 'startDate'],
    [{ startDate: '04/03/2024' }, 'startDate'],
    [{ startDate: '2024-03-04', days: 0 }, 'days'],
    [{ startDate: '2024-03-04', days: 2.5 }, 'days'],
    [{ startDate: '2024-03-04', contactsPerDay: -1 }, 'contactsPerDay'],
    [{ startDate: '2024-03-04', seed: Number.NaN }, 'seed'],
    [{ startDate: '2024-03-04', abandonRate: 1.5 }, 'abandonRate'],
    [{ startDate: '2024-03-04', channelMix: { VOICE: 0, CHAT: 0, TASK: 0 } }, 'channelMix'],
    [{ startDate: '2024-03-04', channelMix: { EMAIL: 1 } as never }, 'EMAIL'],
    [{ startDate: '2024-03-04', countryCodeMix: { '+61': 1 } }, 'countryCodeMix'],
    [{ startDate: '2024-03-04', region: 'Sydney' }, 'region'],
  ])('rejects %j naming %s', (options, field) => {
    expect(() => simulateContactTraffic(options)).toThrow(SimulationOptionsError);
    expect(() => simulateContactTraffic(options)).toThrow(field);
  });

  it('lists every problem at once', () => {
    try {
      simulateContactTraffic({ startDate: 'x', days: 0, seed: -1 });
      expect.unreachable();
    } catch (error) {
      expect((error as SimulationOptionsError).problems).toHaveLength(3);
    }
  });
});
