import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackupReadError, readFirehoseBackup, simulateContactTraffic } from '../../src/index.js';
import { type FirehoseTestServer, startFirehoseTestServer } from './firehose-test-server.js';
import { ensureBuilt, packageRoot, runCli } from './run-cli.js';
import { type S3TestServer, type S3TestServerOptions, startS3TestServer } from './s3-test-server.js';

const replayCli = join(packageRoot, 'dist', 'replay-cli.js');
const ctrs = simulateContactTraffic({
  startDate: '2026-11-27',
  days: 1,
  contactsPerDay: 30,
  seed: 9,
}).records.map((record) => record.data);
const arrival = Date.UTC(2026, 10, 27, 10, 15);
const failed = (data: string, errorCode: string) =>
  JSON.stringify({
    attemptsMade: 4,
    arrivalTimestamp: arrival,
    errorCode,
    errorMessage: 'The Lambda function was successfully invoked but it returned an error result',
    rawData: Buffer.from(data).toString('base64'),
  });
const lines = (values: string[]) => `${values.join('\n')}\n`;

/** A backup bucket as Firehose lays it out (and what a careless prefix would also match). */
const BUCKET = {
  'processing-failed/2026/11/27/10/CTRFHStream-1-2026-11-27-10-17-00-a': lines(
    ctrs.slice(0, 4).map((data) => failed(data, 'Lambda.FunctionError')),
  ),
  'processing-failed/2026/11/27/10/CTRFHStream-1-2026-11-27-10-18-00-b': gzipSync(
    lines(ctrs.slice(4, 9).map((data) => failed(data, 'Lambda.ProcessingFailedStatus'))),
  ),
  'processing-failed/2026/11/27/11/': '', // a folder placeholder, as the S3 console makes
  'processing-failed/2026/11/27/11/CTRFHStream-1-2026-11-27-11-02-00-c': lines(
    ctrs.slice(9, 12).map((data) => failed(data, 'Lambda.FunctionError')),
  ),
  'processing-failed-before-fix/old': lines([failed(ctrs[12]!, 'Lambda.FunctionError')]),
  'elasticsearch-failed/2026/11/27/10/CTRFHStream-1-2026-11-27-10-19-00-d': lines(
    ctrs.slice(13, 15).map((data) => failed(data, 'mapper_parsing_exception')),
  ),
  '2026/11/27/10/CTRFHStream-1-2026-11-27-10-19-00-all': ctrs.slice(0, 15).join(''),
};

let s3: S3TestServer | undefined;
let firehose: FirehoseTestServer | undefined;
afterEach(async () => {
  await s3?.close();
  await firehose?.close();
  s3 = undefined;
  firehose = undefined;
});

async function startBucket(options: Partial<S3TestServerOptions> = {}): Promise<S3TestServer> {
  s3 = await startS3TestServer({ buckets: { 'ctr-backup': BUCKET }, pageSize: 2, ...options });
  return s3;
}

const s3Options = (server: S3TestServer) => ({
  endpoint: server.url,
  region: 'ap-southeast-2',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
});

