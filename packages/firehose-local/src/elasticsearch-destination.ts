import type { BulkTransport } from './bulk-transport.js';
import type { Clock } from './clock.js';
import { ConcurrencyLimiter, sleep } from './concurrency-limiter.js';
import type { ResolvedDeliveryStreamConfig } from './config.js';
import { BulkRequestError } from './errors.js';
import { rotatedIndexName } from './index-rotation.js';
import type { FirehoseLocalLogger } from './logger.js';
import type { MetricsRecorder } from './metrics.js';
import { redactUrlCredentials } from './redact-url.js';

/** A record on its way to Elasticsearch. */
export interface DestinationRecord {
  recordId: string;
  arrivalTimestamp: number;
  /** The bytes to index (the processor's output, or the producer's bytes without a processor). */
  data: Buffer;
  /** Size of the record as the producer sent it (for the pending-bytes books). */
  incomingBytes: number;
}

/** A document that could not be indexed, in the shape of Firehose's `elasticsearch-failed/` objects. */
export interface FailedDocument {
  record: DestinationRecord;
  attemptsMade: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  esDocumentId: string | null;
  esIndexName: string;
}

interface BulkEntry {
  record: DestinationRecord;
  indexName: string;
  documentId: string | null;
  /** The action line, without its newline. */
  action: string;
  actionBytes: number;
  /** The source line's bytes, without its newline. */
  source: Buffer;
}

const MAX_BACKOFF_MS = 5000;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;

/** The ASCII characters `String.prototype.trim` removes (tab, LF, VT, FF, CR, space). */
function isAsciiWhitespace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** True when the document is empty or whitespace only (as `text.trim() === ''` says), looking at bytes first. */
function isBlank(data: Buffer): boolean {
  for (const byte of data) {
    if (isAsciiWhitespace(byte)) continue;
    // A non-ASCII first character may be Unicode whitespace (e.g. U+00A0): let the string decide.
    return byte < 0x80 ? false : data.toString('utf8').trim() === '';
  }
  return true;
}

/** The record as one bulk source line (its bytes, as they are in almost every case), or why it cannot be one. */
function toSourceLine(data: Buffer): Buffer | { errorMessage: string } {
  if (isBlank(data)) {
    return {
      errorMessage: JSON.stringify({
        type: 'mapper_parsing_exception',
        reason: 'failed to parse, document is empty',
      }),
    };
  }
  // A newline outside a JSON string is whitespace; inside one it is already invalid JSON. Replacing it keeps
  // the bulk framing intact and lets Elasticsearch judge the document itself. The bytes go as the record has
  // them, as Firehose sends them: invalid UTF-8 is Elasticsearch's to reject (into elasticsearch-failed/), never
  // silently rewritten. Bytes 0x0A and 0x0D never occur inside a multi-byte UTF-8 sequence, so replacing them
  // byte by byte is safe.
  if (data.indexOf(NEWLINE) === -1 && data.indexOf(CARRIAGE_RETURN) === -1) return data;
  return replaceLineBreaks(data);
}

