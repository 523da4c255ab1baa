import { type Dispatcher, type FormData, request } from 'undici';

/** What an HTTP call returned: status, the headers that matter and the body as text. */
export interface HttpAnswer {
  statusCode: number;
  contentType: string;
  location: string | undefined;
  text: string;
}

/** I/O options shared by every call: the undici dispatcher (inject a MockAgent or a proxy agent) and a timeout. */
export interface HttpOptions {
  /** The undici Dispatcher to send requests with; the global dispatcher when omitted. */
  dispatcher?: Dispatcher;
  /** Abort a request after this many milliseconds without headers or body data (default 30 000). */
  timeoutMs?: number;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Sends one request and reads the whole answer (capped at 10 MiB). Throws undici's errors for network failures. */
export async function send(
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: FormData | string },
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

/** `message` of an error body `{statusCode, error, message}` (Kibana) or `{error:{reason}}` (Elasticsearch). */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.message === 'string') return record.message;
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
