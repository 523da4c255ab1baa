#!/usr/bin/env node
// Validation cost of one contact trace record (issue 4 follow-up): over every valid fixture of
// packages/ctr-schema, in one run:
//   json roundtrip : JSON.parse(JSON.stringify(record)), the baseline (what any transform pays anyway),
//   zod only       : ContactTraceRecordSchema.safeParse(record), the zod schema alone,
//   ctr-schema     : safeParseContactTraceRecord(record), the fast path (compiled from the zod-derived
//                    JSON Schema) with zod as the fallback, plus the __proto__ rule.
// Plus the cost of the first call in a fresh process (cold start: zod's and the fast path's compilation),
// and the invalid fixtures (which take the fast path's "no" then zod).
// Imports the BUILT package: run `npx nx run @ctr-stream/ctr-schema:build` first.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageUrl = new URL('../packages/ctr-schema/dist/index.js', import.meta.url).href;
const { ContactTraceRecordSchema, safeParseContactTraceRecord } = await import(packageUrl);

const eventsDirectory = join(here, '../packages/ctr-schema/tests/events');
const load = (directory) =>
  readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')));
const valid = load(eventsDirectory);
const invalid = load(join(eventsDirectory, 'invalid'));
const averageBytes = valid.reduce((sum, record) => sum + JSON.stringify(record).length, 0) / valid.length;

for (const record of valid) {
  if (!safeParseContactTraceRecord(record).success || !ContactTraceRecordSchema.safeParse(record).success) {
    throw new Error(`fixture ${record.ContactId} must be valid`);
  }
}
for (const record of invalid) {
  if (safeParseContactTraceRecord(record).success) throw new Error('invalid fixture accepted');
}

const ROUNDS = 7;
const TARGET_MS = 150;
/** Median microseconds per record over ROUNDS rounds of ~TARGET_MS each. */
function measure(records, run) {
  let iterations = 1;
  for (;;) {
    const started = performance.now();
    for (let index = 0; index < iterations; index++) for (const record of records) run(record);
    if (performance.now() - started > TARGET_MS / 4) break;
    iterations *= 2;
  }
  iterations *= 4;
  const perRecord = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let index = 0; index < iterations; index++) for (const record of records) run(record);
    perRecord.push(((performance.now() - started) * 1000) / (iterations * records.length));
  }
  return perRecord.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

const roundTrip = (record) => JSON.parse(JSON.stringify(record));
const zodOnly = (record) => ContactTraceRecordSchema.safeParse(record);
const ctrSchema = (record) => safeParseContactTraceRecord(record);

const baselineUs = measure(valid, roundTrip);
const zodUs = measure(valid, zodOnly);
const fastUs = measure(valid, ctrSchema);
const invalidZodUs = measure(invalid, zodOnly);
const invalidFastUs = measure(invalid, ctrSchema);

// Cold start: import + first validation, in fresh processes (median of 3).
const coldScript = (call) =>
  `const t0 = performance.now(); const m = await import(${JSON.stringify(packageUrl)}); const t1 = performance.now();` +
  `const r = JSON.parse(${JSON.stringify(JSON.stringify(valid[0]))}); ${call};` +
  'const t2 = performance.now(); console.log(JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t1 }));';
function cold(call) {
  const runs = [0, 1, 2].map(() =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', coldScript(call)], { encoding: 'utf8' }),
    ),
  );
  return runs.map((run) => run.firstCallMs).sort((a, b) => a - b)[1];
}
const coldZodMs = cold('m.ContactTraceRecordSchema.safeParse(r)');
const coldFastMs = cold('m.safeParseContactTraceRecord(r)');

const round = (value, digits = 2) => Number(value.toFixed(digits));
const rows = [
  { case: 'json roundtrip (baseline)', records: 'valid', usPerRecord: round(baselineUs), vsBaseline: 1 },
  {
    case: 'zod only (Schema.safeParse)',
    records: 'valid',
    usPerRecord: round(zodUs),
    vsBaseline: round(zodUs / baselineUs),
  },
  {
    case: 'ctr-schema (safeParse...)',
    records: 'valid',
    usPerRecord: round(fastUs),
    vsBaseline: round(fastUs / baselineUs),
  },
  {
    case: 'zod only (Schema.safeParse)',
    records: 'invalid',
    usPerRecord: round(invalidZodUs),
    vsBaseline: round(invalidZodUs / baselineUs),
  },
  {
    case: 'ctr-schema (safeParse...)',
    records: 'invalid',
    usPerRecord: round(invalidFastUs),
    vsBaseline: round(invalidFastUs / baselineUs),
  },
];
console.log(
  `${valid.length} valid fixtures (${Math.round(averageBytes)} bytes of JSON on average), ${invalid.length} invalid`,
);
console.table(rows);
console.log(`ctr-schema vs zod only on valid records: ${round(zodUs / fastUs, 1)}x faster`);
console.log(
  `first call in a fresh process: zod only ${round(coldZodMs, 1)} ms, ctr-schema ${round(coldFastMs, 1)} ms`,
);

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results/ctr-schema.json'),
  `${JSON.stringify(
    {
      name: 'ctr-schema',
      date: new Date().toISOString(),
      node: process.version,
      fixtures: { valid: valid.length, invalid: invalid.length, averageBytes: Math.round(averageBytes) },
      rows,
      speedupVsZodOnValid: round(zodUs / fastUs, 2),
      firstCallMs: { zodOnly: round(coldZodMs, 1), ctrSchema: round(coldFastMs, 1) },
    },
    null,
    2,
  )}\n`,
);
