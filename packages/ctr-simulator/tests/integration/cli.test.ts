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

  it('exits 1 with a clear message when the delivery stream does not exist', async () => {
    const server = await startFirehoseTestServer({ streams: ['SomethingElse'] });
    try {
      const result = await run([...scenario, '--endpoint', server.url]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('ResourceNotFoundException');
      expect(result.stderr).toContain('--stream');
    } finally {
      await server.close();
    }
  });

  it('exits 2 on bad usage and prints help', async () => {
    const bad = await run(['--days', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--days must be an integer');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: ctr-simulate');
  });
});
