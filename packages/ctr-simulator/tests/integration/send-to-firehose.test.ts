import { once } from 'node:events';
import { createServer } from 'node:net';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { FirehoseSendError, SendOptionsError, SimulationOptionsError } from '../../src/errors.js';
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

/** A clock whose sleeps end only when the test says so (`advance`), or when aborted. */
function manualClock(): Clock & { sleepers: () => number; advance: () => void } {
  let now = 0;
  const waiting: { until: number; wake: () => void }[] = [];
  return {
    now: () => now,
    sleep: (milliseconds, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const entry = {
          until: now + milliseconds,
          wake: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(entry);
      }),
    sleepers: () => waiting.length,
    advance: () => {
      waiting.sort((left, right) => left.until - right.until);
      const next = waiting.shift();
      if (next === undefined) throw new Error('nothing is sleeping');
      now = Math.max(now, next.until);
      next.wake();
    },
  };
}

/** A client whose requests are never answered: they end only when aborted. */
function silentClient(): FirehoseClient & { sends: number } {
  const client = {
    sends: 0,
    send: (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
      client.sends++;
      return new Promise((_, reject) => {
        options?.abortSignal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
        );
      });
    },
  };
  return client as unknown as FirehoseClient & { sends: number };
}

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const listener = createServer().listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  await new Promise((resolve) => listener.close(resolve));
  return port;
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

  it('leaves a batch waiting for the rate limit unsent when aborted: only the records in flight count as failed', async () => {
    const client = silentClient();
    const clock = manualClock();
    const controller = new AbortController();
    const outcomes = new Map<number, SendRecordOutcome>();
    const sending = sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records.slice(0, 50),
      rateLimitPerSecond: 10,
      clock,
      signal: controller.signal,
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    });
    // The first batch waits for its tokens, then goes out and is never answered; the second waits for the limiter.
    await vi.waitFor(() => expect(clock.sleepers()).toBe(1));
    clock.advance();
    await vi.waitFor(() => expect(client.sends).toBe(1));
    await vi.waitFor(() => expect(clock.sleepers()).toBe(1));
    controller.abort(new Error('interrupted'));
    const summary = await sending;
    expect(summary).toMatchObject({
      aborted: true,
      sent: 0,
      failed: 10,
      unsent: 40,
      requests: 1,
      failuresByReason: { Aborted: 10 },
    });
    expect([...outcomes.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const outcome of outcomes.values()) {
      expect(outcome).toEqual({
        status: 'failed',
        reason: 'Aborted',
        attempts: 1,
        mayHaveBeenDelivered: true,
      });
    }
  });

  it('sends no request for a batch that was waiting for the rate limit when another batch was refused for good', async () => {
    const { server, client } = await setUp({ streams: ['OtherStream'] });
    const clock = manualClock();
    const outcomes = new Map<number, SendRecordOutcome>();
    const sending = sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records.slice(0, 30),
      rateLimitPerSecond: 10,
      clock,
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(clock.sleepers()).toBe(1));
    clock.advance();
    // The first batch is refused (unknown stream) while the second waits for its tokens.
    await vi.waitFor(() => expect(outcomes.size).toBe(10));
    await vi.waitFor(() => expect(clock.sleepers()).toBe(1));
    clock.advance();
    const error = await sending;
    expect(error).toBeInstanceOf(FirehoseSendError);
    expect(server.calls).toHaveLength(1);
    expect((error as FirehoseSendError).summary).toMatchObject({ failed: 10, unsent: 20, requests: 1 });
    expect(outcomes.size).toBe(10);
  });

  it('says a record cannot have been delivered when the connection was refused on every attempt', async () => {
    const port = await closedPort();
    // The SDK's own retries (3 attempts) count against the sender's 2: its first send spends them, with one over.
    const client = new FirehoseClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'ap-southeast-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const outcomes = new Map<number, SendRecordOutcome>();
    const error = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records.slice(0, 5),
      clock: virtualClock(),
      retry: { maxAttempts: 2 },
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    }).catch((caught: unknown) => caught);
    client.destroy();
    expect(error).toBeInstanceOf(FirehoseSendError);
    expect((error as FirehoseSendError).errorCode).toBe('ECONNREFUSED');
    expect((error as FirehoseSendError).message).toContain('Check the endpoint (--endpoint)');
    expect((error as FirehoseSendError).summary).toMatchObject({ requests: 3, retried: 10, failed: 5 });
    expect(outcomes.size).toBe(5);
    for (const outcome of outcomes.values()) {
      expect(outcome).toEqual({
        status: 'failed',
        reason: 'ECONNREFUSED',
        attempts: 3,
        mayHaveBeenDelivered: false,
      });
    }
  });

  it('counts no request and no delivery when there are no credentials to sign with', async () => {
    const { server } = await setUp();
    const client = new FirehoseClient({
      endpoint: server.url,
      region: 'ap-southeast-2',
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        });
      },
    });
    const outcomes = new Map<number, SendRecordOutcome>();
    const error = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records.slice(0, 5),
      clock: virtualClock(),
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    }).catch((caught: unknown) => caught);
    client.destroy();
    expect(server.calls).toHaveLength(0);
    expect(error).toBeInstanceOf(FirehoseSendError);
    const sendError = error as FirehoseSendError;
    expect(sendError.errorCode).toBe('CredentialsProviderError');
    expect(sendError.summary).toMatchObject({ requests: 0, sent: 0, failed: 5, unsent: 0 });
    expect(sendError.message).not.toContain('..');
    expect(sendError.message).toMatch(/credentials/i);
    for (const outcome of outcomes.values()) {
      expect(outcome).toEqual({
        status: 'failed',
        reason: 'CredentialsProviderError',
        attempts: 0,
        mayHaveBeenDelivered: false,
      });
    }
  });

  it('still says a record may have been delivered when a request carrying it went unanswered, whatever came after', async () => {
    // The SDK's first attempt is taken and left unanswered; its retry is refused (400): one failed send.
    const sdkRetries = await setUp({
      dropCall: (call) => call === 0,
      refuseCall: (call) => (call === 1 ? { status: 400, type: 'InvalidArgumentException' } : undefined),
    });
    const retryingClient = new FirehoseClient({
      endpoint: sdkRetries.server.url,
      region: 'ap-southeast-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 2,
    });
    const outcomes = new Map<number, SendRecordOutcome>();
    await sendToFirehose({
      client: retryingClient,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records.slice(0, 3),
      clock: virtualClock(),
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    }).catch(() => undefined);
    retryingClient.destroy();
    expect(sdkRetries.server.accepted).toHaveLength(3);
    expect(
      [...outcomes.values()].map((outcome) => outcome.status === 'failed' && outcome.mayHaveBeenDelivered),
    ).toEqual([true, true, true]);
    await server?.close();

    // The sender's own retries: unanswered first, then refused per record every time.
    const ownRetries = await setUp({
      dropCall: (call) => call === 0,
      failEntry: () => 'ServiceUnavailableException',
    });
    outcomes.clear();
    const summary = await sendToFirehose({
      client: ownRetries.client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records.slice(0, 3),
      clock: virtualClock(),
      retry: { maxAttempts: 3 },
      onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
    });
    expect(summary).toMatchObject({ failed: 3, requests: 3 });
    for (const outcome of outcomes.values()) {
      expect(outcome).toEqual({
        status: 'failed',
        reason: 'ServiceUnavailableException',
        attempts: 3,
        mayHaveBeenDelivered: true,
      });
    }
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

  it('refuses invalid options with SendOptionsError, naming each problem, before sending', async () => {
    const { server, client } = await setUp();
    const invalid = await sendToFirehose({
      client,
      deliveryStreamName: 'bad name!',
      records: [],
      rateLimitPerSecond: 0,
    }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(SendOptionsError);
    // Send options are not simulation options.
    expect(invalid).not.toBeInstanceOf(SimulationOptionsError);
    expect((invalid as SendOptionsError).message).toMatch(/^Invalid sendToFirehose options: /);
    const retry = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: [{ data: 'a' }, { data: 7 as unknown as string }],
      retry: { baseDelayMs: -1, maxDelayMs: 'soon' as unknown as number, maxAttempts: 2.5 },
      maxRecordsPerBatch: Number.NaN,
    }).catch((error: unknown) => error);
    expect(retry).toBeInstanceOf(SendOptionsError);
    expect((retry as SendOptionsError).problems).toEqual([
      'records[].data must be a string or a Uint8Array (not so at index 1)',
      'maxRecordsPerBatch must be a number above 0 and at most 500 (got NaN)',
      'retry.maxAttempts must be an integer (got 2.5)',
      'retry.baseDelayMs must be a number of milliseconds, 0 or more (got -1)',
      'retry.maxDelayMs must be a number of milliseconds, 0 or more (got "soon")',
    ]);
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
