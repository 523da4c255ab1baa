import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArguments } from '../../src/cli-arguments.js';
import { runLive } from '../../src/cli-live.js';
import type { Clock } from '../../src/clock.js';
import { FirehoseSendError } from '../../src/errors.js';
import { countGroundTruth } from '../../src/ground-truth.js';
import { simulateLiveTraffic } from '../../src/live-traffic.js';
import type { SimulatedRecord } from '../../src/record-types.js';
import { sendLiveTraffic } from '../../src/send-live.js';
import { simulateContactTraffic } from '../../src/simulate.js';
import {
  type FirehoseTestServer,
  type FirehoseTestServerOptions,
  startFirehoseTestServer,
} from './firehose-test-server.js';
import { ensureBuilt, packageRoot, runCli } from './run-cli.js';

/** A wall clock that starts at `start` and jumps over every wait (after letting pending I/O run). */
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

/** The records a live simulation has between two instants: what a run over that span must send. */
function expectedRecords(options: { from: number; until: number; contactsPerDay: number; seed: number }) {
  const { until, ...model } = options;
  const end = `${new Date(until).toISOString().slice(0, 19)}Z`;
  const records: SimulatedRecord[] = [];
  for (const record of simulateLiveTraffic(model).records) {
    if (record.record.LastUpdateTimestamp >= end) break;
    records.push(record);
  }
  return records;
}

let server: FirehoseTestServer | undefined;
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ctr-simulate-live-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface LiveRun {
  code: number;
  lines: string[];
  stdout: string;
  stderr: string;
}

async function runLiveAt(
  start: number,
  argv: string[],
  serverOptions: FirehoseTestServerOptions = {},
  signals: { stop?: AbortController; abort?: AbortController } = {},
): Promise<LiveRun> {
  server = await startFirehoseTestServer(serverOptions);
  const settings = parseCliArguments(['--live', '--endpoint', server.url, ...argv], {}, start);
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  const code = await runLive(settings, {
    clock: jumpingClock(start),
    stop: (signals.stop ?? new AbortController()).signal,
    abort: (signals.abort ?? new AbortController()).signal,
    log: (line) => {
      if (!settings.json) lines.push(line);
    },
    writeStdout: (text) => {
      stdout += text;
    },
    writeStderr: (text) => {
      stderr += text;
    },
  });
  return { code, lines, stdout, stderr };
}

// Wednesday 2024-03-06 09:30 UTC: the morning peak of a weekday.
const MORNING = Date.parse('2024-03-06T09:30:00Z');

