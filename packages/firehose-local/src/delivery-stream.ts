import { randomBytes, randomUUID } from 'node:crypto';
import { BackupStore } from './backup-store.js';
import { RecordBuffer } from './buffer.js';
import type { BulkTransport } from './bulk-transport.js';
import type { Clock } from './clock.js';
import { ConcurrencyLimiter, sleep } from './concurrency-limiter.js';
import type { ResolvedDeliveryStreamConfig } from './config.js';
import {
  type DestinationRecord,
  ElasticsearchDestination,
  type FailedDocument,
} from './elasticsearch-destination.js';
import { type FirehoseLocalLogger, withoutRecordData } from './logger.js';
import { type DeliveryStreamMetrics, MetricsRecorder } from './metrics.js';
import type { ProcessorRuntime } from './processor-runtime.js';

const MEBIBYTE = 1024 * 1024;
/** Keep a Lambda request under the 6 MB synchronous payload limit (base64 plus per-record JSON). */
const LAMBDA_REQUEST_BUDGET_BYTES = 6_000_000;
const EVENT_RECORD_OVERHEAD_BYTES = 160;
/** How often a backup object write is tried, and the pause before each retry, like Firehose's S3 retries. */
export interface BackupRetryPolicy {
  attempts: number;
  backoffMs(attempt: number): number;
}

const DEFAULT_BACKUP_RETRY: BackupRetryPolicy = {
  attempts: 10,
  backoffMs: (attempt) => Math.min(200 * 2 ** attempt, 5000),
};

/** The answer for one record of a put call. */
export type PutEntryResult = { recordId: string } | { errorCode: string; errorMessage: string };

/**
 * A record as a put call carries it: its bytes, or (from the producer API) the producer's canonical base64 and
 * its decoded length, kept as they are for the Lambda event and `processing-failed/` instead of being decoded
 * and encoded again.
 */
export type ProducerRecord = Buffer | { base64: string; byteLength: number };

/** A record accepted by the stream, on its way to the processor. */
interface IncomingRecord {
  recordId: string;
  arrivalTimestamp: number;
  /** The producer's bytes in base64, as the Lambda event and `rawData` carry them. */
  data: string;
  /** The decoded size. */
  byteLength: number;
}

const byteLengthOf = (record: ProducerRecord): number =>
  Buffer.isBuffer(record) ? record.length : record.byteLength;

/** The ARN of a stream's processor function, as its Lambda context and `processing-failed/` name it. */
export function processorFunctionArn(config: ResolvedDeliveryStreamConfig): string {
  const functionName = config.processor?.functionName ?? 'firehose-local-processor';
  return `arn:aws:lambda:${config.region}:${config.accountId}:function:${functionName}`;
}

/** A processing failure in the shape of Firehose's `processing-failed/` objects. */
interface ProcessingFailure {
  record: IncomingRecord;
  attemptsMade: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
}

/** One delivery stream: buffers, processor, Elasticsearch destination, backups and counters. */
export class DeliveryStream {
  readonly config: ResolvedDeliveryStreamConfig;
  readonly arn: string;
  readonly createdAt: Date;
  readonly #processorRuntime: ProcessorRuntime | undefined;
  readonly #clock: Clock;
  readonly #logger: FirehoseLocalLogger;
  readonly #metrics = new MetricsRecorder();
  readonly #backup: BackupStore;
  readonly #destination: ElasticsearchDestination;
  readonly #processorBuffer: RecordBuffer<IncomingRecord> | undefined;
  readonly #destinationBuffer: RecordBuffer<DestinationRecord>;
  readonly #processorLimiter: ConcurrencyLimiter;
  readonly #processing = new Set<Promise<void>>();
  readonly #delivering = new Set<Promise<void>>();
  readonly #recordIdPrefix = randomBytes(24).toString('base64url');
  #recordSequence = 0;
  #putRequests = 0;
  #batchRecordsSeen = 0;
  #closing = false;
  readonly #backupRetry: BackupRetryPolicy;

