import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simulateContactTraffic } from '../../src/index.js';
import { hadoopSnappy, snappyFramed, zipArchive } from '../unit/compression-fixtures.js';
import { type FirehoseTestServer, startFirehoseTestServer } from './firehose-test-server.js';
import { ensureBuilt, packageRoot, runCli } from './run-cli.js';

const replayCli = join(packageRoot, 'dist', 'replay-cli.js');
const run = (args: string[], onStart?: Parameters<typeof runCli>[3]) => runCli(replayCli, args, {}, onStart);

// Real CTRs, as the simulator makes them: the bytes that went into the stream the first time.
const ctrs = simulateContactTraffic({
  startDate: '2026-11-27',
  days: 1,
  contactsPerDay: 30,
  seed: 5,
}).records.map((record) => record.data);
const arrival = Date.UTC(2026, 10, 27, 10, 15);
const failedRecord = (data: string, errorCode: string) =>
  JSON.stringify({
    attemptsMade: 4,
    arrivalTimestamp: arrival,
    errorCode,
    errorMessage: 'The Lambda function was successfully invoked but it returned an error result',
    attemptEndingTimestamp: arrival + 120_000,
    rawData: Buffer.from(data).toString('base64'),
    lambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:AddName:$LATEST',
  });

let bucket: string;
let server: FirehoseTestServer | undefined;

