import { Agent, type Dispatcher, request } from 'undici';
import { BulkRequestError } from './errors.js';

/**
 * What the bulk response needs to settle each document: item order maps items to documents, `status` says
 * indexed, retry or reject, `error` is the reason written to `elasticsearch-failed/`. Everything else
 * Elasticsearch and OpenSearch would send per item (`_index`, `_id`, `_version`, `result`, `_shards`, `_seq_no`,
 * `_primary_term`) is left on the server: about a tenth of the bytes to receive and parse.
 */
export const BULK_FILTER_PATH = 'errors,items.*.status,items.*.error';

/** One item of a bulk response, under its action (`index`, or `create`). */
export interface BulkItemResult {
  status: number;
  error?: unknown;
}

/** A bulk response as `BULK_FILTER_PATH` leaves it. */
export interface BulkResponse {
  errors?: boolean;
  items?: { index?: BulkItemResult; create?: BulkItemResult }[];
}

/**
 * Sends one `_bulk` request. Resolves with the answer of a 2xx; rejects with `BulkRequestError` when there is no
 * usable answer (no connection, a timeout, an error status, a body that is not a bulk response). Never retries:
 * the destination does, within the retry duration.
 */
export interface BulkTransport {
  /** `body` is the NDJSON of the request (action and source lines, each ending in a newline). */
  bulk(body: Buffer): Promise<BulkResponse>;
  /** Releases the connections this transport opened (an injected client is the caller's to close). */
  close(): Promise<void>;
}

/**
 * What the destination uses of an `@elastic/elasticsearch` `Client`: `bulk`. Any 8.x or 9.x client fits, so the
 * package does not install a client library of its own, and never imposes its version on yours.
 */
export interface ElasticsearchBulkClient {
  bulk(
    params: { operations: unknown[]; filter_path?: string | string[] },
    options: { maxRetries: number },
  ): Promise<unknown>;
}

/**
 * The bulk transport over an injected `@elastic/elasticsearch` 8.x or 9.x `Client` (`elasticsearch.client`): the
 * request as the client sends it, no retries of its own. The client accepts Elasticsearch 8 and 9 only.
 */
export function clientBulkTransport(client: ElasticsearchBulkClient): BulkTransport {
  return {
    async bulk(body) {
      try {
        // The client sends a Buffer body as it is (no serialization, no string joining).
        const response = await client.bulk(
          { operations: body as unknown as string[], filter_path: BULK_FILTER_PATH },
          { maxRetries: 0 },
        );
        return response as BulkResponse;
      } catch (error) {
        const meta = (error as { meta?: { statusCode?: number; body?: unknown } }).meta;
        const body = meta?.body;
        const message =
          body !== undefined && body !== null && body !== ''
            ? typeof body === 'string'
              ? body
              : JSON.stringify(body)
            : (error as Error).message;
        // The client reports "no answer" (refused, reset, timed out) as status 0.
        throw new BulkRequestError(message, { statusCode: meta?.statusCode || undefined }, { cause: error });
      }
    },
    async close() {},
  };
}

/** Options of {@link HttpBulkTransport}. */
export interface HttpBulkTransportOptions {
  /**
   * The node URL (`elasticsearch.url`), e.g. `https://elastic:secret@search.example.com:9200/prefix`. A user and
   * password in it are sent as a Basic `authorization` header and appear in no message.
   */
  url: string;
  /** Time for the whole request, answer included, in ms. Default 60,000. */
  requestTimeoutMs?: number;
  /** An undici dispatcher (a `MockAgent` in tests). Default: an `Agent` of its own, closed by `close()`. */
  dispatcher?: Dispatcher;
  /** The largest answer read, in bytes. Default 128 MiB. */
  maxResponseBytes?: number;
}

/** The largest answer read by default: far above what 100,000 rejected items take (about 500 bytes each). */
const MAX_RESPONSE_BYTES = 128 * 1024 * 1024;
/** How much of an answer that is not a bulk response a message quotes. */
const EXCERPT_CHARACTERS = 200;

const excerpt = (text: string): string =>
  JSON.stringify(text.length > EXCERPT_CHARACTERS ? `${text.slice(0, EXCERPT_CHARACTERS)}…` : text);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a parsed 2xx body cannot settle the documents, or `undefined` when it is a bulk response. */
function bulkResponseProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  if (value.errors !== undefined && typeof value.errors !== 'boolean')
    return 'has an "errors" that is not a boolean';
  if (value.items === undefined) return undefined;
  if (!Array.isArray(value.items)) return 'has "items" that is not an array';
  for (const [index, item] of value.items.entries()) {
    const result = isObject(item) ? (item.index ?? item.create) : undefined;
    if (!isObject(result) || typeof result.status !== 'number')
      return `has an item ${index} without an index or create result with a numeric status`;
  }
  return undefined;
}

/** Reads the answer as text, at most `maxBytes` of it. */
async function readText(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<string | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      return 'too-large';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The bulk transport of `elasticsearch.url`: plain HTTP with undici, so it works with every server Firehose
 * delivers to, Elasticsearch 7.10 to 9.x and OpenSearch 1.x to 3.x alike. It sends `application/x-ndjson` (which
 * all of them accept; the 8.x client's `compatible-with=8` media type is refused by OpenSearch) and does not ask
 * for the `X-Elastic-Product` header (which only Elasticsearch 7.14 and later send).
 *
 * @example
 * ```ts
 * const transport = new HttpBulkTransport({ url: 'http://127.0.0.1:9200' });
 * const body = Buffer.from('{"index":{"_index":"connect"}}\n{"ContactId":"c-1"}\n');
 * const response = await transport.bulk(body); // { errors: false, items: [{ index: { status: 201 } }] }
 * await transport.close();
 * ```
 */
export class HttpBulkTransport implements BulkTransport {
  /** The node URL without user and password, for messages. */
  readonly displayUrl: string;
  readonly #endpoint: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;

  constructor(options: HttpBulkTransportOptions) {
    const url = new URL(options.url);
    const basePath = url.pathname.replace(/\/+$/, '');
    this.displayUrl = `${url.protocol}//${url.host}${basePath}`;
    this.#endpoint = `${url.origin}${basePath}/_bulk?${new URLSearchParams({ filter_path: BULK_FILTER_PATH })}`;
    this.#headers = { 'content-type': 'application/x-ndjson', accept: 'application/json' };
    if (url.username !== '' || url.password !== '') {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.#headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    this.#timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? new Agent();
  }

  async bulk(body: Buffer): Promise<BulkResponse> {
    const where = this.displayUrl;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#timeoutMs);
    let statusCode: number | undefined;
    let text: string | 'too-large';
    try {
      const response = await request(this.#endpoint, {
        method: 'POST',
        headers: this.#headers,
        body,
        dispatcher: this.#dispatcher,
        signal: abort.signal,
      });
      statusCode = response.statusCode;
      text = await readText(response.body, this.#maxResponseBytes);
    } catch (error) {
      const reason = abort.signal.aborted
        ? `no complete answer within ${this.#timeoutMs} ms`
        : (error as Error).message || String(error);
      const what =
        statusCode === undefined
          ? `The bulk request to ${where} got no answer: ${reason}.`
          : `${where} answered the bulk request ${statusCode}, then the answer broke off: ${reason}.`;
      // A broken-off 2xx says nothing about the documents: retried like no answer.
      throw new BulkRequestError(
        what,
        { statusCode: statusCode === undefined || statusCode < 300 ? undefined : statusCode },
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    if (text === 'too-large') {
      throw new BulkRequestError(
        `${where} answered the bulk request ${statusCode} with more than ${this.#maxResponseBytes} bytes: not read.`,
        { statusCode, errorCode: 'ES.ServiceException' },
      );
    }
    if (statusCode < 200 || statusCode >= 300) {
      let message = text.trim();
      try {
        // Elasticsearch's error JSON, compact, as elasticsearch-failed/ records it.
        message = JSON.stringify(JSON.parse(text));
      } catch {}
      throw new BulkRequestError(
        message === '' ? `${where} answered the bulk request ${statusCode} with an empty body.` : message,
        { statusCode },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new BulkRequestError(
        `${where} answered the bulk request ${statusCode} with a body that is not JSON (truncated, or not Elasticsearch or OpenSearch?): ${excerpt(text)}.`,
        { statusCode, errorCode: 'ES.ServiceException' },
        { cause: error },
      );
    }
    const problem = bulkResponseProblem(parsed);
    if (problem !== undefined) {
      throw new BulkRequestError(
        `${where} answered the bulk request ${statusCode} with JSON that is not a bulk response: it ${problem}: ${excerpt(text)}.`,
        { statusCode, errorCode: 'ES.ServiceException' },
      );
    }
    return parsed as BulkResponse;
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }
}