describe('readFirehoseBackup with s3:// URLs', () => {
  it('reads every object under a prefix in key order, across listing pages, GZIP too, with signed requests', async () => {
    const server = await startBucket();
    const backup = await readFirehoseBackup(['s3://ctr-backup/processing-failed/'], {
      s3: s3Options(server),
    });
    // Not processing-failed-before-fix/: the trailing slash makes the prefix a folder.
    expect(backup.records.map((record) => record.data.toString('utf8'))).toEqual(ctrs.slice(0, 12));
    expect(backup.files).toBe(3);
    expect(backup.records[0]).toMatchObject({
      file: 's3://ctr-backup/processing-failed/2026/11/27/10/CTRFHStream-1-2026-11-27-10-17-00-a',
      position: 1,
      errorCode: 'Lambda.FunctionError',
      day: '2026-11-27',
    });
    const listings = server.requests.filter((request) => request.query['list-type'] === '2');
    expect(listings.length).toBeGreaterThan(1); // 5 keys, 2 a page: continuation tokens were followed
    expect(server.requests.every((request) => request.signed)).toBe(true);
  });

  it('treats a prefix without a trailing slash as a folder or an object, never as the start of other keys', async () => {
    const server = await startBucket();
    const folder = await readFirehoseBackup(['s3://ctr-backup/processing-failed'], { s3: s3Options(server) });
    expect(folder.files).toBe(3); // not processing-failed-before-fix/
    const object = await readFirehoseBackup(
      ['s3://ctr-backup/processing-failed/2026/11/27/11/CTRFHStream-1-2026-11-27-11-02-00-c'],
      { s3: s3Options(server) },
    );
    expect(object.records.map((record) => record.data.toString('utf8'))).toEqual(ctrs.slice(9, 12));
  });

  it('leaves documents out of a whole bucket unless asked, and reads an object named twice once', async () => {
    const server = await startBucket();
    const whole = await readFirehoseBackup(['s3://ctr-backup', 's3://ctr-backup/elasticsearch-failed/'], {
      s3: s3Options(server),
    });
    expect(whole.files).toBe(6);
    expect(whole.failedRecords).toBe(15);
    expect(whole.skippedDocuments).toBe(15);
    const documents = await readFirehoseBackup(['s3://ctr-backup/2026/'], {
      documents: true,
      s3: s3Options(server),
    });
    expect(documents.records.map((record) => record.data.toString('utf8'))).toEqual(ctrs.slice(0, 15));
  });

  it('uses a client of its own choosing, and does not close it', async () => {
    const server = await startBucket();
    const client = new S3Client({ ...s3Options(server), forcePathStyle: true });
    const first = await readFirehoseBackup(['s3://ctr-backup/elasticsearch-failed/'], { s3: { client } });
    const second = await readFirehoseBackup(['s3://ctr-backup/elasticsearch-failed/'], { s3: { client } });
    expect(first.records).toHaveLength(2);
    expect(second.records).toHaveLength(2);
    client.destroy();
  });

  it('throws BackupReadError for a bucket it cannot list, naming the S3 error and what to check', async () => {
    const server = await startBucket({ deniedBuckets: ['ctr-backup'] });
    const denied = readFirehoseBackup(['s3://ctr-backup/processing-failed/'], { s3: s3Options(server) });
    await expect(denied).rejects.toBeInstanceOf(BackupReadError);
    await expect(denied).rejects.toThrow(
      /^Cannot read the backup at s3:\/\/ctr-backup\/processing-failed\/: AccessDenied: Access Denied \(HTTP 403\)\. Check the bucket, the prefix and the region/,
    );
    await expect(readFirehoseBackup(['s3://no-such-bucket/x/'], { s3: s3Options(server) })).rejects.toThrow(
      /NoSuchBucket/,
    );
    await expect(readFirehoseBackup(['s3://Not_A_Bucket/x'], { s3: s3Options(server) })).rejects.toThrow(
      /"Not_A_Bucket" is not a bucket name ctr-replay can read .*Write it as s3:\/\/<bucket>\/<prefix>.*legacy bucket name, copy the objects locally/,
    );
  });

  it('throws for a prefix with no objects (a mistyped day is not a replay with nothing to do)', async () => {
    const server = await startBucket();
    await expect(
      readFirehoseBackup(['s3://ctr-backup/processing-failed/2026/11/7/'], { s3: s3Options(server) }),
    ).rejects.toThrow(
      /^Cannot read the backup at s3:\/\/ctr-backup\/processing-failed\/2026\/11\/7\/: no objects under it\. Check the bucket, the prefix and the date/,
    );
    // Only folder placeholders: nothing to read either.
    await expect(
      readFirehoseBackup(['s3://ctr-backup/processing-failed/2026/11/27/11/x'], { s3: s3Options(server) }),
    ).rejects.toBeInstanceOf(BackupReadError);
  });

  it('throws rather than stop early when a truncated listing gives no continuation token', async () => {
    const server = await startBucket({ omitContinuationToken: true });
    await expect(
      readFirehoseBackup(['s3://ctr-backup/processing-failed/'], { s3: s3Options(server) }),
    ).rejects.toThrow(/the listing is truncated but gives no continuation token/);
  });

  it('reports an object it cannot read as a problem and reads the others', async () => {
    const key = 'processing-failed/2026/11/27/10/CTRFHStream-1-2026-11-27-10-17-00-a';
    const server = await startBucket({ deniedObjects: [`ctr-backup/${key}`] });
    const backup = await readFirehoseBackup(['s3://ctr-backup/processing-failed/2026/'], {
      s3: s3Options(server),
    });
    expect(backup.records).toHaveLength(8);
    expect(backup.problems).toEqual([
      {
        file: `s3://ctr-backup/${key}`,
        position: 0,
        reason: 'cannot read the object: AccessDenied: Access Denied (HTTP 403)',
      },
    ]);
  });
});

