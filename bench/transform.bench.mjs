#!/usr/bin/env node
// Benchmark of the Firehose transform (issue 4): a 1,000-record batch with 300 distinct caller numbers,
// against a local directory answering after 20 ms. Compares, in one run:
//   tutorial : the tutorial's algorithm (one HTTP request per record, in order),
//   cold     : our Lambda handler with an empty cache (a cold start),
//   warm     : the same handler again (cache warm),
//   bare     : a loop that only decodes, parses, stringifies and encodes (the limit).
// Then the peak memory of a fresh process transforming a 6 MB batch.
// Fairness: warm and bare runs alternate (30 each, which goes first alternates too), and every timed run
// gets the same untimed setup: a fresh structuredClone of the event and, under `bench/run.mjs`
// (--expose-gc), a full GC before the clock starts. Both get untimed JIT warm-up runs first.
// The goal compares medians; the ratio of the fastest runs is printed next to it.
// Imports the BUILT packages: run `npx nx run @ctr-stream/lambda:build` first (npm run bench does).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const lambdaBundle = join(here, '../apps/lambda/dist/index.mjs');
const { startDirectoryServer } = await import('../packages/caller-lookup/dist/directory-server/index.js');
const { silentLogger } = await import('../packages/firehose-transform/dist/index.js');
process.env.CALLER_LOOKUP_URL ??= 'http://127.0.0.1:9/api/user/'; // the bundle's own cold start; unused here
const { createHandler, loadConfig } = await import(pathToFileURL(lambdaBundle).href);

const RECORDS = 1_000;
const DISTINCT_NUMBERS = 300;
const LATENCY_MS = 20;
const TUTORIAL_SAMPLE = 250;
const WARM_PAIRS = 10; // per handler: 3 handlers x 10 = 30 warm runs and 30 bare runs, interleaved // the tutorial takes ~21 ms per record: measured on the first 250 records

const tutorialEvent = JSON.parse(
  readFileSync(join(here, '../apps/lambda/tests/events/tutorial-test-event.json'), 'utf8'),
);
const tutorialCtr = JSON.parse(Buffer.from(tutorialEvent.records[0].data, 'base64').toString('utf8'));
const phoneOf = (index) => `+614${String(10_000_000 + (index % DISTINCT_NUMBERS)).slice(1)}`;
const entries = Object.fromEntries(
  Array.from({ length: DISTINCT_NUMBERS }, (_, index) => [phoneOf(index), `Caller ${index}`]),
);

