import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { FirehoseTransformationEvent } from './event-schema.js';
import type { FirehoseTransformLogger } from './logger.js';
import type { FirehoseTransformMetricsOptions } from './metrics.js';
import type { RecordOutcome } from './outcomes.js';
import type { FirehoseTransformationResponse } from './response-size.js';

/** A decoded input record, as `prepareBatch` and `transformRecord` see it. */
export interface FirehoseRecord<TParsed> {
  readonly recordId: string;
  /** Position in `event.records`. */
  readonly index: number;
  /** What the parser returned (JSON by default). */
  readonly data: TParsed;
  /** The decoded bytes, exactly as Firehose delivered them. */
  readonly rawData: Buffer;
  readonly approximateArrivalTimestamp: number | undefined;
  /** Present when the source is a Kinesis data stream; passed through unvalidated. */
  readonly kinesisRecordMetadata: unknown;
}

/** How the batch-level step ended. `transformRecord` receives it for every record. */
export type BatchPreparation<TPrepared> =
  | { readonly status: 'ready'; readonly value: TPrepared }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'timed_out' };

/** Passed to `prepareBatch`. */
export interface PrepareBatchContext {
  /** Aborted at `deadline`: stop waiting and return what you have. */
  readonly signal: AbortSignal;
  /** When the handler stops waiting for `prepareBatch`, in the `now` clock (epoch ms by default). */
  readonly deadline: number;
  readonly event: FirehoseTransformationEvent;
}

/** Passed to `transformRecord` with each record. */
export interface TransformRecordContext<TPrepared> {
  readonly preparation: BatchPreparation<TPrepared>;
  readonly event: FirehoseTransformationEvent;
}

/** The part of the Lambda context the handler uses. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

/** Options of `createFirehoseTransformHandler`. */
export interface FirehoseTransformOptions<TParsed = unknown, TPrepared = undefined> {
  /** Turns one parsed record into an outcome (`ok`, `dropped`, `processingFailed`). A throw is `ProcessingFailed`. */
  transformRecord: (
    record: FirehoseRecord<TParsed>,
    context: TransformRecordContext<TPrepared>,
  ) => RecordOutcome | Promise<RecordOutcome>;
  /** Runs once per invocation over every record that parsed, before any `transformRecord`. */
  prepareBatch?: (
    records: readonly FirehoseRecord<TParsed>[],
    context: PrepareBatchContext,
  ) => TPrepared | Promise<TPrepared>;
  /** Parses a record's decoded bytes. Default: strict UTF-8 + `JSON.parse`. A throw is `ProcessingFailed`. */
  parse?: (data: Buffer, record: { readonly recordId: string; readonly index: number }) => TParsed;
  /** Serialises `ok(data)` values that are not bytes. Default `JSON.stringify` (single line). */
  serialize?: (data: unknown) => string;
  /** Append `\n` to every `Ok` record (for S3 destinations). Default `false`. */
  newlineDelimiter?: boolean;
  /** Time kept free before the Lambda timeout: `prepareBatch` is cut off this long before it. Default 3000 ms. */
  safetyMarginMs?: number;
  /**
   * How long after its deadline an aborted `prepareBatch` may still settle with partial results. Default 200 ms.
   * Never past 100 ms before transforms stop (half the safety margin before the timeout).
   */
  prepareBatchGraceMs?: number;
  /** Response-size limit in bytes of JSON. Default 6,291,456 (Lambda's 6 MB). */
  maxResponseBytes?: number;
  /** Re-ingest records that do not fit in the response. Default `true`. */
  reingestOverflow?: boolean;
  /** Client for re-ingestion. Default: one `new FirehoseClient({ region: event.region })`, made on first need. */
  firehoseClient?: FirehoseClient;
  /** Stream to re-ingest into. Default: the name in `event.deliveryStreamArn`. */
  deliveryStreamName?: string;
  /** PutRecordBatch attempts per record (first try included). Default 5. */
  reingestMaxAttempts?: number;
  /** First retry's backoff ceiling, doubled per attempt, full jitter. Default 100 ms. */
  reingestBaseDelayMs?: number;
  /** Where failures and the invocation summary go. Default: JSON lines on stdout at `info`. A call that throws is ignored. */
  logger?: FirehoseTransformLogger;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Remaining time assumed when the context has no `getRemainingTimeInMillis`. Default 60,000 ms. */
  defaultRemainingTimeMs?: number;
  /** Extra fields for the summary line (e.g. cache hit rate), computed after each invocation. */
  summaryFields?: (
    preparation: BatchPreparation<TPrepared> | undefined,
    event: FirehoseTransformationEvent,
  ) => Record<string, unknown>;
  /**
   * CloudWatch metrics of every invocation (records Ok, Dropped, ProcessingFailed, overflow, bytes, durations,
   * and your own), written as one Embedded Metric Format line that CloudWatch Logs turns into metrics. Default:
   * none.
   */
  metrics?: FirehoseTransformMetricsOptions;
  /** Called with each invocation's summary after it is logged. A throw is logged; the batch is still answered. */
  onSummary?: (summary: FirehoseTransformSummary) => void;
}

/** Per-invocation figures, logged as one `info` line `firehose transform summary`. */
export interface FirehoseTransformSummary {
  readonly invocationId: string;
  readonly records: number;
  readonly ok: number;
  readonly dropped: number;
  readonly processingFailed: number;
  /** Records that did not fit in the response (each then re-ingested, or failed). */
  readonly overflow: number;
  /** Overflow records accepted by PutRecordBatch (answered `Dropped`). */
  readonly reingested: number;
  readonly reingestRequests: number;
  /** Sum of the decoded input records, in bytes. */
  readonly inputBytes: number;
  /** Exact size of the JSON response. */
  readonly responseBytes: number;
  readonly maxResponseBytes: number;
  readonly durationMs: number;
  readonly prepareBatchMs: number;
  readonly preparation: 'ready' | 'failed' | 'timed_out' | 'none';
  /** How many records failed for each reason (at most 20 distinct reasons, the rest under `other`). */
  readonly failureReasons: Readonly<Record<string, number>>;
}

/** The function Lambda invokes. */
export type FirehoseTransformHandler = (
  event: unknown,
  context?: LambdaContextLike,
) => Promise<FirehoseTransformationResponse>;
