import {
  type FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandOutput,
} from '@aws-sdk/client-firehose';
import { defaultBatchLimits, type PreparedRecord, packBatches } from './batching.js';
import { type Clock, systemClock } from './clock.js';
import { FirehoseSendError, SendOptionsError } from './errors.js';
import { FIREHOSE_LIMITS } from './firehose-limits.js';
import { createRandom } from './random.js';
import { MAX_RATE_PER_SECOND, RateLimiter } from './rate-limiter.js';
import { isCredentialsError, UNREACHED_ERRORS } from './request-errors.js';
import { SendCounters, type SendProgress, type SendSummary } from './send-summary.js';

/** A record to send: its bytes (a string is sent as UTF-8) and, optionally, its day for per-day counts. */
export interface SendableRecord {
  readonly data: string | Uint8Array;
  readonly day?: string;
}

/**
 * What became of one record: accepted by Firehose, or given up for `reason` (as in `failuresByReason`).
 * `attempts` counts the requests that carried it, the client's own retries included (a request that found no
 * credentials to be signed with is not one).
 * `mayHaveBeenDelivered` is true when a request that carried it may have reached Firehose without a per-record
 * answer (aborted in flight, a 5xx, a reset or timeout, a malformed response; the SDK's own retries included), so
 * Firehose may have taken it; false when every request was answered for it, refused (4xx), never connected
 * (connection refused, host name not found) or never signed (no credentials).
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
  /**
   * Requests per record, the first included. Default 5. The client's own retries count too: the sender starts no
   * request once a record has had this many, but a client built with the SDK's default `maxAttempts` (3) may go
   * over by the retries of its last one. Build the client with `maxAttempts: 1`, as the bins do, to leave retrying
   * to the sender alone.
   */
  maxAttempts?: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. Default 100. */
  baseDelayMs?: number;
  /** Backoff cap. Default 5000. */
  maxDelayMs?: number;
}

/** Options of {@link sendToFirehose}. */
export interface SendToFirehoseOptions {
  /**
   * The AWS SDK v3 client: real AWS (standard credentials and region) or any endpoint (`endpoint` option). Build it
   * with `maxAttempts: 1` so that only the sender retries (per entry, with its backoff); the SDK's own retries of a
   * request are counted all the same (`requests`, `retried`, `attempts`).
   */
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
  /**
   * Stops sending: records in flight, or waiting to be retried, count as failed (`Aborted`; those in flight may have
   * arrived); records not sent yet (waiting for the rate limit included) count as unsent and get no outcome.
   */
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
  'TokenProviderError',
  'ProviderError',
]);

interface ErrorFacts {
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly retryable: boolean;
  /** No credentials to sign it with: the request was never made. */
  readonly unsigned: boolean;
  /** The request may have reached Firehose without an answer (a 5xx, a reset or timeout after it was written). */
  readonly mayHaveArrived: boolean;
  /** No connection was made: refused, or a host name that did not resolve (also every address of an AggregateError). */
  readonly unreached: boolean;
}

type ErrorShape = {
  name?: unknown;
  code?: unknown;
  errors?: unknown;
  $metadata?: { httpStatusCode?: number };
} | null;

/** A connection that was never made: refused, or a host name that did not resolve (also inside an AggregateError). */
function unreached(error: ErrorShape): boolean {
  if (typeof error?.code === 'string') return UNREACHED_ERRORS.has(error.code);
  return (
    Array.isArray(error?.errors) &&
    error.errors.length > 0 &&
    error.errors.every(
      (inner: ErrorShape) => typeof inner?.code === 'string' && UNREACHED_ERRORS.has(inner.code),
    )
  );
}

function describeError(error: unknown): ErrorFacts {
  const candidate = error as ErrorShape;
  const name = typeof candidate?.name === 'string' && candidate.name !== 'Error' ? candidate.name : undefined;
  const code = typeof candidate?.code === 'string' ? candidate.code : undefined;
  const statusCode = candidate?.$metadata?.httpStatusCode;
  const errorCode = name ?? code ?? 'UnknownError';
  const unsigned = isCredentialsError(errorCode);
  // A 4xx is a refusal: the records were not taken. A 5xx or a network error after connecting leaves it open.
  const refused = statusCode !== undefined && statusCode >= 400 && statusCode < 500;
  const neverConnected = unreached(candidate);
  const mayHaveArrived = !unsigned && !refused && !neverConnected;
  const facts = { code: errorCode, statusCode, unsigned, mayHaveArrived, unreached: neverConnected };
  if (NON_RETRYABLE_ERRORS.has(errorCode)) return { ...facts, retryable: false };
  if (refused && statusCode !== 429 && statusCode !== 408) return { ...facts, retryable: false };
  return { ...facts, retryable: true };
}