/** Each CR LF, lone CR and lone LF becomes one space. */
function replaceLineBreaks(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let length = 0;
  for (let index = 0; index < data.length; index++) {
    const byte = data[index]!;
    if (byte === CARRIAGE_RETURN) {
      out[length++] = SPACE;
      if (data[index + 1] === NEWLINE) index++;
    } else if (byte === NEWLINE) {
      out[length++] = SPACE;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

/** The NDJSON body of one bulk request, written straight into one buffer (no intermediate strings). */
function bulkBody(entries: readonly BulkEntry[]): Buffer {
  let size = 0;
  for (const entry of entries) size += entry.actionBytes + entry.source.length + 2;
  const body = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const entry of entries) {
    offset += body.write(entry.action, offset, entry.actionBytes, 'utf8');
    body[offset] = NEWLINE;
    offset += 1 + entry.source.copy(body, offset + 1);
    body[offset] = NEWLINE;
    offset += 1;
  }
  return body;
}

/**
 * Delivers records to Elasticsearch or OpenSearch with `_bulk`, retrying 429, 5xx and unanswered requests within
 * the retry duration.
 */
export class ElasticsearchDestination {
  readonly #transport: BulkTransport;
  readonly #config: ResolvedDeliveryStreamConfig['elasticsearch'];
  readonly #clock: Clock;
  readonly #logger: FirehoseLocalLogger;
  readonly #metrics: MetricsRecorder;
  readonly #limiter: ConcurrencyLimiter;

  constructor(options: {
    transport: BulkTransport;
    config: ResolvedDeliveryStreamConfig['elasticsearch'];
    clock: Clock;
    logger: FirehoseLocalLogger;
    metrics: MetricsRecorder;
  }) {
    this.#transport = options.transport;
    this.#config = options.config;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#limiter = new ConcurrencyLimiter(options.config.bulk.concurrency);
  }

  /** Indexes every record; resolves with what was indexed and what failed for good. Never rejects. */
  async deliver(records: readonly DestinationRecord[]): Promise<{
    delivered: DestinationRecord[];
    failed: FailedDocument[];
  }> {
    const delivered: DestinationRecord[] = [];
    const failed: FailedDocument[] = [];
    const chunks: BulkEntry[][] = [];
    let chunk: BulkEntry[] = [];
    let chunkBytes = 0;
    for (const record of records) {
      const indexName = rotatedIndexName(
        this.#config.indexName,
        this.#config.indexRotationPeriod,
        record.arrivalTimestamp,
      );
      const documentId = this.#config.documentIdFormat === 'FIREHOSE_DEFAULT' ? record.recordId : null;
      const source = toSourceLine(record.data);
      if (!Buffer.isBuffer(source)) {
        failed.push({
          record,
          attemptsMade: 0,
          errorCode: '400',
          errorMessage: source.errorMessage,
          attemptEndingTimestamp: this.#clock.now(),
          esDocumentId: documentId,
          esIndexName: indexName,
        });
        continue;
      }
      const meta: Record<string, string> = { _index: indexName };
      if (documentId !== null) meta._id = documentId;
      if (this.#config.typeName !== undefined) meta._type = this.#config.typeName;
      const action = JSON.stringify({ index: meta });
      const actionBytes = Buffer.byteLength(action);
      const entryBytes = actionBytes + source.length + 2;
      if (
        chunk.length > 0 &&
        (chunkBytes + entryBytes > this.#config.bulk.maxBytes ||
          chunk.length >= this.#config.bulk.maxDocuments)
      ) {
        chunks.push(chunk);
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push({ record, indexName, documentId, action, actionBytes, source });
      chunkBytes += entryBytes;
    }
    if (chunk.length > 0) chunks.push(chunk);
    await Promise.all(
      chunks.map((entries) =>
        this.#limiter.run(async () => {
          const outcome = await this.#deliverChunk(entries);
          delivered.push(...outcome.delivered);
          failed.push(...outcome.failed);
        }),
      ),
    );
    return { delivered, failed };
  }

  async #deliverChunk(
    entries: BulkEntry[],
  ): Promise<{ delivered: DestinationRecord[]; failed: FailedDocument[] }> {
    const delivered: DestinationRecord[] = [];
    const failed: FailedDocument[] = [];
    const deadline = Date.now() + this.#config.retryDurationInSeconds * 1000;
    let pending = entries;
    let attempt = 0;
    while (pending.length > 0) {
      attempt += 1;
      this.#metrics.bulkRequests += 1;
      const retryable: { entry: BulkEntry; errorCode: string; errorMessage: string }[] = [];
      const fail = (entry: BulkEntry, errorCode: string, errorMessage: string) =>
        failed.push({
          record: entry.record,
          attemptsMade: attempt,
          errorCode,
          errorMessage,
          attemptEndingTimestamp: this.#clock.now(),
          esDocumentId: entry.documentId,
          esIndexName: entry.indexName,
        });
      try {
        const response = await this.#transport.bulk(bulkBody(pending));
        const items = response.items ?? [];
        if (response.errors === false && items.length === pending.length) {
          // Every item indexed: nothing to look at one by one.
          for (const entry of pending) delivered.push(entry.record);
        } else {
          for (const [index, item] of items.entries()) {
            const entry = pending[index];
            const result = item.index ?? item.create;
            if (entry === undefined || result === undefined) continue;
            if (result.status < 300) {
              delivered.push(entry.record);
            } else if (result.status === 429 || result.status >= 500) {
              retryable.push({
                entry,
                errorCode: String(result.status),
                errorMessage: JSON.stringify(result.error),
              });
            } else {
              fail(entry, String(result.status), JSON.stringify(result.error ?? { status: result.status }));
            }
          }
          for (const entry of pending.slice(items.length)) {
            retryable.push({
              entry,
              errorCode: 'ES.ServiceException',
              errorMessage: 'bulk response without item',
            });
          }
        }
      } catch (error) {
        this.#metrics.bulkRequestFailures += 1;
        const failure =
          error instanceof BulkRequestError
            ? error
            : new BulkRequestError(error instanceof Error ? error.message : String(error), {
                statusCode: undefined,
              });
        const { errorCode } = failure;
        const errorMessage = redactUrlCredentials(failure.message);
        if (failure.isRetryable) {
          for (const entry of pending) retryable.push({ entry, errorCode, errorMessage });
        } else {
          for (const entry of pending) fail(entry, errorCode, errorMessage);
        }
      }
      if (retryable.length === 0) break;
      const backoff = Math.min(100 * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      if (Date.now() + backoff > deadline) {
        this.#logger.warn('Elasticsearch retry duration exhausted', {
          documents: retryable.length,
          attempts: attempt,
          errorCode: retryable[0]?.errorCode,
        });
        for (const { entry, errorCode, errorMessage } of retryable) fail(entry, errorCode, errorMessage);
        break;
      }
      this.#logger.debug('retrying Elasticsearch bulk', { documents: retryable.length, backoffMs: backoff });
      this.#metrics.retriedDocuments += retryable.length;
      await sleep(backoff);
      pending = retryable.map(({ entry }) => entry);
    }
    return { delivered, failed };
  }
}
