import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { type Clock, wallClock } from './clock.js';
import { FirehoseSendError, SendOptionsError } from './errors.js';
import type { LiveRecords } from './live-traffic.js';
import type { SimulatedRecord } from './record-types.js';
import {
  addSendSummaries,
  emptySendSummary,
  type SendSummary,
  unsentSummary,
  withoutRecords,
} from './send-summary.js';
import { type SendRecordOutcome, type SendRetryOptions, sendToFirehose } from './send-to-firehose.js';

/** Where a live send stands: after every batch, and when it starts waiting for the next record. */
export interface LiveSendProgress {
  /** The counts so far. */
  readonly summary: SendSummary;
  /** LastUpdateTimestamp of the last record that came due. */
  readonly lastRecordAt: string | undefined;
  /** LastUpdateTimestamp of the record waited for, when waiting. */
  readonly nextRecordAt: string | undefined;
}

/** Why a live send ended: `refused` is only seen on the summary of a `FirehoseSendError`. */
export type LiveSendEnd = 'until' | 'stopped' | 'aborted' | 'records-exhausted' | 'refused';

/** What {@link sendLiveTraffic} did: the counts of every record that came due, and why it ended. */
export interface LiveSendSummary extends SendSummary {
  readonly endedBy: LiveSendEnd;
}

/** Options of {@link sendLiveTraffic}. */
export interface SendLiveTrafficOptions {
  client: FirehoseClient;
  deliveryStreamName: string;
  /**
   * Records in delivery order (a live simulation's), each sent once the clock reaches its LastUpdateTimestamp. When
   * they have a `generateAhead` method (a live simulation's do), it is called in slices while waiting.
   */
  records: Iterable<SimulatedRecord> | LiveRecords;
  /** Epoch milliseconds to end at; without it the send ends when `stop` or `abort` fires, or the records end. */
  until?: number;
  /** Ends the send gently: no new batch is started, the one in flight finishes (its retries included). */
  stop?: AbortSignal;
  /** Ends it now: records in flight count as failed (`Aborted`), as with `sendToFirehose`'s `signal`. */
  abort?: AbortSignal;
  /** Called with each batch of records that came due, before it is sent (a ground truth of what was sent). */
  onDue?: (records: readonly SimulatedRecord[]) => void;
  /** Called once for each record accepted or given up (see `sendToFirehose`); the record itself is given. */
  onRecordOutcome?: (record: SimulatedRecord, outcome: SendRecordOutcome) => void;
  onProgress?: (progress: LiveSendProgress) => void;
  /** PutRecordBatch requests in flight at once within a batch. Default 2. */
  concurrency?: number;
  retry?: SendRetryOptions;
  /** Time source (epoch milliseconds) and timer, for tests. Default the system's wall clock. */
  clock?: Clock;
  /** Source of jitter in [0, 1) (tests). */
  random?: () => number;
}

/** Waits are cut into pieces of at most this, so a stop is noticed and a long wait never overflows a timer. */
const MAX_WAIT_MS = 60_000;

/** A slice of generating ahead: the longest a wait is held up by it, and so the shortest wait that gets one. */
const GENERATE_SLICE_MS = 10;

function checkOptions(options: SendLiveTrafficOptions): void {
  const problems: string[] = [];
  const records = (options as { records?: unknown } | null)?.records as {
    [Symbol.iterator]?: unknown;
  } | null;
  if (typeof records !== 'object' || records === null || typeof records[Symbol.iterator] !== 'function')
    problems.push('records must be an iterable of simulated records (simulateLiveTraffic(...).records)');
  const until = options?.until as unknown;
  if (until !== undefined && !(typeof until === 'number' && Number.isFinite(until)))
    problems.push(`until must be epoch milliseconds (got ${String(until)})`);
  for (const name of ['stop', 'abort'] as const) {
    const signal = options?.[name] as { aborted?: unknown } | undefined;
    if (signal !== undefined && (typeof signal !== 'object' || typeof signal?.aborted !== 'boolean'))
      problems.push(`${name} must be an AbortSignal`);
  }
  for (const name of ['onDue', 'onRecordOutcome', 'onProgress'] as const) {
    if (options?.[name] !== undefined && typeof options[name] !== 'function')
      problems.push(`${name} must be a function`);
  }
  if (problems.length > 0) throw new SendOptionsError(problems);
}

/**
 * Sends traffic as it happens: each record when the clock reaches its LastUpdateTimestamp, the records that came due
 * together in one `sendToFirehose` call (batches packed under the limits, only failed entries retried). Resolves
 * with the counts of every record that came due when `until` is reached, `stop` or `abort` fires, or the records
 * end. A batch that keeps failing for a reason that may pass (throttling, a 5xx, an endpoint that went away) is
 * counted failed and the send goes on. Throws `FirehoseSendError` (with the counts so far) when Firehose refuses the
 * requests for a reason retrying cannot fix, and `SendOptionsError` on invalid options.
 *
 * @example
 * ```ts
 * const live = simulateLiveTraffic({ from: Date.now(), contactsPerDay: 2000 });
 * const stop = new AbortController();
 * process.once('SIGINT', () => stop.abort());
 * const summary = await sendLiveTraffic({ client, deliveryStreamName: 'CTRFHStream', records: live.records, stop: stop.signal });
 * ```
 */