/** What the middleware saw of one `client.send`: how many requests went out, and whether one may have arrived. */
interface AttemptWatch {
  /** The send ran the command's middleware: the client is a real SDK client, not a mock of `send`. */
  started: boolean;
  /** Requests that went out for it: the SDK's own retries included (a client built with `maxAttempts` above 1). */
  attempts: number;
  /** One of them may have reached Firehose without an answer, even if a later one was refused or answered. */
  mayHaveArrived: boolean;
}

/**
 * Watches one request through the command's middleware. `finalizeRequest` at low priority runs inside the SDK's
 * retry middleware, once for every attempt it makes, after the credentials were found (a send that finds none makes
 * no attempt) and before the request is written. A client that does not run the command's middleware (a mock of
 * `send`) is judged by its final answer alone: `started` stays false.
 */
function watchAttempts(command: PutRecordBatchCommand): AttemptWatch {
  const watch: AttemptWatch = { started: false, attempts: 0, mayHaveArrived: false };
  command.middlewareStack?.add(
    (next) => async (args) => {
      watch.started = true;
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'ctrSimulatorSendWatch' },
  );
  command.middlewareStack?.add(
    (next) => async (args) => {
      watch.attempts++;
      try {
        return await next(args);
      } catch (error) {
        if (describeError(error).mayHaveArrived) watch.mayHaveArrived = true;
        throw error;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'ctrSimulatorAttemptWatch' },
  );
  return watch;
}

function checkOptions(options: SendToFirehoseOptions): void {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null)
    throw new SendOptionsError(['options must be an object']);
  const client = options.client as { send?: unknown } | undefined;
  if (typeof client !== 'object' || client === null || typeof client.send !== 'function')
    problems.push('client must be a FirehoseClient (an object with a send method)');
  if (
    typeof options.deliveryStreamName !== 'string' ||
    !/^[a-zA-Z0-9_.-]{1,64}$/.test(options.deliveryStreamName)
  ) {
    problems.push(
      `deliveryStreamName must be 1-64 characters of letters, digits, _ . - (got ${JSON.stringify(options.deliveryStreamName)})`,
    );
  }
  if (!Array.isArray(options.records)) {
    problems.push('records must be an array');
  } else {
    const bad = options.records.flatMap((record, index) => {
      const data = (record as { data?: unknown } | null)?.data;
      return typeof data === 'string' || data instanceof Uint8Array ? [] : [index];
    });
    if (bad.length > 0)
      problems.push(
        `records[].data must be a string or a Uint8Array (not so at index ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''})`,
      );
  }
  const describe = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
  const positive = (name: string, value: unknown, max: number) => {
    if (
      value !== undefined &&
      !(typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= max)
    ) {
      problems.push(`${name} must be a number above 0 and at most ${max} (got ${describe(value)})`);
    }
  };
  const integer = (name: string, value: unknown) => {
    if (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value))
      problems.push(`${name} must be an integer (got ${value})`);
  };
  const delay = (name: string, value: unknown) => {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0))
      problems.push(`${name} must be a number of milliseconds, 0 or more (got ${describe(value)})`);
  };
  const callback = (name: string, value: unknown) => {
    if (value !== undefined && typeof value !== 'function') problems.push(`${name} must be a function`);
  };
  positive('rateLimitPerSecond', options.rateLimitPerSecond, MAX_RATE_PER_SECOND);
  positive('concurrency', options.concurrency, 64);
  integer('concurrency', options.concurrency);
  positive('maxRecordsPerBatch', options.maxRecordsPerBatch, FIREHOSE_LIMITS.maxRecordsPerBatch);
  integer('maxRecordsPerBatch', options.maxRecordsPerBatch);
  const retry = options.retry as unknown;
  if (retry !== undefined && (typeof retry !== 'object' || retry === null)) {
    problems.push('retry must be an object: { maxAttempts?, baseDelayMs?, maxDelayMs? }');
  } else if (retry !== undefined) {
    positive('retry.maxAttempts', options.retry?.maxAttempts, 100);
    integer('retry.maxAttempts', options.retry?.maxAttempts);
    delay('retry.baseDelayMs', options.retry?.baseDelayMs);
    delay('retry.maxDelayMs', options.retry?.maxDelayMs);
  }
  callback('onProgress', options.onProgress);
  callback('onRecordOutcome', options.onRecordOutcome);
  callback('random', options.random);
  const signal = options.signal as { aborted?: unknown; addEventListener?: unknown } | undefined;
  if (
    signal !== undefined &&
    (typeof signal !== 'object' ||
      signal === null ||
      typeof signal.aborted !== 'boolean' ||
      typeof signal.addEventListener !== 'function')
  )
    problems.push('signal must be an AbortSignal');
  const clock = options.clock as { now?: unknown; sleep?: unknown } | undefined;
  if (
    clock !== undefined &&
    (typeof clock !== 'object' ||
      clock === null ||
      typeof clock.now !== 'function' ||
      typeof clock.sleep !== 'function')
  )
    problems.push('clock must have now() and sleep(milliseconds, signal) methods');
  if (problems.length > 0) throw new SendOptionsError(problems);
}

