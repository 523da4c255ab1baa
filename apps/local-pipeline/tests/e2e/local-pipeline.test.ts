import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createHttpConnection,
  detectSearchEngineServer,
  ElasticsearchRequestError,
  installIndexTemplate,
} from '@ctr-stream/es-index-setup';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  type ContractServer,
  startKibanaContractServer,
} from '../../../../packages/kibana-saved-objects/tests/support/kibana-contract-server.js';
import { type LocalPipelineReport, runLocalPipeline } from '../../src/index.js';
import { searchNode } from '../support/search-node.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const tutorialRecord = JSON.parse(
  readFileSync(
    new URL('../../../../packages/ctr-schema/tests/events/tutorial-abandoned-2018.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

const scenario = { days: 2, contactsPerDay: 30, seed: 11, startDate: '2026-03-02' } as const;
let workRoot: string;
const elasticsearch = searchNode(elasticsearchUrl);
const indices: string[] = [];

function uniqueIndex(name: string, prefix = 'connect-e2e'): string {
  const index = `${prefix}-${name}-${process.pid}-${Date.now()}`;
  indices.push(index);
  return index;
}

function nonZeroDays(report: LocalPipelineReport) {
  return report.callsPerDay.filter((row) => row.calls > 0).map((row) => [row.date, row.calls]);
}

function expectedDays(report: LocalPipelineReport) {
  return report.groundTruth.days.map((day) => [day.date, day.distinctContacts]);
}

/** The fields of an indexed CTR these tests read. */
interface IndexedContactTraceRecord {
  CustomerEndpoint?: { Address?: string; Name?: string } | null;
  CtrStream: { CallerLookup: { Status: string; Reason?: string } };
}

async function documents(index: string) {
  const response = await elasticsearch.search<IndexedContactTraceRecord>(index, {
    size: 10_000,
    query: { match_all: {} },
  });
  return response.hits.hits.map((hit) => hit._source);
}

/**
 * An HTTP proxy in front of the real node that answers 429 to the first `rejectBulkRequests` _bulk calls, and
 * 400 to every _search with `rejectSearch`.
 */
async function startThrottlingProxy(
  target: string,
  rejectBulkRequests: number,
  { rejectSearch = false } = {},
) {
  let rejected = 0;
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (rejectSearch && request.url?.split('?')[0]?.endsWith('/_search')) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { type: 'search_phase_execution_exception', reason: 'simulated' } }),
      );
      return;
    }
    if (request.url?.includes('_bulk') && rejected < rejectBulkRequests) {
      rejected++;
      response.writeHead(429, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      response.end(
        JSON.stringify({
          error: {
            type: 'es_rejected_execution_exception',
            reason: 'rejected execution (simulated by the test proxy)',
          },
          status: 429,
        }),
      );
      return;
    }
    const headers = { ...request.headers } as Record<string, string>;
    delete headers.host;
    delete headers['content-length'];
    const upstream = await fetch(new URL(request.url ?? '/', target), {
      method: request.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    const responseHeaders: Record<string, string> = {};
    upstream.headers.forEach((value, key) => {
      if (key !== 'content-encoding' && key !== 'transfer-encoding' && key !== 'content-length')
        responseHeaders[key] = value;
    });
    response.writeHead(upstream.status, responseHeaders);
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    rejected: () => rejected,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), 'local-pipeline-e2e-'));
});

afterAll(async () => {
  await elasticsearch.removeInstalledIndices(indices);
  await rm(workRoot, { recursive: true, force: true });
});

