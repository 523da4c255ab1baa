// `npm start` (runLocalPipeline) lets the Lambda bundle build its own FirehoseClient from its environment, as on
// AWS. These tests run the overflow scenario of overflow-reingestion.test.ts under common shell settings of an AWS
// developer and check that re-ingestion never leaves the machine.
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test, vi } from 'vitest';
import { runLocalPipeline } from '../../src/index.js';
import { expandingRecords, OVERFLOW_SCENARIO } from '../support/expanding-records.js';
import { searchNode } from '../support/search-node.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const scenario = OVERFLOW_SCENARIO;
const EXTRA_CONTACTS = 700;
const extraRecords = expandingRecords(EXTRA_CONTACTS, 'f2f2f2f2');

/** Stands in for the real Firehose service the user's shell points at: records every request it gets. */
let remote: Server;
let remoteUrl: string;
const remoteRequests: { headers: IncomingHttpHeaders; records: number }[] = [];
let workRoot: string;
const elasticsearch = searchNode(elasticsearchUrl);
const indices: string[] = [];

beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), 'shell-aws-'));
  remote = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { Records?: unknown[] };
      const records = body.Records?.length ?? 0;
      remoteRequests.push({ headers: request.headers, records });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({
          FailedPutCount: 0,
          Encrypted: false,
          RequestResponses: Array.from({ length: records }, (_, n) => ({ RecordId: `remote-${n}` })),
        }),
      );
    });
  });
  remote.listen(0, '127.0.0.1');
  await once(remote, 'listening');
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
});

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  remote.close();
  await elasticsearch.removeInstalledIndices(indices);
  await rm(workRoot, { recursive: true, force: true });
});

async function run(label: string) {
  const index = `connect-shell-${label}-${process.pid}-${Date.now()}`;
  indices.push(index);
  return runLocalPipeline({
    elasticsearchUrl,
    workDirectory: join(workRoot, label),
    index,
    bufferSizeInMBs: 3,
    extraRecords,
    ...scenario,
  });
}

async function processingFailedReasons(directory: string): Promise<string[]> {
  const reasons = new Set<string>();
  const root = join(directory, 'backup', 'processing-failed');
  let files: string[] = [];
  try {
    files = (await readdir(root, { recursive: true })) as string[];
  } catch {
    return [];
  }
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(join(root, file), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as { errorMessage?: string; errorCode?: string };
      reasons.add(`${entry.errorCode}: ${entry.errorMessage}`);
    }
  }
  return [...reasons];
}

describe('npm start with an AWS developer shell never sends records outside the machine', () => {
  test('a shell AWS_ENDPOINT_URL_FIREHOSE (e.g. a VPC endpoint of the real service) does not receive the overflow', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_FIREHOSE', remoteUrl);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAREVIEWREALKEY000');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'review-real-secret');
    const report = await run('endpoint');
    const sentOut = remoteRequests.reduce((sum, request) => sum + request.records, 0);
    // Signed with the shell's real credentials:
    const signedWith = remoteRequests[0]?.headers.authorization?.match(/Credential=([A-Z0-9]+)\//)?.[1];
    console.log('records sent to the shell endpoint:', sentOut, 'signed with', signedWith);
    console.log('delivered', report.totals.delivered, 'of', report.totals.sent);
    expect(sentOut).toBe(0);
    expect(report.totals.delivered).toBe(report.totals.sent);
  });

  test('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true in the shell does not make the Lambda target AWS', async () => {
    vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'true');
    const report = await run('ignore');
    const reasons = await processingFailedReasons(join(workRoot, 'ignore'));
    console.log('processing-failed reasons:', reasons.slice(0, 3));
    expect(reasons.join('\n')).not.toContain('amazonaws.com');
    expect(report.metrics.local.processingFailedRecords).toBe(0);
    expect(report.totals.delivered).toBe(report.totals.sent);
  });

  test('AWS_PROFILE of the shell (a profile this machine does not have) does not break re-ingestion', async () => {
    vi.stubEnv('AWS_PROFILE', 'review-profile-that-does-not-exist');
    const report = await run('profile');
    const reasons = await processingFailedReasons(join(workRoot, 'profile'));
    console.log('processing-failed reasons:', reasons.slice(0, 3));
    expect(report.metrics.local.processingFailedRecords).toBe(0);
    expect(report.totals.delivered).toBe(report.totals.sent);
  });
});