beforeAll(() => ensureBuilt(replayCli), 120_000);
beforeEach(async () => {
  bucket = await mkdtemp(join(tmpdir(), 'ctr-replay-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(bucket, { recursive: true, force: true });
});
afterAll(async () => {
  await server?.close();
});

/** A bucket copy: processing-failed (plain and gzipped) and elasticsearch-failed objects. */
async function writeBucket(): Promise<{ processingFailed: string[]; elasticsearchFailed: string[] }> {
  const processing = join(bucket, 'processing-failed', '2026', '11', '27', '10');
  const elasticsearch = join(bucket, 'elasticsearch-failed', '2026', '11', '27', '10');
  await mkdir(processing, { recursive: true });
  await mkdir(elasticsearch, { recursive: true });
  const processingFailed = ctrs.slice(0, 20);
  const elasticsearchFailed = ctrs.slice(20, 25);
  await writeFile(
    join(processing, 'CTRFHStream-1-2026-11-27-10-17-00-a'),
    processingFailed
      .slice(0, 12)
      .map((data, index) =>
        failedRecord(data, index % 3 === 0 ? 'Lambda.ProcessingFailedStatus' : 'Lambda.FunctionError'),
      )
      .join('\n'),
  );
  await writeFile(
    join(processing, 'CTRFHStream-1-2026-11-27-10-18-00-b'),
    gzipSync(
      processingFailed
        .slice(12)
        .map((data) => failedRecord(data, 'Lambda.FunctionError'))
        .join('\n'),
    ),
  );
  await writeFile(
    join(elasticsearch, 'CTRFHStream-1-2026-11-27-10-19-00-c'),
    elasticsearchFailed.map((data) => failedRecord(data, 'mapper_parsing_exception')).join('\n'),
  );
  return { processingFailed, elasticsearchFailed };
}

describe('ctr-replay (node dist/replay-cli.js)', () => {
  it('sends every failed record of a bucket copy back, byte for byte, and reports what it read and sent', async () => {
    const { processingFailed, elasticsearchFailed } = await writeBucket();
    server = await startFirehoseTestServer();
    const result = await run([bucket, '--endpoint', server.url, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sent = server.accepted.map((data) => data.toString('utf8'));
    // elasticsearch-failed/ sorts before processing-failed/: objects are read in path order.
    expect(sent).toEqual([...elasticsearchFailed, ...processingFailed]);
    const report = JSON.parse(result.stdout);
    expect(report.read).toEqual({
      files: 3,
      skipped: 0,
      skippedByErrorCode: {},
      skippedDocuments: 0,
      failedRecords: 25,
      documents: 0,
      byErrorCode: {
        'Lambda.FunctionError': 16,
        'Lambda.ProcessingFailedStatus': 4,
        mapper_parsing_exception: 5,
      },
      problems: [],
    });
    expect(report.send).toMatchObject({ records: 25, sent: 25, failed: 0, unsent: 0 });
    expect(report.send.perDay).toEqual([
      { date: '2026-11-27', records: 25, sent: 25, failed: 0, retried: 0 },
    ]);

    const human = await run([join(bucket, 'processing-failed'), '--endpoint', server.url]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(
      'Read 20 records from 2 backup objects: 20 failed records (Lambda.FunctionError 16, Lambda.ProcessingFailedStatus 4), 0 documents.',
    );
    expect(human.stdout).toMatch(/Sent 20, failed 0, retried 0, unsent 0 in 1 requests/);
  });

  it('never prints a password or token of --endpoint or --s3-endpoint', async () => {
    await writeBucket();
    for (const option of ['--endpoint', '--s3-endpoint']) {
      for (const endpoint of [
        'http://elastic:CANARY?PASS@127.0.0.1:9/',
        'http://elastic:CANARY/PASS@127.0.0.1:9/',
        'http://elastic:CANARY#PASS@127.0.0.1:9/',
      ]) {
        const result = await run([bucket, option, endpoint]);
        expect(result.code).toBe(2);
        expect(`${result.stdout}${result.stderr}`).not.toContain('CANARY');
        expect(result.stderr).toContain(
          `${option} must be a URL such as http://127.0.0.1:4573 (got "http://***@127.0.0.1:9/")`,
        );
      }
    }
    server = await startFirehoseTestServer();
    const result = await run([
      join(bucket, 'processing-failed'),
      '--endpoint',
      `${server.url}/?X-Amz-Security-Token=CANARY-TOK`,
    ]);
    expect(result.code).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain('CANARY');
    expect(result.stdout).toContain(`Sending to delivery stream CTRFHStream (${server.url}).`);
  });

  it('replays only the chosen error codes, and sends nothing on a dry run', async () => {
    const { processingFailed } = await writeBucket();
    server = await startFirehoseTestServer();
    const dry = await run([
      bucket,
      '--endpoint',
      server.url,
      '--dry-run',
      '--error-code',
      'Lambda.ProcessingFailedStatus',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Read 4 records from 3 backup objects');
    expect(dry.stdout).toContain('21 failed records left out by --error-code');
    expect(dry.stdout).toContain('Dry run: nothing sent.');
    expect(server.calls).toHaveLength(0);

    const chosen = await run([
      bucket,
      '--endpoint',
      server.url,
      '--error-code',
      'Lambda.ProcessingFailedStatus',
      '--error-code',
      'mapper_parsing_exception',
    ]);
    expect(chosen.code).toBe(0);
    expect(server.accepted.map((data) => data.toString('utf8'))).toEqual([
      ...ctrs.slice(20, 25),
      ...processingFailed.filter((_, index) => index < 12 && index % 3 === 0),
    ]);
  });

  it('sends backed-up documents (AllDocuments, NDJSON) as they are, concatenated or one per line', async () => {
    await writeFile(join(bucket, 'all-documents'), `${ctrs[0]}${ctrs[1]}\n${ctrs[2]}`);
    server = await startFirehoseTestServer();
    // Not without --documents: an AllDocuments backup holds delivered records too.
    const without = await run([join(bucket, 'all-documents'), '--endpoint', server.url]);
    expect(without.code).toBe(0);
    expect(without.stdout).toContain('3 backed-up documents left out (--documents sends them)');
    expect(without.stdout).toContain('Nothing to send.');
    expect(server.calls).toHaveLength(0);
    const result = await run([join(bucket, 'all-documents'), '--documents', '--endpoint', server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 failed records, 3 documents');
    expect(server.accepted.map((data) => data.toString('utf8'))).toEqual(ctrs.slice(0, 3));
  });

  it('loses nothing: records Firehose keeps refusing go to --failed-out, and replaying that file sends them', async () => {
    const { processingFailed, elasticsearchFailed } = await writeBucket();
    const refused = new Set([elasticsearchFailed[1], processingFailed[3], processingFailed[17]]);
    server = await startFirehoseTestServer({
      failEntry: ({ data }) =>
        refused.has(data.toString('utf8')) ? 'ServiceUnavailableException' : undefined,
    });
    const failedOut = `${bucket}-not-sent.ndjson`;
    const result = await run([
      join(bucket, 'processing-failed'),
      join(bucket, 'elasticsearch-failed'),
      '--endpoint',
      server.url,
      '--failed-out',
      failedOut,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Sent 22, failed 3, retried 12, unsent 0/);
    expect(result.stdout).toContain('Failures: ServiceUnavailableException 3');
    expect(result.stdout).toContain(`Wrote the 3 records not sent to ${failedOut}`);
    const lines = (await readFile(failedOut, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => Buffer.from(line.rawData, 'base64').toString('utf8')).sort()).toEqual(
      [...refused].sort(),
    );
    expect(lines[0]).toMatchObject({
      attemptsMade: 5,
      arrivalTimestamp: arrival,
      mayHaveBeenDelivered: false,
      errorCode: 'Replay.ServiceUnavailableException',
      sourceObject: expect.stringContaining(join('processing-failed', '2026', '11', '27', '10')),
      sourcePosition: 4,
      sourceErrorCode: 'Lambda.ProcessingFailedStatus',
    });

    // Replaying a file into itself with --error-code would drop the records the codes leave out: refused.
    const mixed = `${bucket}-mixed.ndjson`;
    const both = `${failedRecord(ctrs[0]!, 'Replay.Aborted')}\n${failedRecord(ctrs[1]!, 'Replay.Unsent')}\n`;
    await writeFile(mixed, both);
    const intoItself = await run([
      mixed,
      '--endpoint',
      server.url,
      '--error-code',
      'Replay.Aborted',
      '--failed-out',
      mixed,
    ]);
    expect(intoItself.code).toBe(2);
    expect(intoItself.stderr).toContain(
      'is also being replayed: rewriting it with the records not sent would lose what else it holds (lines that do not read, documents, the records --error-code leaves out)',
    );
    expect(await readFile(mixed, 'utf8')).toBe(both);
    await rm(mixed);

    await server.close();
    server = await startFirehoseTestServer();
    const again = await run([failedOut, '--endpoint', server.url]);
    expect(again.code).toBe(0);
    expect(server.accepted.map((data) => data.toString('utf8')).sort()).toEqual([...refused].sort());
    await rm(failedOut);
  });

  it('writes every record to --failed-out when the stream refuses them all, and empties a stale one', async () => {
    const { processingFailed, elasticsearchFailed } = await writeBucket();
    server = await startFirehoseTestServer({ streams: ['SomethingElse'] });
    const failedOut = `${bucket}-not-sent.ndjson`;
    const refused = await run([bucket, '--endpoint', server.url, '--failed-out', failedOut]);
    expect(refused.code).toBe(1);
    const lines = (await readFile(failedOut, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => Buffer.from(line.rawData, 'base64').toString('utf8')).sort()).toEqual(
      [...elasticsearchFailed, ...processingFailed].sort(),
    );
    // The refused request's records, then those never tried; none may have been taken (a 4xx refusal).
    expect(
      lines.filter((line) => line.errorCode === 'Replay.ResourceNotFoundException').length,
    ).toBeGreaterThan(0);
    for (const line of lines) {
      expect(['Replay.ResourceNotFoundException', 'Replay.Unsent']).toContain(line.errorCode);
      expect(line.mayHaveBeenDelivered).toBe(false);
    }
    // Nothing left to send (only documents, not asked for): the old file is emptied, never replayed again by mistake.
    await writeFile(join(bucket, 'documents-only'), `${ctrs[0]}\n`);
    const empty = await run([join(bucket, 'documents-only'), '--failed-out', failedOut]);
    expect(empty.stdout).toContain('Nothing to send.');
    expect(empty.code).toBe(0);
    expect(await readFile(failedOut, 'utf8')).toBe('');
    await rm(failedOut);
  });

  it('names each --error-code that matched nothing with the codes found, and exits 2 when the codes chose no record', async () => {
    await writeBucket();
    await writeFile(
      join(bucket, 'processing-failed', 'odd-code'),
      failedRecord(ctrs[25]!, 'Lambda.\u001b[31mRed'),
    );
    server = await startFirehoseTestServer();
    const failedOut = `${bucket}-not-sent.ndjson`;
    await writeFile(failedOut, 'from an earlier run\n');
    const list = 'Lambda.FunctionError,mapper_parsing_exception';
    const comma = await run([
      bucket,
      '--endpoint',
      server.url,
      '--error-code',
      list,
      '--failed-out',
      failedOut,
    ]);
    expect(comma.code).toBe(2);
    expect(comma.stderr).toContain(
      `--error-code "${list}" matched no failed record (found: Lambda.FunctionError 16, mapper_parsing_exception 5, Lambda.ProcessingFailedStatus 4, Lambda.?[31mRed 1).`,
    );
    expect(comma.stderr).toContain(
      'It contains a comma, but a code is matched whole: for several codes, repeat the option (--error-code Lambda.FunctionError --error-code mapper_parsing_exception).',
    );
    expect(comma.stderr).toContain('--error-code chose none of the 26 failed records read: nothing was sent');
    expect(comma.stderr).not.toContain('\u001b');
    expect(server.calls).toHaveLength(0);
    // Bad usage: the list of an earlier run is left as it was.
    expect(await readFile(failedOut, 'utf8')).toBe('from an earlier run\n');
    const dry = await run([bucket, '--dry-run', '--error-code', 'Lambda.FunctionErorr']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('--error-code "Lambda.FunctionErorr" matched no failed record (found: ');
    expect(dry.stderr).toContain(
      'Codes are matched exactly, case included; repeat --error-code for several codes.',
    );

    // One code matches, one does not: a warning, and the records of the one that matched are sent.
    const partial = await run([
      bucket,
      '--endpoint',
      server.url,
      '--error-code',
      'mapper_parsing_exception',
      '--error-code',
      'lambda.functionerror',
      '--json',
    ]);
    expect(partial.code).toBe(0);
    expect(partial.stderr).toContain('--error-code "lambda.functionerror" matched no failed record');
    expect(partial.stderr).not.toContain('mapper_parsing_exception" matched');
    expect(JSON.parse(partial.stdout).unmatchedErrorCodes).toEqual(['lambda.functionerror']);
    expect(server.accepted.map((data) => data.toString('utf8'))).toEqual(ctrs.slice(20, 25));
    await rm(failedOut);
  });

  it('refuses a --failed-out inside a directory being replayed (a later replay would send it twice)', async () => {
    await writeBucket();
    const result = await run([bucket, '--failed-out', join(bucket, 'not-sent.ndjson')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is inside');
  });

  it('refuses a --failed-out that is one of the files being replayed (rewriting it would lose its other lines)', async () => {
    const file = join(bucket, 'not-sent.ndjson');
    await mkdir(bucket, { recursive: true });
    const content = `${failedRecord(ctrs[0]!, 'Lambda.FunctionError')}\n{"broken\n${ctrs[1]}\n`;
    await writeFile(file, content);
    const result = await run([file, '--failed-out', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--failed-out ${file} is also being replayed`);
    expect(await readFile(file, 'utf8')).toBe(content);
  });

  it('leaves --failed-out empty when an unreadable object blocks the send: replaying the paths again is the way', async () => {
    await writeBucket();
    await writeFile(
      join(bucket, 'truncated.gz'),
      gzipSync(Buffer.from(failedRecord(ctrs[0]!, 'x'))).subarray(0, 20),
    );
    server = await startFirehoseTestServer();
    const failedOut = `${bucket}-not-sent.ndjson`;
    const result = await run([bucket, '--endpoint', server.url, '--failed-out', failedOut]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('1 backup object could not be read: nothing was sent');
    expect(server.accepted).toHaveLength(0);
    // Replaying it as well as the paths would send every record twice.
    expect(await readFile(failedOut, 'utf8')).toBe('');
    expect(result.stdout).toContain(`Wrote the 0 records not sent to ${failedOut}.`);
    expect(result.stdout).not.toContain('replay them with');
    await rm(failedOut);
  });

  it('on Ctrl-C, accounts for every record: accepted ones are not in --failed-out, all others are (exit 130)', async () => {
    const many = Array.from({ length: 1_200 }, (_, index) => `{"ContactId":"c-${index}"}`);
    await writeFile(join(bucket, 'documents.ndjson'), `${many.join('\n')}\n`);
    server = await startFirehoseTestServer({ answerDelayMs: (call) => (call === 0 ? 0 : 2_000) });
    const failedOut = `${bucket}-not-sent.ndjson`;
    const result = await run(
      [bucket, '--documents', '--endpoint', server.url, '--failed-out', failedOut],
      (child) => {
        const poll = setInterval(() => {
          if (server!.calls.length >= 2 || server!.accepted.length > 0) {
            clearInterval(poll);
            setTimeout(() => child.kill('SIGINT'), 200);
          }
        }, 20);
      },
    );
    expect(result.code).toBe(130);
    const lines = (await readFile(failedOut, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const notSent = lines.map((line) => Buffer.from(line.rawData, 'base64').toString('utf8'));
    const accepted = server.accepted.map((data) => data.toString('utf8'));
    expect(accepted.length).toBeGreaterThan(0);
    expect(notSent.length).toBeGreaterThan(0);
    // Nothing lost, nothing written twice: accepted + not sent = the input.
    expect([...accepted, ...notSent].sort()).toEqual([...many].sort());
    // The batch that was in flight may have arrived: its records say so.
    expect(
      lines.some((line) => line.mayHaveBeenDelivered === true && line.errorCode === 'Replay.Aborted'),
    ).toBe(true);
    await rm(failedOut);
  });

  it('sends the records of ZIP, Snappy and Hadoop-Snappy objects; a corrupt one stops the send', async () => {
    const lines = (slice: string[]) =>
      Buffer.from(slice.map((data) => `${failedRecord(data, 'Lambda.FunctionError')}\n`).join(''));
    await writeFile(join(bucket, 'a-zip'), zipArchive([{ name: 'a', content: lines(ctrs.slice(0, 3)) }]));
    await writeFile(join(bucket, 'b-snappy'), snappyFramed(lines(ctrs.slice(3, 6))));
    await writeFile(join(bucket, 'c-hadoop-snappy'), hadoopSnappy(lines(ctrs.slice(6, 9))));
    server = await startFirehoseTestServer();
    const result = await run([bucket, '--endpoint', server.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(server.accepted.map((data) => data.toString('utf8'))).toEqual(ctrs.slice(0, 9));

    await writeFile(
      join(bucket, 'd-zip'),
      zipArchive([{ name: 'a', content: lines(ctrs.slice(9, 10)), crc: 0x12345678 }]),
    );
    const corrupt = await run([bucket, '--endpoint', server.url]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stdout).toContain(
      `${join(bucket, 'd-zip')}: the whole object: cannot read the object: the ZIP archive is corrupt or cut off: entry 1 of 1: its CRC-32 does not match its data`,
    );
    expect(corrupt.stdout).toContain('1 backup object could not be read: nothing was sent');
    expect(server.accepted).toHaveLength(9);

    // A Hadoop-Snappy object cut off has no magic number to say what it is: its bytes are never read as text.
    await rm(join(bucket, 'd-zip'));
    const whole = hadoopSnappy(lines(ctrs.slice(9, 49)));
    await writeFile(join(bucket, 'e-hadoop-snappy-cut'), whole.subarray(0, whole.length - 10));
    const cut = await run([bucket, '--endpoint', server.url, '--documents']);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain(
      `${join(bucket, 'e-hadoop-snappy-cut')}: the whole object: cannot read the object: it is binary data of no known compression`,
    );
    expect(cut.stdout).toContain('1 backup object could not be read: nothing was sent');
    expect(server.accepted).toHaveLength(9);
  });

  it('exits 1 naming each unreadable value (never its content) and still sends the readable ones', async () => {
    const phone = '+61401004854';
    await writeFile(
      join(bucket, 'object'),
      [failedRecord(ctrs[0]!, 'Lambda.FunctionError'), `{"CustomerEndpoint":{"Address":"${phone}"`].join(
        '\n',
      ),
    );
    server = await startFirehoseTestServer();
    const result = await run([bucket, '--endpoint', server.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('1 values could not be read (they stay in their objects):');
    expect(result.stdout).toContain(
      `${join(bucket, 'object')}: value 2: the JSON value is cut off (a truncated object, or a broken line)`,
    );
    expect(result.stdout + result.stderr).not.toContain('401004854');
    expect(server.accepted.map((data) => data.toString('utf8'))).toEqual([ctrs[0]]);
  });

  it('exits 2 on bad usage, an unreadable path or an unknown option, and prints help', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name the backup objects, directories or s3:// URLs to replay');
    const emptyDirectory = await run([bucket, '--dry-run']);
    expect(emptyDirectory.code).toBe(2);
    expect(emptyDirectory.stderr).toContain(
      `Cannot read the backup at ${bucket}: no backup objects under it. Check`,
    );
    const missing = await run([join(bucket, 'nothing-here')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`Cannot read the backup at ${join(bucket, 'nothing-here')}: ENOENT`);
    const conflict = await run([bucket, '--dry-run', '--failed-out', 'x']);
    expect(conflict.code).toBe(2);
    const documentsAndCodes = await run([bucket, '--documents', '--error-code', 'Lambda.FunctionError']);
    expect(documentsAndCodes.code).toBe(2);
    expect(documentsAndCodes.stderr).toContain('documents have no error code');
    const unknown = await run([bucket, '--days', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--days'");
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ctr-replay /);
  });

  it('stops writing quietly when the reader of stdout goes away (| head), and keeps the exit code', async () => {
    await writeBucket();
    const result = await runCli(replayCli, [bucket, '--dry-run'], {}, (child) => child.stdout?.destroy());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('gives the same credential advice as ctr-simulate when AWS_PROFILE names a profile without credentials', async () => {
    await writeBucket();
    server = await startFirehoseTestServer();
    const home = join(bucket, 'home');
    const environment = {
      AWS_PROFILE: 'nope',
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    };
    const failedOut = `${bucket}-not-sent.ndjson`;
    const result = await runCli(
      replayCli,
      [join(bucket, 'processing-failed'), '--endpoint', server.url, '--failed-out', failedOut],
      environment,
    );
    expect(result.code).toBe(1);
    expect(server.calls).toHaveLength(0);
    expect(result.stderr).toContain(
      'The profile nope (AWS_PROFILE) gives no credentials: check that ~/.aws/config or ~/.aws/credentials defines it, or run aws sso login --profile nope',
    );
    expect(result.stderr).not.toContain('No AWS credentials were found');
    expect(result.stdout).toMatch(/Sent 0, failed 20, retried 0, unsent 0 in 0 requests/);
    // Nothing left the machine: no record may have been delivered.
    const lines = (await readFile(failedOut, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(20);
    for (const line of lines) expect(line).toMatchObject({ attemptsMade: 0, mayHaveBeenDelivered: false });
    await rm(failedOut);
  });

  it('exits 1 with the stream named when the delivery stream does not exist', async () => {
    await writeBucket();
    server = await startFirehoseTestServer({ streams: ['SomethingElse'] });
    const result = await run([bucket, '--endpoint', server.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ResourceNotFoundException');
    expect(result.stderr).toContain('--stream');
  });
});
