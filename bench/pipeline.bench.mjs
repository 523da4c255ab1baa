#!/usr/bin/env node
// End-to-end throughput of the local pipeline (simulator -> local Firehose -> the Lambda bundle ->
// Elasticsearch) against the raw `_bulk` rate of the same documents into the same node, in one run.
// Goal: >= 0.7 of the raw rate at buffer settings that keep end-to-end latency under 5 s.
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from '@elastic/elasticsearch';
import { startDirectoryProcess } from '../apps/local-pipeline/dist/index.js';
import { simulateContactTraffic, writeCallerDirectory } from '../packages/ctr-simulator/dist/index.js';
import { installIndexTemplate } from '../packages/es-index-setup/dist/index.js';
import { startFirehoseLocal } from '../packages/firehose-local/dist/index.js';
import { startElasticsearch } from '../scripts/elasticsearch.mjs';

const DAYS = Number(process.env.BENCH_DAYS ?? 5);
const CONTACTS_PER_DAY = Number(process.env.BENCH_CONTACTS_PER_DAY ?? 2000);
const BUFFER_SECONDS = 1;
const DIRECTORY_LATENCY_MS = Number(process.env.BENCH_DIRECTORY_LATENCY_MS ?? 20);
// Firehose invokes several transforms at once; the Lambda's CALLER_LOOKUP_CONCURRENCY bounds lookups in flight.
const PROCESSOR_CONCURRENCY = Number(process.env.BENCH_PROCESSOR_CONCURRENCY ?? 4);
const PROCESSOR_BUFFER_MB = Number(process.env.BENCH_PROCESSOR_BUFFER_MB ?? 1);
process.env.CALLER_LOOKUP_CONCURRENCY ??= '128';
const here = new URL('.', import.meta.url).pathname;

const node = await startElasticsearch({ log: () => {} });
const elasticsearch = new Client({ node: node.url });
const work = await mkdtemp(join(tmpdir(), 'bench-pipeline-'));
const rawIndex = `bench-raw-${process.pid}`;
const pipelineIndex = `bench-pipeline-${process.pid}`;

const simulation = simulateContactTraffic({
  startDate: '2026-03-02',
  days: DAYS,
  contactsPerDay: CONTACTS_PER_DAY,
  seed: 3,
});
const records = simulation.records;
const bytes = records.reduce((sum, record) => sum + Buffer.byteLength(record.data), 0);
console.log(`${records.length} CTRs (${(bytes / 1024 / 1024).toFixed(1)} MiB), Elasticsearch at ${node.url}`);

async function freshIndex(index) {
  await elasticsearch.indices.delete({ index, ignore_unavailable: true });
  await installIndexTemplate({ client: elasticsearch, index });
}

// Baseline: the same documents straight into the same node with _bulk, 5 MiB requests, 2 in flight
// (the same bulk sizing the local Firehose destination uses).
async function rawBulk() {
  await freshIndex(rawIndex);
  const started = performance.now();
  const chunks = [];
  let current = [];
  let size = 0;
  for (const record of records) {
    current.push(`{"index":{}}\n${record.data}\n`);
    size += record.data.length + 12;
    if (size > 5 * 1024 * 1024) {
      chunks.push(current.join(''));
      current = [];
      size = 0;
    }
  }
  if (current.length > 0) chunks.push(current.join(''));
  let next = 0;
  async function worker() {
    while (next < chunks.length) {
      const body = chunks[next++];
      const response = await elasticsearch.bulk({ index: rawIndex, body });
      if (response.errors) throw new Error('raw bulk had item errors');
    }
  }
  await Promise.all([worker(), worker()]);
  await elasticsearch.indices.refresh({ index: rawIndex });
  const seconds = (performance.now() - started) / 1000;
  const { count } = await elasticsearch.count({ index: rawIndex });
  return { seconds, count, docsPerSecond: count / seconds };
}

const ndjsonFile = join(work, 'records.ndjson');
await writeFile(ndjsonFile, `${records.map((record) => record.data).join('\n')}\n`);

function startProducerProcess(endpoint) {
  const child = fork(join(here, 'support', 'send-ndjson.mjs'), [endpoint, 'CTRFHStream', ndjsonFile], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', () =>
      resolve({
        send: () =>
          new Promise((done) => {
            child.once('message', (message) => done(message.summary));
            child.send('go');
          }),
      }),
    );
  });
}