describe('ctr-simulate --live (runLive, on a clock that jumps over waits)', () => {
  it('sends every record when its contact ends, retrying failed entries, and counts what it sent', async () => {
    const out = join(directory, 'callers.csv');
    const run = await runLiveAt(
      MORNING,
      ['--duration', '30m', '--contacts-per-day', '2000', '--seed', '5', '--json', '--directory-out', out],
      {
        failEntry: ({ call, position }) =>
          call === 0 && position === 0 ? 'ServiceUnavailableException' : undefined,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expected = expectedRecords({
      from: MORNING,
      until: MORNING + 30 * 60_000,
      contactsPerDay: 2000,
      seed: 5,
    });
    expect(expected.length).toBeGreaterThan(30);
    const sent = server!.accepted.map((data) => data.toString('utf8'));
    expect(sent.sort()).toEqual(expected.map((record) => record.data).sort());

    const report = JSON.parse(run.stdout);
    expect(report.live).toEqual({ from: '2024-03-06T09:30:00Z', until: '2024-03-06T10:00:00.000Z' });
    expect(report.send).toMatchObject({
      records: expected.length,
      sent: expected.length,
      failed: 0,
      unsent: 0,
      retried: 1,
      endedBy: 'until',
    });
    const live = simulateLiveTraffic({ from: MORNING, contactsPerDay: 2000, seed: 5 });
    expect(report.groundTruth).toEqual(countGroundTruth(expected, live.callerDirectory));
    expect(report.options).toMatchObject({ from: '2024-03-06T09:30:00Z', contactsPerDay: 2000, seed: 5 });
    expect(report.callerDirectory).toEqual({ path: out, entries: live.callerDirectory.size });
    expect((await readFile(out, 'utf8')).split('\n')[0]).toBe('phone,name');
  });

  it('prints what it sends, per day, and says when the contact center is quiet', async () => {
    // 01:00 UTC with 50 contacts a day: hours without a contact.
    const night = Date.parse('2024-03-06T01:00:00Z');
    const run = await runLiveAt(night, ['--duration', '8h', '--contacts-per-day', '50']);
    expect(run.code).toBe(0);
    const text = run.lines.join('\n');
    expect(text).toContain(
      'Live traffic from 2024-03-06T01:00:00Z, seed 1: about 50 contacts on a weekday (UTC+00:00 business hours)',
    );
    expect(text).toContain(
      `Sending to delivery stream CTRFHStream (${server!.url}) until 2024-03-06T09:00:00Z or Ctrl-C.`,
    );
    expect(text).toMatch(
      /The contact center is quiet: the next contact ends at 2024-03-06T0\d:\d\d:\d\dZ \(in \dh \d+m\)\./,
    );
    const expected = expectedRecords({
      from: night,
      until: night + 8 * 3_600_000,
      contactsPerDay: 50,
      seed: 1,
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(text).toContain(`Sent ${expected.length}, failed 0, retried 0, unsent 0`);
    expect(text).toContain('Duration reached.');
    expect(text).toMatch(/Day \(UTC\)\s+Contacts\s+Records\s+Sent\s+Failed\s+Retried\n2024-03-06 /);
  });

  it('ends after the batch in flight when stopped (the first Ctrl-C): nothing lost, exit 0', async () => {
    const stop = new AbortController();
    const run = await runLiveAt(
      MORNING,
      ['--contacts-per-day', '5000', '--json'],
      {
        answerDelayMs: (call) => {
          if (call === 3) stop.abort();
          return 0;
        },
      },
      { stop },
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.live.until).toBeNull();
    expect(report.send).toMatchObject({ failed: 0, unsent: 0, endedBy: 'stopped', aborted: false });
    expect(report.send.sent).toBe(server!.accepted.length);
    expect(report.send.requests).toBe(4);
    expect(report.groundTruth.totals.records).toBe(report.send.sent);
  });

  it('counts the records in flight as failed when interrupted (the second Ctrl-C): exit 130', async () => {
    const stop = new AbortController();
    const abort = new AbortController();
    const run = await runLiveAt(
      MORNING,
      ['--contacts-per-day', '5000', '--json'],
      {
        answerDelayMs: (call) => {
          if (call !== 2) return 0;
          stop.abort();
          abort.abort();
          return 500;
        },
      },
      { stop, abort },
    );
    expect(run.code).toBe(130);
    const report = JSON.parse(run.stdout);
    expect(report.send).toMatchObject({ endedBy: 'aborted', aborted: true, unsent: 0 });
    expect(report.send.failed).toBeGreaterThan(0);
    expect(report.send.failuresByReason).toEqual({ Aborted: report.send.failed });
    expect(report.send.sent + report.send.failed).toBe(report.send.records);
  });

  it('goes on through an outage, counting the batches that failed on every attempt (exit 1)', async () => {
    // Calls 2 to 31 answer 503, an endpoint restarting: every attempt of a batch or two (5 of ours, each with the
    // SDK's own 3).
    const run = await runLiveAt(MORNING, ['--duration', '30m', '--contacts-per-day', '2000', '--json'], {
      refuseCall: (call) =>
        call >= 2 && call <= 31 ? { status: 503, type: 'ServiceUnavailableException' } : undefined,
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.send.endedBy).toBe('until');
    expect(report.send.failed).toBeGreaterThan(0);
    expect(report.send.failuresByReason).toEqual({ ServiceUnavailableException: report.send.failed });
    expect(report.send.sent).toBe(server!.accepted.length);
    expect(report.send.sent + report.send.failed).toBe(report.send.records);
    // Sent after the outage too.
    const expected = expectedRecords({
      from: MORNING,
      until: MORNING + 30 * 60_000,
      contactsPerDay: 2000,
      seed: 1,
    });
    expect(report.send.records).toBe(expected.length);
    expect(server!.accepted.map(String)).toContain(expected[expected.length - 1]!.data);
    expect(report.error).toBeUndefined();
  });

  it('stops at once, exit 1, when the endpoint was never reached (a wrong URL is no outage)', async () => {
    const settings = parseCliArguments(
      ['--live', '--endpoint', 'http://127.0.0.1:9', '--json', '--duration', '1h'],
      {},
      MORNING,
    );
    let stdout = '';
    let stderr = '';
    const code = await runLive(settings, {
      clock: jumpingClock(MORNING),
      stop: new AbortController().signal,
      abort: new AbortController().signal,
      log: () => undefined,
      writeStdout: (text) => {
        stdout += text;
      },
      writeStderr: (text) => {
        stderr += text;
      },
    });
    expect(code).toBe(1);
    expect(stderr).toContain('ECONNREFUSED');
    expect(stderr).toContain('Check the endpoint (--endpoint)');
    expect(JSON.parse(stdout).send).toMatchObject({ sent: 0, endedBy: 'refused' });
  });

  it('stops with exit 1 and says what to fix when Firehose refuses the stream', async () => {
    const run = await runLiveAt(MORNING, ['--json', '--stream', 'Missing'], { streams: ['CTRFHStream'] });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ResourceNotFoundException');
    expect(run.stderr).toContain('Create the delivery stream, or pass the right name (--stream)');
    const report = JSON.parse(run.stdout);
    expect(report.error.errorCode).toBe('ResourceNotFoundException');
    expect(report.send).toMatchObject({ sent: 0, endedBy: 'refused' });
    expect(report.send.failed).toBeGreaterThan(0);
  });
});

describe('ctr-simulate --live (node dist/cli.js)', () => {
  const script = join(packageRoot, 'dist', 'cli.js');
  beforeAll(() => ensureBuilt(script));

  it('runs for --duration on the real clock and reports a consistent summary', async () => {
    server = await startFirehoseTestServer();
    const result = await runCli(script, ['--live', '--duration', '2s', '--endpoint', server.url, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Date.parse(report.live.until) - Date.parse(report.live.from)).toBeGreaterThanOrEqual(1000);
    expect(report.send).toMatchObject({ endedBy: 'until', failed: 0, unsent: 0 });
    // Exactly the records the model has in that window (often none at 200 contacts a day: the jumping-clock tests
    // above cover the volume; this one the real clock, signals and output of the bin).
    const expected = expectedRecords({
      from: Date.parse(report.live.from),
      until: Date.parse(report.live.until),
      contactsPerDay: 200,
      seed: 1,
    });
    expect(report.send.sent).toBe(expected.length);
    expect(server.accepted.map(String).sort()).toEqual(expected.map((record) => record.data).sort());
    expect(report.groundTruth.totals.records).toBe(report.send.sent);
  });

  it('ends cleanly on Ctrl-C, after saying so', async () => {
    server = await startFirehoseTestServer();
    const result = await runCli(script, ['--live', '--endpoint', server.url], {}, (child) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString('utf8').includes('Sending to delivery stream')) child.kill('SIGINT');
      });
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'stopping once the records in flight are sent (Ctrl-C again to interrupt)',
    );
    expect(result.stdout).toMatch(
      /Sent \d+, failed 0, retried 0, unsent 0 in \d+ requests, [\d.]+ s\. Stopped\./,
    );
  });

  it('refuses options that do not fit a live run (exit 2, one line)', async () => {
    for (const [argv, message] of [
      [
        ['--live', '--days', '3'],
        '--live simulates from now on, without end: it cannot be combined with --days',
      ],
      [['--live', '--out', 'x.ndjson'], 'it cannot be combined with --out'],
      [['--live', '--rate', '5'], 'it cannot be combined with --rate'],
      [['--duration', '5m'], '--duration sets how long --live runs: add --live'],
      [['--live', '--duration', '5 minutes'], '--duration must be a time above 0'],
    ] as const) {
      const result = await runCli(script, [...argv]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});

describe('sendLiveTraffic through an outage', () => {
  it('sends the records of a group over 500 that an outage stopped later, counting each once', async () => {
    // 1,200 records due at the same second: several PutRecordBatch calls in one group, the first ones refused.
    const batch = simulateContactTraffic({ startDate: '2024-03-06', days: 1, contactsPerDay: 1200, seed: 3 });
    const at = '2024-03-06T10:00:00Z';
    const records = batch.records.slice(0, 1200).map((record) => ({
      ...record,
      record: { ...record.record, LastUpdateTimestamp: at },
    }));
    expect(records).toHaveLength(1200);
    // The first two calls of 500 (sent two at a time) are refused on all 5 attempts each; the third, never tried
    // then, must go in the next pass.
    server = await startFirehoseTestServer({
      refuseCall: (call) => (call < 10 ? { status: 503, type: 'ServiceUnavailableException' } : undefined),
    });
    const client = new FirehoseClient({
      endpoint: server.url,
      region: 'ap-southeast-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const outcomes = new Map<SimulatedRecord, string[]>();
    const due: SimulatedRecord[] = [];
    const summary = await sendLiveTraffic({
      client,
      deliveryStreamName: 'CTRFHStream',
      records,
      clock: jumpingClock(Date.parse(at)),
      onDue: (batchDue) => due.push(...batchDue),
      onRecordOutcome: (record, outcome) => {
        outcomes.set(record, [...(outcomes.get(record) ?? []), outcome.status]);
      },
    });
    client.destroy();
    expect(summary.endedBy).toBe('records-exhausted');
    expect(summary).toMatchObject({ records: 1200, unsent: 0 });
    expect(summary).toMatchObject({ sent: 200, failed: 1000 });
    expect(summary.failuresByReason).toEqual({ ServiceUnavailableException: 1000 });
    expect(server.accepted).toHaveLength(summary.sent);
    // Every record came due once and has exactly one outcome.
    expect(due).toHaveLength(1200);
    expect(outcomes.size).toBe(1200);
    for (const statuses of outcomes.values()) expect(statuses).toHaveLength(1);
    expect(summary.perDay).toEqual([
      {
        date: '2024-03-06',
        records: 1200,
        sent: summary.sent,
        failed: summary.failed,
        retried: summary.retried,
      },
    ]);
  });

  it('stops, naming the endpoint, when every address of a host name refused the connection', async () => {
    // Node's answer for a name with an IPv6 and an IPv4 address (localhost) on a port nobody listens on.
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}:9`), { code: 'ECONNREFUSED' });
    const client = {
      send: async () => {
        throw Object.assign(new AggregateError([refused('::1'), refused('127.0.0.1')], ''), {
          code: 'ECONNREFUSED',
        });
      },
    } as unknown as FirehoseClient;
    const records = simulateLiveTraffic({ from: MORNING, contactsPerDay: 2000, seed: 2 }).records;
    let caught: unknown;
    try {
      await sendLiveTraffic({
        client,
        deliveryStreamName: 'CTRFHStream',
        records,
        until: MORNING + 3_600_000,
        clock: jumpingClock(MORNING),
        retry: { baseDelayMs: 0 },
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FirehoseSendError);
    const error = caught as FirehoseSendError;
    expect(error.neverConnected).toBe(true);
    expect(error.message).toContain('Check the endpoint (--endpoint)');
    expect((error.summary as { endedBy?: string }).endedBy).toBe('refused');
  });
});

describe('sendLiveTraffic over midnight', () => {
  it('has the live simulation generate the next day while it waits, so the day is ready when it starts', async () => {
    server = await startFirehoseTestServer();
    const client = new FirehoseClient({
      endpoint: server.url,
      region: 'ap-southeast-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    // 21:30 to 00:30 UTC (the contact center's clock): the next day is generated in the evening's waits.
    const from = Date.parse('2024-03-06T21:30:00Z');
    const until = Date.parse('2024-03-07T00:30:00Z');
    const model = { from, contactsPerDay: 2000, seed: 5 };
    const live = simulateLiveTraffic(model);
    const clock = jumpingClock(from);
    const slices: number[] = [];
    let lastAnswer: boolean | undefined;
    let readyAtMidnight: boolean | undefined;
    const iterator = live.records[Symbol.iterator]();
    const records = {
      [Symbol.iterator]: () => ({
        next: () => {
          const step = iterator.next();
          if (
            readyAtMidnight === undefined &&
            !step.done &&
            step.value.record.LastUpdateTimestamp >= '2024-03-07'
          )
            readyAtMidnight = lastAnswer === false && slices.length > 0;
          return step;
        },
      }),
      generateAhead: (milliseconds: number) => {
        slices.push(milliseconds);
        lastAnswer = live.records.generateAhead(milliseconds);
        return lastAnswer;
      },
    };
    const reports: { nextRecordAt: string; at: number }[] = [];
    const summary = await sendLiveTraffic({
      client,
      deliveryStreamName: 'CTRFHStream',
      records,
      until,
      clock,
      onProgress: ({ nextRecordAt }) => {
        if (nextRecordAt !== undefined) reports.push({ nextRecordAt, at: clock.now() });
      },
    });
    client.destroy();
    expect(summary.endedBy).toBe('until');
    // The records are those of a simulation never asked to generate ahead, all sent.
    const expected = expectedRecords({ ...model, until });
    expect(server.accepted.map(String).sort()).toEqual(expected.map((record) => record.data).sort());
    expect(summary).toMatchObject({ records: expected.length, sent: expected.length, failed: 0 });
    expect(expected.some((record) => record.day === '2024-03-07')).toBe(true);
    // In 10 ms slices, done before the first record of the new day was asked for.
    expect(new Set(slices)).toEqual(new Set([10]));
    expect(readyAtMidnight).toBe(true);
    // A wait is reported once, and again only for each minute it lasts.
    for (let index = 1; index < reports.length; index++) {
      if (reports[index]!.nextRecordAt === reports[index - 1]!.nextRecordAt)
        expect(reports[index]!.at - reports[index - 1]!.at).toBeGreaterThanOrEqual(60_000);
    }
  });
});