export async function sendLiveTraffic(options: SendLiveTrafficOptions): Promise<LiveSendSummary> {
  checkOptions(options);
  const clock = options.clock ?? wallClock;
  const { client, deliveryStreamName, until, stop, abort } = options;
  const startedAt = clock.now();
  let total = emptySendSummary(deliveryStreamName);
  let lastRecordAt: string | undefined;
  const iterator = options.records[Symbol.iterator]();
  let next = iterator.next();
  const dueAt = (record: SimulatedRecord) => Date.parse(record.record.LastUpdateTimestamp);
  const report = (nextRecordAt: string | undefined) =>
    options.onProgress?.({ summary: total, lastRecordAt, nextRecordAt });
  const records = options.records as Partial<LiveRecords>;
  const generateAhead =
    typeof records.generateAhead === 'function' ? records.generateAhead.bind(records) : undefined;
  // The record a wait was last reported for: the slices of generating ahead report a wait once.
  let reportedWait: SimulatedRecord | undefined;
  // Records that came due but were never attempted: an outage stopped the call that carried them. They go first
  // in the next call, and are counted (and given to onDue) once: as unsent if the send ends first.
  let carried: SimulatedRecord[] = [];
  const finish = (endedBy: LiveSendEnd): LiveSendSummary => ({
    ...addSendSummaries(total, unsentSummary(deliveryStreamName, carried)),
    aborted: abort?.aborted === true,
    durationMs: clock.now() - startedAt,
    endedBy,
  });
  // Either signal ends a wait at once.
  const waitController = new AbortController();
  const endWait = () => waitController.abort();
  stop?.addEventListener('abort', endWait, { once: true });
  abort?.addEventListener('abort', endWait, { once: true });
  try {
    for (;;) {
      if (abort?.aborted) return finish('aborted');
      if (stop?.aborted) return finish('stopped');
      if (next.done && carried.length === 0) return finish('records-exhausted');
      const now = clock.now();
      if (until !== undefined && now >= until) return finish('until');
      if (!next.done && carried.length === 0 && dueAt(next.value) > now) {
        if (reportedWait !== next.value) report(next.value.record.LastUpdateTimestamp);
        const wake = Math.min(dueAt(next.value), until ?? Number.POSITIVE_INFINITY, now + MAX_WAIT_MS);
        // Idle: the live simulation's next day is generated meanwhile, a slice at a time between timers and I/O, so
        // that it is ready when its first record is asked for.
        if (wake - now > GENERATE_SLICE_MS && generateAhead?.(GENERATE_SLICE_MS)) {
          reportedWait = next.value;
          await clock.sleep(0, waitController.signal).catch(() => undefined);
          continue;
        }
        reportedWait = undefined;
        await clock.sleep(wake - now, waitController.signal).catch(() => undefined);
        continue;
      }
      const fresh: SimulatedRecord[] = [];
      while (!next.done && dueAt(next.value) <= now) {
        fresh.push(next.value);
        next = iterator.next();
      }
      if (fresh.length > 0) {
        lastRecordAt = fresh[fresh.length - 1]!.record.LastUpdateTimestamp;
        options.onDue?.(fresh);
      }
      const due = [...carried, ...fresh];
      carried = [];
      const attempted = new Uint8Array(due.length);
      const onRecordOutcome = options.onRecordOutcome;
      try {
        const part = await sendToFirehose({
          client,
          deliveryStreamName,
          records: due,
          ...(abort === undefined ? {} : { signal: abort }),
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.retry === undefined ? {} : { retry: options.retry }),
          ...(options.random === undefined ? {} : { random: options.random }),
          onRecordOutcome: (index, outcome) => {
            attempted[index] = 1;
            onRecordOutcome?.(due[index]!, outcome);
          },
          clock,
        });
        total = addSendSummaries(total, part);
      } catch (error) {
        if (!(error instanceof FirehoseSendError)) throw error;
        // An outage (throttling, 5xx, the endpoint restarting) fails the records it was carrying, counted, and the
        // run goes on: it may be meant to last days. A refusal retrying cannot fix ends it, and so does an endpoint
        // that was never reached at all (a wrong URL or host name is no outage).
        const neverReached = total.sent === 0 && error.neverConnected;
        if (error.retryable && !neverReached) {
          carried = due.filter((_, index) => attempted[index] === 0);
          total = addSendSummaries(total, withoutRecords(error.summary, carried));
          report(undefined);
          continue;
        }
        total = addSendSummaries(total, error.summary);
        throw new FirehoseSendError({
          errorCode: error.errorCode,
          statusCode: error.statusCode,
          deliveryStreamName,
          summary: finish('refused'),
          cause: error.cause,
          retryable: false,
          neverConnected: error.neverConnected,
        });
      }
      report(undefined);
    }
  } finally {
    stop?.removeEventListener('abort', endWait);
    abort?.removeEventListener('abort', endWait);
  }
}