describe('the local pipeline end to end', () => {
  let report: LocalPipelineReport;
  let index: string;
  let kibana: ContractServer;

  beforeAll(async () => {
    index = uniqueIndex('clean');
    // Kibana cannot run here: a local server that enforces its documented import contract stands in.
    kibana = await startKibanaContractServer({ product: 'kibana', version: '9.1.0' });
    report = await runLocalPipeline({
      elasticsearchUrl,
      workDirectory: join(workRoot, 'clean'),
      index,
      kibanaUrl: kibana.url,
      ...scenario,
    });
  });

  afterAll(async () => {
    await kibana.close();
  });

  test('names the search node it delivered to (npm start prints "OpenSearch" or "Elasticsearch")', async () => {
    const server = await detectSearchEngineServer(createHttpConnection({ node: elasticsearchUrl }));
    expect(report.searchEngine).toEqual({ distribution: server.distribution, version: server.version });
  });

  test('writes the Kibana objects and installs them into KIBANA_URL', () => {
    expect(report.kibanaInstalled).toBe(true);
    const written = readFileSync(report.paths.kibanaNdjson, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(written.map((object) => object.type)).toContain('dashboard');
    const imported = kibana.requests.filter((request) => request.path.endsWith('/api/saved_objects/_import'));
    expect(imported.map((request) => request.statusCode)).toEqual([200]);
    expect([...kibana.store.keys()]).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^default\/index-pattern\//),
        expect.stringMatching(/^default\/dashboard\//),
      ]),
    );
  });

  test('every record sent is in Elasticsearch: nothing lost, nothing failed', () => {
    expect(report.totals.sent).toBe(report.groundTruth.totals.records);
    expect(report.totals.sendFailed).toBe(0);
    expect(report.totals.failed).toBe(0);
    expect(report.totals.delivered).toBe(report.totals.sent);
    expect(report.metrics.cloudWatch.IncomingRecords).toBe(report.totals.sent);
  });

  test('calls per day equals the simulator ground truth of unique contacts', () => {
    expect(nonZeroDays(report)).toEqual(expectedDays(report));
  });

  test('every known caller is enriched with the directory name, and only those', async () => {
    expect(report.totals.enrichedWithName).toBe(report.groundTruth.totals.recordsWithKnownCaller);
    expect(report.totals.unknownCallers).toBe(report.groundTruth.totals.recordsWithUnknownCaller);
    expect(report.totals.lookupFailed).toBe(0);
    const docs = await documents(index);
    for (const doc of docs) {
      const address = doc.CustomerEndpoint?.Address;
      const known = address === undefined ? undefined : report.callerDirectory.get(address);
      if (known !== undefined) {
        expect(doc.CustomerEndpoint?.Name).toBe(known);
        expect(doc.CtrStream.CallerLookup.Status).toBe('found');
      } else {
        expect(doc.CustomerEndpoint?.Name).toBeUndefined();
      }
    }
  });

  test('the backup holds every record (AllDocuments)', () => {
    expect(report.totals.backedUp).toBe(report.totals.sent);
  });
});

