import {
  type FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandOutput,
} from '@aws-sdk/client-firehose';
import { defaultBatchLimits, type PreparedRecord, packBatches } from './batching.js';
import { type Clock, systemClock } from './clock.js';
import { FirehoseSendError, SimulationOptionsError } from './errors.js';
import { FIREHOSE_LIMITS } from './firehose-limits.js';
import { createRandom } from './random.js';
import { RateLimiter } from './rate-limiter.js';
import { SendCounters, type SendProgress, type SendSummary } from './send-summary.js';

/** A record to send: its bytes (a string is sent as UTF-8) and, optionally, its day for per-day counts. */
export interface SendableRecord {
  readonly data: string | Uint8Array;
  readonly day?: string;
}

/**
 * What became of one record: accepted by Firehose, or given up for `reason` (as in `failuresByReason`).
 * `attempts` counts the requests that carried it. `mayHaveBeenDelivered` is true when its last request got no
 * per-record answer (aborted in flight, a 5xx or network error, a malformed response): Firehose may have taken it.
 */
export type SendRecordOutcome =
  | { readonly status: 'sent'; readonly attempts: number }
  | {
      readonly status: 'failed';
      readonly reason: string;
      readonly attempts: number;
      readonly mayHaveBeenDelivered: boolean;
    };

/** Retry policy for failed entries and retryable request errors. */
export interface SendRetryOptions {
  /** Attempts per record, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. Default 100. */
  baseDelayMs?: number;
  /** Backoff cap. Default 5000. */
  maxDelayMs?: number;
}

/** Options of {@link sendToFirehose}. */
export interface SendToFirehoseOptions {
  /** The AWS SDK v3 client: real AWS (standard credentials and region) or any endpoint (`endpoint` option). */
  client: FirehoseClient;
  deliveryStreamName: string;
  records: readonly SendableRecord[];
  /** Records per second, at most; unlimited when absent. Batches are cut to one second of records. */
  rateLimitPerSecond?: number;
  /** Called after every PutRecordBatch response and final failure. */
  onProgress?: (progress: SendProgress) => void;
  /**
   * Called once for each record that was accepted or given up, with its index in `records`. A record never
   * reported was not sent (the send was aborted or stopped first): together they say exactly which records
   * to send again. It must not throw.
   */
  onRecordOutcome?: (index: number, outcome: SendRecordOutcome) => void;
  /** Stops sending: in-flight records count as failed (`Aborted`, they may have arrived), the rest as unsent. */
  signal?: AbortSignal;
  /** PutRecordBatch requests in flight at once. Default 2. */
  concurrency?: number;
  /** Records per request, at most 500. Default 500. */
  maxRecordsPerBatch?: number;
  retry?: SendRetryOptions;
  /** Time source and timer (tests). */
  clock?: Clock;
  /** Source of jitter in [0, 1) (tests). */
  random?: () => number;
}

const NON_RETRYABLE_ERRORS = new Set([
  'ResourceNotFoundException',
  'InvalidArgumentException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
  'InvalidKMSResourceException',
  'ValidationException',
  'SerializationException',
  'UnknownOperationException',
  'CredentialsProviderError',
]);

interface ErrorFacts {
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly retryable: boolean;
}

function describeError(error: unknown): ErrorFacts {
  const candidate = error as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  } | null;
  const name = typeof candidate?.name === 'string' && candidate.name !== 'Error' ? candidate.name : undefined;
  const code = typeof candidate?.code === 'string' ? candidate.code : undefined;
  const statusCode = candidate?.$metadata?.httpStatusCode;
  const errorCode = name ?? code ?? 'UnknownError';
  if (NON_RETRYABLE_ERRORS.has(errorCode)) return { code: errorCode, statusCode, retryable: false };
  if (
    statusCode !== undefined &&
    statusCode >= 400 &&
    statusCode < 500 &&
    statusCode !== 429 &&
    statusCode !== 408
  ) {
    return { code: errorCode, statusCode, retryable: false };
  }
  return { code: errorCode, statusCode, retryable: true };
}

