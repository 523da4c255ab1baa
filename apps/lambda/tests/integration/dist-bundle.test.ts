import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFirehoseApiServer } from '../../../../packages/firehose-transform/tests/support/firehose-api-server.js';
import { decode, nearLimitBatch, TUTORIAL_PHONE, tutorialCtrText, tutorialEvent } from '../support.js';

const run = promisify(execFile);
const appRoot = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(appRoot, 'dist', 'index.mjs');
let workDirectory: string;

beforeAll(async () => {
  // Build the bundle exactly as `npm run build` does (tsup + zip), so this test checks what ships.
  await run(process.execPath, [join(appRoot, '../../node_modules/tsup/dist/cli-default.js')], {
    cwd: appRoot,
  });
  await run(process.execPath, [join(appRoot, 'scripts/package-zip.mjs')], { cwd: appRoot });
  workDirectory = mkdtempSync(join(tmpdir(), 'ctr-lambda-dist-'));
}, 120_000);
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: responses are untyped JSON read back from the child process
type BundleResponse = any;

/** Invokes `handler` of the built bundle in a fresh Node process (a cold start) with this environment. */
async function invokeBundle(events: unknown[], environment: Record<string, string>) {
  const eventsFile = join(workDirectory, `events-${Date.now()}.json`);
  const outputFile = `${eventsFile}.out.json`;
  writeFileSync(eventsFile, JSON.stringify(events));
  const script = `
    import { readFileSync, writeFileSync } from 'node:fs';
    const module = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const events = JSON.parse(readFileSync(${JSON.stringify(eventsFile)}, 'utf8'));
    const responses = [];
    for (const event of events) {
      const endsAt = Date.now() + 30000;
      try { responses.push(await module.handler(event, { getRemainingTimeInMillis: () => endsAt - Date.now() })); }
      catch (error) { responses.push({ error: error.name, message: error.message }); }
    }
    writeFileSync(${JSON.stringify(outputFile)}, JSON.stringify({ exports: Object.keys(module), responses }));
    process.exit(0);
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...environment },
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    stdout,
    ...(JSON.parse(readFileSync(outputFile, 'utf8')) as { exports: string[]; responses: BundleResponse[] }),
  };
}

describe('the built bundle dist/index.mjs', () => {
  it('is one ESM file with a zip next to it', () => {
    expect(existsSync(bundle)).toBe(true);
    const text = readFileSync(bundle, 'utf8');
    expect(text).not.toMatch(/from\s*["']@aws-sdk\//); // the SDK is inside, not imported
    expect(text).not.toMatch(/from\s*["']@ctr-stream\//);
    const zip = readFileSync(join(appRoot, 'lambda.zip'));
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.subarray(30, 30 + 'index.mjs'.length).toString()).toBe('index.mjs');
  });

  it('exports handler, enriches the tutorial event, warm-caches, and re-ingests overflow via AWS_ENDPOINT_URL_FIREHOSE', async () => {
    const directory = await startDirectoryServer({
      entries: { [TUTORIAL_PHONE]: `Jane ${'Citizen-'.repeat(14)}Citizen` },
      recordSecretHeaders: ['x-api-key'], // the directory records the key only when asked to
    });
    const firehose = await startFirehoseApiServer({ streams: ['CTRFHStream'] });
    try {
      const { event: bigEvent, payloads } = nearLimitBatch();
      const { exports, responses, stdout } = await invokeBundle(
        [tutorialEvent(), tutorialEvent(), bigEvent],
        {
          CALLER_LOOKUP_URL: directory.baseUrl,
          CALLER_LOOKUP_API_KEY: 'sekret-abc',
          AWS_ENDPOINT_URL_FIREHOSE: firehose.endpoint,
          AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
          AWS_SECRET_ACCESS_KEY: 'local-secret',
          AWS_REGION: 'ap-southeast-2',
        },
      );
      expect(exports).toContain('handler');
      const [first, second, big] = responses;
      expect(first.records[0].result).toBe('Ok');
      const enriched = JSON.parse(decode(first.records[0].data));
      expect(enriched.CustomerEndpoint.Name).toMatch(/^Jane Citizen-/);
      expect(enriched.CtrStream).toEqual({ CallerLookup: { Status: 'found' } });
      expect(Object.keys(enriched).slice(0, -1)).toEqual(Object.keys(JSON.parse(tutorialCtrText())));
      expect(second.records[0].data).toBe(first.records[0].data);
      expect(directory.requests()).toHaveLength(1 + 0); // warm: served from the module-scope cache
      expect(directory.requests()[0]!.headers['x-api-key']).toBe('sekret-abc');

      expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThanOrEqual(6_291_456);
      const droppedCount = big.records.filter(
        (record: { result: string }) => record.result === 'Dropped',
      ).length;
      expect(droppedCount).toBeGreaterThan(0);
      expect(firehose.stored()).toHaveLength(droppedCount);
      expect(big.records).toHaveLength(payloads.length);

      const logLines = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const summaries = logLines.filter((line) => line.message === 'firehose transform summary');
      expect(summaries).toHaveLength(3);
      expect(summaries[1].callerLookup.cacheHitRate).toBe(1);
      expect(stdout).not.toContain('sekret-abc');
      expect(stdout).not.toContain('401004854');
    } finally {
      await directory.close();
      await firehose.close();
    }
  });

  it('reports invalid configuration as one clear error at cold start and on invocation', async () => {
    const { responses, stdout } = await invokeBundle([tutorialEvent()], { CALLER_LOOKUP_CONCURRENCY: '0' });
    expect(responses[0]).toMatchObject({ error: 'LambdaConfigError' });
    expect(responses[0].message).toContain('CALLER_LOOKUP_URL: is required');
    expect(responses[0].message).toContain('CALLER_LOOKUP_CONCURRENCY: must be at least 1');
    expect(JSON.parse(stdout.trim().split('\n')[0]!)).toMatchObject({
      level: 'error',
      service: 'ctr-stream-lambda',
    });
  });

  it('logs nothing when imported outside Lambda without a configuration (e.g. for createHandler)', async () => {
    const { exports, stdout } = await invokeBundle([], {});
    expect(exports).toEqual(expect.arrayContaining(['handler', 'createHandler', 'loadConfig']));
    expect(stdout).toBe('');
  });

  it('inside Lambda (AWS_LAMBDA_FUNCTION_NAME set) logs an invalid configuration at import, once, and throws on every invocation', async () => {
    const imported = await invokeBundle([], { AWS_LAMBDA_FUNCTION_NAME: 'AddName' });
    expect(imported.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      level: 'error',
      service: 'ctr-stream-lambda',
      message: expect.stringMatching(/^Invalid Lambda configuration: CALLER_LOOKUP_URL: is required/),
    });
    const invoked = await invokeBundle([tutorialEvent(), tutorialEvent()], {
      AWS_LAMBDA_FUNCTION_NAME: 'AddName',
    });
    expect(invoked.responses).toEqual([
      expect.objectContaining({ error: 'LambdaConfigError' }),
      expect.objectContaining({ error: 'LambdaConfigError' }),
    ]);
    expect(invoked.stdout.trim().split('\n')).toHaveLength(1);
  });

  it.each(['https://dir.example.com/api/user/#/', 'https://dir.example.com/api/{tenant}/'])(
    'starts and reports CALLER_LOOKUP_URL=%s as a LambdaConfigError instead of crashing at cold start',
    async (url) => {
      const { responses, stdout } = await invokeBundle([tutorialEvent(), tutorialEvent()], {
        CALLER_LOOKUP_URL: url,
      });
      expect(responses).toEqual([
        expect.objectContaining({ error: 'LambdaConfigError' }),
        expect.objectContaining({ error: 'LambdaConfigError' }),
      ]);
      expect(responses[0].message).toContain('CALLER_LOOKUP_URL: ');
      const logged = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 'error', service: 'ctr-stream-lambda' });
    },
  );
});
