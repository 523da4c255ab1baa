#!/usr/bin/env node
// End-to-end throughput of the local pipeline (simulator -> local Firehose -> the Lambda bundle ->
// Elasticsearch) against the raw `_bulk` rate of the same documents into the same node, in one run.
// Goal: >= 0.7 of the raw rate at buffer settings that keep end-to-end latency under 5 s.
// BENCH_CPU_PROFILE=<file.cpuprofile> profiles the main thread of the local Firehose's process end to end.
// BENCH_CPU_PROFILE_DIR=<dir> profiles each thread of that process (main thread, every Lambda environment) from
// its start to its end; `node bench/support/cpu-profile-summary.mjs <file>` reads one through the source maps.
// BENCH_PIN_ELASTICSEARCH=1 (Linux, a node this run started or reuses, 2+ cores) gives Elasticsearch CPU 0 alone and
// everything else the other cores, in both cases, as on AWS, where the domain's cores are its own.
import { execFileSync, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { LAMBDA_MEMORY_MB, startDirectoryProcess } from '../apps/local-pipeline/dist/index.js';
import { simulateContactTraffic, writeCallerDirectory } from '../packages/ctr-simulator/dist/index.js';
import { createHttpConnection, installIndexTemplate } from '../packages/es-index-setup/dist/index.js';
import { startElasticsearch } from '../scripts/elasticsearch.mjs';
import { cpuSecondsByGroup, snapshotCpu } from './support/process-cpu.mjs';
import { removeIndex } from './support/remove-index.mjs';

// Two weeks of traffic (~32,000 CTRs, ~80 MiB): the raw baseline runs for seconds, not for less than one
// buffer interval, so the ratio measures throughput rather than the pipeline's fill and drain.
const DAYS = Number(process.env.BENCH_DAYS ?? 14);
const CONTACTS_PER_DAY = Number(process.env.BENCH_CONTACTS_PER_DAY ?? 2000);
const BUFFER_SECONDS = 1;
// Raw and end-to-end runs alternate; the ratio is of the medians.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_DAYS = Number(process.env.BENCH_WARMUP_DAYS ?? 2);
const DIRECTORY_LATENCY_MS = Number(process.env.BENCH_DIRECTORY_LATENCY_MS ?? 20);
// Firehose invokes several transforms at once, each in its own Lambda environment (its own cold start, JIT and
// lookup cache); firehose-local's default is 2. The Lambda's CALLER_LOOKUP_CONCURRENCY bounds lookups in flight.
const PROCESSOR_CONCURRENCY = Number(process.env.BENCH_PROCESSOR_CONCURRENCY ?? 2);
const PROCESSOR_BUFFER_MB = Number(process.env.BENCH_PROCESSOR_BUFFER_MB ?? 1);
process.env.CALLER_LOOKUP_CONCURRENCY ??= '128';
const here = new URL('.', import.meta.url).pathname;

const node = await startElasticsearch({ log: () => {} });
const PIN = process.env.BENCH_PIN_ELASTICSEARCH === '1';
/** The node's process and its descendants (Elasticsearch's launcher starts the server as its child). */
function processTree(pid) {
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(pid);
      } catch {
        return false; // gone meanwhile
      }
    });
  return [pid, ...children.flatMap((child) => processTree(Number(child)))];
}
function pinElasticsearch(cores) {
  for (const pid of processTree(node.pid))
    execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
}
const lastCore = availableParallelism() - 1;
if (PIN) {
  if (node.pid === undefined || lastCore < 1)
    throw new Error('BENCH_PIN_ELASTICSEARCH needs a local node (no ELASTICSEARCH_URL) and 2 or more cores');
  // -a: every thread. The node is a launcher and the server it starts; the producer, the local Firehose and the
  // directory are forked later and inherit this process's affinity.
  pinElasticsearch('0');
  execFileSync('taskset', ['-a', '-p', '-c', `1-${lastCore}`, String(process.pid)], { stdio: 'ignore' });
}
const elasticsearch = new Client({ node: node.url });
// For the cleanup: plain HTTP, which Elasticsearch and OpenSearch answer alike.
const connection = createHttpConnection({ node: node.url });
const work = await mkdtemp(join(tmpdir(), 'bench-pipeline-'));
const rawIndex = `bench-raw-${process.pid}`;
const pipelineIndex = `bench-pipeline-${process.pid}`;
const warmupIndex = `bench-warmup-${process.pid}`;

