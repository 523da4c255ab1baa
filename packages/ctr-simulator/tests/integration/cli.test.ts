import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseContactTraceRecordJson } from '@ctr-stream/ctr-schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FirehoseTestServer, startFirehoseTestServer } from './firehose-test-server.js';
import { ensureBuilt, packageRoot, runCli } from './run-cli.js';

const cli = join(packageRoot, 'dist', 'cli.js');
const run = (args: string[], environment: Record<string, string | undefined> = {}) =>
  runCli(cli, args, environment);

let directory: string;
beforeAll(async () => {
  ensureBuilt(cli);
  directory = await mkdtemp(join(tmpdir(), 'ctr-simulate-cli-'));
}, 120_000);
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const scenario = ['--days', '3', '--contacts-per-day', '40', '--start-date', '2024-03-08', '--seed', '77'];

describe('ctr-simulate (node dist/cli.js)', () => {
  it('writes NDJSON and the caller directory, the same bytes on every run, and a JSON summary', async () => {
    const first = join(directory, 'first.ndjson');
    const second = join(directory, 'second.ndjson');
    const callers = join(directory, 'callers.csv');
    const result = await run([...scenario, '--out', first, '--directory-out', callers, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const again = await run([...scenario, '--out', second]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Day (UTC)');
    const text = await readFile(first, 'utf8');
    expect(await readFile(second, 'utf8')).toBe(text);

    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(report.groundTruth.totals.records);
    expect(report.ndjson).toEqual({ path: first, records: lines.length, bytes: Buffer.byteLength(text) });
    for (const line of lines) parseContactTraceRecordJson(line);
    // Friday to Sunday: the ground truth lists each UTC day with its distinct contacts.
    const perDay = new Map<string, Set<string>>();
    for (const line of lines) {
      const record = JSON.parse(line);
      const day = record.LastUpdateTimestamp.slice(0, 10);
      if (!perDay.has(day)) perDay.set(day, new Set());
      perDay.get(day)!.add(record.ContactId);
    }
    expect(
      report.groundTruth.days.map((day: { date: string; distinctContacts: number }) => [
        day.date,
        day.distinctContacts,
      ]),
    ).toEqual(
      [...perDay].sort(([left], [right]) => left.localeCompare(right)).map(([date, ids]) => [date, ids.size]),
    );
    const csv = await readFile(callers, 'utf8');
    expect(csv.split('\n')[0]).toBe('phone,name');
    expect(csv.trimEnd().split('\n')).toHaveLength(report.callerDirectory.entries + 1);
  });

  it('sends to a Firehose-compatible endpoint and prints sent, failed, retried per day', async () => {
    let server: FirehoseTestServer | undefined;
    try {
      server = await startFirehoseTestServer({
        failEntry: ({ call, position }) =>
          call === 0 && position % 4 === 0 ? 'ServiceUnavailableException' : undefined,
      });
      const result = await run([...scenario, '--endpoint', server.url, '--stream', 'CTRFHStream', '--json']);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      const total = report.groundTruth.totals.records;
      expect(report.send).toMatchObject({ records: total, sent: total, failed: 0, unsent: 0 });
      expect(report.send.retried).toBe(server.calls[0]!.errorCodes.filter(Boolean).length);
      expect(report.send.retried).toBeGreaterThan(0);
      expect(server.accepted).toHaveLength(total);
      expect(report.send.perDay.map((day: { date: string }) => day.date)).toEqual(
        report.groundTruth.days.map((day: { date: string }) => day.date),
      );
      // No progress bar when stderr is not a terminal.
      expect(result.stderr).toBe('');

      const human = await run([...scenario, '--endpoint', server.url]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/Sent \d+, failed 0, retried 0, unsent 0/);
      expect(human.stdout).toMatch(/Day \(UTC\)\s+Contacts\s+Records\s+Sent\s+Failed\s+Retried/);
    } finally {
      await server?.close();
    }
  });

  it('prints no AWS SDK warning about Node 20 in the middle of its output (as npm start), unless it is asked for', async () => {
    const server = await startFirehoseTestServer();
    try {
      const sdkDefault = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined };
      const quiet = await run([...scenario, '--endpoint', server.url], sdkDefault);
      expect(quiet.code).toBe(0);
      expect(quiet.stderr).not.toContain('NodeVersionSupportWarning');
      const asked = await run([...scenario, '--endpoint', server.url], {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false',
      });
      expect(asked.code).toBe(0);
      // Node 22 and later get no warning at all.
      if (Number(process.versions.node.split('.')[0]) < 22)
        expect(asked.stderr).toContain('NodeVersionSupportWarning');
    } finally {
      await server.close();
    }
  });

  it('exits 1 with a clear message when the delivery stream does not exist', async () => {
    const server = await startFirehoseTestServer({ streams: ['SomethingElse'] });
    try {
      const result = await run([...scenario, '--endpoint', server.url]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('ResourceNotFoundException');
      expect(result.stderr).toContain('--stream');
      // The server's message ends with a period: it is not doubled.
      expect(result.stderr).toContain('not found. Sent 0 of');
    } finally {
      await server.close();
    }
  });

  it('stops writing quietly when the reader of stdout goes away (| head), and keeps the exit code', async () => {
    const out = join(directory, 'piped.ndjson');
    const result = await runCli(
      cli,
      ['--days', '60', '--contacts-per-day', '5', '--start-date', '2024-03-01', '--out', out],
      {},
      (child) => child.stdout?.destroy(),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await readFile(out, 'utf8')).length).toBeGreaterThan(0);
  });

  it('accepts a negative number after an option (--utc-offset-minutes -300) and reports bad usage on one line', async () => {
    const spaced = await run([
      ...scenario,
      '--utc-offset-minutes',
      '-300',
      '--out',
      join(directory, 'a.ndjson'),
      '--json',
    ]);
    expect(spaced.code).toBe(0);
    expect(JSON.parse(spaced.stdout).options.utcOffsetMinutes).toBe(-300);
    const joined = await run([
      ...scenario,
      '--utc-offset-minutes=-300',
      '--out',
      join(directory, 'b.ndjson'),
    ]);
    expect(joined.code).toBe(0);
    expect(await readFile(join(directory, 'b.ndjson'), 'utf8')).toBe(
      await readFile(join(directory, 'a.ndjson'), 'utf8'),
    );
    const ambiguous = await run(['--seed', '-XYZ']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toBe(
      "ctr-simulate: Option '--seed' argument is ambiguous. Did you forget to specify the option argument for '--seed'? To specify an option argument starting with a dash use '--seed=-XYZ'. Run ctr-simulate --help.\n",
    );
    const negative = await run(['--days', '-3']);
    expect(negative.stderr).toBe('ctr-simulate: --days must be an integer from 1 to 366 (got -3)\n');
  });

  it('names an empty or bad AWS_REGION for what it is: unset, or the variable to fix', async () => {
    const empty = await run([...scenario, '--out', join(directory, 'c.ndjson'), '--json'], {
      AWS_REGION: '',
    });
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout).options.region).toBe('ap-southeast-2');
    const bad = await run([...scenario], { AWS_REGION: 'Sydney' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('AWS_REGION must look like ap-southeast-2 (got "Sydney")');
    expect(bad.stderr).not.toContain('--region must');
  });

  it('gives credential advice that knows about AWS_PROFILE, sends nothing and counts no request', async () => {
    const server = await startFirehoseTestServer();
    try {
      const home = join(directory, 'home');
      const result = await run([...scenario, '--endpoint', server.url, '--json'], {
        AWS_PROFILE: 'nope',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      });
      expect(result.code).toBe(1);
      expect(server.calls).toHaveLength(0);
      expect(result.stderr).toContain('CredentialsProviderError');
      expect(result.stderr).toContain(
        'The profile nope (AWS_PROFILE) gives no credentials: check that ~/.aws/config or ~/.aws/credentials defines it, or run aws sso login --profile nope',
      );
      expect(result.stderr).not.toContain('..');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      const report = JSON.parse(result.stdout);
      expect(report.send).toMatchObject({ requests: 0, sent: 0 });
    } finally {
      await server.close();
    }
  });

  it('never prints a password or token of --endpoint: not in a usage error, not in the line saying where it sends', async () => {
    for (const endpoint of [
      'http://elastic:CANARY?PASS@127.0.0.1:9/',
      'http://elastic:CANARY/PASS@127.0.0.1:9/',
      'http://elastic:CANARY#PASS@127.0.0.1:9/',
    ]) {
      const result = await run(['--endpoint', endpoint]);
      expect(result.code).toBe(2);
      expect(`${result.stdout}${result.stderr}`).not.toContain('CANARY');
      expect(result.stderr).toContain(
        '--endpoint must be a URL such as http://127.0.0.1:4573 (got "http://***@127.0.0.1:9/")',
      );
    }
    const server = await startFirehoseTestServer();
    try {
      const result = await run([
        ...scenario,
        '--endpoint',
        `${server.url}/?X-Amz-Security-Token=CANARY-TOK#CANARY-FRAGMENT`,
      ]);
      expect(result.code).toBe(0);
      expect(`${result.stdout}${result.stderr}`).not.toContain('CANARY');
      expect(result.stdout).toContain(`Sending to delivery stream CTRFHStream (${server.url}).`);
    } finally {
      await server.close();
    }
  });

  it('exits 2 on bad usage and prints help', async () => {
    const bad = await run(['--days', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--days must be an integer');
    // Above what the sender takes: refused as usage, naming --rate, before anything is generated or sent.
    const tooFast = await run(['--rate', '2000000', '--endpoint', 'http://127.0.0.1:1', ...scenario]);
    expect(tooFast.code).toBe(2);
    expect(tooFast.stderr).toContain(
      '--rate must be a number of records per second above 0 and at most 1000000',
    );
    expect(tooFast.stderr).not.toContain('rateLimitPerSecond');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: ctr-simulate');
  });
});