function makeEvent(count, extraAttributes = {}) {
  return {
    invocationId: 'bench',
    deliveryStreamArn: 'arn:aws:firehose:ap-southeast-2:123456789012:deliverystream/bench',
    region: 'ap-southeast-2',
    records: Array.from({ length: count }, (_, index) => {
      const ctr = structuredClone(tutorialCtr);
      ctr.ContactId = `c54d7b3a-581d-45ce-9a3c-${String(index).padStart(12, '0')}`;
      ctr.CustomerEndpoint.Address = phoneOf(index);
      Object.assign(ctr.Attributes, extraAttributes);
      return {
        recordId: `record-${index}`,
        approximateArrivalTimestamp: 1_700_000_000_000 + index,
        data: Buffer.from(JSON.stringify(ctr)).toString('base64'),
      };
    }),
  };
}
const context = () => {
  const endsAt = Date.now() + 300_000;
  return { getRemainingTimeInMillis: () => endsAt - Date.now() };
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function tutorialAlgorithm(event, endpoint) {
  const output = [];
  for (const record of event.records) {
    const payload = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
    const response = await fetch(endpoint + payload.CustomerEndpoint.Address);
    payload.CustomerEndpoint.Name = await response.text();
    output.push({
      recordId: record.recordId,
      result: 'Ok',
      data: Buffer.from(JSON.stringify(payload)).toString('base64'),
    });
  }
  return { records: output };
}

function bareLoop(event) {
  return {
    records: event.records.map((record) => ({
      recordId: record.recordId,
      result: 'Ok',
      data: Buffer.from(
        JSON.stringify(JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'))),
      ).toString('base64'),
    })),
  };
}

const directory = await startDirectoryServer({ entries, latencyMs: LATENCY_MS });
const event = makeEvent(RECORDS);
const results = {};
try {
  // tutorial
  const sample = { ...event, records: event.records.slice(0, TUTORIAL_SAMPLE) };
  const started = performance.now();
  const tutorialResponse = await tutorialAlgorithm(sample, directory.baseUrl);
  const tutorialMs = performance.now() - started;
  if (!Buffer.from(tutorialResponse.records[1].data, 'base64').toString().includes('"Name":"Caller 1"')) {
    throw new Error('tutorial algorithm did not enrich');
  }
  results.tutorial = {
    records: TUTORIAL_SAMPLE,
    ms: tutorialMs,
    recordsPerSecond: (TUTORIAL_SAMPLE / tutorialMs) * 1000,
  };

  // ours, cold (fresh handler = empty cache) and warm, interleaved with the bare loop so that both
  // see the same machine load. Every timed run gets the same untimed setup: a fresh clone of the
  // event (made before the clock starts) and, when the harness exposes it, a full GC.
  const collect = typeof globalThis.gc === 'function' ? () => globalThis.gc() : () => {};
  const timed = async (run, input) => {
    collect();
    const runStarted = performance.now();
    const output = await run(input);
    return { ms: performance.now() - runStarted, output };
  };
  const coldRuns = [];
  const warmRuns = [];
  const bareRuns = [];
  for (let warmUp = 0; warmUp < 5; warmUp++) bareLoop(structuredClone(event)); // JIT, untimed
  for (let run = 0; run < 3; run++) {
    const handler = createHandler(loadConfig({ CALLER_LOOKUP_URL: directory.baseUrl }), {
      logger: silentLogger,
      writeMetrics: () => {}, // the metrics line is built, as on AWS, but not printed into the report
    });
    const ours = (input) => handler(input, context());
    const cold = await timed(ours, structuredClone(event));
    coldRuns.push(cold.ms);
    if (cold.output.records.some((record) => record.result !== 'Ok'))
      throw new Error('cold run: a record was not Ok');
    const check = JSON.parse(Buffer.from(cold.output.records[301].data, 'base64').toString());
    if (check.CustomerEndpoint.Name !== 'Caller 1' || check.CtrStream.CallerLookup.Status !== 'found') {
      throw new Error('cold run did not enrich');
    }
    await timed(ours, structuredClone(event)); // untimed warm-up of the warm path, like the bare loop's
    for (let warm = 0; warm < WARM_PAIRS; warm++) {
      // Alternate which of the pair goes first, so neither always runs right after the other.
      const pair = [
        async () => {
          const result = await timed(ours, structuredClone(event));
          if (result.output.records.length !== RECORDS) throw new Error('warm run: wrong answer count');
          warmRuns.push(result.ms);
        },
        async () => bareRuns.push((await timed(bareLoop, structuredClone(event))).ms),
      ];
      if (warm % 2 === 1) pair.reverse();
      for (const step of pair) await step();
    }
    await handler.close();
  }
  const coldMs = median(coldRuns);
  const warmMs = median(warmRuns);
  results.cold = {
    records: RECORDS,
    ms: coldMs,
    runs: coldRuns,
    recordsPerSecond: (RECORDS / coldMs) * 1000,
  };
  results.warm = {
    records: RECORDS,
    ms: warmMs,
    runs: warmRuns,
    recordsPerSecond: (RECORDS / warmMs) * 1000,
  };
  const bareMs = median(bareRuns);
  results.bare = {
    records: RECORDS,
    ms: bareMs,
    runs: bareRuns,
    recordsPerSecond: (RECORDS / bareMs) * 1000,
  };

  // peak memory of a fresh process transforming a ~6 MB batch (cold cache)
  const big = makeEvent(Math.floor(6_000_000 / (JSON.stringify(event.records[0]).length + 1)) - 10);
  const bigPath = join(here, 'results', 'transform-6mb-event.json');
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(bigPath, JSON.stringify(big));
  const child = `
    import { readFileSync } from 'node:fs';
    const { handler } = await import(${JSON.stringify(pathToFileURL(lambdaBundle).href)});
    const event = JSON.parse(readFileSync(${JSON.stringify(bigPath)}, 'utf8'));
    const before = process.memoryUsage();
    const endsAt = Date.now() + 300000;
    const started = performance.now();
    const response = await handler(event, { getRemainingTimeInMillis: () => endsAt - Date.now() });
    const ms = performance.now() - started;
    const after = process.memoryUsage();
    console.error(JSON.stringify({ ms, records: response.records.length,
      ok: response.records.filter((r) => r.result === 'Ok').length,
      requestBytes: Buffer.byteLength(JSON.stringify(event)), responseBytes: Buffer.byteLength(JSON.stringify(response)),
      rssBeforeMiB: before.rss / 1048576, maxRssMiB: process.resourceUsage().maxRSS / 1024,
      heapUsedAfterMiB: after.heapUsed / 1048576 }));
    process.exit(0);
  `;
  const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', child], {
    env: {
      PATH: process.env.PATH ?? '',
      CALLER_LOOKUP_URL: directory.baseUrl,
      LOG_LEVEL: 'error',
      AWS_REGION: 'ap-southeast-2',
      AWS_ENDPOINT_URL_FIREHOSE: 'http://127.0.0.1:9', // never reach AWS from a benchmark
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  rmSync(bigPath, { force: true });
  results.memory6MB = JSON.parse(
    stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .at(-1),
  );
} finally {
  await directory.close();
}

const ratios = {
  coldVsTutorial: results.cold.recordsPerSecond / results.tutorial.recordsPerSecond,
  warmVsTutorial: results.warm.recordsPerSecond / results.tutorial.recordsPerSecond,
  warmTimeVsBare: results.warm.ms / results.bare.ms,
  warmTimeVsBareFastest: Math.min(...results.warm.runs) / Math.min(...results.bare.runs),
};
const goals = {
  coldAtLeast50xTutorial: ratios.coldVsTutorial >= 50,
  warmWithin2xBare: ratios.warmTimeVsBare <= 2,
};
const format = (value, digits = 1) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(
  `1,000 records, ${DISTINCT_NUMBERS} distinct numbers, directory latency ${LATENCY_MS} ms (Node ${process.version})`,
);
console.log('case        records   ms/batch*   records/s   vs tutorial');
for (const name of ['tutorial', 'cold', 'warm', 'bare']) {
  const row = results[name];
  const perBatch = (row.ms / row.records) * RECORDS;
  console.log(
    `${name.padEnd(10)} ${String(row.records).padStart(8)} ${format(perBatch).padStart(11)} ${format(row.recordsPerSecond, 0).padStart(11)} ${format(row.recordsPerSecond / results.tutorial.recordsPerSecond).padStart(12)}x`,
  );
}
console.log('* per 1,000 records (tutorial extrapolated from its 250-record sample)');
console.log(
  `cold vs tutorial: ${format(ratios.coldVsTutorial)}x (goal >= 50x: ${goals.coldAtLeast50xTutorial ? 'met' : 'NOT met'})`,
);
console.log(
  `warm time vs bare loop: ${format(ratios.warmTimeVsBare, 2)}x of medians (goal <= 2x: ${goals.warmWithin2xBare ? 'met' : 'NOT met'}); ` +
    `${format(ratios.warmTimeVsBareFastest, 2)}x of fastest runs (${results.warm.runs.length} interleaved runs each)`,
);
const memory = results.memory6MB;
console.log(
  `6 MB batch (${memory.records} records, request ${format(memory.requestBytes / 1048576, 2)} MiB, response ${format(memory.responseBytes / 1048576, 2)} MiB): ` +
    `${format(memory.ms, 0)} ms cold, peak RSS ${format(memory.maxRssMiB)} MiB (process at start ${format(memory.rssBeforeMiB)} MiB)`,
);
writeFileSync(
  join(here, 'results', 'transform.json'),
  `${JSON.stringify({ node: process.version, at: new Date().toISOString(), setup: { RECORDS, DISTINCT_NUMBERS, LATENCY_MS, TUTORIAL_SAMPLE }, results, ratios, goals }, null, 2)}\n`,
);
