import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type LocalPipelineReport, runLocalPipeline } from '../../src/index.js';
import { expandingRecords, OVERFLOW_SCENARIO } from '../support/expanding-records.js';
import { searchNode } from '../support/search-node.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const scenario = OVERFLOW_SCENARIO;
const EXTRA_CONTACTS = 700;
const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_456;
const extraRecords = expandingRecords(EXTRA_CONTACTS, 'f1f1f1f1');
const index = `connect-e2e-overflow-${process.pid}-${Date.now()}`;
const elasticsearch = searchNode(elasticsearchUrl);
let workRoot: string;
let report: LocalPipelineReport;

beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), 'local-pipeline-overflow-'));
  report = await runLocalPipeline({
    elasticsearchUrl,
    workDirectory: join(workRoot, 'overflow'),
    index,
    bufferSizeInMBs: 3,
    extraRecords,
    ...scenario,
  });
});

afterAll(async () => {
  await elasticsearch.removeInstalledIndices([index]);
  await rm(workRoot, { recursive: true, force: true });
});

describe('an oversized transformed batch in the local pipeline (the Lambda in worker execution environments)', () => {
  test('the records are big enough: one buffer of them (3 MB at most) transforms to more than 6 MB', () => {
    const transformed = Buffer.byteLength(JSON.stringify(JSON.parse(extraRecords[0]!)));
    const perRecordInResponse = Math.ceil((transformed * 4) / 3);
    const recordsPerBuffer = Math.min(
      EXTRA_CONTACTS,
      Math.floor((3 * 1024 * 1024) / Buffer.byteLength(extraRecords[0]!)),
    );
    expect(perRecordInResponse * recordsPerBuffer).toBeGreaterThan(LAMBDA_RESPONSE_LIMIT_BYTES);
  });

  test('the Lambda re-ingested the overflow through firehose-local (AWS_ENDPOINT_URL_FIREHOSE), answering Dropped for it', () => {
    const { local, cloudWatch } = report.metrics;
    // The Lambda ran in worker execution environments (no client injected in-process).
    expect(local.processorColdStarts).toBeGreaterThan(0);
    expect(local.droppedRecords).toBeGreaterThan(0);
    // Every dropped record came back into the stream as a new incoming record.
    expect(cloudWatch.IncomingRecords).toBe(report.totals.sent + local.droppedRecords);
    expect(local.processingFailedRecords).toBe(0);
  });

  test('nothing is lost and nothing is duplicated: every record is in Elasticsearch exactly once', async () => {
    expect(report.totals.sendFailed).toBe(0);
    expect(report.totals.sent).toBe(report.groundTruth.totals.records + EXTRA_CONTACTS);
    expect(report.totals.failed).toBe(0);
    expect(report.totals.delivered).toBe(report.totals.sent);
    const response = await elasticsearch.search<{ ContactId: string; CtrStream?: unknown }>(index, {
      size: 0,
      query: { prefix: { ContactId: 'f1f1f1f1-' } },
      aggs: { contacts: { cardinality: { field: 'ContactId', precision_threshold: 10_000 } } },
      track_total_hits: true,
    });
    const total = response.hits.total;
    expect(typeof total === 'number' ? total : total.value).toBe(EXTRA_CONTACTS);
    const contacts = response.aggregations?.contacts as { value: number } | undefined;
    expect(contacts?.value).toBe(EXTRA_CONTACTS);
  });

  test('re-ingested records are transformed like the others, and calls per day counts them once', async () => {
    const enriched = await elasticsearch.count(index, {
      bool: {
        filter: [
          { prefix: { ContactId: 'f1f1f1f1-' } },
          { exists: { field: 'CtrStream.CallerLookup.Status' } },
        ],
      },
    });
    expect(enriched).toBe(EXTRA_CONTACTS);
    const expected = report.groundTruth.days.map((day) => [
      day.date,
      day.distinctContacts + (day.date === scenario.startDate ? EXTRA_CONTACTS : 0),
    ]);
    expect(report.callsPerDay.filter((row) => row.calls > 0).map((row) => [row.date, row.calls])).toEqual(
      expected,
    );
  });
});