describe('ctr-replay s3://… (node dist/replay-cli.js)', () => {
  beforeAll(() => ensureBuilt(replayCli), 120_000);

  it('sends the failed records of a bucket prefix into a stream, with placeholder credentials for local endpoints', async () => {
    const server = await startBucket();
    firehose = await startFirehoseTestServer();
    const result = await runCli(replayCli, [
      's3://ctr-backup/processing-failed/2026/11/27/',
      '--s3-endpoint',
      server.url,
      '--endpoint',
      firehose.url,
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(firehose.accepted.map((data) => data.toString('utf8'))).toEqual(ctrs.slice(0, 12));
    const report = JSON.parse(result.stdout);
    expect(report.read).toMatchObject({ files: 3, failedRecords: 12, problems: [] });
    expect(report.send).toMatchObject({ records: 12, sent: 12, failed: 0, unsent: 0 });
  });

  it('sends nothing when an object cannot be read, unless --skip-unreadable; --failed-out is never an s3:// URL', async () => {
    const key = 'processing-failed/2026/11/27/10/CTRFHStream-1-2026-11-27-10-17-00-a';
    const server = await startBucket({ deniedObjects: [`ctr-backup/${key}`] });
    firehose = await startFirehoseTestServer();
    const args = [
      's3://ctr-backup/processing-failed/2026/',
      '--s3-endpoint',
      server.url,
      '--endpoint',
      firehose.url,
    ];
    const blocked = await runCli(replayCli, args);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain(
      `s3://ctr-backup/${key}: the whole object: cannot read the object: AccessDenied`,
    );
    expect(blocked.stdout).toContain(
      '1 backup object could not be read: nothing was sent, so that running the same paths again once they read sends no record twice.',
    );
    expect(firehose.calls).toHaveLength(0);
    const skipped = await runCli(replayCli, [...args, '--skip-unreadable']);
    expect(skipped.code).toBe(1); // still: a record could not be read
    expect(firehose.accepted.map((data) => data.toString('utf8'))).toEqual(ctrs.slice(4, 12));
    const s3Out = await runCli(replayCli, [...args, '--failed-out', 's3://ctr-backup/not-sent.ndjson']);
    expect(s3Out.code).toBe(2);
    expect(s3Out.stderr).toContain('--failed-out writes a local file (S3 is read, never written)');
    const noDirectory = await runCli(replayCli, [
      ...args,
      '--failed-out',
      '/nonexistent-dir/not-sent.ndjson',
    ]);
    expect(noDirectory.code).toBe(2);
    expect(noDirectory.stderr).toContain('the directory /nonexistent-dir does not exist or is not writable');
  });

  it('exits 2 with the S3 error for a bucket that does not exist, and 2 for a bad --s3-endpoint', async () => {
    const server = await startBucket();
    const missing = await runCli(replayCli, [
      's3://ctr-backups/processing-failed/',
      '--s3-endpoint',
      server.url,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'ctr-replay: Cannot read the backup at s3://ctr-backups/processing-failed/: NoSuchBucket: The specified bucket does not exist (HTTP 404).',
    );
    // AWS itself with no credentials anywhere: says how to provide them (no instance metadata service here).
    const noCredentials = await runCli(replayCli, ['s3://ctr-backup/processing-failed/'], {
      AWS_EC2_METADATA_DISABLED: 'true',
      HOME: '/nonexistent',
    });
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toContain('CredentialsProviderError');
    expect(noCredentials.stderr).toContain('No AWS credentials were found: set AWS_PROFILE');
    // A profile that gives no credentials: the advice is about that profile, never "set AWS_PROFILE" again.
    const requestsBefore = server.requests.length;
    const badProfile = await runCli(
      replayCli,
      ['s3://ctr-backup/processing-failed/', '--s3-endpoint', server.url],
      {
        AWS_EC2_METADATA_DISABLED: 'true',
        HOME: '/nonexistent',
        AWS_PROFILE: 'nope',
      },
    );
    expect(badProfile.code).toBe(2);
    expect(badProfile.stderr).toContain(
      'The profile nope (AWS_PROFILE) gives no credentials: check that ~/.aws/config or ~/.aws/credentials defines it, or run aws sso login --profile nope',
    );
    expect(badProfile.stderr).not.toContain('No AWS credentials were found');
    expect(server.requests.length).toBe(requestsBefore);
    const badEndpoint = await runCli(replayCli, ['s3://ctr-backup/', '--s3-endpoint', 'minio:9000']);
    expect(badEndpoint.code).toBe(2);
    expect(badEndpoint.stderr).toContain('--s3-endpoint must be an http:// or https:// URL');
    // Written without its scheme, a URL with a password is never echoed whole.
    const withPassword = await runCli(replayCli, [
      's3://ctr-backup/',
      '--s3-endpoint',
      'minio:s3cret@127.0.0.1:9000',
    ]);
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toContain('(got "***@127.0.0.1:9000")');
    expect(withPassword.stderr).not.toContain('s3cret');
  });
});
