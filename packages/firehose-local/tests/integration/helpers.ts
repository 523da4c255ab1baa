import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { Client } from '@elastic/elasticsearch';
import { type DeliveryStreamConfig, type FirehoseLocal, startFirehoseLocal } from '../../src/index.js';

export const fixture = (name: string) => new URL(`../fixtures/processors/${name}`, import.meta.url).pathname;

export function uniqueIndexName(label: string): string {
  return `firehose-local-test-${label}-${randomUUID().slice(0, 8)}`;
}

export async function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'firehose-local-'));
}

export async function removeDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

export function firehoseClient(endpoint: string, maxAttempts = 1): FirehoseClient {
  return new FirehoseClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
}

/**
 * One stream named `label` on its own index (`<indexPrefix>-<label>`) and backup directory (pushed to
 * `directories` for cleanup), delivering to Elasticsearch without waiting (buffer interval 0).
 */
export async function startTestStream(options: {
  elasticsearchUrl: string;
  indexPrefix: string;
  directories: string[];
  label: string;
  stream: Partial<DeliveryStreamConfig>;
}): Promise<{ firehose: FirehoseLocal; client: FirehoseClient; index: string; directory: string }> {
  const directory = await temporaryDirectory();
  options.directories.push(directory);
  const index = `${options.indexPrefix}-${options.label}`;
  const firehose = await startFirehoseLocal({
    streams: [
      {
        name: options.label,
        ...options.stream,
        elasticsearch: {
          url: options.elasticsearchUrl,
          indexName: index,
          indexRotationPeriod: 'NoRotation',
          bufferingHints: { intervalInSeconds: 0 },
        },
        backup: { directory },
      },
    ],
  });
  return { firehose, client: firehoseClient(firehose.url), index, directory };
}

/** Every backup object under `directory`, keyed by S3-style key, with its lines. */
export async function readBackup(directory: string): Promise<Map<string, string[]>> {
  const objects = new Map<string, string[]>();
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    objects.set(
      relative(directory, path).split('\\').join('/'),
      text.split('\n').filter((line) => line !== ''),
    );
  }
  return objects;
}

/** The JSON lines of every object whose key starts with `area`. */
export async function backupLines(directory: string, area: string): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  for (const [key, objectLines] of await readBackup(directory)) {
    if (key.startsWith(area))
      lines.push(...objectLines.map((line) => JSON.parse(line) as Record<string, unknown>));
  }
  return lines;
}

export async function searchAll(elasticsearchUrl: string, index: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ node: elasticsearchUrl });
  try {
    await client.indices.refresh({ index });
    const response = await client.search<Record<string, unknown>>({
      index,
      size: 1000,
      query: { match_all: {} },
    });
    return response.hits.hits.map((hit) => hit._source!);
  } finally {
    await client.close();
  }
}

export async function deleteIndices(elasticsearchUrl: string, pattern: string): Promise<void> {
  const client = new Client({ node: elasticsearchUrl });
  try {
    await client.indices.delete({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
  } finally {
    await client.close();
  }
}

/**
 * A tiny HTTP proxy in front of the real Elasticsearch node that answers the first `failBulkRequests`
 * `_bulk` calls itself with `status`, and forwards everything else untouched.
 */
export async function startBulkFaultProxy(
  elasticsearchUrl: string,
  options: { failBulkRequests: number; status: number },
): Promise<{ url: string; bulkRequests: () => number; close: () => Promise<void> }> {
  const target = new URL(elasticsearchUrl);
  let bulkRequests = 0;
  const server = createServer((incoming, outgoing) => {
    const isBulk = (incoming.url ?? '').includes('_bulk');
    if (isBulk) bulkRequests += 1;
    if (isBulk && bulkRequests <= options.failBulkRequests) {
      incoming.resume();
      const body = JSON.stringify({
        error: { type: 'es_rejected_execution_exception', reason: 'injected by the test proxy' },
        status: options.status,
      });
      outgoing.writeHead(options.status, { 'content-type': 'application/json' });
      outgoing.end(body);
      return;
    }
    const forwarded = httpRequest(
      {
        hostname: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (upstream) => {
        outgoing.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bulkRequests: () => bulkRequests,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

export const json = (document: unknown): Uint8Array => Buffer.from(JSON.stringify(document));