describe('the local pipeline with faults in the directory and in Elasticsearch', () => {
  let report: LocalPipelineReport;
  let index: string;
  let proxy: Awaited<ReturnType<typeof startThrottlingProxy>>;
  let kibana: Server;
  let preparedWith: { client: unknown; indexExists: boolean | undefined } | undefined;
  const rejectedContactId = 'e2e00000-0000-4000-8000-00000000bad1';

  beforeAll(async () => {
    // An index connect* does not match: the Kibana objects must use its own pattern.
    index = uniqueIndex('faults', 'ctr-e2e');
    proxy = await startThrottlingProxy(elasticsearchUrl, 2);
    // A Kibana that refuses every request (no credentials given).
    kibana = createServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"statusCode":401,"error":"Unauthorized","message":"Unauthorized"}');
    });
    await new Promise<void>((resolve) => kibana.listen(0, '127.0.0.1', resolve));
    // A document Elasticsearch itself rejects: valid for ctr-schema (unknown fields are kept), but its
    // E2eProbe field is mapped as an object in this index and carries a plain value. (A number field would
    // not do: the template sets index.mapping.ignore_malformed, so malformed values are ignored, not rejected.)
    const rejected = {
      ...structuredClone(tutorialRecord),
      ContactId: rejectedContactId,
      LastUpdateTimestamp: `${scenario.startDate}T10:00:00Z`,
      E2eProbe: 'not a number',
    };
    report = await runLocalPipeline({
      elasticsearchUrl,
      deliveryElasticsearchUrl: proxy.url,
      workDirectory: join(workRoot, 'faults'),
      index,
      ...scenario,
      prepareIndex: async (client, name, connection) => {
        await connection.request('PUT', `/${name}/_mapping`, {
          properties: { E2eProbe: { properties: { Detail: { type: 'keyword' } } } },
        });
        // The client of the original signature still comes along; only Elasticsearch 8 and 9 accept it.
        const usable = await elasticsearch.acceptsElasticsearchClient();
        preparedWith = {
          client,
          indexExists: usable ? await client.indices.exists({ index: name }) : undefined,
        };
      },
      extraRecords: [JSON.stringify(rejected), '{"this is": not json'],
      directoryFaults: { errorRate: 0.25, hangRate: 0.05, garbageRate: 0.05, resetRate: 0.02 },
      kibanaUrl: `http://127.0.0.1:${(kibana.address() as { port: number }).port}`,
    });
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => kibana.close(() => resolve()));
  });

  test('prepareIndex gets an @elastic/elasticsearch Client for the node, and the HTTP connection', async () => {
    expect(preparedWith?.client).toBeInstanceOf(Client);
    if (await elasticsearch.acceptsElasticsearchClient()) expect(preparedWith?.indexExists).toBe(true);
  });

  test('a Kibana that refuses the objects is reported next to the results, which still stand', () => {
    expect(report.kibanaInstalled).toBe(false);
    expect(report.kibanaError).toMatch(/401/);
    expect(report.totals.sent).toBeGreaterThan(0);
    expect(report.kibanaIndexPattern).toBe(`${index}*`);
    const written = readFileSync(report.paths.kibanaNdjson, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(written.find((object) => object.type === 'index-pattern').attributes.title).toBe(`${index}*`);
  });

  test('nothing is lost: delivered + failed prefixes = sent', () => {
    expect(report.totals.sendFailed).toBe(0);
    expect(report.totals.sent).toBe(report.groundTruth.totals.records + 2);
    expect(report.totals.delivered + report.totals.failed).toBe(report.totals.sent);
    expect(report.totals.failed).toBe(2);
  });

  test('the node answered 429 and the delivery retried', () => {
    expect(proxy.rejected()).toBe(2);
    expect(report.metrics.local.bulkRequestFailures).toBeGreaterThanOrEqual(2);
  });

  test('the rejected document and the malformed record are kept under their failed prefixes', () => {
    expect(report.metrics.local.elasticsearchFailedRecords).toBe(1);
    expect(report.metrics.local.processingFailedRecords).toBe(1);
  });

  test('directory faults still deliver every record, some without a name', async () => {
    expect(report.totals.lookupFailed).toBeGreaterThan(0);
    expect(report.totals.delivered).toBe(report.groundTruth.totals.records);
    const docs = await documents(index);
    for (const doc of docs) {
      const address = doc.CustomerEndpoint?.Address;
      const known = address === undefined ? undefined : report.callerDirectory.get(address);
      if (doc.CtrStream.CallerLookup.Status === 'found') expect(doc.CustomerEndpoint?.Name).toBe(known);
      else expect(doc.CustomerEndpoint?.Name).toBeUndefined();
    }
  });

  test('calls per day still equals the ground truth', () => {
    expect(nonZeroDays(report)).toEqual(expectedDays(report));
  });
});

