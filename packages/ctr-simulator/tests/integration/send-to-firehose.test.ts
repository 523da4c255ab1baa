import { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { FirehoseSendError, SimulationOptionsError } from '../../src/errors.js';
import type { SendProgress } from '../../src/send-summary.js';
import { type SendableRecord, type SendRecordOutcome, sendToFirehose } from '../../src/send-to-firehose.js';
import { simulateContactTraffic } from '../../src/simulate.js';
import {
  type FirehoseTestServer,
  type FirehoseTestServerOptions,
  MAX_RECORDS,
  MAX_REQUEST_BYTES,
  startFirehoseTestServer,
} from './firehose-test-server.js';

let server: FirehoseTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setUp(options: FirehoseTestServerOptions = {}) {
  server = await startFirehoseTestServer(options);
  const client = new FirehoseClient({
    endpoint: server.url,
    region: 'ap-southeast-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return { server, client };
}

/** A clock that never waits but records the time it would have waited. */
function virtualClock(): Clock & { slept: number[]; elapsed: () => number } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    elapsed: () => now,
    now: () => now,
    sleep: async (milliseconds, signal) => {
      if (signal?.aborted) throw signal.reason;
      slept.push(milliseconds);
      now += milliseconds;
    },
  };
}

function sortedStrings(buffers: readonly Buffer[]): string[] {
  return buffers.map((buffer) => buffer.toString('utf8')).sort();
}

const simulation = simulateContactTraffic({
  startDate: '2024-03-04',
  days: 3,
  contactsPerDay: 200,
  seed: 11,
});

describe('sendToFirehose against a local PutRecordBatch endpoint', () => {
  it('delivers every record exactly once in batches of at most 500 and counts per day', async () => {
    const { server, client } = await setUp();
    const summary = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records,
    });
    expect(simulation.records.length).toBeGreaterThan(MAX_RECORDS);
    expect(summary).toMatchObject({
      records: simulation.records.length,
      sent: simulation.records.length,
      failed: 0,
      retried: 0,
      unsent: 0,
    });
    expect(server.calls.every((call) => call.records.length <= MAX_RECORDS)).toBe(true);
    expect(server.calls.filter((call) => call.records.length === MAX_RECORDS).length).toBe(
      Math.floor(simulation.records.length / MAX_RECORDS),
    );
    expect(summary.requests).toBe(server.calls.length);
    expect(sortedStrings(server.accepted)).toEqual(simulation.records.map((record) => record.data).sort());
    expect(summary.bytesSent).toBe(
      simulation.records.reduce((sum, record) => sum + Buffer.byteLength(record.data), 0),
    );
    expect(summary.perDay.map((day) => [day.date, day.records, day.sent])).toEqual(
      simulation.groundTruth.days.map((day) => [day.date, day.records, day.records]),
    );
  });

  it('keeps every request under 4 MiB and reports a record over 1,000 KiB as failed without sending it', async () => {
    const { server, client } = await setUp();
    const big = (fill: string, kib: number): SendableRecord => ({
      data: fill.repeat(kib * 1024),
      day: '2024-03-04',
    });
    const records = [
      big('a', 900),
      big('b', 900),
      big('c', 900),
      big('d', 1001),
      big('e', 999),
      big('f', 10),
      big('g', 1000),
    ];
    const outcomes = new Map<number, SendRecordOutcome>();
    const summary = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records,
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    });
    expect(outcomes.get(3)).toEqual({
      status: 'failed',
      reason: 'RecordTooLarge',
      attempts: 0,
      mayHaveBeenDelivered: false,
    });
    expect([...outcomes.values()].filter((outcome) => outcome.status === 'sent')).toHaveLength(6);
    expect(summary).toMatchObject({
      records: 7,
      sent: 6,
      failed: 1,
      unsent: 0,
      failuresByReason: { RecordTooLarge: 1 },
    });
    expect(server.calls.every((call) => call.refused === undefined)).toBe(true);
    expect(Math.max(...server.calls.map((call) => call.bodyBytes))).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    // 4.6 MiB of data (6.1 MiB as base64): two requests, [a, b, c] then [e, f, g].
    // Two requests in flight at once may arrive in either order.
    expect(
      server.calls
        .map((call) => call.records.map((record) => String.fromCharCode(record[0]!)).join(''))
        .sort(),
    ).toEqual(['abc', 'efg']);
    expect(server.accepted.some((data) => data[0] === 'd'.charCodeAt(0))).toBe(false);
    expect(summary.perDay).toEqual([{ date: '2024-03-04', records: 7, sent: 6, failed: 1, retried: 0 }]);
  });

  it('retries only the failed entries until they are accepted, with backoff, and counts exactly', async () => {
    // Calls 0-2 fail every third entry; later calls accept everything.
    const { server, client } = await setUp({
      failEntry: ({ call, position }) =>
        call < 3 && position % 3 === 0
          ? position % 2 === 0
            ? 'ServiceUnavailableException'
            : 'InternalFailure'
          : undefined,
    });
    const clock = virtualClock();
    const progress: SendProgress[] = [];
    const summary = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records,
      concurrency: 1,
      clock,
      random: () => 0.5,
      onProgress: (update) => progress.push(update),
    });
    const failuresReturned = server.calls
      .flatMap((call) => call.errorCodes)
      .filter((code) => code !== undefined).length;
    const entriesReceived = server.calls.reduce((sum, call) => sum + call.records.length, 0);
    expect(failuresReturned).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      sent: simulation.records.length,
      failed: 0,
      unsent: 0,
      retried: failuresReturned,
    });
    expect(entriesReceived).toBe(simulation.records.length + failuresReturned);
    expect(sortedStrings(server.accepted)).toEqual(simulation.records.map((record) => record.data).sort());
    // A retry request holds exactly the entries that failed in the call before it.
    const firstRetry = server.calls[1]!;
    expect(firstRetry.records.map(String)).toEqual(
      server.calls[0]!.records.filter(
        (_, position) => server.calls[0]!.errorCodes[position] !== undefined,
      ).map(String),
    );
    expect(clock.slept.length).toBeGreaterThan(0);
    expect(clock.slept.every((delay) => delay <= 5000)).toBe(true);
    expect(summary.perDay.reduce((sum, day) => sum + day.retried, 0)).toBe(failuresReturned);
    expect(progress.at(-1)).toMatchObject({
      sent: simulation.records.length,
      failed: 0,
      retried: failuresReturned,
    });
  });

  it('gives up on entries that keep failing after maxAttempts and reports their ErrorCode', async () => {
    const records = simulation.records.slice(0, 50);
    const poisoned = new Set(records.slice(0, 5).map((record) => record.data));
    const { server, client } = await setUp({
      failEntry: ({ data }) =>
        poisoned.has(data.toString('utf8')) ? 'ServiceUnavailableException' : undefined,
    });
    const outcomes: [number, SendRecordOutcome][] = [];
    const summary = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records,
      clock: virtualClock(),
      retry: { maxAttempts: 3 },
      onRecordOutcome: (index, outcome) => outcomes.push([index, outcome]),
    });
    // Once per record, whatever the number of attempts: the poisoned ones failed, the others sent.
    expect(outcomes.map(([index]) => index).sort((left, right) => left - right)).toEqual(
      records.map((_, index) => index),
    );
    for (const [index, outcome] of outcomes) {
      expect(outcome).toEqual(
        index < 5
          ? {
              status: 'failed',
              reason: 'ServiceUnavailableException',
              attempts: 3,
              mayHaveBeenDelivered: false,
            }
          : { status: 'sent', attempts: 1 },
      );
    }
    expect(summary).toMatchObject({
      records: 50,
      sent: 45,
      failed: 5,
      retried: 10,
      unsent: 0,
      failuresByReason: { ServiceUnavailableException: 5 },
    });
    expect(server.calls).toHaveLength(3);
    expect(server.accepted.length).toBe(45);
  });

  it('retries a throttled request as a whole and succeeds', async () => {
    const { server, client } = await setUp({
      refuseCall: (call) => (call === 0 ? { status: 503, type: 'ServiceUnavailableException' } : undefined),
    });
    const records = simulation.records.slice(0, 20);
    const summary = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records,
      clock: virtualClock(),
    });
    expect(summary).toMatchObject({ sent: 20, failed: 0, retried: 20, requests: 2 });
    expect(server.accepted.length).toBe(20);
  });

  it('stops with FirehoseSendError and exact counts when the stream does not exist', async () => {
    const { client } = await setUp({ streams: ['OtherStream'] });
    const outcomes = new Map<number, SendRecordOutcome>();
    const error = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records,
      concurrency: 1,
      clock: virtualClock(),
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    }).catch((caught: unknown) => caught);
    // The refused batch is reported failed (a 4xx refusal: not taken); the records never tried, not at all.
    expect(outcomes.size).toBe(500);
    expect(new Set([...outcomes.values()].map((outcome) => JSON.stringify(outcome)))).toEqual(
      new Set([
        JSON.stringify({
          status: 'failed',
          reason: 'ResourceNotFoundException',
          attempts: 1,
          mayHaveBeenDelivered: false,
        }),
      ]),
    );
    expect(error).toBeInstanceOf(FirehoseSendError);
    const sendError = error as FirehoseSendError;
    expect(sendError.errorCode).toBe('ResourceNotFoundException');
    expect(sendError.isRetryable).toBe(false);
    expect(sendError.message).toContain('CTRFHStream');
    expect(sendError.message).toContain('--stream');
    expect(sendError.summary).toMatchObject({
      sent: 0,
      failed: 500,
      unsent: simulation.records.length - 500,
      requests: 1,
    });
    expect(sendError.summary.sent + sendError.summary.failed + sendError.summary.unsent).toBe(
      simulation.records.length,
    );
  });

  it('stops early when aborted and accounts for every record', async () => {
    const controller = new AbortController();
    const { server, client } = await setUp({
      failEntry: ({ call }) => {
        if (call === 1) controller.abort(new Error('stop'));
        return undefined;
      },
    });
    const outcomes = new Map<number, SendRecordOutcome>();
    const summary = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records,
      concurrency: 1,
      maxRecordsPerBatch: 100,
      signal: controller.signal,
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    });
    expect(summary.aborted).toBe(true);
    // The records never reported are exactly the unsent ones.
    expect(simulation.records.length - outcomes.size).toBe(summary.unsent);
    const failed = [...outcomes.values()].filter((outcome) => outcome.status === 'failed');
    expect(failed).toHaveLength(summary.failed);
    // Aborted in flight: the server may have taken them.
    expect(failed.every((outcome) => outcome.mayHaveBeenDelivered)).toBe(true);
    // Records in flight when aborted count as failed (Aborted): the server may have accepted them.
    expect(summary.sent).toBe(100);
    expect(summary.failuresByReason).toEqual({ Aborted: 100 });
    expect(server.accepted.length).toBeGreaterThanOrEqual(summary.sent);
    expect(server.accepted.length).toBeLessThanOrEqual(summary.sent + summary.failed);
    expect(summary.sent + summary.failed + summary.unsent).toBe(simulation.records.length);
    expect(summary.unsent).toBeGreaterThan(0);
  });

  it('holds the rate limit (virtual clock) and cuts batches to one second of records', async () => {
    const { server, client } = await setUp();
    const clock = virtualClock();
    const records = simulation.records.slice(0, 250);
    const summary = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records,
      rateLimitPerSecond: 50,
      clock,
    });
    expect(summary.sent).toBe(250);
    expect(server.calls.every((call) => call.records.length <= 50)).toBe(true);
    // 250 records at 50/s with a 1 s burst: at least (250 - 50) / 50 = 4 s of waiting.
    expect(clock.elapsed()).toBeGreaterThanOrEqual(4000 - 1);
    expect(clock.elapsed()).toBeLessThan(5500);
  });

  it('refuses invalid options with SimulationOptionsError before sending', async () => {
    const { server, client } = await setUp();
    await expect(
      sendToFirehose({ client, deliveryStreamName: 'bad name!', records: [], rateLimitPerSecond: 0 }),
    ).rejects.toThrow(SimulationOptionsError);
    await expect(
      sendToFirehose({ client, deliveryStreamName: 'CTRFHStream', records: [], concurrency: 0 }),
    ).rejects.toThrow(/concurrency/);
    expect(server.calls).toHaveLength(0);
  });

  it('sends nothing and reports zeros for an empty list', async () => {
    const { server, client } = await setUp();
    const summary = await sendToFirehose({ client, deliveryStreamName: 'CTRFHStream', records: [] });
    expect(summary).toMatchObject({ records: 0, sent: 0, failed: 0, unsent: 0, requests: 0, perDay: [] });
    expect(server.calls).toHaveLength(0);
  });
});
