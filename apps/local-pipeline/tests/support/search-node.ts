// What the end-to-end tests read from and do to the search node, over plain HTTP: the same calls on
// Elasticsearch 7.10 to 9.x and OpenSearch (the @elastic/elasticsearch 8.x client accepts only Elasticsearch 8 and 9).
import {
  createHttpConnection,
  detectSearchEngineServer,
  type ElasticsearchConnection,
} from '@ctr-stream/es-index-setup';

export interface SearchResponse<Document> {
  hits: { total: number | { value: number }; hits: { _source: Document }[] };
  aggregations?: Record<string, unknown>;
}

export interface SearchNode {
  connection: ElasticsearchConnection;
  /** True when the node takes the `@elastic/elasticsearch` 8.x client: Elasticsearch 8 and 9. */
  acceptsElasticsearchClient(): Promise<boolean>;
  search<Document>(index: string, body: object): Promise<SearchResponse<Document>>;
  count(index: string, query?: object): Promise<number>;
  refresh(index: string): Promise<void>;
  /** Indexes one document and makes it searchable at once. */
  indexDocument(index: string, document: object): Promise<void>;
  /** Deletes the indices; missing ones are ignored. */
  deleteIndices(indices: readonly string[]): Promise<void>;
}

const path = (index: string) => `/${encodeURIComponent(index)}`;

/** The node at `url` (the vitest setup's `elasticsearchUrl`). */
export function searchNode(url: string): SearchNode {
  const connection = createHttpConnection({ node: url });
  const call = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', target: string, body?: object) => {
    const response = await connection.request(method, target, body);
    if (response.statusCode === 404)
      throw new Error(`${method} ${target} answered 404: ${JSON.stringify(response.body)}`);
    return response.body as Record<string, unknown>;
  };
  return {
    connection,
    async acceptsElasticsearchClient() {
      const server = await detectSearchEngineServer(connection);
      return server.distribution === 'elasticsearch' && server.major >= 8;
    },
    async search<Document>(index: string, body: object) {
      return (await call('POST', `${path(index)}/_search`, body)) as unknown as SearchResponse<Document>;
    },
    async count(index, query) {
      const body = await call('POST', `${path(index)}/_count`, query === undefined ? undefined : { query });
      return body.count as number;
    },
    async refresh(index) {
      await call('POST', `${path(index)}/_refresh`);
    },
    async indexDocument(index, document) {
      await call('POST', `${path(index)}/_doc?refresh=true`, document);
    },
    async deleteIndices(indices) {
      if (indices.length === 0) return;
      await connection.request(
        'DELETE',
        `/${indices.map(encodeURIComponent).join(',')}?ignore_unavailable=true`,
      );
    },
  };
}