describe('the local pipeline on an ELASTICSEARCH_URL with a user and password', () => {
  test('delivers, and the Kibana field check gets them as options, not in its URL', async () => {
    const index = uniqueIndex('credentials');
    // The local node has no security: it ignores the Authorization header these credentials become.
    const withCredentials = elasticsearchUrl.replace(/^http:\/\//, 'http://elastic:pa%40ss@');
    const kibana = await startKibanaContractServer({ product: 'kibana', version: '9.1.0' });
    try {
      const report = await runLocalPipeline({
        elasticsearchUrl: withCredentials,
        workDirectory: join(workRoot, 'credentials'),
        index,
        kibanaUrl: kibana.url,
        ...scenario,
        days: 1,
        contactsPerDay: 10,
      });
      expect(report.kibanaError).toBeUndefined();
      expect(report.kibanaInstalled).toBe(true);
      expect(report.totals.delivered).toBe(report.totals.sent);
    } finally {
      await kibana.close();
    }
  });
});

describe('the local pipeline on a node that refuses the calls-per-day search', () => {
  test("fails with the node's answer, not with a missing aggregation", async () => {
    const proxy = await startThrottlingProxy(elasticsearchUrl, 0, { rejectSearch: true });
    try {
      const run = runLocalPipeline({
        elasticsearchUrl: proxy.url,
        workDirectory: join(workRoot, 'search-refused'),
        index: uniqueIndex('search-refused'),
        ...scenario,
        days: 1,
      });
      await expect(run).rejects.toThrow(ElasticsearchRequestError);
      await expect(run).rejects.toThrow(
        /_search failed: .* answered 400 search_phase_execution_exception: simulated/,
      );
    } finally {
      await proxy.close();
    }
  });
});

describe('the local pipeline on an index that already holds documents', () => {
  test("refuses to run instead of deleting them, unless asked to reset, and leaves the last run's files", async () => {
    const index = uniqueIndex('existing');
    await elasticsearch.indexDocument(index, { ContactId: 'someone-elses-data' });
    // What the previous run left in the work directory: a refused run must not have deleted it.
    const lastRun = join(workRoot, 'existing', 'backup', 'from-the-last-run.json');
    await mkdir(join(workRoot, 'existing', 'backup'), { recursive: true });
    await writeFile(lastRun, '{}');
    await expect(
      runLocalPipeline({ elasticsearchUrl, workDirectory: join(workRoot, 'existing'), index, ...scenario }),
    ).rejects.toThrow(
      `Index ${index} (with the indices its template covers, ${index}-*: its rotations, or another --index such as ${index}-x) already holds 1 documents on ${elasticsearchUrl}: choose another index (--index) or replace it (--reset-index)`,
    );
    expect(await elasticsearch.count(index)).toBe(1);
    expect(readFileSync(lastRun, 'utf8')).toBe('{}');
  });

  test('counts the rotations of the index too (a stream with index rotation writes <index>-<date>)', async () => {
    const index = uniqueIndex('rotated');
    indices.push(`${index}-2026-11-29`);
    await elasticsearch.indexDocument(`${index}-2026-11-29`, { ContactId: 'someone-elses-data' });
    await expect(
      runLocalPipeline({ elasticsearchUrl, workDirectory: join(workRoot, 'rotated'), index, ...scenario }),
    ).rejects.toThrow(`Index ${index} (with the indices its template covers, ${index}-*: its rotations,`);
    expect(await elasticsearch.count(`${index}-2026-11-29`)).toBe(1);
  });

  test("leaves an operator's index setup as it is (a refresh interval of their own), unless asked to replace it", async () => {
    const index = uniqueIndex('operated');
    await installIndexTemplate({ node: elasticsearchUrl, index, refreshInterval: '5s', createIndex: false });
    await expect(
      runLocalPipeline({ elasticsearchUrl, workDirectory: join(workRoot, 'operated'), index, ...scenario }),
    ).rejects.toThrow(
      `The index setup of ${index} on ${elasticsearchUrl} differs from what npm start installs (component template ctr-stream-${index}-settings): choose another index (--index), or let npm start replace it (--reset-index)`,
    );
    const again = await installIndexTemplate({
      node: elasticsearchUrl,
      index,
      refreshInterval: '5s',
      createIndex: false,
      dryRun: true,
    });
    expect(again.changed).toBe(false);
  });
});
