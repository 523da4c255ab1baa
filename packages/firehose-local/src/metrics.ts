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
     * Seconds between a record's arrival and its delivery, for the oldest record delivered so far (the
     * Maximum statistic of CloudWatch's DataFreshness); `null` before the first delivery.
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
    processorInvocationFailures: number;
    /** Records the processor answered `Dropped`: counted, not delivered. */
    droppedRecords: number;
    /** Records written under `processing-failed/`. */
    processingFailedRecords: number;
    /** Documents written under `elasticsearch-failed/`. */
    elasticsearchFailedRecords: number;
    /** Records written to AllDocuments backup objects. */
    backedUpRecords: number;
    backupObjects: number;
    bulkRequests: number;
    /** Bulk requests answered 429, 5xx or not at all, and documents retried. */
    bulkRequestFailures: number;
    retriedDocuments: number;
    /** Accepted records not yet in Elasticsearch or a failed prefix. */
    pendingRecords: number;
    pendingBytes: number;
    /** Arrival-to-indexed time of delivered records (ms): the end-to-end latency inside the stream. */
    deliveryLatencyMs: { p50: number; p95: number; max: number; samples: number } | null;
  };
}

/** At most this many latency samples are kept (a deterministic reservoir beyond). */
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
  bulkRequests = 0;
  bulkRequestFailures = 0;
  retriedDocuments = 0;
  pendingRecords = 0;
  pendingBytes = 0;
  #latencySamples: number[] = [];
  #latencyCount = 0;
  #maxLatencyMs = 0;

  /** Records the arrival-to-delivery time of one delivered record. */
  recordDeliveryLatency(milliseconds: number): void {
    this.#latencyCount += 1;
    if (milliseconds > this.#maxLatencyMs) this.#maxLatencyMs = milliseconds;
    if (this.#latencySamples.length < MAX_LATENCY_SAMPLES) this.#latencySamples.push(milliseconds);
    else this.#latencySamples[this.#latencyCount % MAX_LATENCY_SAMPLES] = milliseconds;
  }

  #deliveryLatency(): DeliveryStreamMetrics['local']['deliveryLatencyMs'] {
    if (this.#latencyCount === 0) return null;
    const sorted = [...this.#latencySamples].sort((a, b) => a - b);
    const at = (quantile: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!;
    return { p50: at(0.5), p95: at(0.95), max: this.#maxLatencyMs, samples: this.#latencyCount };
  }

  snapshot(streamName: string): DeliveryStreamMetrics {
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
        'DeliveryToElasticsearch.DataFreshness':
          this.#latencyCount === 0 ? null : Math.round(this.#maxLatencyMs / 1000),
        'DeliveryToS3.Records': this.backupRecords,
        'DeliveryToS3.Bytes': this.backupBytes,
        'DeliveryToS3.Success': ratio(this.backupWrites - this.backupWriteFailures, this.backupWrites),
      },
      local: {
        processorInvocations: this.invocations,
        processorInvocationFailures: this.invocations - this.invocationSuccesses,
        droppedRecords: this.droppedRecords,
        processingFailedRecords: this.processingFailedRecords,
        elasticsearchFailedRecords: this.elasticsearchFailedRecords,
        backedUpRecords: this.backedUpRecords,
        backupObjects: this.backupWrites - this.backupWriteFailures,
        bulkRequests: this.bulkRequests,
        bulkRequestFailures: this.bulkRequestFailures,
        retriedDocuments: this.retriedDocuments,
        pendingRecords: this.pendingRecords,
        pendingBytes: this.pendingBytes,
        deliveryLatencyMs: this.#deliveryLatency(),
      },
    };
  }
}
