import {
  BaseConnection,
  Client,
  type ConnectionRequestOptions,
  type ConnectionRequestOptionsAsStream,
  type ConnectionRequestParams,
  type ConnectionRequestResponse,
  type ConnectionRequestResponseAsStream,
} from '@elastic/elasticsearch';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionFromClient, createHttpConnection, redactUrl } from '../../src/connection.js';
import { ElasticsearchRequestError, InvalidOptionError } from '../../src/errors.js';
import { installIndexTemplate } from '../../src/installer.js';

describe('redactUrl', () => {
  it('drops credentials and query strings', () => {
    expect(redactUrl('https://elastic:s3cret@search.example.com:9200/base?token=x')).toBe(
      'https://search.example.com:9200/base',
    );
    expect(redactUrl('not a url')).toBe('<invalid URL>');
  });
});

describe('createHttpConnection', () => {
  let agent: MockAgent | undefined;
  afterEach(async () => {
    await agent?.close();
  });

  it('rejects bad URLs and half-given credentials', () => {
    expect(() => createHttpConnection({ node: 'localhost:9200' })).toThrow(InvalidOptionError);
    expect(() => createHttpConnection({ node: 'ftp://x' })).toThrow(/http/);
    expect(() => createHttpConnection({ node: 'http://x', username: 'elastic' })).toThrow(/password/);
    expect(() =>
      createHttpConnection({ node: 'http://x', apiKey: 'k', username: 'u', password: 'p' }),
    ).toThrow(/either/);
  });

  it('treats an empty API key, username or password as not given', async () => {
    agent = new MockAgent();
    agent.disableNetConnect();
    const seen: string[] = [];
    agent
      .get('http://search.test:9200')
      .intercept({ path: '/', method: 'GET' })
      .reply((options) => {
        seen.push(String((options.headers as Record<string, string>).authorization));
        return { statusCode: 200, data: {} };
      })
      .times(2);
    const basic = createHttpConnection({
      node: 'http://search.test:9200',
      apiKey: '',
      username: 'elastic',
      password: 'pw',
      dispatcher: agent,
    });
    await basic.request('GET', '/');
    const none = createHttpConnection({
      node: 'http://search.test:9200',
      apiKey: '',
      username: '',
      password: '',
      dispatcher: agent,
    });
    await none.request('GET', '/');
    expect(seen).toEqual([`Basic ${Buffer.from('elastic:pw').toString('base64')}`, 'undefined']);
  });

  it('sends the API key or basic auth header and never puts them in errors', async () => {
    agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('http://search.test:9200');
    const seen: string[] = [];
    pool
      .intercept({ path: '/_cluster/health', method: 'GET' })
      .reply((options) => {
        seen.push(String((options.headers as Record<string, string>).authorization));
        return {
          statusCode: 401,
          data: { error: { type: 'security_exception', reason: 'unable to authenticate' } },
        };
      })
      .times(2);
    const withKey = createHttpConnection({
      node: 'http://search.test:9200',
      apiKey: 'c2VjcmV0LWtleQ==',
      dispatcher: agent,
    });
    const error = await withKey.request('GET', '/_cluster/health').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ElasticsearchRequestError);
    expect((error as ElasticsearchRequestError).statusCode).toBe(401);
    expect((error as ElasticsearchRequestError).isRetryable).toBe(false);
    expect((error as Error).message).toMatch(/security_exception.*Check the API key/);
    expect((error as Error).message).not.toContain('c2VjcmV0LWtleQ==');
    const withUser = createHttpConnection({
      node: 'http://elastic:pa55@search.test:9200',
      dispatcher: agent,
    });
    const second = await withUser.request('GET', '/_cluster/health').catch((caught: unknown) => caught);
    expect((second as Error).message).not.toContain('pa55');
    expect(seen).toEqual([
      'ApiKey c2VjcmV0LWtleQ==',
      `Basic ${Buffer.from('elastic:pa55').toString('base64')}`,
    ]);
  });

  it('returns 404 as an answer, retries nothing, and marks 503 retryable', async () => {
    agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('http://search.test:9200');
    pool.intercept({ path: '/_index_template/x', method: 'GET' }).reply(404, { index_templates: [] });
    pool.intercept({ path: '/_index_template/y', method: 'GET' }).reply(503, 'overloaded');
    pool.intercept({ path: '/_index_template/z', method: 'GET' }).reply(200, '<html>proxy</html>');
    const connection = createHttpConnection({ node: 'http://search.test:9200', dispatcher: agent });
    expect(await connection.request('GET', '/_index_template/x')).toEqual({
      statusCode: 404,
      body: { index_templates: [] },
    });
    const unavailable = await connection
      .request('GET', '/_index_template/y')
      .catch((caught: unknown) => caught);
    expect((unavailable as ElasticsearchRequestError).isRetryable).toBe(true);
    await expect(connection.request('GET', '/_index_template/z')).rejects.toThrow(/not JSON/);
  });

  it('shows an Amazon OpenSearch Service access-policy refusal ({Message}) and says to sign when it names an IAM action', async () => {
    agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('https://search-ctr.eu-west-1.es.amazonaws.com');
    const refusal =
      'User: anonymous is not authorized to perform: es:ESHttpGet because no resource-based policy allows the es:ESHttpGet action';
    pool.intercept({ path: '/_index_template/x', method: 'GET' }).reply(403, { Message: refusal });
    pool.intercept({ path: '/_index_template/y', method: 'GET' }).reply(403, {
      error: { type: 'security_exception', reason: 'no permissions for [indices:admin/template/get]' },
    });
    const connection = createHttpConnection({
      node: 'https://search-ctr.eu-west-1.es.amazonaws.com',
      dispatcher: agent,
    });
    const unsigned = await connection.request('GET', '/_index_template/x').catch((caught: unknown) => caught);
    expect(unsigned).toBeInstanceOf(ElasticsearchRequestError);
    expect((unsigned as ElasticsearchRequestError).reason).toBe(refusal);
    expect((unsigned as Error).message).toBe(
      `GET /_index_template/x failed: https://search-ctr.eu-west-1.es.amazonaws.com answered 403: ${refusal}. The domain authorises IAM identities: sign the requests with --aws-sigv4 REGION (awsSigV4 in the library).`,
    );
    // A refusal by a role (fine-grained access control, Elasticsearch security) keeps the privilege advice.
    await expect(connection.request('GET', '/_index_template/y')).rejects.toThrow(
      /answered 403 security_exception: no permissions .* The credentials lack a privilege/,
    );
  });
});