function checkOptions(options: SendToFirehoseOptions): void {
  const problems: string[] = [];
  if (
    typeof options.deliveryStreamName !== 'string' ||
    !/^[a-zA-Z0-9_.-]{1,64}$/.test(options.deliveryStreamName)
  ) {
    problems.push(
      `deliveryStreamName must be 1-64 characters of letters, digits, _ . - (got ${JSON.stringify(options.deliveryStreamName)})`,
    );
  }
  if (!Array.isArray(options.records)) problems.push('records must be an array');
  const positive = (name: string, value: number | undefined, max: number) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= max)) {
      problems.push(`${name} must be a number above 0 and at most ${max} (got ${String(value)})`);
    }
  };
  positive('rateLimitPerSecond', options.rateLimitPerSecond, 1_000_000);
  positive('concurrency', options.concurrency, 64);
  positive('maxRecordsPerBatch', options.maxRecordsPerBatch, FIREHOSE_LIMITS.maxRecordsPerBatch);
  positive('retry.maxAttempts', options.retry?.maxAttempts, 100);
  if (options.concurrency !== undefined && !Number.isInteger(options.concurrency))
    problems.push('concurrency must be an integer');
  if (options.retry?.maxAttempts !== undefined && !Number.isInteger(options.retry.maxAttempts))
    problems.push('retry.maxAttempts must be an integer');
  if (problems.length > 0) throw new SimulationOptionsError(problems);
}

/**
 * Sends records to a Firehose delivery stream with PutRecordBatch: batches packed under the limits
 * (500 records, 4 MiB per request; a record over 1,000 KiB is counted failed, never sent), only the
 * failed entries retried (per-entry ErrorCode) with jittered exponential backoff and a bounded
 * number of attempts, an optional records/s rate limit, exact counts. Resolves with the summary,
 * even when some records failed. Throws `FirehoseSendError` (with the summary so far) when requests
 * are refused for a reason retrying cannot fix (unknown stream, access denied) or keep failing as a
 * whole, and `SimulationOptionsError` on invalid options.
 *
 * @example
 * ```ts
 * import { FirehoseClient } from '@aws-sdk/client-firehose';
 * const simulation = simulateContactTraffic({ startDate: '2024-03-04', seed: 42 });
 * const summary = await sendToFirehose({
 *   client: new FirehoseClient({ region: 'ap-southeast-2' }),
 *   deliveryStreamName: 'CTRFHStream',
 *   records: simulation.records,
 *   rateLimitPerSecond: 500,
 * });
 * console.log(summary.sent, summary.failed, summary.retried);
 * ```
 */
