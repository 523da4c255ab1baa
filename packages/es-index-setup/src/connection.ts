import { type Dispatcher, request } from 'undici';
import {
  type AwsService,
  type AwsSigV4Options,
  createAwsSigV4Signer,
  type RequestSigner,
  withoutSigningDetails,
} from './aws-sigv4.js';
import { ElasticsearchRequestError, InvalidOptionError } from './errors.js';
import { errorText, sentence } from './sentence.js';

/** One answer from the server: the status and the parsed JSON body (`undefined` when empty). */
export interface ElasticsearchResponse {
  statusCode: number;
  body: unknown;
}

/**
 * The few REST calls the installer makes, over either a plain HTTP connection (works with
 * Elasticsearch 7.10 to 9.x and OpenSearch, none of which the 8.x client accepts all of) or an
 * injected `@elastic/elasticsearch` `Client`. A 404 is an answer, not an error; other error statuses throw
 * `ElasticsearchRequestError`.
 */
export interface ElasticsearchConnection {
  request(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD',
    path: string,
    body?: unknown,
  ): Promise<ElasticsearchResponse>;
  /** The node URL without credentials, safe to print. */
  readonly displayUrl: string;
}

/**
 * How a value that is not a URL is shown in an error: as given when it holds no credentials, else with
 * everything before the last `@` masked (`***@host:9200`). Capped at 200 characters.
 */
function describeNodeValue(value: string): string {
  const at = value.lastIndexOf('@');
  return (at === -1 ? value : `***${value.slice(at)}`).slice(0, 200);
}

/** ` Did you mean "http://127.0.0.1:9200"?` when the value lacks a scheme; '' otherwise. */
function schemeHint(value: string): string {
  // Only for what looks like `[user@]host[:port][/path]`: an address without its scheme.
  if (!/^([^@/\s]*@)?[A-Za-z0-9.-]+(:\d+)?(\/\S*)?$/.test(value.trim())) return '';
  return ` Add the scheme: did you mean ${JSON.stringify(`http://${describeNodeValue(value.trim())}`)}?`;
}

/** How to reach the server over HTTP. Credentials never appear in errors or reports. */
export interface HttpConnectionOptions {
  /** The node URL, e.g. `https://search.example.com:9200`. Credentials in it (`https://user:pass@host`) are used as basic auth. */
  node: string;
  /** An Elasticsearch API key (the base64 `id:api_key` form sent as `Authorization: ApiKey <key>`). Empty counts as not given. */
  apiKey?: string | undefined;
  /** Basic auth user (with `password`). Empty counts as not given, for both. */
  username?: string | undefined;
  password?: string | undefined;
  /**
   * Sign every request with AWS Signature Version 4, as Amazon OpenSearch Service domains with IAM authorisation
   * require: `{ region, service?: 'es' | 'aoss', credentials?, clock? }`. Credentials default to the standard
   * AWS chain. Not together with an API key or a username and password.
   */
  awsSigV4?: AwsSigV4Options | undefined;
  /** An undici dispatcher (an `Agent` with TLS options, a `ProxyAgent`, a `MockAgent` in tests). */
  dispatcher?: Dispatcher | undefined;
  /** Per-request timeout in milliseconds (default 30,000). */
  requestTimeoutMs?: number | undefined;
}

