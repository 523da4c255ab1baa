/**
 * A delivery stream's counters. `cloudWatch` holds the metrics the tutorial checks in the Firehose console,
 * under their CloudWatch names (`*.Success` are ratios as in CloudWatch: `null` before the first attempt).
 * `local` holds the counts that make the books balance:
 * `IncomingRecords = DeliveryToElasticsearch.Records + droppedRecords + processingFailedRecords
 * + elasticsearchFailedRecords + pendingRecords`.
 */
export interface DeliveryStreamMetrics {
  streamName: string;
  cloudWatch: {
    IncomingRecords: number;
    IncomingBytes: number;
    IncomingPutRequests: number;
    ThrottledRecords: number;
    'PutRecord.Requests': number;
    'PutRecord.Bytes': number;
    'PutRecordBatch.Requests': number;
    'PutRecordBatch.Records': number;
    'PutRecordBatch.Bytes': number;
    /** Successful invocations / invocations. */
    'ExecuteProcessing.Success': number | null;
    /** Average invocation duration in ms. */
    'ExecuteProcessing.Duration': number | null;
    'SucceedProcessing.Records': number;
    'SucceedProcessing.Bytes': number;
    'DeliveryToElasticsearch.Records': number;
    'DeliveryToElasticsearch.Bytes': number;
    /** Indexed documents / documents attempted (settled). */
    'DeliveryToElasticsearch.Success': number | null;
    /**
     * CloudWatch's DataFreshness: the age in seconds, now, of the oldest record accepted but not yet delivered
     * to Elasticsearch or written to a failed prefix; `0` when nothing is pending, `null` before the first
     * record. The arrival-to-delivery time of delivered records is `local.deliveryLatencyMs`.
     */
    'DeliveryToElasticsearch.DataFreshness': number | null;
    /** Records written to the backup directory (all documents and failed ones). */
    'DeliveryToS3.Records': number;
    'DeliveryToS3.Bytes': number;
    'DeliveryToS3.Success': number | null;
  };
  local: {
    /** Lambda invocations, retries included. */
    processorInvocations: number;
    /**
     * Execution environments created (`isolation: 'worker'`): the first invocation on each is a cold start
     * (the module is imported). An environment is reused warm until an invocation times out or it crashes.
     * Always 0 in-process.
     */
    processorColdStarts: number;
    /** Execution environments alive now (at most `processor.concurrency`; 0 after `close()`). */
    processorEnvironments: number;
    processorInvocationFailures: number;
    /** Records the processor answered `Dropped`: counted, not delivered. */
    droppedRecords: number;
    /** Records written under `processing-failed/`. */
    processingFailedRecords: number;
    /** Documents written under `elasticsearch-failed/`. */
    elasticsearchFailedRecords: number;
    /** Records written to AllDocuments backup objects. */
    backedUpRecords: number;
    /**
     * Records whose AllDocuments backup copy could not be written (after every retry). Their delivery to
     * Elasticsearch is not undone: they are still counted as delivered or failed; only the backup copy is missing.
     */
    allDocumentsBackupFailedRecords: number;
    backupObjects: number;
    bulkRequests: number;
    /** Bulk requests answered 429, 5xx or not at all, and documents retried. */
    bulkRequestFailures: number;
    retriedDocuments: number;
    /** Accepted records not yet in Elasticsearch or a failed prefix. */
    pendingRecords: number;
    pendingBytes: number;
    /**
     * Arrival-to-indexed time of delivered records (ms): the end-to-end latency inside the stream. `p50` and
     * `p95` are over the most recent 100,000 delivered records; `max` and `samples` (the number of delivered
     * records measured) are over all of them. `null` before the first delivery.
     */
    deliveryLatencyMs: { p50: number; p95: number; max: number; samples: number } | null;
  };
}

/** Percentiles are computed over the most recent this-many delivery latencies (a ring buffer). */
const MAX_LATENCY_SAMPLES = 100_000;

/** The mutable counters behind `DeliveryStreamMetrics`. */
export class MetricsRecorder {
  incomingRecords = 0;
  incomingBytes = 0;
  incomingPutRequests = 0;
  throttledRecords = 0;
  putRecordRequests = 0;
  putRecordBytes = 0;
  putRecordBatchRequests = 0;
  putRecordBatchRecords = 0;
  putRecordBatchBytes = 0;
  invocations = 0;
  invocationSuccesses = 0;
  invocationDurationTotalMs = 0;
  succeedProcessingRecords = 0;
  succeedProcessingBytes = 0;
  droppedRecords = 0;
  processingFailedRecords = 0;
  deliveredRecords = 0;
  deliveredBytes = 0;
  elasticsearchFailedRecords = 0;
  backupRecords = 0;
  backupBytes = 0;
  backupWrites = 0;
  backupWriteFailures = 0;
  backedUpRecords = 0;
  allDocumentsBackupFailedRecords = 0;
  bulkRequests = 0;
  bulkRequestFailures = 0;
  retriedDocuments = 0;
  #pendingRecords = 0;
  #pendingBytes = 0;
  /** Arrival time of every pending record by record ID, in arrival order (the first entry is the oldest). */
  readonly #pendingArrivals = new Map<string, number>();
  #latencySamples: number[] = [];
  #latencyCount = 0;
  #maxLatencyMs = 0;

