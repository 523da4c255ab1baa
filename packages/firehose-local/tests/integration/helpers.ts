import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
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

/**
 * One REST call to the search server over plain HTTP (the 8.x client refuses OpenSearch and Elasticsearch 7.10).
 * Resolves with the parsed JSON answer; rejects on an error status other than those in `accept`.
 */
export async function searchServerRequest(
  elasticsearchUrl: string,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  accept: readonly number[] = [],
): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(path, elasticsearchUrl), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok && !accept.includes(response.status))
    throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * Which server the tests run against, from the node's version (`GET /_nodes/_local`: Elasticsearch's test
 * distribution has no `GET /`): majors 1 to 3 are OpenSearch, which Elasticsearch never released.
 */
export async function searchServer(
  elasticsearchUrl: string,
): Promise<{ distribution: 'elasticsearch' | 'opensearch'; version: string; major: number }> {
  const answer = await searchServerRequest(
    elasticsearchUrl,
    'GET',
    '/_nodes/_local?filter_path=nodes.*.version',
  );
  const [node] = Object.values(answer.nodes as Record<string, { version: string }>);
  const version = node!.version;
  const major = Number(version.split('.')[0]);
  return { distribution: major <= 3 ? 'opensearch' : 'elasticsearch', version, major };
}

export async function createIndex(
  elasticsearchUrl: string,
  index: string,
  mappings: Record<string, unknown>,
): Promise<void> {
  await searchServerRequest(elasticsearchUrl, 'PUT', `/${encodeURIComponent(index)}`, { mappings });
}

export async function searchAll(elasticsearchUrl: string, index: string): Promise<Record<string, unknown>[]> {
  const path = `/${encodeURIComponent(index)}`;
  await searchServerRequest(elasticsearchUrl, 'POST', `${path}/_refresh`);
  const response = await searchServerRequest(elasticsearchUrl, 'POST', `${path}/_search`, {
    size: 1000,
    query: { match_all: {} },
  });
  const hits = (response.hits as { hits: { _source: Record<string, unknown> }[] }).hits;
  return hits.map((hit) => hit._source);
}

export async function deleteIndices(elasticsearchUrl: string, pattern: string): Promise<void> {
  await searchServerRequest(
    elasticsearchUrl,
    'DELETE',
    `/${encodeURIComponent(pattern)}?ignore_unavailable=true&allow_no_indices=true`,
  );
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