const simulation = simulateContactTraffic({
  startDate: '2026-03-02',
  days: DAYS,
  contactsPerDay: CONTACTS_PER_DAY,
  seed: 3,
});
const records = simulation.records;
// Sent first through the same stream (and indexed first in the raw case), not measured: the Lambda's
// environments, both processes' JIT and Elasticsearch are warm when the clock starts, as in a stream that has
// been running. Another seed, so its callers are not the measured ones (the lookup cache starts cold for them).
const warmupRecords = simulateContactTraffic({
  startDate: '2026-02-26',
  days: WARMUP_DAYS,
  contactsPerDay: CONTACTS_PER_DAY,
  seed: 4,
}).records;
const bytes = records.reduce((sum, record) => sum + Buffer.byteLength(record.data), 0);
console.log(`${records.length} CTRs (${(bytes / 1024 / 1024).toFixed(1)} MiB), Elasticsearch at ${node.url}`);

// Where the two cores go: per record CPU of each process in the chain.
function classify(pid, commandLine) {
  if (pid === process.pid) return 'bulk client (this process)';
  if (commandLine.includes('firehose-host.mjs')) return 'local Firehose + Lambda';
  if (commandLine.includes('org.elasticsearch')) return 'Elasticsearch';
  if (commandLine.includes('send-ndjson.mjs')) return 'producer';
  if (commandLine.includes('directory-server')) return 'directory';
  return undefined;
}

function cpuPerRecord(before, count) {
  const groups = cpuSecondsByGroup(before, snapshotCpu(), classify);
  return Object.fromEntries(
    Object.entries(groups).map(([group, seconds]) => [group, Math.round((seconds * 1e6) / count)]),
  );
}

// This process holds the dataset and builds the raw case's bulk bodies: the garbage one case leaves must not be
// collected on the next case's clock (bench/run.mjs starts every case with --expose-gc).
function settleHeap() {
  globalThis.gc?.();
}

async function freshIndex(index) {
  await elasticsearch.indices.delete({ index, ignore_unavailable: true });
  await installIndexTemplate({ client: elasticsearch, index });
}

// Baseline: the same documents straight into the same node with _bulk, 5 MiB requests, 2 in flight
// (the same bulk sizing the local Firehose destination uses).
async function bulkIndex(index, records) {
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
      const response = await elasticsearch.bulk({ index, body });
      if (response.errors) throw new Error('raw bulk had item errors');
    }
  }
  await Promise.all([worker(), worker()]);
  await elasticsearch.indices.refresh({ index });
}

async function rawBulk(index) {
  try {
    await freshIndex(index);
    if (warmupRecords.length > 0) await bulkIndex(index, warmupRecords);
    settleHeap();
    const cpuBefore = snapshotCpu();
    const started = performance.now();
    await bulkIndex(index, records);
    const seconds = (performance.now() - started) / 1000;
    const cpuMicrosPerRecord = cpuPerRecord(cpuBefore, records.length);
    const count = (await elasticsearch.count({ index })).count - warmupRecords.length;
    return { seconds, count, docsPerSecond: count / seconds, cpuMicrosPerRecord };
  } finally {
    // Off the clock: the index and its templates go with the case, whether it ended or failed.
    await removeIndex(connection, index);
  }
}

const ndjsonFile = join(work, 'records.ndjson');
await writeFile(ndjsonFile, `${records.map((record) => record.data).join('\n')}\n`);
const warmupFile = join(work, 'warmup.ndjson');
await writeFile(warmupFile, `${warmupRecords.map((record) => record.data).join('\n')}\n`);

