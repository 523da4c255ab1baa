// The search node the integration tests run against (the vitest global setup's `elasticsearchUrl`):
// Elasticsearch 8/9, or OpenSearch with OPENSEARCH_VERSION. Every call is plain HTTP with plain JSON, which both
// distributions serve alike; what differs between them is read from here, never skipped.
import {
  attributeKeywordsPipelineId,
  buildIndexTemplate,
  installIndexTemplate,
  type SearchEngineDistribution,
} from '@ctr-stream/es-index-setup';
import { request } from 'undici';
import { expect } from 'vitest';

export interface SearchNodeUnderTest {
  url: string;
  distribution: SearchEngineDistribution;
  /** As the node reports it, e.g. `9.5.4` or `2.19.6`. */
  version: string;
  major: number;
  /** `Elasticsearch 9.5.4`, `OpenSearch 2.19.6`: for test names. */
  label: string;
  /**
   * How the installer names this node when it is given as `--kibana`: `Elasticsearch` when the answer carries
   * `X-Elastic-Product: Elasticsearch` (Elasticsearch 7.14+), else `Elasticsearch or OpenSearch` (OpenSearch
   * answers like Elasticsearch 7.10 did, with the same error bodies and no product header).
   */
  notKibanaName: 'Elasticsearch' | 'Elasticsearch or OpenSearch';
}

/**
 * Asks the node what it is, independently of the code under test: Elasticsearch sends
 * `X-Elastic-Product: Elasticsearch` on every answer, OpenSearch never does and reports
 * `version.distribution: opensearch` on `GET /` (which this repo's Elasticsearch test node does not serve).
 */
export async function searchNodeUnderTest(url: string): Promise<SearchNodeUnderTest> {
  const nodes = await request(`${url}/_nodes/_local?filter_path=nodes.*.version`);
  if (nodes.statusCode !== 200)
    throw new Error(`GET /_nodes/_local of the test node ${url} answered ${nodes.statusCode}`);
  const body = (await nodes.body.json()) as { nodes: Record<string, { version: string }> };
  const version = Object.values(body.nodes)[0]?.version ?? '';
  const major = Number.parseInt(version, 10);
  if (nodes.headers['x-elastic-product'] === 'Elasticsearch') {
    return {
      url,
      distribution: 'elasticsearch',
      version,
      major,
      label: `Elasticsearch ${version}`,
      notKibanaName: 'Elasticsearch',
    };
  }
  const root = await request(`${url}/`);
  const rootBody = (await root.body.json()) as { version?: { distribution?: string } };
  if (rootBody.version?.distribution !== 'opensearch')
    throw new Error(`The test node ${url} is neither Elasticsearch 8/9 nor OpenSearch`);
  return {
    url,
    distribution: 'opensearch',
    version,
    major,
    label: `OpenSearch ${version}`,
    notKibanaName: 'Elasticsearch or OpenSearch',
  };
}

/** One REST call with a JSON (or, for `_bulk`, NDJSON) body; the answer's status and parsed JSON. */
export async function searchNodeCall(
  node: SearchNodeUnderTest,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ statusCode: number; json: unknown }> {
  const response = await request(`${node.url}${path}`, {
    method,
    headers: { 'content-type': path.includes('_bulk') ? 'application/x-ndjson' : 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { statusCode: response.statusCode, json: await response.body.json() };
}

/** Indexes the documents with `_bulk` and makes them searchable; every item must succeed. */
export async function bulkIndex(
  node: SearchNodeUnderTest,
  index: string,
  documents: Record<string, unknown>[],
): Promise<void> {
  const lines = documents.flatMap((document) => [
    JSON.stringify({ index: { _index: index } }),
    JSON.stringify(document),
  ]);
  const result = await searchNodeCall(node, 'POST', '/_bulk?refresh=true', `${lines.join('\n')}\n`);
  expect(result.statusCode).toBe(200);
  expect((result.json as { errors: boolean }).errors).toBe(false);
}

/**
 * What a user of the default deployment has before running the field check: `ctr-es-setup`'s index template
 * for `index`, installed as the installer does it (it detects the server: `flattened` on Elasticsearch,
 * `flat_object` on OpenSearch 2.7+), and `index` created from it.
 */
export async function installCtrIndex(node: SearchNodeUnderTest, index: string): Promise<void> {
  const report = await installIndexTemplate({ node: node.url, index });
  expect(report.server.distribution).toBe(node.distribution);
  expect(report.actions).toContainEqual(
    expect.objectContaining({ target: 'index', name: index, status: 'created' }),
  );
}

/**
 * Deletes what `installCtrIndex` made, missing ones ignored: the index and its rotations, then the index template,
 * the component templates it composes and the attribute-keywords ingest pipeline it may name, in that order (each
 * is refused while the one before it uses it).
 */
export async function removeCtrIndex(node: SearchNodeUnderTest, index: string): Promise<void> {
  // The names first, then a DELETE of exactly those: a wildcard DELETE is refused where
  // action.destructive_requires_name is true (Elasticsearch 8+'s default; the local test node turns it off).
  const found = await searchNodeCall(
    node,
    'GET',
    `/${index},${index}-*/_settings?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=open,closed`,
  );
  expect(found.statusCode).toBe(200);
  const indices = Object.keys(found.json as Record<string, unknown>);
  if (indices.length > 0)
    expect(
      (await searchNodeCall(node, 'DELETE', `/${indices.join(',')}?ignore_unavailable=true`)).statusCode,
    ).toBe(200);
  const { indexTemplate, componentTemplates } = buildIndexTemplate({ index });
  const paths = [
    `/_index_template/${indexTemplate.name}`,
    // One by one: OpenSearch reads `a,b` as one name (404), Elasticsearch takes either.
    ...componentTemplates.map(({ name }) => `/_component_template/${name}`),
    `/_ingest/pipeline/${attributeKeywordsPipelineId(index)}`,
  ];
  for (const path of paths)
    expect([200, 404]).toContain((await searchNodeCall(node, 'DELETE', path)).statusCode);
}
