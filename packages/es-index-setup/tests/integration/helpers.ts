import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, SniffingTransport } from '@elastic/elasticsearch';
import { inject } from 'vitest';
import { attributeKeywordsPipelineId } from '../../src/attribute-keywords.js';
import {
  connectionFromClient,
  createHttpConnection,
  type ElasticsearchConnection,
} from '../../src/connection.js';
import { buildIndexTemplate } from '../../src/index-template.js';
import type { SearchEngineDistribution } from '../../src/search-engine-server.js';

export const elasticsearchUrl = (): string => inject('elasticsearchUrl');

/**
 * The `@elastic/elasticsearch` 8.x transport without its two Elasticsearch-only habits: the product check
 * (it refuses any answer without `X-Elastic-Product: Elasticsearch`) and the `compatible-with=8` media types
 * (OpenSearch answers 406). The requests and the answers are otherwise the client's own: the tests read the
 * same REST APIs (`_bulk`, `_search`, `_mapping`, `_field_caps`...), which OpenSearch serves like Elasticsearch.
 * Test plumbing only: the installer's users on OpenSearch pass `node`, never a client (see `connectionFor`).
 */
class PlainJsonTransport extends SniffingTransport {
  constructor(options: ConstructorParameters<typeof SniffingTransport>[0]) {
    const { productCheck: _elasticsearchOnly, ...rest } = options;
    super({
      ...rest,
      vendoredHeaders: {
        jsonContentType: 'application/json',
        ndjsonContentType: 'application/x-ndjson',
        accept: 'application/json',
      },
    });
  }
}

/** The node the tests run against, as the tests (not the code under test) see it. */
export interface NodeUnderTest {
  url: string;
  distribution: SearchEngineDistribution;
  version: string;
  /** How the CLI names it: `Elasticsearch` or `OpenSearch`. */
  product: 'Elasticsearch' | 'OpenSearch';
  /** The type of `Attributes` and the other open maps there: `flattened`, or `flat_object` on OpenSearch 2.7+. */
  openMapType: 'flattened' | 'flat_object';
  /** A client for the tests' own reads and writes: the stock client on Elasticsearch, `PlainJsonTransport` on OpenSearch. */
  client: Client;
  /**
   * What a user of this server hands the installer: the `@elastic/elasticsearch` client on Elasticsearch
   * (`connectionFromClient`), the node URL on OpenSearch (`createHttpConnection`: the 8.x client refuses it).
   */
  connection(): ElasticsearchConnection;
}

/**
 * Asks the node what it is, independently of `detectSearchEngineServer` (so the tests can check what the
 * installer detected): Elasticsearch sends `X-Elastic-Product: Elasticsearch` on every answer, OpenSearch
 * never does and reports `version.distribution: opensearch` on `GET /` (which this repo's Elasticsearch test
 * node does not serve: 405).
 */
export async function nodeUnderTest(): Promise<NodeUnderTest> {
  const url = elasticsearchUrl();
  const get = (path: string) => fetch(new URL(path, url), { signal: AbortSignal.timeout(10_000) });
  const nodes = await get('/_nodes/_local?filter_path=nodes.*.version');
  if (!nodes.ok) throw new Error(`GET /_nodes/_local of the test node ${url} answered ${nodes.status}`);
  const body = (await nodes.json()) as { nodes: Record<string, { version: string }> };
  const version = Object.values(body.nodes)[0]?.version ?? '';
  let distribution: SearchEngineDistribution = 'elasticsearch';
  if (nodes.headers.get('x-elastic-product') !== 'Elasticsearch') {
    const root = (await (await get('/')).json()) as { version?: { distribution?: string } };
    if (root.version?.distribution !== 'opensearch')
      throw new Error(`The test node ${url} is neither Elasticsearch 8/9 nor OpenSearch`);
    distribution = 'opensearch';
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < 2 || (major === 2 && minor < 7))
      throw new Error(
        `The integration tests need OpenSearch 2.7+ (flat_object); the test node is ${version}`,
      );
  }
  const client =
    distribution === 'opensearch'
      ? new Client({ node: url, Transport: PlainJsonTransport })
      : new Client({ node: url });
  return {
    url,
    distribution,
    version,
    product: distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch',
    openMapType: distribution === 'opensearch' ? 'flat_object' : 'flattened',
    client,
    connection: () =>
      distribution === 'opensearch' ? createHttpConnection({ node: url }) : connectionFromClient(client),
  };
}

/** A unique index name whose `<name>*` pattern overlaps no other test's. */
export function uniqueIndexName(label: string): string {
  return `ctrtest-${label}-${randomBytes(4).toString('hex')}-x`;
}

/**
 * Deletes what an install created, missing ones ignored: the index and its rotations (every `<index>*`: the names of
 * `uniqueIndexName` end in `-x`, so no other test's), then the index template, the component templates it composes
 * and the attribute-keywords ingest pipeline it may name, in that order (each is refused while the one before it
 * uses it).
 */
export async function removeInstall(client: Client, index: string): Promise<void> {
  // The names first, then a DELETE of exactly those: a wildcard DELETE is refused where
  // action.destructive_requires_name is true (Elasticsearch 8+'s default; the local test node turns it off).
  const indices = Object.keys(
    await client.indices.get({
      index: `${index}*`,
      expand_wildcards: ['open', 'closed'],
      ignore_unavailable: true,
      allow_no_indices: true,
    }),
  );
  if (indices.length > 0) await client.indices.delete({ index: indices, ignore_unavailable: true });
  const { indexTemplate, componentTemplates } = buildIndexTemplate({ index });
  await client.indices.deleteIndexTemplate({ name: indexTemplate.name }, { ignore: [404] });
  // One by one: OpenSearch reads `a,b` as one name (404), Elasticsearch takes either.
  for (const { name } of componentTemplates)
    await client.cluster.deleteComponentTemplate({ name }, { ignore: [404] });
  await client.ingest.deletePipeline({ id: attributeKeywordsPipelineId(index) }, { ignore: [404] });
}

const FIXTURE_DIRECTORY = new URL('../../../ctr-schema/tests/events/', import.meta.url);

/** The ctr-schema fixture CTRs (valid records only; the invalid/ and not-ctr/ folders are skipped). Fresh copies. */
export function loadCtrFixtures(): { name: string; record: Record<string, unknown> }[] {
  const directory = FIXTURE_DIRECTORY.pathname;
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      name,
      record: JSON.parse(readFileSync(join(directory, name), 'utf8')) as Record<string, unknown>,
    }));
}

/**
 * One REST call to the node at `url` over plain `fetch`, as Firehose and the dashboards reach it (no client library):
 * `body` is sent as JSON, or as NDJSON when it is an array (`_bulk`). The parsed JSON answer, or an error naming the
 * status and the body.
 */
export async function restCall(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const ndjson = Array.isArray(body);
  const response = await fetch(new URL(path, url), {
    method,
    headers: { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    ...(body === undefined
      ? {}
      : { body: ndjson ? `${body.map((line) => JSON.stringify(line)).join('\n')}\n` : JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}
