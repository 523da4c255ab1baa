import { withoutSigningDetails } from '@ctr-stream/es-index-setup';
import { type Dispatcher, request } from 'undici';

/** What an HTTP call returned: status, the headers that matter and the body as text. */
export interface HttpAnswer {
  statusCode: number;
  contentType: string;
  location: string | undefined;
  /** `X-Elastic-Product` (Elasticsearch 7.14+ sends `Elasticsearch`); Kibana never sends it. */
  elasticProduct: string | undefined;
  /** True when Kibana's `kbn-name` header is present (OpenSearch Dashboards sends no equivalent). */
  fromDashboards: boolean;
  text: string;
}

/** I/O options shared by every call: the undici dispatcher (inject a MockAgent or a proxy agent) and a timeout. */
export interface HttpOptions {
  /** The undici Dispatcher to send requests with; the global dispatcher when omitted. */
  dispatcher?: Dispatcher | undefined;
  /** Abort a request after this many milliseconds without headers or body data (default 30 000). */
  timeoutMs?: number | undefined;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Sends one request and reads the whole answer (capped at 10 MiB). Throws undici's errors for network failures.
 * The headers and body go out as given (a signed request's signature covers them).
 */
export async function send(
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Uint8Array | undefined },
  http: HttpOptions,
): Promise<HttpAnswer> {
  const timeout = http.timeoutMs ?? 30_000;
  const answer = await request(url, {
    method: init.method,
    headers: init.headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(http.dispatcher === undefined ? {} : { dispatcher: http.dispatcher }),
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      answer.body.destroy();
      break;
    }
    chunks.push(buffer);
  }
  const header = (name: string): string | undefined => {
    const value = answer.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    statusCode: answer.statusCode,
    contentType: header('content-type') ?? '',
    location: header('location'),
    elasticProduct: header('x-elastic-product'),
    fromDashboards: header('kbn-name') !== undefined,
    text: Buffer.concat(chunks).toString('utf8'),
  };
}

/** Parses a JSON body; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `message` of an error body `{statusCode, error, message}` (Kibana), `{error:{reason}}` (Elasticsearch), or
 * Amazon OpenSearch Service's own refusals: `{"message"}` (a signature) and `{"Message"}` (the access policy).
 */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  // A signature refusal goes on with the canonical request, which holds a session token: never shown.
  if (typeof record.message === 'string') return withoutSigningDetails(record.message);
  if (typeof record.Message === 'string') return withoutSigningDetails(record.Message);
  const error = record.error;
  if (typeof error === 'object' && error !== null) {
    const reason = (error as Record<string, unknown>).reason;
    if (typeof reason === 'string') return reason;
  }
  if (typeof error === 'string') return error;
  return undefined;
}

/** A short description of a network error (ECONNREFUSED, timeout, ...). */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Ends a message taken from elsewhere (a server's) with exactly one full stop: `occurred.` stays `occurred.`,
 * `no body` becomes `no body.`.
 */
export function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * Whether the answer came from Elasticsearch or OpenSearch rather than Kibana / OpenSearch Dashboards (someone gave
 * the search engine's URL to `--kibana`): the `X-Elastic-Product` header, an Elasticsearch error body
 * `{"error":{"type","reason"}}` (Kibana's are `{"statusCode","error":"Bad Request","message"}`), or
 * `no handler found for uri`. Returns how to name it in a message, or undefined.
 */
export function searchEngineBehind(
  answer: HttpAnswer,
  body: unknown,
): 'Elasticsearch' | 'Elasticsearch or OpenSearch' | undefined {
  if (answer.fromDashboards) return undefined;
  if (answer.elasticProduct === 'Elasticsearch') return 'Elasticsearch';
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error === 'string' && error.startsWith('no handler found for uri')) {
    return 'Elasticsearch or OpenSearch';
  }
  if (typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string') {
    return 'Elasticsearch or OpenSearch';
  }
  return undefined;
}

/** The message for `--kibana` pointing at the search engine instead of Kibana. */
export function notKibanaMessage(searchEngine: 'Elasticsearch' | 'Elasticsearch or OpenSearch'): string {
  return (
    `This looks like ${searchEngine}, not Kibana: give --kibana the Kibana or OpenSearch Dashboards URL ` +
    '(Kibana listens on port 5601 by default; Amazon OpenSearch Service serves Dashboards under /_dashboards, ' +
    'legacy Amazon Elasticsearch Service Kibana under /_plugin/kibana).'
  );
}

/**
 * What a 3xx answer means for an API call: a move to https (use it in the URL), else a browser login page
 * (Cognito/SAML) the API cannot pass. Names the target host only, never its query.
 */
export function redirectMessage(answer: HttpAnswer, url: string): string {
  let target: URL | undefined;
  try {
    target = answer.location === undefined ? undefined : new URL(answer.location, url);
  } catch {
    target = undefined;
  }
  const from = new URL(url);
  if (
    target !== undefined &&
    from.protocol === 'http:' &&
    target.protocol === 'https:' &&
    target.host === from.host
  ) {
    return `redirected (${answer.statusCode}) to https://${target.host}: use https:// in --kibana.`;
  }
  return (
    `redirected (${answer.statusCode}) to ${target === undefined ? 'another page' : target.host}: ` +
    'the server wants a browser login (Cognito/SAML). Use credentials the API accepts (basic auth with fine-grained access control), or --out FILE and import the file by hand.'
  );
}