  get pendingRecords(): number {
    return this.#pendingRecords;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Counts one accepted record as pending until `settle` is called for it. */
  accept(recordId: string, arrivalTimestamp: number, bytes: number): void {
    this.#pendingRecords += 1;
    this.#pendingBytes += bytes;
    this.#pendingArrivals.set(recordId, arrivalTimestamp);
  }

  /** Marks accepted records as settled: delivered, dropped or written to a failed prefix. */
  settle(records: readonly { recordId: string; incomingBytes: number }[]): void {
    for (const record of records) {
      this.#pendingRecords -= 1;
      this.#pendingBytes -= record.incomingBytes;
      this.#pendingArrivals.delete(record.recordId);
    }
  }

  /** Records the arrival-to-delivery time of one delivered record. */
  recordDeliveryLatency(milliseconds: number): void {
    if (milliseconds > this.#maxLatencyMs) this.#maxLatencyMs = milliseconds;
    if (this.#latencySamples.length < MAX_LATENCY_SAMPLES) this.#latencySamples.push(milliseconds);
    else this.#latencySamples[this.#latencyCount % MAX_LATENCY_SAMPLES] = milliseconds;
    this.#latencyCount += 1;
  }

  #dataFreshnessSeconds(now: number): number | null {
    if (this.incomingRecords === 0) return null;
    let oldest: number | undefined;
    // Arrival order is clock order unless an injected clock goes backwards: take the minimum to be safe.
    for (const arrival of this.#pendingArrivals.values()) {
      if (oldest === undefined || arrival < oldest) oldest = arrival;
    }
    return oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000;
  }

  #deliveryLatency(): DeliveryStreamMetrics['local']['deliveryLatencyMs'] {
    if (this.#latencyCount === 0) return null;
    const sorted = [...this.#latencySamples].sort((a, b) => a - b);
    const at = (quantile: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!;
    return { p50: at(0.5), p95: at(0.95), max: this.#maxLatencyMs, samples: this.#latencyCount };
  }

  /** The metrics now; `now` (the stream's clock) dates DataFreshness. */
  snapshot(
    streamName: string,
    now: number,
    environments: { coldStarts: number; active: number } = { coldStarts: 0, active: 0 },
  ): DeliveryStreamMetrics {
    const ratio = (successes: number, total: number): number | null =>
      total === 0 ? null : successes / total;
    const attemptedDocuments = this.deliveredRecords + this.elasticsearchFailedRecords;
    return {
      streamName,
      cloudWatch: {
        IncomingRecords: this.incomingRecords,
        IncomingBytes: this.incomingBytes,
        IncomingPutRequests: this.incomingPutRequests,
        ThrottledRecords: this.throttledRecords,
        'PutRecord.Requests': this.putRecordRequests,
        'PutRecord.Bytes': this.putRecordBytes,
        'PutRecordBatch.Requests': this.putRecordBatchRequests,
        'PutRecordBatch.Records': this.putRecordBatchRecords,
        'PutRecordBatch.Bytes': this.putRecordBatchBytes,
        'ExecuteProcessing.Success': ratio(this.invocationSuccesses, this.invocations),
        'ExecuteProcessing.Duration':
          this.invocations === 0 ? null : this.invocationDurationTotalMs / this.invocations,
        'SucceedProcessing.Records': this.succeedProcessingRecords,
        'SucceedProcessing.Bytes': this.succeedProcessingBytes,
        'DeliveryToElasticsearch.Records': this.deliveredRecords,
        'DeliveryToElasticsearch.Bytes': this.deliveredBytes,
        'DeliveryToElasticsearch.Success': ratio(this.deliveredRecords, attemptedDocuments),
        'DeliveryToElasticsearch.DataFreshness': this.#dataFreshnessSeconds(now),
        'DeliveryToS3.Records': this.backupRecords,
        'DeliveryToS3.Bytes': this.backupBytes,
        'DeliveryToS3.Success': ratio(this.backupWrites - this.backupWriteFailures, this.backupWrites),
      },
      local: {
        processorInvocations: this.invocations,
        processorColdStarts: environments.coldStarts,
        processorEnvironments: environments.active,
        processorInvocationFailures: this.invocations - this.invocationSuccesses,
        droppedRecords: this.droppedRecords,
        processingFailedRecords: this.processingFailedRecords,
        elasticsearchFailedRecords: this.elasticsearchFailedRecords,
        backedUpRecords: this.backedUpRecords,
        allDocumentsBackupFailedRecords: this.allDocumentsBackupFailedRecords,
        backupObjects: this.backupWrites - this.backupWriteFailures,
        bulkRequests: this.bulkRequests,
        bulkRequestFailures: this.bulkRequestFailures,
        retriedDocuments: this.retriedDocuments,
        pendingRecords: this.#pendingRecords,
        pendingBytes: this.#pendingBytes,
        deliveryLatencyMs: this.#deliveryLatency(),
      },
    };
  }
}