  constructor(options: {
    config: ResolvedDeliveryStreamConfig;
    /** Runs the processor (in worker environments or in-process); required when `config.processor` is set. */
    processorRuntime: ProcessorRuntime | undefined;
    /** Sends the `_bulk` requests (over HTTP for `elasticsearch.url`, or through an injected client). */
    transport: BulkTransport;
    backupDirectory: string;
    clock: Clock;
    logger: FirehoseLocalLogger;
    /** Internal: tests shorten the backup retries. */
    backupRetry?: BackupRetryPolicy;
  }) {
    const { config } = options;
    this.config = config;
    this.arn = `arn:aws:firehose:${config.region}:${config.accountId}:deliverystream/${config.name}`;
    this.createdAt = new Date(options.clock.now());
    this.#processorRuntime = options.processorRuntime;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#backupRetry = options.backupRetry ?? DEFAULT_BACKUP_RETRY;
    this.#backup = new BackupStore({
      directory: options.backupDirectory,
      prefix: config.backup.prefix,
      streamName: config.name,
      clock: options.clock,
    });
    this.#destination = new ElasticsearchDestination({
      transport: options.transport,
      config: config.elasticsearch,
      clock: options.clock,
      logger: options.logger,
      metrics: this.#metrics,
    });
    this.#destinationBuffer = new RecordBuffer<DestinationRecord>({
      sizeHintBytes: config.elasticsearch.bufferingHints.sizeInMBs * MEBIBYTE,
      intervalMs: config.elasticsearch.bufferingHints.intervalInSeconds * 1000,
      emit: (records) => this.#track(this.#delivering, this.#deliver(records)),
    });
    this.#processorLimiter = new ConcurrencyLimiter(config.processor?.concurrency ?? 1);
    if (config.processor !== undefined && this.#processorRuntime !== undefined) {
      this.#processorBuffer = new RecordBuffer<IncomingRecord>({
        sizeHintBytes: config.processor.bufferSizeInMBs * MEBIBYTE,
        intervalMs: config.processor.bufferIntervalInSeconds * 1000,
        hardLimit: LAMBDA_REQUEST_BUDGET_BYTES,
        emit: (records) =>
          this.#track(
            this.#processing,
            this.#processorLimiter.run(() => this.#process(records)),
          ),
      });
    }
  }

  get name(): string {
    return this.config.name;
  }

  /** The ARN the processor's Lambda context and failed records name. */
  get lambdaArn(): string {
    return processorFunctionArn(this.config);
  }

  /** True when records go through a processor (so they are best kept in base64). */
  get hasProcessor(): boolean {
    return this.#processorBuffer !== undefined;
  }

  metrics(): DeliveryStreamMetrics {
    return this.#metrics.snapshot(
      this.config.name,
      this.#clock.now(),
      this.#processorRuntime?.environmentCounts(),
    );
  }

  /**
   * Accepts the records of one PutRecord or PutRecordBatch call. Returns `'throttled'` when the whole call
   * must be answered with ServiceUnavailableException, else one result per record.
   */
  put(
    records: readonly ProducerRecord[],
    operation: 'PutRecord' | 'PutRecordBatch',
  ): PutEntryResult[] | 'throttled' {
    const metrics = this.#metrics;
    let requestBytes = 0;
    for (const record of records) requestBytes += byteLengthOf(record);
    this.#putRequests += 1;
    // A request is always admitted into an empty stream, so no valid request is throttled forever.
    const overLimit =
      metrics.pendingBytes > 0 && metrics.pendingBytes + requestBytes > this.config.maxPendingBytes;
    if (this.#closing || this.#putRequests <= this.config.faults.throttleFirstRequests || overLimit) {
      metrics.throttledRecords += records.length;
      return 'throttled';
    }
    const results: PutEntryResult[] = [];
    let acceptedBytes = 0;
    for (const producerRecord of records) {
      if (operation === 'PutRecordBatch' && this.config.faults.failEveryNthRecord !== undefined) {
        this.#batchRecordsSeen += 1;
        if (this.#batchRecordsSeen % this.config.faults.failEveryNthRecord === 0) {
          metrics.throttledRecords += 1;
          results.push({ errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' });
          continue;
        }
      }
      const recordId = this.#nextRecordId();
      const arrivalTimestamp = this.#clock.now();
      const byteLength = byteLengthOf(producerRecord);
      acceptedBytes += byteLength;
      metrics.incomingRecords += 1;
      metrics.incomingBytes += byteLength;
      metrics.accept(recordId, arrivalTimestamp, byteLength);
      results.push({ recordId });
      if (this.#processorBuffer !== undefined) {
        const data = Buffer.isBuffer(producerRecord)
          ? producerRecord.toString('base64')
          : producerRecord.base64;
        const eventBytes = data.length + recordId.length + EVENT_RECORD_OVERHEAD_BYTES;
        this.#processorBuffer.add({ recordId, arrivalTimestamp, data, byteLength }, byteLength, eventBytes);
      } else {
        const data = Buffer.isBuffer(producerRecord)
          ? producerRecord
          : Buffer.from(producerRecord.base64, 'base64');
        this.#destinationBuffer.add(
          { recordId, arrivalTimestamp, data, incomingBytes: byteLength },
          byteLength,
        );
      }
    }
    metrics.incomingPutRequests += 1;
    if (operation === 'PutRecord') {
      metrics.putRecordRequests += 1;
      metrics.putRecordBytes += acceptedBytes;
    } else {
      metrics.putRecordBatchRequests += 1;
      metrics.putRecordBatchRecords +=
        results.length - results.filter((result) => 'errorCode' in result).length;
      metrics.putRecordBatchBytes += acceptedBytes;
    }
    return results;
  }

  /** Flushes every buffer and waits until every accepted record is settled. */
  async flush(): Promise<void> {
    for (;;) {
      this.#processorBuffer?.flush();
      await Promise.all([...this.#processing]);
      this.#destinationBuffer.flush();
      await Promise.all([...this.#delivering]);
      const idle =
        this.#processing.size === 0 &&
        this.#delivering.size === 0 &&
        (this.#processorBuffer?.isEmpty ?? true) &&
        this.#destinationBuffer.isEmpty;
      if (idle) return;
    }
  }

  /** True when no record waits in the processor buffer or in a processor invocation. */
  get processorStageIdle(): boolean {
    return this.#processing.size === 0 && (this.#processorBuffer?.isEmpty ?? true);
  }

  /**
   * Flushes the processor buffer and waits for the invocations, until the processor stage is idle. Puts are
   * still accepted meanwhile: a processor may re-ingest records (e.g. overflow) into a stream, as Firehose allows.
   */
  async drainProcessorStage(): Promise<void> {
    while (!this.processorStageIdle) {
      this.#processorBuffer?.flush();
      await Promise.all([...this.#processing]);
    }
  }

  /** From now on every put is answered ServiceUnavailableException. */
  refuseNewRecords(): void {
    this.#closing = true;
  }

  /**
   * Drains the processor stage (still accepting puts, so records the processor re-ingests are delivered), then
   * refuses new records, flushes, and stops the timers.
   */
  async close(): Promise<void> {
    await this.drainProcessorStage();
    this.refuseNewRecords();
    await this.flush();
    this.#processorBuffer?.stop();
    this.#destinationBuffer.stop();
    await this.#processorRuntime?.close();
  }

  #nextRecordId(): string {
    this.#recordSequence += 1;
    return `${this.#recordIdPrefix}${this.#recordSequence.toString(36).padStart(10, '0')}`;
  }

  #track(tasks: Set<Promise<void>>, task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => {
      this.#logger.error('internal error in the delivery stream', {
        stream: this.config.name,
        error: (error as Error).message,
      });
    });
    tasks.add(tracked);
    void tracked.finally(() => tasks.delete(tracked));
  }

  #settle(records: readonly { recordId: string; incomingBytes: number }[]): void {
    this.#metrics.settle(records);
  }

  async #process(records: IncomingRecord[]): Promise<void> {
    const processor = this.config.processor!;
    const runtime = this.#processorRuntime!;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const startedAt = performance.now();
      const check = await runtime.invoke({
        invocationId: randomUUID(),
        deliveryStreamArn: this.arn,
        region: this.config.region,
        records,
      });
      this.#metrics.invocations += 1;
      this.#metrics.invocationDurationTotalMs += performance.now() - startedAt;
      if (check.valid) {
        this.#metrics.invocationSuccesses += 1;
        await this.#routeTransformed(records, check.records, attempts);
        return;
      }
      this.#logger.warn('processor invocation failed', {
        stream: this.config.name,
        records: records.length,
        attempt: attempts,
        errorCode: check.errorCode,
        errorMessage: withoutRecordData(check.errorMessage).slice(0, 300),
      });
      if (attempts > processor.numberOfRetries) {
        const attemptEndingTimestamp = this.#clock.now();
        await this.#writeProcessingFailures(
          records.map((record) => ({
            record,
            attemptsMade: attempts,
            errorCode: check.errorCode,
            errorMessage: check.errorMessage,
            attemptEndingTimestamp,
          })),
        );
        return;
      }
      await sleep(Math.min(100 * attempts, 1000));
    }
  }

  async #routeTransformed(
    records: IncomingRecord[],
    results: Map<string, { result: string; data: Buffer }>,
    attempts: number,
  ): Promise<void> {
    const failures: ProcessingFailure[] = [];
    const attemptEndingTimestamp = this.#clock.now();
    for (const record of records) {
      const transformed = results.get(record.recordId)!;
      if (transformed.result === 'ProcessingFailed') {
        failures.push({
          record,
          attemptsMade: attempts,
          errorCode: 'Lambda.ProcessingFailedStatus',
          errorMessage: 'ProcessingFailed status set for record',
          attemptEndingTimestamp,
        });
        continue;
      }
      this.#metrics.succeedProcessingRecords += 1;
      this.#metrics.succeedProcessingBytes += transformed.data.length;
      if (transformed.result === 'Dropped') {
        this.#metrics.droppedRecords += 1;
        this.#settle([{ recordId: record.recordId, incomingBytes: record.byteLength }]);
        continue;
      }
      this.#destinationBuffer.add(
        {
          recordId: record.recordId,
          arrivalTimestamp: record.arrivalTimestamp,
          data: transformed.data,
          incomingBytes: record.byteLength,
        },
        transformed.data.length,
      );
    }
    if (failures.length > 0) await this.#writeProcessingFailures(failures);
  }

  async #writeProcessingFailures(failures: ProcessingFailure[]): Promise<void> {
    const lines = failures.map((failure) =>
      JSON.stringify({
        attemptsMade: failure.attemptsMade,
        arrivalTimestamp: failure.record.arrivalTimestamp,
        errorCode: failure.errorCode,
        errorMessage: failure.errorMessage,
        attemptEndingTimestamp: failure.attemptEndingTimestamp,
        rawData: failure.record.data,
        lambdaArn: this.lambdaArn,
      }),
    );
    await this.#writeBackup('processing-failed', lines, failures.length);
    this.#metrics.processingFailedRecords += failures.length;
    this.#settle(
      failures.map(({ record }) => ({ recordId: record.recordId, incomingBytes: record.byteLength })),
    );
  }

  /**
   * Indexes a buffer and, in AllDocuments mode, backs it up at the same time. The Elasticsearch outcome is always
   * settled, whatever happens to the backup: a failed AllDocuments write is logged and counted
   * (`allDocumentsBackupFailedRecords`) and does not undo the delivery.
   */
  async #deliver(records: DestinationRecord[]): Promise<void> {
    const allDocuments =
      this.config.backup.mode === 'AllDocuments' ? this.#writeAllDocuments(records) : Promise.resolve();
    const [destination, backup] = await Promise.allSettled([
      this.#destination.deliver(records),
      allDocuments,
    ]);
    if (backup.status === 'rejected') {
      this.#metrics.allDocumentsBackupFailedRecords += records.length;
      this.#logger.error('AllDocuments backup failed for good: these records have no backup copy', {
        stream: this.config.name,
        records: records.length,
        error: (backup.reason as Error).message,
      });
    }
    if (destination.status === 'rejected') throw destination.reason;
    const { delivered, failed } = destination.value;
    this.#metrics.deliveredRecords += delivered.length;
    const deliveredAt = this.#clock.now();
    for (const record of delivered)
      this.#metrics.recordDeliveryLatency(deliveredAt - record.arrivalTimestamp);
    this.#metrics.deliveredBytes += delivered.reduce((total, record) => total + record.data.length, 0);
    this.#settle(delivered);
    if (failed.length > 0) await this.#writeElasticsearchFailures(failed);
  }

  async #writeAllDocuments(records: DestinationRecord[]): Promise<void> {
    const parts: Buffer[] = [];
    const newline = Buffer.from('\n');
    for (const record of records) {
      parts.push(record.data);
      if (this.config.backup.appendNewline) parts.push(newline);
    }
    await this.#writeBackupBody('all-documents', Buffer.concat(parts), records.length);
    this.#metrics.backedUpRecords += records.length;
  }

  async #writeElasticsearchFailures(failures: FailedDocument[]): Promise<void> {
    const lines = failures.map((failure) =>
      JSON.stringify({
        attemptsMade: failure.attemptsMade,
        arrivalTimestamp: failure.record.arrivalTimestamp,
        errorCode: failure.errorCode,
        errorMessage: failure.errorMessage,
        attemptEndingTimestamp: failure.attemptEndingTimestamp,
        esDocumentId: failure.esDocumentId,
        esIndexName: failure.esIndexName,
        esTypeName: this.config.elasticsearch.typeName ?? '',
        rawData: failure.record.data.toString('base64'),
      }),
    );
    await this.#writeBackup('elasticsearch-failed', lines, failures.length);
    this.#metrics.elasticsearchFailedRecords += failures.length;
    this.#settle(failures.map(({ record }) => record));
  }

  async #writeBackup(
    area: 'processing-failed' | 'elasticsearch-failed',
    lines: string[],
    recordCount: number,
  ): Promise<void> {
    await this.#writeBackupBody(area, Buffer.from(`${lines.join('\n')}\n`), recordCount);
  }

  /** Writes one object, retrying like Firehose (which pauses delivery until the bucket is writable). */
  async #writeBackupBody(
    area: 'all-documents' | 'processing-failed' | 'elasticsearch-failed',
    body: Buffer,
    recordCount: number,
  ): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      this.#metrics.backupWrites += 1;
      try {
        const key = await this.#backup.writeObject(area, body);
        this.#metrics.backupRecords += recordCount;
        this.#metrics.backupBytes += body.length;
        this.#logger.debug('backup object written', { stream: this.config.name, key, records: recordCount });
        return;
      } catch (error) {
        this.#metrics.backupWriteFailures += 1;
        this.#logger.error('cannot write a backup object', {
          stream: this.config.name,
          area,
          records: recordCount,
          attempt,
          error: (error as Error).message,
        });
        if (attempt >= this.#backupRetry.attempts) throw error;
        await sleep(this.#backupRetry.backoffMs(attempt));
      }
    }
  }
}
