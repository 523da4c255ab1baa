import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
import type { FirehoseTransformationResponse } from '@ctr-stream/firehose-transform';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler, loadConfig } from '../../src/index.js';
import { firehoseEvent, lambdaContext, recordingLogger, TUTORIAL_PHONE } from '../support.js';

// Byte-for-byte regression tests of the handler's response. The golden files under tests/events/golden
// were written by the handler as it was before the CPU work of issue 6 (inputs made from the ctr-schema
// fixtures, hand-made edge cases and the first 400 records of the pipeline bench's simulation): any change
// to a byte the Lambda answers for a record fails here. To accept an intended change of output, delete the
// `.golden.*` file and run the test once outside CI (vitest writes it anew), then review the diff.

const GOLDEN = new URL('../events/golden/', import.meta.url);

interface GoldenEvent {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: { recordId: string; approximateArrivalTimestamp: number; data: string; note: string }[];
}

function fixturesEvent(): GoldenEvent {
  return JSON.parse(readFileSync(new URL('fixtures-event.json', GOLDEN), 'utf8')) as GoldenEvent;
}

function simulatedBatch(): { directory: Record<string, string>; records: string[] } {
  return JSON.parse(gunzipSync(readFileSync(new URL('simulated-batch.json.gz', GOLDEN))).toString('utf8'));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp(entries: Record<string, string>) {
  const directory = await startDirectoryServer({
    entries,
    faults: [
      { fault: { type: 'status', status: 500 }, phones: ['+61400000500'] },
      {
        fault: { type: 'body', body: '<html><body>502</body></html>', contentType: 'text/html' },
        phones: ['+61400000502'],
      },
    ],
  });
  cleanups.push(() => directory.close());
  const { lines, logger } = recordingLogger();
  const handler = createHandler(loadConfig({ CALLER_LOOKUP_URL: directory.baseUrl }), {
    logger,
    writeMetrics: () => {},
  });
  cleanups.push(() => handler.close());
  /** The deterministic part of each invocation's summary line (no timings). */
  const summaries = () =>
    lines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.message === 'firehose transform summary')
      .map(
        ({
          records,
          ok,
          dropped,
          processingFailed,
          responseBytes,
          inputBytes,
          failureReasons,
          callerLookup,
        }) => {
          const { lookupP95Ms, httpP95Ms, ...lookup } = callerLookup;
          return {
            records,
            ok,
            dropped,
            processingFailed,
            responseBytes,
            inputBytes,
            failureReasons,
            lookup,
          };
        },
      );
  return { directory, handler, summaries };
}

/** One line per answer: recordId, result, data size and SHA-256 (the simulated batch is too big to keep whole). */
function digest(response: FirehoseTransformationResponse): string {
  const lines = response.records.map(
    (record) =>
      `${record.recordId} ${record.result} ${record.data.length} ${createHash('sha256').update(record.data).digest('hex')}${record.metadata === undefined ? '' : ` ${JSON.stringify(record.metadata)}`}`,
  );
  const whole = createHash('sha256').update(JSON.stringify(response)).digest('hex');
  return `${lines.join('\n')}\nresponse ${Buffer.byteLength(JSON.stringify(response))} ${whole}\n`;
}

describe('golden output: every byte of every answer stays the same', () => {
  it('answers the fixture event (ctr-schema fixtures, edge cases, bad records) exactly as before', async () => {
    const { handler, summaries } = await setUp({
      [TUTORIAL_PHONE]: 'Jane Citizen',
      '+61299999854': 'Zoë 山田-O’Brien 😀',
      '+61400000101': 'Alex Example',
      '+61400000105': '  Sam   Callback  ',
    });
    const event = fixturesEvent();
    expect(event.records.length).toBeGreaterThanOrEqual(60);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.recordId)).toEqual(
      event.records.map((record) => record.recordId),
    );
    await expect(`${JSON.stringify(response, null, 2)}\n`).toMatchFileSnapshot(
      '../events/golden/fixtures-response.golden.json',
    );
    await expect(`${JSON.stringify(summaries(), null, 2)}\n`).toMatchFileSnapshot(
      '../events/golden/fixtures-summary.golden.json',
    );
  });

  it('answers 400 simulated CTRs exactly as before, cold and then warm from the cache', async () => {
    const { directory: entries, records } = simulatedBatch();
    const { handler, directory, summaries } = await setUp(entries);
    const event = firehoseEvent(records);
    const cold = await handler(event, lambdaContext());
    const requestsAfterCold = directory.requestCount();
    const warm = await handler(firehoseEvent(records), lambdaContext());
    expect(directory.requestCount()).toBe(requestsAfterCold); // the second batch is served from the cache
    expect(cold.records.filter((record) => record.result === 'Ok')).toHaveLength(400);
    await expect(digest(cold)).toMatchFileSnapshot('../events/golden/simulated-response.golden.txt');
    expect(digest(warm)).toBe(digest(cold));
    await expect(`${JSON.stringify(summaries(), null, 2)}\n`).toMatchFileSnapshot(
      '../events/golden/simulated-summary.golden.json',
    );
  });
});
