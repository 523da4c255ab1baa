// The search node the integration test runs against (the vitest global setup's `elasticsearchUrl`):
// Elasticsearch 8/9, or OpenSearch with OPENSEARCH_VERSION. ctr-schema depends on no library of the repo, so
// this reads the node itself rather than through @ctr-stream/es-index-setup.
import { Client, SniffingTransport } from '@elastic/elasticsearch';

/**
 * The `@elastic/elasticsearch` 8.x transport without its two Elasticsearch-only habits: the product check
 * (it refuses any answer without `X-Elastic-Product: Elasticsearch`: ProductNotSupportedError) and the
 * `compatible-with=8` media types (OpenSearch answers 406). Requests and answers are otherwise the client's own:
 * the test uses REST APIs (`_bulk`, `_doc`, `_mapping`, `_search`, `_count`) that OpenSearch serves like
 * Elasticsearch.
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

export interface SearchNodeUnderTest {
  /** `Elasticsearch 9.5.4`, `OpenSearch 2.19.6`: for test names. */
  label: string;
  /** The stock client on Elasticsearch, the same client over `PlainJsonTransport` on OpenSearch. */
  client: Client;
}

/**
 * Asks the node at `url` what it is: Elasticsearch sends `X-Elastic-Product: Elasticsearch` on every answer,
 * OpenSearch never does and reports `version.distribution: opensearch` on `GET /` (which this repo's
 * Elasticsearch test node does not serve).
 */
export async function searchNodeUnderTest(url: string): Promise<SearchNodeUnderTest> {
  const get = (path: string) => fetch(new URL(path, url), { signal: AbortSignal.timeout(10_000) });
  const nodes = await get('/_nodes/_local?filter_path=nodes.*.version');
  if (!nodes.ok) throw new Error(`GET /_nodes/_local of the test node ${url} answered ${nodes.status}`);
  const body = (await nodes.json()) as { nodes: Record<string, { version: string }> };
  const version = Object.values(body.nodes)[0]?.version ?? '';
  if (nodes.headers.get('x-elastic-product') === 'Elasticsearch') {
    return {
      label: `Elasticsearch ${version}`,
      client: new Client({ node: url }),
    };
  }
  const root = (await (await get('/')).json()) as { version?: { distribution?: string } };
  if (root.version?.distribution !== 'opensearch')
    throw new Error(`The test node ${url} is neither Elasticsearch 8/9 nor OpenSearch`);
  return {
    label: `OpenSearch ${version}`,
    client: new Client({ node: url, Transport: PlainJsonTransport }),
  };
}
