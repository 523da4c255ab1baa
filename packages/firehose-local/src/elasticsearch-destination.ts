import type { Client } from '@elastic/elasticsearch';
import type { Clock } from './clock.js';
import { ConcurrencyLimiter, sleep } from './concurrency-limiter.js';
import type { ResolvedDeliveryStreamConfig } from './config.js';
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
  action: string;
  source: string;
}

const MAX_BACKOFF_MS = 5000;

/** Serializes the record as one bulk source line. Returns an error when it cannot be one. */
function toSourceLine(data: Buffer): string | { errorMessage: string } {
  const text = data.toString('utf8');
  if (text.trim() === '') {
    return {
      errorMessage: JSON.stringify({
        type: 'mapper_parsing_exception',
        reason: 'failed to parse, document is empty',
      }),
    };
  }
  // A newline outside a JSON string is whitespace; inside one it is already invalid JSON. Replacing it keeps
  // the bulk framing intact and lets Elasticsearch judge the document itself.
  return /[\r\n]/.test(text) ? text.replace(/\r\n|\r|\n/g, ' ') : text;
}

/** Delivers records to Elasticsearch with `_bulk`, retrying 429 and 5xx within the retry duration. */
export class ElasticsearchDestination {
  readonly #client: Client;
  readonly #config: ResolvedDeliveryStreamConfig['elasticsearch'];
  readonly #clock: Clock;
  readonly #logger: FirehoseLocalLogger;
  readonly #metrics: MetricsRecorder;
  readonly #limiter: ConcurrencyLimiter;

  constructor(options: {
    client: Client;
    config: ResolvedDeliveryStreamConfig['elasticsearch'];
    clock: Clock;
    logger: FirehoseLocalLogger;
    metrics: MetricsRecorder;
  }) {
    this.#client = options.client;
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
      if (typeof source !== 'string') {
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
      const entryBytes = action.length + Buffer.byteLength(source) + 2;
      if (
        chunk.length > 0 &&
        (chunkBytes + entryBytes > this.#config.bulk.maxBytes ||
          chunk.length >= this.#config.bulk.maxDocuments)
      ) {
        chunks.push(chunk);
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push({ record, indexName, documentId, action, source });
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
        const operations = pending.flatMap((entry) => [entry.action, entry.source]);
        const response = await this.#client.bulk<string>({ operations }, { maxRetries: 0 });
        for (const [index, item] of response.items.entries()) {
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
        if (response.items.length !== pending.length) {
          for (const entry of pending.slice(response.items.length)) {
            retryable.push({
              entry,
              errorCode: 'ES.ServiceException',
              errorMessage: 'bulk response without item',
            });
          }
        }
      } catch (error) {
        this.#metrics.bulkRequestFailures += 1;
        const statusCode = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
        const body = (error as { meta?: { body?: unknown } }).meta?.body;
        const errorMessage = redactUrlCredentials(
          body !== undefined && body !== null && body !== ''
            ? typeof body === 'string'
              ? body
              : JSON.stringify(body)
            : (error as Error).message,
        );
        if (statusCode === undefined || statusCode === 429 || statusCode >= 500) {
          const errorCode = statusCode === undefined ? 'ES.ConnectionFailed' : String(statusCode);
          for (const entry of pending) retryable.push({ entry, errorCode, errorMessage });
        } else {
          for (const entry of pending) fail(entry, String(statusCode), errorMessage);
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
