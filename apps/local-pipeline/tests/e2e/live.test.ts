import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Clock,
  type SimulatedRecord,
  simulateContactTraffic,
  simulateLiveTraffic,
} from '@ctr-stream/ctr-simulator';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type LiveStatus, type LocalPipelineReport, runLocalPipeline } from '../../src/index.js';
import { searchNode } from '../support/search-node.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const elasticsearch = searchNode(elasticsearchUrl);
const indices: string[] = [];
let workRoot: string;

/** A wall clock from `start` that jumps over every wait: hours of live traffic go through in seconds. */
function jumpingClock(start: number): Clock {
  let now = start;
  return {
    now: () => now,
    sleep: async (milliseconds, signal) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw signal.reason;
      now += Math.max(0, milliseconds);
    },
  };
}

function uniqueIndex(name: string): string {
  const index = `connect-e2e-live-${name}-${process.pid}-${Date.now()}`;
  indices.push(index);
  return index;
}

async function countFrom(index: string, from: string): Promise<number> {
  await elasticsearch.refresh(index);
  return elasticsearch.count(index, { range: { LastUpdateTimestamp: { gte: from } } });
}

// The history is Tuesday 2024-03-05; the live phase starts on Wednesday morning, 09:30 UTC.
const history = { days: 1, contactsPerDay: 1000, seed: 4, startDate: '2024-03-05' } as const;
const LIVE_FROM = Date.parse('2024-03-06T09:30:00Z');

beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), 'local-pipeline-live-'));
});

afterAll(async () => {
  await elasticsearch.removeInstalledIndices(indices);
  await rm(workRoot, { recursive: true, force: true });
});

describe('npm start --live: the pipeline keeps running on traffic sent as it happens', () => {
  let report: LocalPipelineReport;
  let index: string;

  beforeAll(async () => {
    index = uniqueIndex('duration');
    report = await runLocalPipeline({
      elasticsearchUrl,
      workDirectory: join(workRoot, 'duration'),
      index,
      ...history,
      live: { durationMs: 60 * 60_000, clock: jumpingClock(LIVE_FROM) },
    });
  });

  test('sends the live hour after the history, and says how it ended', () => {
    expect(report.live).toMatchObject({ from: '2024-03-06T09:30:00Z', endedBy: 'until', failed: 0 });
    // The morning peak of a weekday with 1,000 contacts a day: about a hundred records in the hour.
    expect(report.live!.sent).toBeGreaterThan(50);
  });

  test('delivers every record of both, and calls per day equals their ground truth', () => {
    expect(report.totals.sent).toBe(report.groundTruth.totals.records);
    expect(report.totals).toMatchObject({ sendFailed: 0, failed: 0, delivered: report.totals.sent });
    const calls = report.callsPerDay.filter((row) => row.calls > 0).map((row) => [row.date, row.calls]);
    expect(calls).toEqual(report.groundTruth.days.map((day) => [day.date, day.distinctContacts]));
    expect(calls.map(([date]) => date)).toContain('2024-03-06');
  });

  test('the live records are in the index, each when its contact ended, known callers with their name', async () => {
    expect(await countFrom(index, '2024-03-06T09:30:00Z')).toBe(report.live!.sent);
    expect(await countFrom(index, '2024-03-06T10:30:00Z')).toBe(0);
    expect(report.totals.enrichedWithName).toBe(report.groundTruth.totals.recordsWithKnownCaller);
    expect(report.totals.unknownCallers).toBe(report.groundTruth.totals.recordsWithUnknownCaller);
  });
});

describe('npm start --live without --start-date', () => {
  test('simulates the local days up to now, so the history ends where the live traffic starts', async () => {
    const index = uniqueIndex('default-start');
    // 01:30 UTC on Wednesday is 11:30 in Sydney (UTC+10): the history is that local Wednesday's morning.
    const now = Date.parse('2024-03-06T01:30:00Z');
    const report = await runLocalPipeline({
      elasticsearchUrl,
      workDirectory: join(workRoot, 'default-start'),
      index,
      days: 1,
      contactsPerDay: 1000,
      seed: 4,
      utcOffsetMinutes: 600,
      live: { durationMs: 60_000, clock: jumpingClock(now) },
    });
    expect(report.totals).toMatchObject({ sendFailed: 0, failed: 0, delivered: report.totals.sent });
    // Local Wednesday began at 2024-03-05T14:00Z: its morning up to now is history, nothing after now is.
    await elasticsearch.refresh(index);
    const morning = await elasticsearch.count(index, {
      range: { LastUpdateTimestamp: { gte: '2024-03-05T14:00:00Z', lt: '2024-03-06T01:30:00Z' } },
    });
    expect(morning).toBeGreaterThan(200);
    expect(await countFrom(index, '2024-03-06T01:31:00Z')).toBe(0);
    expect(
      await elasticsearch.count(index, { range: { LastUpdateTimestamp: { lt: '2024-03-05T14:00:00Z' } } }),
    ).toBe(0);
  });
});

