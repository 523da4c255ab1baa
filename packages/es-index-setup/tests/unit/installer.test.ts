import { describe, expect, it } from 'vitest';
import type { ElasticsearchConnection, ElasticsearchResponse } from '../../src/connection.js';
import { buildIndexTemplate } from '../../src/index-template.js';
import { describeMappingConflicts, installIndexTemplate } from '../../src/installer.js';
import { describeSearchEngineServer } from '../../src/search-engine-server.js';

/** An in-memory server with no templates and no indices that records every request. */
function emptyServer(): { connection: ElasticsearchConnection; requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    connection: {
      displayUrl: 'http://search.test:9200',
      async request(method, path): Promise<ElasticsearchResponse> {
        requests.push(`${method} ${path}`);
        if (method === 'GET' && path.includes('/_mapping')) return { statusCode: 200, body: {} };
        if (method === 'GET' || method === 'HEAD') return { statusCode: 404, body: undefined };
        return { statusCode: 200, body: { acknowledged: true } };
      },
    },
  };
}

describe('installIndexTemplate', () => {
  it('reads the mappings of exactly <index> and <index>-*, tolerating neither existing', async () => {
    const { connection, requests } = emptyServer();
    await installIndexTemplate({ connection, index: 'connect', server: describeSearchEngineServer('9.5.4') });
    const scans = requests.filter((line) => line.includes('/_mapping'));
    expect(scans).toEqual(['GET /connect,connect-*/_mapping?allow_no_indices=true&ignore_unavailable=true']);
    expect(requests.filter((line) => !line.startsWith('GET') && !line.startsWith('HEAD'))).toEqual([
      'PUT /_component_template/ctr-stream-connect-settings',
      'PUT /_component_template/ctr-stream-connect-mappings',
      'PUT /_index_template/ctr-stream-connect',
      'PUT /connect',
    ]);
  });

  it('reports in requests exactly the writes it sent', async () => {
    const { connection, requests } = emptyServer();
    const report = await installIndexTemplate({
      connection,
      index: 'connect',
      server: describeSearchEngineServer('9.5.4'),
    });
    const sent = requests.filter((line) => line.startsWith('PUT'));
    expect(report.requests.map((request) => `${request.method} ${request.path}`)).toEqual(sent);
    expect(report.requests[0]?.body).toEqual(report.bundle.componentTemplates[0]?.body);
  });

  it('offline (dryRun with server and no node) plans for an empty cluster and contacts nothing', async () => {
    const report = await installIndexTemplate({
      dryRun: true,
      env: { ELASTICSEARCH_URL: undefined },
      index: 'connect',
      server: describeSearchEngineServer('2.11.0', 'opensearch'),
    });
    expect(report.node).toBe('offline');
    expect(report.changed).toBe(true);
    expect(report.actions).toEqual([
      { target: 'component_template', name: 'ctr-stream-connect-settings', status: 'would_create' },
      { target: 'component_template', name: 'ctr-stream-connect-mappings', status: 'would_create' },
      { target: 'index_template', name: 'ctr-stream-connect', status: 'would_create' },
      { target: 'index', name: 'connect', status: 'would_create' },
    ]);
    expect(report.requests.map((request) => request.path)).toEqual([
      '/_component_template/ctr-stream-connect-settings',
      '/_component_template/ctr-stream-connect-mappings',
      '/_index_template/ctr-stream-connect',
      '/connect',
    ]);
  });
});

describe('describeMappingConflicts', () => {
  const bundle = buildIndexTemplate({ index: 'connect', server: describeSearchEngineServer('9.5.4') });
  const conflict = (index: string) => [
    { index, field: 'ContactId', existingType: 'text', wantedType: 'keyword' },
  ];

  it('for the index Firehose writes to: copies twice, then swaps the name over in one atomic request', () => {
    const message = describeMappingConflicts(conflict('connect'), bundle);
    expect(message).toContain('PUT /connect-v2');
    expect(message).toContain(
      'POST /_reindex {"conflicts":"proceed","source":{"index":"connect"},"dest":{"index":"connect-v2","op_type":"create"}}',
    );
    expect(message).toContain(
      'POST /_aliases {"actions":[{"remove_index":{"index":"connect"}},{"add":{"index":"connect-v2","alias":"connect","is_write_index":true}}]}',
    );
    expect(message).not.toContain('DELETE /connect');
  });

  it('for another index of the pattern: moves its alias over if it has one, else deletes it once nothing writes to it', () => {
    // connect-v2 after an earlier fix is behind the alias connect: deleting it would delete the live index.
    for (const index of ['connect-2024-03-04', 'connect-v2']) {
      const message = describeMappingConflicts(conflict(index), bundle);
      expect(message).toContain(`PUT /${index}-v2`);
      expect(message).toContain(
        `If ${index} has an alias (GET /${index}/_alias; e.g. connect after an earlier fix)`,
      );
      expect(message).toContain(
        `POST /_aliases {"actions":[{"remove_index":{"index":"${index}"}},{"add":{"index":"${index}-v2","alias":"<the alias>","is_write_index":true}}]}`,
      );
      expect(message).toContain(
        `copy again what arrived meanwhile (the same request: op_type create copies only the new documents), then move the alias over`,
      );
      expect(message).toContain(
        `A document written through the alias between that copy and the swap is lost with ${index}`,
      );
      // Not written to any more first, then the last copy, then the delete: nothing indexed meanwhile is lost.
      expect(message).toMatch(
        /Otherwise, wait until nothing writes to it any more .*, copy again what arrived meanwhile \(the same request\), then delete it/,
      );
      expect(message).toContain(`DELETE /${index}`);
    }
  });
});
