import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFirehoseApiServer } from '../../../../packages/firehose-transform/tests/support/firehose-api-server.js';
import { createHandler, loadConfig } from '../../src/index.js';
import { decode, lambdaContext, nearLimitBatch, recordingLogger, TUTORIAL_PHONE } from '../support.js';

const LIMIT = 6_291_456;
const LONG_NAME = `Jane ${'Citizen-'.repeat(14)}Citizen`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('overflow past 6 MB: re-ingestion through the endpoint in AWS_ENDPOINT_URL_FIREHOSE', () => {
  it('answers within 6,291,456 bytes and re-ingests the overflow (original bytes) into the stream', async () => {
    const firehose = await startFirehoseApiServer({ streams: ['CTRFHStream'] });
    cleanups.push(firehose.close);
    const directory = await startDirectoryServer({ entries: { [TUTORIAL_PHONE]: LONG_NAME } });
    cleanups.push(() => directory.close());
    // The SDK's own endpoint resolution (serviceId "Firehose") reads these; no client is injected.
    vi.stubEnv('AWS_ENDPOINT_URL_FIREHOSE', firehose.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDLOCALTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local-secret');
    const { lines, logger } = recordingLogger();
    const handler = createHandler(loadConfig({ CALLER_LOOKUP_URL: directory.baseUrl }), {
      logger,
      writeMetrics: () => {},
    });
    cleanups.push(() => handler.close());

    const { event, payloads } = nearLimitBatch();
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(LIMIT);
    const response = await handler(event, lambdaContext());

    expect(response.records.map((record) => record.recordId)).toEqual(
      event.records.map((record) => record.recordId),
    );
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(LIMIT);
    const dropped = response.records.flatMap((record, index) => (record.result === 'Dropped' ? [index] : []));
    const okCount = response.records.filter((record) => record.result === 'Ok').length;
    expect(dropped.length).toBeGreaterThan(0);
    expect(okCount + dropped.length).toBe(payloads.length);
    expect(decode(response.records[0]!.data)).toContain(`"Name":"${LONG_NAME}"`);
    const stored = firehose.stored().map((record) => record.data.toString('utf8'));
    expect(stored.sort()).toEqual(dropped.map((index) => payloads[index]!).sort());
    const summary = JSON.parse(lines.find((line) => line.includes('"firehose transform summary"'))!);
    expect(summary).toMatchObject({ reingested: dropped.length, processingFailed: 0 });
  });
});