describe('npm start --live, stopped (Ctrl-C)', () => {
  test('delivers what was sent, reports what arrived meanwhile, and ends cleanly', async () => {
    const index = uniqueIndex('stopped');
    const stop = new AbortController();
    const statuses: LiveStatus[] = [];
    const report = await runLocalPipeline({
      elasticsearchUrl,
      workDirectory: join(workRoot, 'stopped'),
      index,
      ...history,
      live: {
        clock: jumpingClock(LIVE_FROM),
        stop: stop.signal,
        statusIntervalMs: 200,
        onStatus: (status) => {
          statuses.push(status);
          if (statuses.length === 3) stop.abort();
        },
      },
    });
    expect(report.live).toMatchObject({ endedBy: 'stopped', failed: 0 });
    expect(report.live!.sent).toBeGreaterThan(0);
    expect(report.totals).toMatchObject({ sendFailed: 0, failed: 0, delivered: report.totals.sent });
    expect(report.totals.sent).toBe(report.groundTruth.totals.records);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    const last = statuses[statuses.length - 1]!;
    expect(last.sent).toBeGreaterThan(0);
    expect(last.sent).toBeLessThanOrEqual(report.live!.sent);
    expect(last.documents).toBeLessThanOrEqual(report.totals.delivered);
    expect(last.at).toMatch(/^2024-03-\d\dT/);
  });
});

describe('npm start --live for a contact center west of UTC', () => {
  test('the history ends where the live traffic starts: nothing is sent twice', async () => {
    // New York (UTC-5): the local day of 2024-03-05 ends at 05:00 UTC on the 6th, two hours after the live start.
    const from = Date.parse('2024-03-06T03:00:00Z');
    const until = from + 2 * 3_600_000;
    const index = uniqueIndex('west');
    const report = await runLocalPipeline({
      elasticsearchUrl,
      workDirectory: join(workRoot, 'west'),
      index,
      ...history,
      utcOffsetMinutes: -300,
      live: { durationMs: until - from, clock: jumpingClock(from) },
    });
    const simulated = simulateContactTraffic({ ...history, utcOffsetMinutes: -300 });
    const afterStart = simulated.records.filter(
      (record) => Date.parse(record.record.LastUpdateTimestamp) >= from,
    );
    // The history has records dated after the live start, which it leaves to the live traffic.
    expect(afterStart.length).toBeGreaterThan(0);
    const live: SimulatedRecord[] = [];
    for (const record of simulateLiveTraffic({ ...history, utcOffsetMinutes: -300, from }).records) {
      if (Date.parse(record.record.LastUpdateTimestamp) >= until) break;
      live.push(record);
    }
    expect(report.live!.sent).toBe(live.length);
    expect(await countFrom(index, '2024-03-06T03:00:00Z')).toBe(live.length);
    expect(report.totals.sent).toBe(simulated.records.length - afterStart.length + live.length);
    expect(report.totals).toMatchObject({ failed: 0, delivered: report.totals.sent });
    expect(report.groundTruth.totals.records).toBe(report.totals.sent);
  });
});

describe('npm start --live whose live send fails', () => {
  test('still ends the live phase (onEnd), so that a signal after it quits at once', async () => {
    const index = uniqueIndex('failed');
    const events: string[] = [];
    // A wall clock that breaks a while into the live phase, as a failure in the middle of sending would end it.
    const clock = jumpingClock(LIVE_FROM);
    let reads = 0;
    const breaking: Clock = {
      now: () => {
        if (events.includes('start') && ++reads === 50) throw new Error('the clock broke');
        return clock.now();
      },
      sleep: clock.sleep,
    };
    const outcome = await runLocalPipeline({
      elasticsearchUrl,
      workDirectory: join(workRoot, 'failed'),
      index,
      ...history,
      live: {
        durationMs: 60 * 60_000,
        clock: breaking,
        onStart: () => events.push('start'),
        onEnd: () => events.push('end'),
      },
    }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe('the clock broke');
    expect(events).toEqual(['start', 'end']);
  });
});