/**
 * Sends records to a Firehose delivery stream with PutRecordBatch: batches packed under the limits
 * (500 records, 4 MiB per request; a record over 1,000 KiB is counted failed, never sent), only the
 * failed entries retried (per-entry ErrorCode) with jittered exponential backoff and a bounded
 * number of attempts, an optional records/s rate limit, exact counts. Resolves with the summary,
 * even when some records failed. Throws `FirehoseSendError` (with the summary so far) when requests
 * are refused for a reason retrying cannot fix (unknown stream, access denied, no credentials) or keep failing
 * as a whole, and `SendOptionsError` on invalid options (before sending anything).
 *
 * @example
 * ```ts
 * import { FirehoseClient } from '@aws-sdk/client-firehose';
 * const simulation = simulateContactTraffic({ startDate: '2024-03-04', seed: 42 });
 * const summary = await sendToFirehose({
 *   client: new FirehoseClient({ region: 'ap-southeast-2', maxAttempts: 1 }),
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
    let lastReason = 'Aborted';
    // Requests that carried the records still pending (every one carried them all): the SDK's own retries included.
    let attempts = 0;
    // Whether a request for these records was made (or given to the SDK, which may find no credentials for it).
    let tried = false;
    // Whether a request carrying them may have reached Firehose without a per-record answer: it stays true.
    let mayHaveBeenDelivered = false;
    // `round` bounds the sends even when none of them reaches the wire (no attempt counted).
    for (let round = 1; round <= maxAttempts && attempts < maxAttempts && pending.length > 0; round++) {
      if (round > 1) {
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (round - 2));
        try {
          await clock.sleep(jitter() * ceiling, signal);
        } catch {
          break;
        }
      }
      if (stopped()) break;
      try {
        await limiter?.acquire(pending.length, signal);
      } catch {
        break;
      }
      // The wait may be long: another batch may have been refused for good, or the send aborted, meanwhile.
      if (stopped()) break;
      tried = true;
      const command = new PutRecordBatchCommand({
        DeliveryStreamName: deliveryStreamName,
        Records: pending.map((record) => ({ Data: record.bytes })),
      });
      const watch = watchAttempts(command);
      const carried = pending;
      // Counts the requests this send made once it is over, the SDK's own retries included: each one after the
      // first that carried these records is a retry of every one of them.
      const countRequests = (made: number) => {
        const retriesBefore = Math.max(0, attempts - 1);
        attempts += made;
        counters.requests += made;
        const retries = Math.max(0, attempts - 1) - retriesBefore;
        for (let retry = 0; retry < retries; retry++) {
          for (const record of carried) counters.recordRetried(record.day);
        }
      };
      let response: PutRecordBatchCommandOutput;
      try {
        response = await client.send(command, signal === undefined ? {} : { abortSignal: signal });
      } catch (error) {
        const facts = describeError(error);
        // A client that runs no middleware made one request, unless it found no credentials to sign it with.
        countRequests(watch.started ? watch.attempts : facts.unsigned ? 0 : 1);
        if (signal?.aborted) {
          // Aborted in flight: Firehose may have taken them (if a request went out).
          lastReason = 'Aborted';
          if (!watch.started || watch.attempts > 0) mayHaveBeenDelivered = true;
          break;
        }
        lastReason = facts.code;
        if ((facts.mayHaveArrived && (!watch.started || watch.attempts > 0)) || watch.mayHaveArrived)
          mayHaveBeenDelivered = true;
        if (!facts.retryable || round === maxAttempts || attempts >= maxAttempts) {
          fatal ??= { error, facts };
          break;
        }
        continue;
      }
      countRequests(watch.started ? watch.attempts : 1);
      // An earlier attempt of the SDK's own retries may have reached Firehose unanswered.
      if (watch.mayHaveArrived) mayHaveBeenDelivered = true;
      const entries = response.RequestResponses ?? [];
      if (entries.length !== pending.length) {
        // A response that does not account for every entry cannot be trusted: resend them all.
        lastReason = 'MalformedResponse';
        mayHaveBeenDelivered = true;
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
    // Never sent (aborted or stopped before the first request, e.g. while waiting for the rate limit): unsent.
    if (pending.length === 0 || !tried) return;
    const reason = signal?.aborted ? 'Aborted' : lastReason;
    for (const record of pending) {
      counters.recordFailed(record.day, reason);
      options.onRecordOutcome?.(record.index, {
        status: 'failed',
        reason,
        attempts,
        mayHaveBeenDelivered,
      });
    }
    reportProgress();
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
      retryable: fatal.facts.retryable,
      neverConnected: fatal.facts.unreached,
    });
  }
  return summary;
}