export async function sendToFirehose(options: SendToFirehoseOptions): Promise<SendSummary> {
  checkOptions(options);
  const clock = options.clock ?? systemClock;
  const jitter = options.random ?? createRandom((Date.now() ^ (process.pid << 16)) >>> 0).next;
  const maxAttempts = options.retry?.maxAttempts ?? 5;
  const baseDelayMs = options.retry?.baseDelayMs ?? 100;
  const maxDelayMs = options.retry?.maxDelayMs ?? 5000;
  const { client, deliveryStreamName, signal } = options;
  const startedAt = clock.now();
  const counters = new SendCounters(options.records.length);
  const limiter =
    options.rateLimitPerSecond === undefined ? undefined : new RateLimiter(options.rateLimitPerSecond, clock);
  const maxRecords = Math.min(
    options.maxRecordsPerBatch ?? FIREHOSE_LIMITS.maxRecordsPerBatch,
    limiter?.burst ?? Infinity,
  );
  for (const record of options.records) counters.registerRecord(record.day);
  const reportProgress = () => options.onProgress?.(counters.progress(clock.now() - startedAt));
  const encoder = new TextEncoder();

  let fatal: { error: unknown; facts: ErrorFacts } | undefined;
  const stopped = () => fatal !== undefined || signal?.aborted === true;

  function* prepared(): Generator<PreparedRecord> {
    for (let index = 0; index < options.records.length; index++) {
      if (stopped()) return;
      const { data, day } = options.records[index]!;
      const bytes = typeof data === 'string' ? encoder.encode(data) : data;
      if (bytes.byteLength > FIREHOSE_LIMITS.maxRecordBytes) {
        counters.recordFailed(day, 'RecordTooLarge');
        options.onRecordOutcome?.(index, {
          status: 'failed',
          reason: 'RecordTooLarge',
          attempts: 0,
          mayHaveBeenDelivered: false,
        });
        reportProgress();
        continue;
      }
      yield { index, bytes, day };
    }
  }
  const batches = packBatches(prepared(), defaultBatchLimits(deliveryStreamName, maxRecords));

  const sendBatch = async (batch: PreparedRecord[]): Promise<void> => {
    let pending = batch;
    // Until a request is made: stopped by another batch's fatal error (an abort says `Aborted` below).
    let lastReason = 'Stopped';
    let attempts = 0;
    let unanswered = false;
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) {
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2));
        try {
          await clock.sleep(jitter() * ceiling, signal);
        } catch {
          break;
        }
        for (const record of pending) counters.recordRetried(record.day);
      }
      if (fatal !== undefined || signal?.aborted) break;
      try {
        await limiter?.acquire(pending.length, signal);
      } catch {
        break;
      }
      counters.requests++;
      attempts++;
      unanswered = true;
      let response: PutRecordBatchCommandOutput;
      try {
        response = await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: deliveryStreamName,
            Records: pending.map((record) => ({ Data: record.bytes })),
          }),
          signal === undefined ? {} : { abortSignal: signal },
        );
      } catch (error) {
        if (signal?.aborted) {
          lastReason = 'Aborted';
          break;
        }
        const facts = describeError(error);
        lastReason = facts.code;
        // A 4xx is a refusal: the records were not taken. A 5xx or a network error leaves it open.
        if (facts.statusCode !== undefined && facts.statusCode >= 400 && facts.statusCode < 500)
          unanswered = false;
        if (!facts.retryable || attempt === maxAttempts) {
          fatal ??= { error, facts };
          break;
        }
        continue;
      }
      unanswered = false;
      const entries = response.RequestResponses ?? [];
      if (entries.length !== pending.length) {
        // A response that does not account for every entry cannot be trusted: resend them all.
        lastReason = 'MalformedResponse';
        unanswered = true;
        continue;
      }
      const failedEntries: PreparedRecord[] = [];
      entries.forEach((entry, position) => {
        const record = pending[position]!;
        if (entry.ErrorCode === undefined && typeof entry.RecordId === 'string') {
          counters.recordSent(record.day, record.bytes.byteLength);
          options.onRecordOutcome?.(record.index, { status: 'sent', attempts });
        } else {
          lastReason = entry.ErrorCode ?? 'MissingRecordId';
          failedEntries.push(record);
        }
      });
      pending = failedEntries;
      reportProgress();
    }
    if (pending.length > 0) {
      const reason = signal?.aborted ? 'Aborted' : lastReason;
      for (const record of pending) {
        counters.recordFailed(record.day, reason);
        options.onRecordOutcome?.(record.index, {
          status: 'failed',
          reason,
          attempts,
          mayHaveBeenDelivered: unanswered,
        });
      }
      reportProgress();
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stopped()) return;
      const next = batches.next();
      if (next.done) return;
      await sendBatch(next.value);
    }
  };
  const concurrency = options.concurrency ?? 2;
  await Promise.all(Array.from({ length: concurrency }, worker));
  const summary = counters.summary(deliveryStreamName, signal?.aborted === true, clock.now() - startedAt);
  if (fatal !== undefined && !signal?.aborted) {
    throw new FirehoseSendError({
      errorCode: fatal.facts.code,
      statusCode: fatal.facts.statusCode,
      deliveryStreamName,
      summary,
      cause: fatal.error,
    });
  }
  return summary;
}