/**
 * A connection for the `@elastic/elasticsearch` client that answers every request with `statusCode` and `body`,
 * without an `X-Elastic-Product` header: as OpenSearch 2.19 does (no network).
 */
function answeringWithoutProductHeader(statusCode: number, body: unknown) {
  return class extends BaseConnection {
    override request(
      params: ConnectionRequestParams,
      options: ConnectionRequestOptions,
    ): Promise<ConnectionRequestResponse>;
    override request(
      params: ConnectionRequestParams,
      options: ConnectionRequestOptionsAsStream,
    ): Promise<ConnectionRequestResponseAsStream>;
    override async request(): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
      return {
        statusCode,
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        body: JSON.stringify(body),
      };
    }
    override async close() {}
  };
}

describe('connectionFromClient', () => {
  it('tells a user whose @elastic/elasticsearch client refuses the server (OpenSearch) to pass node instead', async () => {
    const client = new Client({
      node: 'http://search.test:9200',
      Connection: answeringWithoutProductHeader(200, { nodes: { n1: { version: '2.19.6' } } }),
    });
    const error = await installIndexTemplate({ client, dryRun: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ option: 'client', isRetryable: false });
    expect((error as Error).message).toBe(
      "GET /_nodes/_local failed: the @elastic/elasticsearch client refused the answer of a server that is not Elasticsearch 8 or 9 (OpenSearch, or Elasticsearch before 7.14). Pass node (the server's URL) instead of client: that connection works with every supported server.",
    );
    expect(((error as Error).cause as Error).name).toBe('ProductNotSupportedError');
    await client.close();
  });

  it('reports an error status (no product check applies to it) as ElasticsearchRequestError with the reason', async () => {
    const client = new Client({
      node: 'http://search.test:9200',
      Connection: answeringWithoutProductHeader(403, {
        error: { type: 'security_exception', reason: 'no permissions for [cluster:monitor/nodes/info]' },
        status: 403,
      }),
      maxRetries: 0,
    });
    const error = await connectionFromClient(client)
      .request('GET', '/_nodes/_local?filter_path=nodes.*.version')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ElasticsearchRequestError);
    expect(error).toMatchObject({ statusCode: 403, errorType: 'security_exception', path: '/_nodes/_local' });
    await client.close();
  });
});