/** Removes the user info, query and fragment from a URL so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '<invalid URL>';
  }
}

function readServerError(body: unknown): { errorType: string | undefined; reason: string | undefined } {
  // Amazon OpenSearch Service's own refusals: `{"message": "..."}` for a signature, `{"Message": "User: anonymous is
  // not authorized to perform: es:ESHttpGet ..."}` for the access policy.
  if (body !== null && typeof body === 'object' && !('error' in body)) {
    const { message, Message } = body as { message?: unknown; Message?: unknown };
    const text = typeof message === 'string' ? message : Message;
    if (typeof text === 'string')
      return { errorType: undefined, reason: withoutSigningDetails(text).slice(0, 500) };
  }
  if (body !== null && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'string') return { errorType: undefined, reason: error };
    if (error !== null && typeof error === 'object') {
      const { type, reason } = error as { type?: unknown; reason?: unknown };
      return {
        errorType: typeof type === 'string' ? type : undefined,
        reason: typeof reason === 'string' ? reason : undefined,
      };
    }
  }
  return { errorType: undefined, reason: undefined };
}

function requestError(
  method: string,
  path: string,
  displayUrl: string,
  statusCode: number | undefined,
  body: unknown,
  cause?: unknown,
  signedFor?: AwsService,
): ElasticsearchRequestError {
  const pathOnly = path.split('?')[0] ?? path;
  const { errorType, reason } = readServerError(body);
  let hint = '';
  if (statusCode === undefined) hint = ` Check that the node URL is right and the server is running.`;
  else if (statusCode === 401) hint = ' Check the API key or username and password.';
  else if (statusCode === 403 && signedFor === 'aoss')
    hint =
      " The collection refused the signed request: check that a data access policy grants this IAM identity (the role or user of your AWS credentials) aoss:DescribeIndex, aoss:CreateIndex, aoss:UpdateIndex and the template permissions on the collection's indices, and that the region is the collection's.";
  else if (statusCode === 403 && signedFor === 'es')
    hint =
      " The domain refused the signed request: check that the domain's access policy allows this IAM identity (the role or user of your AWS credentials) es:ESHttpGet, es:ESHttpHead and es:ESHttpPut, that the region is the domain's, and, with fine-grained access control, that the identity's ARN is mapped to a role with manage_index_templates and create_index (OpenSearch Dashboards > Security > Roles > Mapped users).";
  else if (statusCode === 403 && reason !== undefined && /\b(es:ESHttp|aoss:)/.test(reason))
    hint =
      ' The domain authorises IAM identities: sign the requests with --aws-sigv4 REGION (awsSigV4 in the library).';
  else if (statusCode === 403)
    hint =
      ' The credentials lack a privilege (manage_index_templates and create_index on the pattern, monitor for the version).';
  // The server's reason and the network error's message end with a stop of their own or none: `sentence` adds
  // one only when missing, never `..`.
  const what =
    statusCode === undefined
      ? `could not reach ${displayUrl}: ${errorText(cause)}`
      : `${displayUrl} answered ${statusCode}${errorType ? ` ${errorType}` : ''}${reason?.trim() ? `: ${reason}` : ''}`;
  return new ElasticsearchRequestError(`${method} ${pathOnly} failed: ${sentence(what)}${hint}`, {
    statusCode,
    method,
    path: pathOnly,
    errorType,
    reason,
    cause,
  });
}

/**
 * Opens a plain HTTP connection with undici. Works with every supported server, because it sends
 * plain `application/json` and does not insist on the `X-Elastic-Product` header.
 *
 * @example
 * ```ts
 * import { createHttpConnection } from '@ctr-stream/es-index-setup';
 * const connection = createHttpConnection({ node: 'http://127.0.0.1:9200', apiKey: process.env.ELASTICSEARCH_API_KEY });
 * const { body } = await connection.request('GET', '/_nodes/_local?filter_path=nodes.*.version');
 * ```
 */
