// A Lambda outage, then the recovery, end to end: the transform fails every invocation, so Firehose (here
// firehose-local) stores every record under processing-failed/ in the backup bucket; once the Lambda works
// again, `ctr-replay` sends that backup back into the stream, and every call ends up in the real
// Elasticsearch, enriched, with calls per day as the simulator's ground truth says.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
import { sendToFirehose, simulateContactTraffic } from '@ctr-stream/ctr-simulator';
import { callsPerDayAggregation, installIndexTemplate, parseCallsPerDay } from '@ctr-stream/es-index-setup';
import { type FirehoseLocal, startFirehoseLocal } from '@ctr-stream/firehose-local';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { lambdaBundlePath } from '../../src/index.js';
import { searchNode } from '../support/search-node.js';

const run = promisify(execFile);
const elasticsearchUrl = inject('elasticsearchUrl');
const elasticsearch = searchNode(elasticsearchUrl);
const index = `connect-e2e-replay-${process.pid}-${Date.now()}`;
const replayBin = join(
  dirname(createRequire(import.meta.url).resolve('@ctr-stream/ctr-simulator/package.json')),
  'dist',
  'replay-cli.js',
);
const simulation = simulateContactTraffic({ startDate: '2026-11-23', days: 2, contactsPerDay: 60, seed: 21 });
const streamConfig = (processor: object, backupDirectory: string) => ({
  name: 'CTRFHStream',
  region: 'ap-southeast-2',
  processor: { bufferSizeInMBs: 1, bufferIntervalInSeconds: 1, ...processor },
  elasticsearch: {
    url: elasticsearchUrl,
    indexName: index,
    indexRotationPeriod: 'NoRotation' as const,
    bufferingHints: { sizeInMBs: 5, intervalInSeconds: 1 },
  },
  backup: { directory: backupDirectory, mode: 'FailedDocumentsOnly' as const },
});

let work: string;
let outage: ReturnType<FirehoseLocal['metrics']>[number];
let recovery: ReturnType<FirehoseLocal['metrics']>[number];
let replay: { stdout: string; stderr: string };
let backupObjects: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'local-pipeline-replay-'));
  await installIndexTemplate({ connection: elasticsearch.connection, index });
  const directory = await startDirectoryServer({ entries: Object.fromEntries(simulation.callerDirectory) });
  try {
    // The outage: every invocation fails (as a Lambda with a broken deployment would), no retries.
    const broken = await startFirehoseLocal({
      streams: [
        streamConfig(
          {
            handler: async () => {
              throw new Error('TypeError: Cannot read properties of undefined (deploy mistake)');
            },
            numberOfRetries: 0,
          },
          join(work, 'bucket'),
        ),
      ],
    });
    const client = new FirehoseClient({
      endpoint: broken.url,
      region: 'ap-southeast-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sent = await sendToFirehose({
      client,
      deliveryStreamName: 'CTRFHStream',
      records: simulation.records,
    });
    expect(sent.sent).toBe(simulation.records.length);
    client.destroy();
    await broken.close();
    outage = broken.metrics()[0]!;
    backupObjects = await readdir(join(work, 'bucket'), { recursive: true });

    // The recovery: the real Lambda bundle again, and the backup replayed into the stream.
    const fixed = await startFirehoseLocal({
      streams: [
        streamConfig(
          {
            modulePath: lambdaBundlePath(),
            environment: {
              CALLER_LOOKUP_URL: directory.baseUrl,
              LOG_LEVEL: 'warn',
              METRICS: 'off',
              AWS_PROFILE: '',
              AWS_ACCESS_KEY_ID: 'local',
              AWS_SECRET_ACCESS_KEY: 'local',
            },
          },
          join(work, 'bucket-after'),
        ),
      ],
    });
    try {
      replay = await run(
        process.execPath,
        [replayBin, join(work, 'bucket', 'processing-failed'), '--endpoint', fixed.url, '--json'],
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        },
      );
    } finally {
      await fixed.close();
    }
    recovery = fixed.metrics()[0]!;
  } finally {
    await directory.close();
  }
  await elasticsearch.refresh(index);
});

afterAll(async () => {
  await elasticsearch.removeInstalledIndices([index]);
  await rm(work, { recursive: true, force: true });
});

describe('replaying a Firehose backup after a Lambda outage (firehose-local, the Lambda bundle, Elasticsearch)', () => {
  test('during the outage every record went to processing-failed/, none to Elasticsearch', () => {
    expect(outage.cloudWatch.IncomingRecords).toBe(simulation.records.length);
    expect(outage.local.processingFailedRecords).toBe(simulation.records.length);
    expect(outage.cloudWatch['DeliveryToElasticsearch.Records']).toBe(0);
    expect(
      backupObjects.filter((key) => key.startsWith(join('processing-failed', '2026', '11'))).length,
    ).toBeGreaterThan(0);
  });

  test('ctr-replay read every failed record and the stream accepted all of them', () => {
    expect(replay.stderr).toBe('');
    const report = JSON.parse(replay.stdout);
    expect(report.read).toMatchObject({
      failedRecords: simulation.records.length,
      documents: 0,
      problems: [],
      byErrorCode: { 'Lambda.FunctionError': simulation.records.length },
    });
    expect(report.send).toMatchObject({ sent: simulation.records.length, failed: 0, unsent: 0 });
    expect(recovery.cloudWatch.IncomingRecords).toBe(simulation.records.length);
    expect(recovery.local.processingFailedRecords).toBe(0);
    expect(recovery.cloudWatch['DeliveryToElasticsearch.Records']).toBe(simulation.records.length);
  });

  test('every record is in Elasticsearch once, enriched, and calls per day matches the ground truth', async () => {
    expect(await elasticsearch.count(index)).toBe(simulation.records.length);
    const found = await elasticsearch.count(index, { term: { 'CtrStream.CallerLookup.Status': 'found' } });
    expect(found).toBe(simulation.groundTruth.totals.recordsWithKnownCaller);
    const response = await elasticsearch.search(index, { size: 0, aggs: callsPerDayAggregation() });
    expect(parseCallsPerDay(response).map((row) => [row.date, row.calls])).toEqual(
      simulation.groundTruth.days.map((day) => [day.date, day.distinctContacts]),
    );
  });
});
