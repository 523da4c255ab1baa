import { describe, expect, it } from 'vitest';
import type { ElasticsearchConnection, ElasticsearchResponse } from '../../src/connection.js';
import { installIndexTemplate } from '../../src/installer.js';
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
});
