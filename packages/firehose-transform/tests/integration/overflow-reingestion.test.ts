import { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFirehoseTransformHandler,
  type FirehoseTransformSummary,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  ok,
  PUT_RECORD_BATCH_MAX_BYTES,
} from '../../src/index.js';
import { directPutEvent, lambdaContext, recordingLogger } from '../support/events.js';
import { startFirehoseApiServer } from '../support/firehose-api-server.js';

const STREAM = 'ctr-stream-test';
let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

function clientFor(endpoint: string): FirehoseClient {
  return new FirehoseClient({
    endpoint,
    region: 'us-east-2',
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
    maxAttempts: 1, // our own retry of failed entries is what is under test
  });
}

/** About 5.3 MB of request: 1,000 JSON records of ~4 KB, each doubled by the transform. */
function nearLimitEvent() {
  const payloads = Array.from({ length: 1_000 }, (_, index) =>
    JSON.stringify({ id: index, text: `ü${String(index).padStart(4, '0')}`.repeat(660) }),
  );
  return { event: directPutEvent(payloads), payloads };
}

const doubleText = ok;
function grow(record: { data: { id: number; text: string } }) {
  return doubleText({ ...record.data, copy: record.data.text });
}

describe('overflow past 6 MB with re-ingestion into a local Firehose API (JSON 1.1, PutRecordBatch)', () => {
  it('keeps the response under 6,291,456 bytes, re-ingests the rest (Dropped), retrying only failed entries', async () => {
    const server = await startFirehoseApiServer({
      streams: [STREAM],
      // every 7th record fails its first two attempts with a retryable per-entry error
      failEntry: (data, previous) =>
        (JSON.parse(data.toString()) as { id: number }).id % 7 === 0 && previous < 2
          ? 'ServiceUnavailableException'
          : undefined,
    });
    closeServer = server.close;
    const { event, payloads } = nearLimitEvent();
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES);
    let summary: FirehoseTransformSummary | undefined;
    const { logger } = recordingLogger();
    const handler = createFirehoseTransformHandler({
      logger,
      firehoseClient: clientFor(server.endpoint),
      reingestBaseDelayMs: 5,
      onSummary: (value) => {
        summary = value;
      },
      transformRecord: grow,
    });
    const response = await handler(event, lambdaContext(60_000));

    expect(response.records.map((record) => record.recordId)).toEqual(
      event.records.map((record) => record.recordId),
    );
    const responseBytes = Buffer.byteLength(JSON.stringify(response));
    expect(responseBytes).toBeLessThanOrEqual(LAMBDA_RESPONSE_LIMIT_BYTES);
    expect(summary?.responseBytes).toBe(responseBytes);
    const okRecords = response.records.filter((record) => record.result === 'Ok');
    const droppedRecords = response.records.filter((record) => record.result === 'Dropped');
    expect(okRecords.length).toBeGreaterThan(500);
    expect(droppedRecords.length).toBeGreaterThan(300);
    expect(okRecords.length + droppedRecords.length).toBe(1_000);
    // packing: not even one more Ok record would have fit
    const okEntryBytes = Buffer.byteLength(JSON.stringify(okRecords[0]));
    expect(LAMBDA_RESPONSE_LIMIT_BYTES - responseBytes).toBeLessThan(okEntryBytes);

    // every Dropped record is in the stream exactly once, with its ORIGINAL bytes
    const stored = server.stored().map((record) => record.data.toString('utf8'));
    const droppedOriginals = response.records
      .map((record, index) => (record.result === 'Dropped' ? payloads[index]! : undefined))
      .filter((value) => value !== undefined);
    expect([...stored].sort()).toEqual([...droppedOriginals].sort());
    expect(new Set(stored).size).toBe(stored.length);

    // requests respected the limits; retries carried only the failed entries
    const requests = server.requests();
    expect(
      requests.every((request) => request.records <= 500 && request.bodyBytes <= PUT_RECORD_BATCH_MAX_BYTES),
    ).toBe(true);
    const failingIds = droppedOriginals.filter(
      (text) => (JSON.parse(text) as { id: number }).id % 7 === 0,
    ).length;
    const totalEntriesSent = requests.reduce((sum, request) => sum + request.records, 0);
    expect(totalEntriesSent).toBe(droppedOriginals.length + 2 * failingIds);
    expect(summary).toMatchObject({
      reingested: droppedRecords.length,
      overflow: droppedRecords.length,
      processingFailed: 0,
    });
  });

  it('answers ProcessingFailed with the original data when the stream does not exist (no retry of a permanent error)', async () => {
    const server = await startFirehoseApiServer({ streams: ['another-stream'] });
    closeServer = server.close;
    const { event } = nearLimitEvent();
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler({
      logger,
      firehoseClient: clientFor(server.endpoint),
      transformRecord: grow,
    });
    const response = await handler(event, lambdaContext());
    const failed = response.records.filter((record) => record.result === 'ProcessingFailed');
    expect(failed.length).toBeGreaterThan(300);
    const original = new Map(event.records.map((record) => [record.recordId, record.data]));
    expect(failed.every((record) => record.data === original.get(record.recordId))).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(LAMBDA_RESPONSE_LIMIT_BYTES);
    expect(server.stored()).toHaveLength(0);
    expect(server.requests().length).toBeLessThanOrEqual(3); // one per batch, never retried
    const summary = entries.find((entry) => entry.message === 'firehose transform summary')!.fields;
    const reasons = new Set(Object.keys(summary.failureReasons as object));
    // the overflow failed re-ingestion; to fit their original data, some Ok records were failed too
    expect(reasons).toEqual(
      new Set([
        're-ingestion failed: ResourceNotFoundException',
        'response size limit reached after re-ingestion of other records failed',
      ]),
    );
  });

  it('retries a throttled request and honours deliveryStreamName over the ARN', async () => {
    const server = await startFirehoseApiServer({
      streams: ['explicit'],
      failRequest: (number) => (number === 1 ? { status: 400, type: 'ThrottlingException' } : undefined),
    });
    closeServer = server.close;
    const handler = createFirehoseTransformHandler<{ pad: string }>({
      logger: recordingLogger().logger,
      firehoseClient: clientFor(server.endpoint),
      deliveryStreamName: 'explicit',
      reingestBaseDelayMs: 1,
      maxResponseBytes: 1_000,
      transformRecord: (record) => ok({ pad: record.data.pad.repeat(2) }),
    });
    const payloads = Array.from({ length: 6 }, (_, index) =>
      JSON.stringify({ pad: String(index).repeat(100) }),
    );
    const response = await handler(directPutEvent(payloads), lambdaContext());
    const dropped = response.records.filter((record) => record.result === 'Dropped').length;
    expect(dropped).toBeGreaterThan(0);
    expect(server.stored()).toHaveLength(dropped);
    expect(server.stored().every((record) => record.deliveryStreamName === 'explicit')).toBe(true);
    expect(server.requests().length).toBe(2);
  });

  it('answers the batch when onSummary throws after re-ingestion succeeded (no retry, so no duplicates)', async () => {
    const server = await startFirehoseApiServer({ streams: [STREAM] });
    closeServer = server.close;
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<{ pad: string }>({
      logger,
      firehoseClient: clientFor(server.endpoint),
      maxResponseBytes: 1_000,
      onSummary: () => {
        throw new Error('metrics down');
      },
      transformRecord: (record) => ok({ pad: record.data.pad.repeat(2) }),
    });
    const payloads = Array.from({ length: 6 }, (_, index) =>
      JSON.stringify({ pad: String(index).repeat(100) }),
    );
    const response = await handler(directPutEvent(payloads), lambdaContext());
    const dropped = response.records.filter((record) => record.result === 'Dropped').length;
    expect(dropped).toBeGreaterThan(0);
    expect(server.stored()).toHaveLength(dropped);
    expect(response.records.every((record) => record.result !== 'ProcessingFailed')).toBe(true);
    expect(entries.find((entry) => entry.level === 'error')?.message).toBe(
      'onSummary threw; the batch is answered anyway',
    );
  });

  it('gives up at the deadline and fails what was not re-ingested, still answering in time', async () => {
    const server = await startFirehoseApiServer({
      streams: [STREAM],
      failEntry: () => 'ServiceUnavailableException',
    });
    closeServer = server.close;
    const handler = createFirehoseTransformHandler<{ pad: string }>({
      logger: recordingLogger().logger,
      firehoseClient: clientFor(server.endpoint),
      reingestMaxAttempts: 1_000,
      reingestBaseDelayMs: 200,
      safetyMarginMs: 1_000,
      maxResponseBytes: 1_000,
      transformRecord: (record) => ok({ pad: record.data.pad.repeat(2) }),
    });
    const payloads = Array.from({ length: 6 }, (_, index) =>
      JSON.stringify({ pad: String(index).repeat(100) }),
    );
    const started = Date.now();
    const response = await handler(directPutEvent(payloads), lambdaContext(2_000));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.records.some((record) => record.result === 'ProcessingFailed')).toBe(true);
    expect(response.records.some((record) => record.result === 'Dropped')).toBe(false);
  });
});
