// What the end-to-end tests read from and do to the search node, over plain HTTP: the same calls on
// Elasticsearch 7.10 to 9.x and OpenSearch (the @elastic/elasticsearch 8.x client accepts only Elasticsearch 8 and 9).
import {
  attributeKeywordsPipelineId,
  buildIndexTemplate,
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
  /**
   * Deletes what a run left for each index (npm start, runLocalPipeline and installIndexTemplate all install): the
   * index and its rotations `<index>-*`, then the index template `ctr-stream-<index>`, the component templates it
   * composes and the attribute-keywords ingest pipeline it may name, in that order (each is refused while the one
   * before it uses it). Missing ones are ignored.
   */
  removeInstalledIndices(indices: readonly string[]): Promise<void>;
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
  const deleteIndices = async (indices: readonly string[]) => {
    if (indices.length === 0) return;
    await connection.request(
      'DELETE',
      `/${indices.map(encodeURIComponent).join(',')}?ignore_unavailable=true`,
    );
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
    deleteIndices,
    async removeInstalledIndices(indices) {
      for (const index of indices) {
        // The names first, then a DELETE of exactly those: a wildcard DELETE is refused where
        // action.destructive_requires_name is true (Elasticsearch 8+'s default; the local test node turns it off).
        const found = await call(
          'GET',
          `${path(index)},${encodeURIComponent(index)}-*/_settings?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=open,closed`,
        );
        await deleteIndices(Object.keys(found));
        // A 404 is an answer here, not an error: what is not there is already gone.
        const { indexTemplate, componentTemplates } = buildIndexTemplate({ index });
        await connection.request('DELETE', `/_index_template/${encodeURIComponent(indexTemplate.name)}`);
        // One by one: OpenSearch reads `a,b` as one name.
        for (const { name } of componentTemplates)
          await connection.request('DELETE', `/_component_template/${encodeURIComponent(name)}`);
        await connection.request(
          'DELETE',
          `/_ingest/pipeline/${encodeURIComponent(attributeKeywordsPipelineId(index))}`,
        );
      }
    },
  };
}