async function endToEnd() {
  await freshIndex(pipelineIndex);
  const directoryFile = join(work, 'directory.csv');
  await writeCallerDirectory(directoryFile, simulation.callerDirectory, 'csv');
  // The directory is a remote service: its own process, as `npm start` runs it.
  const directory = await startDirectoryProcess({ file: directoryFile, latencyMs: DIRECTORY_LATENCY_MS });
  process.env.CALLER_LOOKUP_URL = directory.baseUrl;
  process.env.LOG_LEVEL = process.env.BENCH_LAMBDA_LOG_LEVEL ?? 'warn';
  await mkdir(join(work, 'backup'), { recursive: true });
  const firehose = await startFirehoseLocal({
    streams: [
      {
        name: 'CTRFHStream',
        region: 'ap-southeast-2',
        processor: {
          modulePath: join(here, '../apps/lambda/dist/index.mjs'),
          bufferSizeInMBs: PROCESSOR_BUFFER_MB,
          bufferIntervalInSeconds: BUFFER_SECONDS,
          concurrency: PROCESSOR_CONCURRENCY,
        },
        elasticsearch: {
          url: node.url,
          indexName: pipelineIndex,
          indexRotationPeriod: 'NoRotation',
          bufferingHints: { sizeInMBs: 5, intervalInSeconds: BUFFER_SECONDS },
        },
        backup: { directory: join(work, 'backup'), mode: 'FailedDocumentsOnly' },
      },
    ],
  });
  process.env.AWS_ENDPOINT_URL_FIREHOSE = firehose.url;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // The producer (Amazon Connect on AWS) runs in its own process and starts sending when told to.
  const producer = await startProducerProcess(firehose.url);
  const started = performance.now();
  const summary = await producer.send();
  const sentAfter = (performance.now() - started) / 1000;
  await firehose.flush('CTRFHStream');
  const seconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  await firehose.close();
  await directory.close();
  await elasticsearch.indices.refresh({ index: pipelineIndex });
  const { count } = await elasticsearch.count({ index: pipelineIndex });
  const metrics = firehose.metrics('CTRFHStream');
  return {
    seconds,
    count,
    sent: summary.sent,
    docsPerSecond: count / seconds,
    // Arrival in the stream to indexed, for every record (firehose-local's DataFreshness samples).
    latencyMs: metrics.local.deliveryLatencyMs,
    processorInvocations: metrics.local.processorInvocations,
    stages: {
      sendSeconds: sentAfter,
      processorSecondsTotal:
        ((metrics.cloudWatch['ExecuteProcessing.Duration'] ?? 0) * metrics.local.processorInvocations) / 1000,
      bulkRequests: metrics.local.bulkRequests,
      eventLoopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
    },
  };
}

try {
  const raw = await rawBulk();
  const pipeline = await endToEnd();
  const ratio = pipeline.docsPerSecond / raw.docsPerSecond;
  const rows = [
    ['raw _bulk (baseline)', raw.count, raw.seconds.toFixed(2), Math.round(raw.docsPerSecond), '1.00'],
    [
      'end to end (Firehose + Lambda + ES)',
      pipeline.count,
      pipeline.seconds.toFixed(2),
      Math.round(pipeline.docsPerSecond),
      ratio.toFixed(2),
    ],
  ];
  console.log(['case', 'docs', 'seconds', 'docs/s', 'ratio'].join('\t'));
  for (const row of rows) console.log(row.join('\t'));
  console.log(
    `end-to-end latency (arrival in the stream to indexed) over ${pipeline.latencyMs.samples} records: p50 ${Math.round(pipeline.latencyMs.p50)} ms, p95 ${Math.round(pipeline.latencyMs.p95)} ms, max ${Math.round(pipeline.latencyMs.max)} ms (buffers ${BUFFER_SECONDS} s)`,
  );
  console.log(
    `stages: all records accepted after ${pipeline.stages.sendSeconds.toFixed(2)} s; ${pipeline.processorInvocations} Lambda invocations took ${pipeline.stages.processorSecondsTotal.toFixed(2)} s in all; ${pipeline.stages.bulkRequests} bulk requests; event-loop delay p50 ${pipeline.stages.eventLoopDelayMs.p50.toFixed(0)} ms, p99 ${pipeline.stages.eventLoopDelayMs.p99.toFixed(0)} ms, max ${pipeline.stages.eventLoopDelayMs.max.toFixed(0)} ms`,
  );
  console.log(
    `goal: ratio >= 0.70 with p95 latency < 5000 ms: ${ratio >= 0.7 && pipeline.latencyMs.p95 < 5000 ? 'met' : 'NOT met'}`,
  );
  if (pipeline.count !== records.length)
    console.log(`WARNING: ${records.length - pipeline.count} documents missing`);
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(
    join(here, 'results', 'pipeline.json'),
    `${JSON.stringify({ records: records.length, bytes, raw, pipeline, ratio, bufferSeconds: BUFFER_SECONDS, at: new Date().toISOString() }, null, 2)}\n`,
  );
} finally {
  await elasticsearch.indices.delete({ index: [rawIndex, pipelineIndex], ignore_unavailable: true });
  await elasticsearch.close();
  await rm(work, { recursive: true, force: true });
}