export function createHttpConnection(options: HttpConnectionOptions): ElasticsearchConnection {
  let base: URL;
  try {
    base = new URL(options.node);
  } catch {
    throw new InvalidOptionError(
      'node',
      `node must be a URL such as http://127.0.0.1:9200 (got ${JSON.stringify(describeNodeValue(options.node))}).${schemeHint(options.node)}`,
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    // `localhost:9200` parses as the scheme `localhost:`.
    throw new InvalidOptionError(
      'node',
      `node must be an http:// or https:// URL (got ${JSON.stringify(describeNodeValue(redactUrl(options.node)))}).${schemeHint(options.node)}`,
    );
  }
  const given = (value: string | undefined) => (value === '' ? undefined : value);
  const apiKey = given(options.apiKey);
  const username = given(options.username) ?? (base.username ? decodeURIComponent(base.username) : undefined);
  const password = given(options.password) ?? (base.password ? decodeURIComponent(base.password) : undefined);
  if (apiKey !== undefined && username !== undefined) {
    throw new InvalidOptionError('apiKey', 'Give either an API key or a username and password, not both.');
  }
  if (options.awsSigV4 !== undefined && (apiKey !== undefined || username !== undefined)) {
    throw new InvalidOptionError(
      'awsSigV4',
      `Sign the requests with AWS SigV4 or send ${apiKey !== undefined ? 'an API key' : 'a username and password (given as options or in the node URL)'}, not both: a domain with IAM authorisation takes the signature alone.`,
    );
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new InvalidOptionError(
      username === undefined ? 'username' : 'password',
      'A username needs a password and a password needs a username.',
    );
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey !== undefined) headers.authorization = `ApiKey ${apiKey}`;
  else if (username !== undefined && password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  const displayUrl = redactUrl(options.node);
  const basePath = base.pathname.replace(/\/$/, '');
  const origin = base.origin;
  const timeout = options.requestTimeoutMs ?? 30_000;
  const sign: RequestSigner | undefined =
    options.awsSigV4 === undefined ? undefined : createAwsSigV4Signer(options.awsSigV4);
  const signedFor = options.awsSigV4 === undefined ? undefined : (options.awsSigV4.service ?? 'es');

  return {
    displayUrl,
    async request(method, path, body) {
      const url = `${origin}${basePath}${path}`;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      let requestHeaders =
        payload === undefined ? headers : { ...headers, 'content-type': 'application/json' };
      // Signed outside the try below: missing credentials are an AwsCredentialsError, not a network error. The URL
      // is parsed as undici will send it, so the signed path and query are the ones on the wire.
      if (sign !== undefined)
        requestHeaders = await sign({ method, url: new URL(url), headers: requestHeaders, body: payload });
      let statusCode: number;
      let text: string;
      try {
        const response = await request(url, {
          method,
          headers: requestHeaders,
          body: payload ?? null,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        });
        statusCode = response.statusCode;
        text = await response.body.text();
      } catch (cause) {
        throw requestError(method, path, displayUrl, undefined, undefined, cause);
      }
      let parsed: unknown;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch (cause) {
          if (statusCode < 300) {
            throw new ElasticsearchRequestError(
              `${method} ${path.split('?')[0]} failed: ${displayUrl} answered ${statusCode} with a body that is not JSON (is the node URL pointing at Elasticsearch?).`,
              { statusCode, method, path: path.split('?')[0] ?? path, cause },
            );
          }
          parsed = { error: text.slice(0, 300) };
        }
      }
      if (statusCode >= 400 && statusCode !== 404)
        throw requestError(method, path, displayUrl, statusCode, parsed, undefined, signedFor);
      return { statusCode, body: parsed };
    },
  };
}

/**
 * What the installer uses of an `@elastic/elasticsearch` `Client`: its transport's `request`. Any 8.x or 9.x client
 * fits, so the package does not install a client library of its own, and never imposes its version on yours.
 */
export interface ElasticsearchClientLike {
  transport: {
    request(
      params: {
        method: string;
        path: string;
        querystring?: Record<string, string>;
        body?: Record<string, unknown>;
      },
      options: { meta: true; ignore: number[] },
    ): Promise<{ statusCode?: number | null | undefined; body: unknown }>;
  };
}

/**
 * Wraps an `@elastic/elasticsearch` `Client` (8.x or 9.x) you already configured. The 8.x client talks to
 * Elasticsearch 8 and 9 only; for 7.10 or OpenSearch pass a node URL instead (against them the first request
 * throws `InvalidOptionError` for `client`, saying so).
 *
 * @example
 * ```ts
 * import { Client } from '@elastic/elasticsearch';
 * import { connectionFromClient } from '@ctr-stream/es-index-setup';
 * const connection = connectionFromClient(new Client({ node: 'http://127.0.0.1:9200' }));
 * ```
 */
export function connectionFromClient(
  client: ElasticsearchClientLike,
  displayUrl = 'the Elasticsearch client',
): ElasticsearchConnection {
  return {
    displayUrl,
    async request(method, path, body) {
      const [pathname, query] = path.split('?');
      const querystring = Object.fromEntries(new URLSearchParams(query ?? ''));
      try {
        const response = await client.transport.request(
          {
            method,
            path: pathname ?? path,
            querystring,
            ...(body === undefined ? {} : { body: body as Record<string, unknown> }),
          },
          { meta: true, ignore: [404] },
        );
        const responseBody: unknown = response.body === '' ? undefined : response.body;
        return { statusCode: response.statusCode ?? 200, body: responseBody };
      } catch (cause) {
        // The client's product check: the server answered, but not as Elasticsearch 8/9 (`X-Elastic-Product`).
        if ((cause as { name?: unknown } | null)?.name === 'ProductNotSupportedError') {
          throw new InvalidOptionError(
            'client',
            `${method} ${pathname ?? path} failed: the @elastic/elasticsearch client refused the answer of a server that is not Elasticsearch 8 or 9 (OpenSearch, or Elasticsearch before 7.14). Pass node (the server's URL) instead of client: that connection works with every supported server.`,
            { cause },
          );
        }
        const meta = (cause as { meta?: { statusCode?: number; body?: unknown } }).meta;
        throw requestError(method, path, displayUrl, meta?.statusCode || undefined, meta?.body, cause);
      }
    },
  };
}