function startProducerProcess(endpoint) {
  const child = fork(join(here, 'support', 'send-ndjson.mjs'), [endpoint, 'CTRFHStream'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stopped = false;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', () =>
      resolve({
        send: (file) =>
          new Promise((done, fail) => {
            // A producer that died answers nothing: fail, so that the run ends (and cleans up) instead of hanging.
            const ended = () => fail(new Error(`the producer process ended while sending ${file}`));
            if (!child.connected) ended();
            else {
              child.once('disconnect', ended);
              child.once('message', (message) => {
                child.off('disconnect', ended);
                done(message);
              });
              child.send({ file });
            }
          }),
        stop: () => {
          stopped = true;
          child.send('stop');
        },
        /** After a failure: ends the process, unless it was stopped. */
        kill: () => {
          if (!stopped) child.kill();
        },
      }),
    );
  });
}

function startFirehoseHost() {
  const child = fork(join(here, 'support', 'firehose-host.mjs'), [], {
    // Node's --cpu-prof also profiles every worker thread: one file per Lambda environment, written when it ends.
    execArgv: process.env.BENCH_CPU_PROFILE_DIR
      ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`]
      : process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let closed = false;
  const call = (command, fields = {}) =>
    new Promise((resolve, reject) => {
      // A process that died answers nothing: fail, so that the run ends (and cleans up) instead of hanging.
      const ended = () => reject(new Error(`the local Firehose process ended during ${command}`));
      if (!child.connected) ended();
      else {
        child.once('disconnect', ended);
        child.once('message', (answer) => {
          child.off('disconnect', ended);
          if (answer.ok && command === 'close') closed = true;
          answer.ok ? resolve(answer) : reject(new Error(answer.error));
        });
        child.send({ command, ...fields });
      }
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', () =>
      resolve({
        call,
        // After a failure: ends the process and resolves once it has exited, so that it delivers nothing more.
        // Closed, it exits by itself (after writing its --cpu-prof profiles).
        kill: () =>
          new Promise((resolve) => {
            if (closed || child.exitCode !== null || child.signalCode !== null) resolve();
            else {
              child.once('exit', () => resolve());
              child.kill();
            }
          }),
      }),
    );
  });
}

async function endToEnd() {
  try {
    await freshIndex(pipelineIndex);
    const directoryFile = join(work, 'directory.csv');
    await writeCallerDirectory(directoryFile, simulation.callerDirectory, 'csv');
    // Every part in its own process, as on AWS: the directory (a remote service), the local Firehose with the
    // Lambda's environments, and the producer (Amazon Connect).
    const directory = await startDirectoryProcess({ file: directoryFile, latencyMs: DIRECTORY_LATENCY_MS });
    try {
      return await endToEndWith(directory);
    } finally {
      await directory.close(); // also when the run fails: no directory process outlives the benchmark
    }
  } finally {
    // Off the clock, once no process of the chain delivers any more: the index and its templates go with the case.
    await removeIndex(connection, pipelineIndex);
  }
}

async function endToEndWith(directory) {
  await mkdir(join(work, 'backup'), { recursive: true });
  const firehose = await startFirehoseHost();
  let producer;
  try {
    const { url } = await firehose.call('start', {
      config: {
        streams: [
          {
            name: 'CTRFHStream',
            region: 'ap-southeast-2',
            processor: {
              modulePath: process.env.BENCH_LAMBDA_MODULE ?? join(here, '../apps/lambda/dist/index.mjs'),
              bufferSizeInMBs: PROCESSOR_BUFFER_MB,
              bufferIntervalInSeconds: BUFFER_SECONDS,
              concurrency: PROCESSOR_CONCURRENCY,
              // The memory apps/infra deploys the function with, which also sizes its heap (and so its garbage
              // collector's work) as Lambda's Node.js runtime does.
              memorySizeInMB: Number(process.env.BENCH_LAMBDA_MEMORY_MB ?? LAMBDA_MEMORY_MB),
              environment: {
                CALLER_LOOKUP_URL: directory.baseUrl,
                CALLER_LOOKUP_CONCURRENCY: process.env.CALLER_LOOKUP_CONCURRENCY,
                LOG_LEVEL: process.env.BENCH_LAMBDA_LOG_LEVEL ?? 'warn',
                METRICS: process.env.BENCH_LAMBDA_METRICS ?? 'off',
              },
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
      },
    });
    // The producer starts sending when told to.
    producer = await startProducerProcess(url);
    if (warmupRecords.length > 0) {
      await producer.send(warmupFile);
      await firehose.call('flush');
    }
    await firehose.call(
      'measure',
      process.env.BENCH_CPU_PROFILE ? { file: process.env.BENCH_CPU_PROFILE } : {},
    );
    const threadsBefore = (await firehose.call('threads')).threads;
    settleHeap();
    const cpuBefore = snapshotCpu();
    const started = performance.now();
    const { summary, cpuSeconds: producerCpuSeconds } = await producer.send(ndjsonFile);
    const sentAfter = (performance.now() - started) / 1000;
    await firehose.call('flush');
    // Searchable, as the raw case ends: both clocks stop after a refresh.
    await elasticsearch.indices.refresh({ index: pipelineIndex });
    const seconds = (performance.now() - started) / 1000;
    const cpuMicrosPerRecord = {
      ...cpuPerRecord(cpuBefore, records.length),
      producer: Math.round((producerCpuSeconds * 1e6) / records.length),
    };
    const threadsAfter = (await firehose.call('threads')).threads;
    // Threads that did not exist before (a cold-started environment) count from zero.
    const firehoseThreadsMicrosPerRecord = Object.fromEntries(
      Object.entries(threadsAfter).map(([name, seconds]) => [
        name,
        Math.round(((seconds - (threadsBefore[name] ?? 0)) * 1e6) / records.length),
      ]),
    );
    producer.stop();
    const { metrics, eventLoopDelayMs } = await firehose.call('close');
    await elasticsearch.indices.refresh({ index: pipelineIndex });
    const count = (await elasticsearch.count({ index: pipelineIndex })).count - warmupRecords.length;
    return {
      seconds,
      count,
      sent: summary.sent,
      docsPerSecond: count / seconds,
      cpuMicrosPerRecord,
      firehoseThreadsMicrosPerRecord,
      // Arrival in the stream to indexed, for every record, warm-up included (firehose-local's DataFreshness samples).
      latencyMs: metrics.local.deliveryLatencyMs,
      processorInvocations: metrics.local.processorInvocations,
      stages: {
        sendSeconds: sentAfter,
        processorSecondsTotal:
          ((metrics.cloudWatch['ExecuteProcessing.Duration'] ?? 0) * metrics.local.processorInvocations) /
          1000,
        bulkRequests: metrics.local.bulkRequests,
        eventLoopDelayMs,
      },
    };
  } finally {
    // When the run failed: neither the producer nor the local Firehose outlives it, nor writes into the index after
    // it is removed. A run that ended has stopped both already.
    producer?.kill();
    await firehose.kill();
  }
}

const median = (runs) => [...runs].sort((a, b) => a.docsPerSecond - b.docsPerSecond)[(runs.length - 1) >> 1];

try {
  // Warm-up, not measured: Elasticsearch's JIT and the index path are cold after a start, which would
  // make whichever case runs first look slow.
  await rawBulk(warmupIndex);
  const rawRuns = [];
  const pipelineRuns = [];
  for (let round = 1; round <= ROUNDS; round++) {
    rawRuns.push(await rawBulk(rawIndex));
    pipelineRuns.push(await endToEnd());
    const last = pipelineRuns.at(-1);
    console.log(
      `round ${round}: raw ${Math.round(rawRuns.at(-1).docsPerSecond)} docs/s, end to end ${Math.round(last.docsPerSecond)} docs/s (${last.count} docs), ratio ${(last.docsPerSecond / rawRuns.at(-1).docsPerSecond).toFixed(2)}`,
    );
  }
  const raw = median(rawRuns);
  const pipeline = median(pipelineRuns);
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
  console.log(`medians of ${ROUNDS} rounds:`);
  console.log(['case', 'docs', 'seconds', 'docs/s', 'ratio'].join('\t'));
  for (const row of rows) console.log(row.join('\t'));
  console.log(
    `end-to-end latency (arrival in the stream to indexed) over ${pipeline.latencyMs.samples} records, the whole burst sent at once: p50 ${Math.round(pipeline.latencyMs.p50)} ms, p95 ${Math.round(pipeline.latencyMs.p95)} ms, max ${Math.round(pipeline.latencyMs.max)} ms (buffers ${BUFFER_SECONDS} s)`,
  );
  console.log(
    `stages: all records accepted after ${pipeline.stages.sendSeconds.toFixed(2)} s; ${pipeline.processorInvocations} Lambda invocations took ${pipeline.stages.processorSecondsTotal.toFixed(2)} s in all; ${pipeline.stages.bulkRequests} bulk requests; event-loop delay p50 ${pipeline.stages.eventLoopDelayMs.p50.toFixed(0)} ms, p99 ${pipeline.stages.eventLoopDelayMs.p99.toFixed(0)} ms, max ${pipeline.stages.eventLoopDelayMs.max.toFixed(0)} ms`,
  );
  const cpuLine = (cpu) =>
    Object.entries(cpu)
      .map(([group, micros]) => `${group} ${micros}`)
      .join(', ');
  const cpuTotal = (cpu) => Object.values(cpu).reduce((sum, micros) => sum + micros, 0);
  console.log(
    `CPU µs per record: raw _bulk: ${cpuLine(raw.cpuMicrosPerRecord)} (total ${cpuTotal(raw.cpuMicrosPerRecord)})`,
  );
  console.log(
    `CPU µs per record: end to end: ${cpuLine(pipeline.cpuMicrosPerRecord)} (total ${cpuTotal(pipeline.cpuMicrosPerRecord)})`,
  );
  // If every core were busy all the time, the chain's CPU per record would cap the end-to-end rate here.
  const cores = availableParallelism();
  const { Elasticsearch: elasticsearchMicros = 0, ...chain } = pipeline.cpuMicrosPerRecord;
  const ceiling = PIN
    ? Math.min(1e6 / elasticsearchMicros, (lastCore * 1e6) / cpuTotal(chain))
    : (cores * 1e6) / cpuTotal(pipeline.cpuMicrosPerRecord);
  console.log(
    `CPU-bound ceiling on ${PIN ? `1 core for Elasticsearch and ${lastCore} for the rest` : `${cores} cores`}: ${Math.round(ceiling)} docs/s end to end, ${(ceiling / raw.docsPerSecond).toFixed(2)} of raw (this run reached ${(pipeline.docsPerSecond / ceiling).toFixed(2)} of it)`,
  );
  console.log(
    `  of which local Firehose + Lambda threads: ${cpuLine(pipeline.firehoseThreadsMicrosPerRecord)}`,
  );
  console.log(
    `goal: ratio >= 0.70 with p95 latency < 5000 ms: ${ratio >= 0.7 && pipeline.latencyMs.p95 < 5000 ? 'met' : 'NOT met'}`,
  );
  for (const run of pipelineRuns) {
    if (run.count !== records.length) console.log(`WARNING: ${records.length - run.count} documents missing`);
  }
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(
    join(here, 'results', 'pipeline.json'),
    `${JSON.stringify({ records: records.length, bytes, rounds: ROUNDS, pinnedElasticsearch: PIN, raw, pipeline, ratio, cpuBoundCeiling: { docsPerSecond: ceiling, ratio: ceiling / raw.docsPerSecond }, rawRuns, pipelineRuns, bufferSeconds: BUFFER_SECONDS, at: new Date().toISOString() }, null, 2)}\n`,
  );
} finally {
  // The node stays up for the next run: give it every core back.
  if (PIN) pinElasticsearch(`0-${lastCore}`);
  try {
    // Each case removes its index and templates when it ends; again here in case one of those removals failed.
    for (const index of [warmupIndex, rawIndex, pipelineIndex]) await removeIndex(connection, index);
  } finally {
    await elasticsearch.close();
    await rm(work, { recursive: true, force: true });
  }
}
