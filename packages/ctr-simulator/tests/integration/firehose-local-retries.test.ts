import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
// The repository's own Firehose (a dev dependency), which throttles as AWS does: the SDK's retries are on the wire.
import { type FirehoseLocal, startFirehoseLocal } from '@ctr-stream/firehose-local';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendFromCommandLine } from '../../src/cli-send.js';
import type { Clock } from '../../src/clock.js';
import { FirehoseSendError } from '../../src/errors.js';
import { type SendRecordOutcome, sendToFirehose } from '../../src/send-to-firehose.js';

const STREAM = 'CTRFHStream';
const RECORDS = Array.from({ length: 10 }, (_, index) => ({
  data: JSON.stringify({ ContactId: `retry-${index}` }),
  day: '2024-03-04',
}));

let firehose: FirehoseLocal | undefined;
let backupDirectory: string | undefined;

afterEach(async () => {
  vi.unstubAllEnvs();
  await firehose?.close();
  firehose = undefined;
  if (backupDirectory !== undefined) await rm(backupDirectory, { recursive: true, force: true });
  backupDirectory = undefined;
});

/** A loopback port nothing listens on: the stream's deliveries fail at once, which these tests do not look at. */
async function closedPort(): Promise<number> {
  const listener = createServer().listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  await new Promise((resolve) => listener.close(resolve));
  return port;
}

/** firehose-local with one stream whose first `throttleFirstRequests` put calls are refused (503). */
async function startThrottledFirehose(throttleFirstRequests: number): Promise<FirehoseLocal> {
  backupDirectory = await mkdtemp(join(tmpdir(), 'ctr-simulator-retries-'));
  firehose = await startFirehoseLocal({
    streams: [
      {
        name: STREAM,
        elasticsearch: {
          url: `http://127.0.0.1:${await closedPort()}`,
          indexName: 'ctr-simulator-retries',
          retryDurationInSeconds: 0,
        },
        backup: { directory: backupDirectory },
        faults: { throttleFirstRequests },
      },
    ],
  });
  return firehose;
}

/** The PutRecordBatch calls firehose-local answered, throttled ones included (every call carried all records). */
function callsReceived(local: FirehoseLocal): number {
  const { cloudWatch } = local.metrics(STREAM);
  return cloudWatch.IncomingPutRequests + cloudWatch.ThrottledRecords / RECORDS.length;
}

/** A clock that never waits (the sender's backoff), for the library tests. */
const instantClock: Clock = {
  now: () => 0,
  sleep: async (_milliseconds, signal) => {
    if (signal?.aborted) throw signal.reason;
  },
};

/** RECORDS sent as `ctr-simulate` sends them (its own client), with every line and outcome it reports. */
async function sendAsTheBinsDo(local: FirehoseLocal) {
  // Placeholder credentials for the loopback endpoint, whatever the shell has.
  vi.stubEnv('AWS_ACCESS_KEY_ID', '');
  vi.stubEnv('AWS_PROFILE', '');
  const lines: string[] = [];
  const outcomes = new Map<number, SendRecordOutcome>();
  const { summary, fatal } = await sendFromCommandLine(
    {
      deliveryStreamName: STREAM,
      endpoint: local.url,
      region: 'us-east-1',
      rateLimitPerSecond: undefined,
      progress: false,
    },
    RECORDS,
    (line) => lines.push(line),
    (index, outcome) => outcomes.set(index, outcome),
  );
  return { summary, fatal, lines, outcomes };
}

describe('request counts match the wire (firehose-local throttling the first calls)', () => {
  it('the bins retry with the sender alone: 4 throttled calls, then one accepted, are 5 requests and 4 retries per record', async () => {
    const local = await startThrottledFirehose(4);
    const { summary, fatal, lines, outcomes } = await sendAsTheBinsDo(local);
    expect(fatal).toBeUndefined();
    expect(callsReceived(local)).toBe(5);
    expect(summary).toMatchObject({ sent: 10, failed: 0, retried: 40, unsent: 0, requests: 5 });
    expect(summary.perDay).toEqual([{ date: '2024-03-04', records: 10, sent: 10, failed: 0, retried: 40 }]);
    expect([...outcomes.values()]).toEqual(RECORDS.map(() => ({ status: 'sent', attempts: 5 })));
    expect(lines.join('\n')).toMatch(/Sent 10, failed 0, retried 40, unsent 0 in 5 requests/);
  });

  it('the bins make at most retry.maxAttempts (5) requests per record: the SDK does not retry inside them', async () => {
    const local = await startThrottledFirehose(5);
    const { summary, fatal, outcomes } = await sendAsTheBinsDo(local);
    // Before, the SDK's 3 attempts inside each of the sender's 5 let a sixth call through; now the fifth is the last.
    expect(callsReceived(local)).toBe(5);
    expect(fatal).toBeInstanceOf(FirehoseSendError);
    expect(fatal?.errorCode).toBe('ServiceUnavailableException');
    expect(summary).toMatchObject({ sent: 0, failed: 10, retried: 40, requests: 5 });
    for (const outcome of outcomes.values()) {
      expect(outcome).toEqual({
        status: 'failed',
        reason: 'ServiceUnavailableException',
        attempts: 5,
        mayHaveBeenDelivered: true,
      });
    }
  });

  it("counts the SDK's own retries of a library user's client as requests, retries and attempts", async () => {
    const local = await startThrottledFirehose(4);
    // The SDK's default: 3 attempts per send, retrying 503 ServiceUnavailableException by itself.
    const client = new FirehoseClient({
      endpoint: local.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const outcomes = new Map<number, SendRecordOutcome>();
    try {
      const summary = await sendToFirehose({
        client,
        deliveryStreamName: STREAM,
        records: RECORDS,
        clock: instantClock,
        onRecordOutcome: (index, outcome) => outcomes.set(index, outcome),
      });
      // Send 1: three throttled attempts; send 2: one throttled, one accepted. The counts say so, not "2 requests".
      expect(callsReceived(local)).toBe(5);
      expect(summary).toMatchObject({ sent: 10, failed: 0, retried: 40, requests: 5 });
      expect([...outcomes.values()]).toEqual(RECORDS.map(() => ({ status: 'sent', attempts: 5 })));
    } finally {
      client.destroy();
    }
  });
});
