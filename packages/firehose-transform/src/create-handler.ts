import { FirehoseClient } from '@aws-sdk/client-firehose';
import { decodeStrictBase64 } from './base64.js';
import { deliveryStreamNameFromArn } from './delivery-stream.js';
import { RecordParseError } from './errors.js';
import { type FirehoseTransformationEvent, parseFirehoseTransformationEvent } from './event-schema.js';
import { createJsonLogger, type FirehoseTransformLogger } from './logger.js';
import { embeddedMetricsLine } from './metrics.js';
import { checkTransformOptions } from './options.js';
import type { FirehoseRecordResult, RecordOutcome } from './outcomes.js';
import { parseJsonRecord } from './parse.js';
import { FIREHOSE_MAX_RECORD_BYTES, reingestRecords } from './reingest.js';
import {
  ENTRY_FIXED_BYTES,
  type FirehoseTransformationResponse,
  type FirehoseTransformationResultRecord,
  jsonStringBytes,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  metadataBytes,
  RESPONSE_ENVELOPE_BYTES,
} from './response-size.js';
import type {
  BatchPreparation,
  FirehoseRecord,
  FirehoseTransformHandler,
  FirehoseTransformOptions,
  FirehoseTransformSummary,
  LambdaContextLike,
} from './types.js';

const MAX_RECORD_LOG_LINES = 100;
/**
 * However small the safety margin, an abandoned `prepareBatch` is given up at least this long before the
 * point where transforms stop (half the margin before the Lambda timeout), so the records are still
 * transformed and answered in time.
 */
const PREPARE_GIVE_UP_FLOOR_MS = 100;
const MAX_REASON_KEYS = 20;
/** Fields the JSON logger writes on every line: a summary field of your own must not replace them. */
const LOG_LINE_FIELDS: ReadonlySet<string> = new Set(['level', 'time', 'message']);
const NEWLINE = Buffer.from('\n');
const NEWLINE_BYTE = 0x0a;
/** Serialised text up to this many UTF-16 code units is encoded through the scratch buffer (192 KiB). */
const SCRATCH_MAX_CHARS = 64 * 1024;

/**
 * Per-record working state. The answer's entry object is built once, at the end; until then a slot
 * holds its result, data and exact entry sizes, so the response is counted from lengths.
 */
interface Slot {
  readonly recordId: string;
  /** Base64 of the original data, as received. */
  readonly originalData: string;
  readonly rawData: Buffer | undefined;
  result: FirehoseRecordResult;
  /** The answer's `data`: base64 of the new bytes (Ok), `''` (Dropped) or `originalData` (ProcessingFailed). */
  data: string;
  /** Present on an Ok answer with partition keys. */
  metadata: FirehoseTransformationResultRecord['metadata'];
  /** Exact size of the current entry as `JSON.stringify` writes it (no separating comma). */
  bytes: number;
  /** Exact size of this record's entry without its result and data values: `{"recordId":<id>,"result":"","data":}`. */
  readonly baseBytes: number;
  /** Exact size of this record answered Dropped. */
  readonly droppedBytes: number;
  /** Exact size of this record answered ProcessingFailed with its original data. */
  readonly failedBytes: number;
  reason: string | undefined;
}

/**
 * Wraps a per-record transform into an Amazon Data Firehose data-transformation Lambda handler that
 * answers every recordId exactly once, in input order, on time and within Lambda's 6 MB response limit.
 *
 * @throws {FirehoseTransformOptionsError} when the options are unusable (no object, a callback that is not a
 *   function, a number that is not a finite number in range, metrics without a namespace...), listing every
 *   problem.
 * @example
 * ```ts
 * import { createFirehoseTransformHandler, dropped, ok, processingFailed } from '@ctr-stream/firehose-transform';
 *
 * export const handler = createFirehoseTransformHandler<{ level?: string; message?: string }>({
 *   transformRecord: (record) => {
 *     if (typeof record.data !== 'object' || record.data === null) return processingFailed('expected a JSON object');
 *     if (record.data.level === 'debug') return dropped('debug line');
 *     return ok({ ...record.data, receivedAt: record.approximateArrivalTimestamp });
 *   },
 * });
 * ```
 */
export function createFirehoseTransformHandler<TParsed = unknown, TPrepared = undefined>(
  options: FirehoseTransformOptions<TParsed, TPrepared>,
): FirehoseTransformHandler {
  // Before any default is taken: a JavaScript caller may pass anything (no options, '60000', parse: 'json').
  checkTransformOptions(options);
  const safetyMarginMs = options.safetyMarginMs ?? 3_000;
  const graceMs = options.prepareBatchGraceMs ?? 200;
  const maxResponseBytes = options.maxResponseBytes ?? LAMBDA_RESPONSE_LIMIT_BYTES;
  const maxAttempts = options.reingestMaxAttempts ?? 5;
  const baseDelayMs = options.reingestBaseDelayMs ?? 100;
  const now = options.now ?? Date.now;
  // A logger that throws (a broken sink, a bad custom logger) must never fail the batch.
  const logger = neverThrowingLogger(options.logger ?? createJsonLogger());
  const parse = options.parse ?? (parseJsonRecord as (data: Buffer) => TParsed);
  const serialize = options.serialize ?? JSON.stringify;
  const newline = options.newlineDelimiter ?? false;
  const reingestOverflow = options.reingestOverflow ?? true;
  const defaultRemainingTimeMs = options.defaultRemainingTimeMs ?? 60_000;
  const writeMetrics = options.metrics?.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  let defaultClient: FirehoseClient | undefined;
  let warnedAboutMargin = false;
  let scratch: Buffer | undefined;

  return async function firehoseTransformHandler(
    rawEvent: unknown,
    context?: LambdaContextLike,
  ): Promise<FirehoseTransformationResponse> {
    const startedAt = now();
    const event = parseFirehoseTransformationEvent(rawEvent);
    const remaining =
      typeof context?.getRemainingTimeInMillis === 'function'
        ? context.getRemainingTimeInMillis()
        : defaultRemainingTimeMs;
    const endsAt = startedAt + remaining;
    // A margin the invocation's whole time does not cover (a misconfiguration) would leave no time for any record
    // (every one ProcessingFailed): half the time is used instead, and the misconfiguration said once.
    let marginMs = safetyMarginMs;
    if (safetyMarginMs >= remaining) {
      marginMs = remaining / 2;
      if (!warnedAboutMargin) {
        warnedAboutMargin = true;
        logger.warn(
          'safetyMarginMs is not under the time the invocation has: half of that time is used instead',
          {
            invocationId: event.invocationId,
            safetyMarginMs,
            remainingMs: remaining,
          },
        );
      }
    }
    const hardDeadline = endsAt - marginMs / 2;
    // prepareBatch is abandoned at its deadline plus the grace period, but never later than just before
    // the hard deadline: a small margin must not push the answer past the Lambda timeout.
    const prepareGiveUpAt = Math.min(endsAt - marginMs + graceMs, hardDeadline - PREPARE_GIVE_UP_FLOOR_MS);
    const prepareDeadline = Math.min(endsAt - marginMs, prepareGiveUpAt);

    // 1. Decode and parse every record.
    const inputs = event.records;
    const slots: Slot[] = [];
    const parsedRecords: FirehoseRecord<TParsed>[] = [];
    let inputBytes = 0;
    for (let index = 0; index < inputs.length; index++) {
      const input = inputs[index]!;
      const rawData = decodeStrictBase64(input.data);
      // Data we decoded is canonical base64, so its JSON string is its length plus the quotes.
      const originalBytes = rawData === undefined ? jsonStringBytes(input.data) : input.data.length + 2;
      const baseBytes = jsonStringBytes(input.recordId) + ENTRY_FIXED_BYTES;
      const failedBytes = baseBytes + PROCESSING_FAILED_LENGTH + originalBytes;
      const slot: Slot = {
        recordId: input.recordId,
        originalData: input.data,
        rawData,
        result: 'ProcessingFailed',
        data: input.data,
        metadata: undefined,
        bytes: failedBytes,
        baseBytes,
        droppedBytes: baseBytes + DROPPED_LENGTH + 2,
        failedBytes,
        reason: undefined,
      };
      slots.push(slot);
      if (rawData === undefined) {
        slot.reason = 'data is not valid base64';
        continue;
      }
      inputBytes += rawData.length;
      let data: TParsed;
      try {
        data = parse(rawData, { recordId: input.recordId, index });
      } catch (error) {
        slot.reason =
          error instanceof RecordParseError ? error.message : `parse failed: ${describeError(error)}`;
        continue;
      }
      parsedRecords.push({
        recordId: input.recordId,
        index,
        data,
        rawData,
        approximateArrivalTimestamp: input.approximateArrivalTimestamp,
        kinesisRecordMetadata: input.kinesisRecordMetadata,
      });
    }

    // 2. The batch-level step, cut off at its deadline.
    const prepareStartedAt = now();
    let preparation: BatchPreparation<TPrepared> | undefined;
    if (options.prepareBatch !== undefined && parsedRecords.length > 0) {
      preparation = await runPrepareBatch(
        options.prepareBatch,
        parsedRecords,
        event,
        prepareDeadline,
        prepareGiveUpAt,
      );
      if (preparation.status === 'failed') {
        logger.warn('prepareBatch failed; records are transformed without its result', {
          invocationId: event.invocationId,
          error: describeError(preparation.error),
        });
      } else if (preparation.status === 'timed_out') {
        logger.warn('prepareBatch did not finish before its deadline; records are transformed without it', {
          invocationId: event.invocationId,
          remainingMs: Math.round(endsAt - now()),
        });
      }
    }
    const prepareBatchMs = now() - prepareStartedAt;
    const transformContext = {
      preparation: preparation ?? ({ status: 'ready', value: undefined } as BatchPreparation<TPrepared>),
      event,
    };

    // 3. Transform each record, in order.
    for (const record of parsedRecords) {
      const slot = slots[record.index]!;
      if (now() >= hardDeadline) {
        slot.reason = 'deadline reached before this record was transformed';
        continue;
      }
      let outcome: RecordOutcome;
      try {
        const returned = options.transformRecord(record, transformContext);
        outcome = isPromiseLike(returned) ? await withDeadline(returned, hardDeadline) : returned;
      } catch (error) {
        slot.reason =
          error instanceof DeadlineReached
            ? 'deadline reached while transforming this record'
            : `transformRecord threw ${describeError(error)}`;
        continue;
      }
      try {
        applyOutcome(slot, outcome);
      } catch (error) {
        // e.g. partitionKeys JSON cannot count (BigInt) or a getter that throws: this record only.
        fail(slot, `could not use the outcome of transformRecord: ${describeError(error)}`);
      }
    }

    // 4. Keep the response within the limit; re-ingest or fail what does not fit.
    let total = RESPONSE_ENVELOPE_BYTES + Math.max(0, slots.length - 1);
    for (const slot of slots) total += slot.bytes;
    const overflow: number[] = [];
    let reingested = 0;
    let reingestRequests = 0;
    if (total > maxResponseBytes) {
      const streamName = options.deliveryStreamName ?? deliveryStreamNameFromArn(event.deliveryStreamArn);
      // Why an Ok record that does not fit could not be re-ingested (undefined: it can be).
      const noReingestReason = (slot: Slot): string | undefined => {
        const alone = RESPONSE_ENVELOPE_BYTES + slot.bytes;
        if (alone > maxResponseBytes)
          return `transformed record is ${alone} bytes of response alone, over the ${maxResponseBytes}-byte limit`;
        if (event.sourceKinesisStreamArn !== undefined)
          return 'response size limit reached; not re-ingested because the source is a Kinesis data stream';
        if (!reingestOverflow) return 'response size limit reached and re-ingestion is disabled';
        if (streamName === undefined)
          return 'response size limit reached; no delivery stream name to re-ingest into (set deliveryStreamName)';
        if ((slot.rawData?.length ?? 0) > FIREHOSE_MAX_RECORD_BYTES)
          return `response size limit reached; record is over Firehose's ${FIREHOSE_MAX_RECORD_BYTES}-byte record limit`;
        return undefined;
      };
      // The smallest answer each Ok record can get: its Ok answer, or if that does not fit, Dropped when
      // re-ingestion is possible, else ProcessingFailed with its original data (which may be larger than the Ok
      // answer: a record the transform compacted keeps it). First fit, in input order.
      const fallbackReasons = new Map<number, string | undefined>();
      const reserved = new Map<number, number>();
      let budget = maxResponseBytes - RESPONSE_ENVELOPE_BYTES - Math.max(0, slots.length - 1);
      for (let index = 0; index < slots.length; index++) {
        const slot = slots[index]!;
        if (slot.result !== 'Ok') {
          budget -= slot.bytes;
          continue;
        }
        const reason = noReingestReason(slot);
        fallbackReasons.set(index, reason);
        const smallest = Math.min(slot.bytes, reason === undefined ? slot.droppedBytes : slot.failedBytes);
        reserved.set(index, smallest);
        budget -= smallest;
      }
      for (let index = 0; index < slots.length; index++) {
        const slot = slots[index]!;
        if (slot.result !== 'Ok') continue;
        const extra = slot.bytes - reserved.get(index)!;
        if (extra === 0 || extra <= budget) budget -= extra;
        else overflow.push(index);
      }
      const toReingest: Slot[] = [];
      for (const index of overflow) {
        const slot = slots[index]!;
        const reason = fallbackReasons.get(index);
        if (reason === undefined) toReingest.push(slot);
        else fail(slot, reason);
      }
      if (toReingest.length > 0 && streamName !== undefined) {
        if (options.firehoseClient === undefined && defaultClient === undefined) {
          defaultClient = new FirehoseClient({ region: event.region });
        }
        const client = options.firehoseClient ?? defaultClient!;
        const report = await reingestRecords(
          toReingest.map((slot) => slot.rawData!),
          { client, deliveryStreamName: streamName, deadline: hardDeadline, maxAttempts, baseDelayMs, now },
        );
        reingestRequests = report.requests;
        report.outcomes.forEach((outcome, position) => {
          const slot = toReingest[position]!;
          if (outcome.ok) {
            reingested++;
            drop(slot, 'response size limit reached; re-ingested into the delivery stream');
          } else fail(slot, outcome.reason);
        });
        logger.info('overflow records re-ingested', {
          invocationId: event.invocationId,
          deliveryStreamName: streamName,
          overflow: toReingest.length,
          reingested,
          requests: report.requests,
        });
      }
      // Records whose re-ingestion failed now carry their original data: make room by failing Ok
      // records (last first) whose failed answer is smaller than their Ok answer.
      total = RESPONSE_ENVELOPE_BYTES + Math.max(0, slots.length - 1);
      for (const slot of slots) total += slot.bytes;
      for (let index = slots.length - 1; index >= 0 && total > maxResponseBytes; index--) {
        const slot = slots[index]!;
        if (slot.result !== 'Ok') continue;
        const before = slot.bytes;
        if (slot.failedBytes >= before) continue;
        fail(slot, 'response size limit reached after re-ingestion of other records failed');
        total += slot.failedBytes - before;
      }
      if (total > maxResponseBytes) {
        logger.error('response exceeds the size limit even with overflow records failed', {
          invocationId: event.invocationId,
          maxResponseBytes,
          responseBytes: total,
        });
      }
    }

    // 5. Answer, log, summarise: each entry object is built once, here.
    const records: FirehoseTransformationResultRecord[] = [];
    const counts = { Ok: 0, Dropped: 0, ProcessingFailed: 0 };
    const failureReasons: Record<string, number> = {};
    let reasonKeys = 0;
    let logged = 0;
    for (let index = 0; index < slots.length; index++) {
      const slot = slots[index]!;
      records.push(
        slot.metadata === undefined
          ? { recordId: slot.recordId, result: slot.result, data: slot.data }
          : { recordId: slot.recordId, result: slot.result, data: slot.data, metadata: slot.metadata },
      );
      counts[slot.result]++;
      if (slot.result !== 'ProcessingFailed') {
        if (slot.result === 'Dropped' && slot.reason !== undefined && logged++ < MAX_RECORD_LOG_LINES) {
          logger.debug('record dropped', { recordId: slot.recordId, index, reason: slot.reason });
        }
        continue;
      }
      const reason = slot.reason ?? 'unknown';
      slot.reason = reason;
      let key = reason;
      if (!Object.hasOwn(failureReasons, reason)) {
        if (reasonKeys < MAX_REASON_KEYS) reasonKeys++;
        else key = 'other';
      }
      countReason(failureReasons, key);
      if (logged++ < MAX_RECORD_LOG_LINES) {
        logger.warn('record processing failed', {
          invocationId: event.invocationId,
          recordId: slot.recordId,
          index,
          reason,
        });
      }
    }
    const summary: FirehoseTransformSummary = {
      invocationId: event.invocationId,
      records: slots.length,
      ok: counts.Ok,
      dropped: counts.Dropped,
      processingFailed: counts.ProcessingFailed,
      overflow: overflow.length,
      reingested,
      reingestRequests,
      inputBytes,
      responseBytes: total,
      maxResponseBytes,
      durationMs: now() - startedAt,
      prepareBatchMs,
      preparation: preparation?.status ?? 'none',
      failureReasons,
    };
    const extra = summaryFieldsOf(preparation, event);
    // The built-in fields win: a field of your own with the same name (or the logger's `level`, `time`,
    // `message`) is left out and logged, like an extra metric that reuses a name.
    const summaryLine: Record<string, unknown> = { ...summary };
    const leftOutFields: string[] = [];
    for (const [name, value] of Object.entries(extra)) {
      if (Object.hasOwn(summary, name) || LOG_LINE_FIELDS.has(name)) leftOutFields.push(name);
      else
        Object.defineProperty(summaryLine, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    logger.info('firehose transform summary', summaryLine);
    if (leftOutFields.length > 0) {
      logger.warn('summary fields left out: they reuse the name of a built-in field', {
        invocationId: event.invocationId,
        fields: leftOutFields,
      });
    }
    if (options.metrics !== undefined) {
      try {
        const { line, leftOut } = embeddedMetricsLine(options.metrics, summary, extra, now());
        writeMetrics(line);
        if (leftOut.length > 0) {
          logger.warn('metrics left out: not a finite number, a reserved or repeated name, or over 100', {
            invocationId: event.invocationId,
            metrics: leftOut,
          });
        }
      } catch (error) {
        // Metrics are a report: never a reason to fail the batch.
        logger.error('cannot write the metrics line', {
          invocationId: event.invocationId,
          error: describeError(error),
        });
      }
    }
    try {
      options.onSummary?.(summary);
    } catch (error) {
      // Every record is answered (and overflow may be re-ingested): failing the batch now would make
      // Firehose retry it and deliver the re-ingested records twice.
      logger.error('onSummary threw; the batch is answered anyway', {
        invocationId: event.invocationId,
        error: describeError(error),
      });
    }
    return { records };
  };

  /** What `summaryFields` returned, as a copy; its error, or a result that is no object, as `summaryFieldsError`. */
  function summaryFieldsOf(
    preparation: BatchPreparation<TPrepared> | undefined,
    event: FirehoseTransformationEvent,
  ): Record<string, unknown> {
    if (options.summaryFields === undefined) return {};
    try {
      const fields: unknown = options.summaryFields(preparation, event);
      if (typeof fields === 'object' && fields !== null && !Array.isArray(fields)) return { ...fields };
      return {
        summaryFieldsError: `summaryFields returned ${describeKind(fields)}, expected an object`,
      };
    } catch (error) {
      return { summaryFieldsError: describeError(error) };
    }
  }

  function applyOutcome(slot: Slot, outcome: unknown): void {
    if (typeof outcome !== 'object' || outcome === null || !('result' in outcome)) {
      slot.reason = 'transformRecord returned no outcome (use ok(), dropped() or processingFailed())';
      return;
    }
    const typed = outcome as RecordOutcome;
    switch (typed.result) {
      case 'Dropped':
        drop(slot, typed.reason);
        return;
      case 'ProcessingFailed':
        slot.reason = typeof typed.reason === 'string' && typed.reason !== '' ? typed.reason : 'unspecified';
        return;
      case 'Ok': {
        let data: string;
        try {
          data = encodeData(typed.data);
        } catch (error) {
          slot.reason = `could not serialise the transformed record: ${describeError(error)}`;
          return;
        }
        slot.result = 'Ok';
        slot.data = data;
        slot.bytes = slot.baseBytes + OK_LENGTH + data.length + 2; // data is plain base64: no escaping
        slot.metadata = undefined;
        // Read once: a getter could answer differently the second time.
        const given: unknown = typed.partitionKeys;
        if (given !== undefined) {
          if (!isPlainObject(given)) {
            // A string (or a String object) would spread into {"0": "d", "1": "a", ...}: refused rather than
            // delivered under such keys.
            const kind = Array.isArray(given)
              ? 'an array'
              : given === null
                ? 'null'
                : typeof given === 'object'
                  ? 'an object that is not plain'
                  : typeof given;
            fail(slot, `partitionKeys must be a plain object of strings, got ${kind}`);
            return;
          }
          const partitionKeys = { ...given };
          for (const value of Object.values(partitionKeys)) {
            if (typeof value !== 'string') {
              // The key may come from the record: name only its type.
              fail(slot, `partitionKeys values must be strings, got ${typeof value}`);
              return;
            }
          }
          const metadata = { partitionKeys: partitionKeys as Record<string, string> };
          slot.metadata = metadata;
          slot.bytes += metadataBytes(metadata);
        }
        slot.reason = undefined;
        return;
      }
      default:
        slot.reason = `transformRecord returned an unknown result ${JSON.stringify(String((typed as { result: unknown }).result))}`;
    }
  }

  /**
   * Serialises an Ok value straight to the base64 the response carries. Text is UTF-8-encoded into one
   * reused scratch buffer (synchronously, so concurrent invocations cannot interleave) instead of a
   * new Buffer per record: less allocation, less garbage collection.
   */
  function encodeData(data: unknown): string {
    if (data instanceof Uint8Array) {
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      return (newline ? Buffer.concat([bytes, NEWLINE]) : bytes).toString('base64');
    }
    const text = serialize(data);
    if (typeof text !== 'string')
      throw new TypeError('serialiser returned no string (undefined or a function?)');
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8, so the write below is never cut short.
    if (text.length > SCRATCH_MAX_CHARS)
      return Buffer.from(newline ? `${text}\n` : text, 'utf8').toString('base64');
    scratch ??= Buffer.allocUnsafeSlow(SCRATCH_MAX_CHARS * 3 + 1);
    let length = scratch.write(text, 0, 'utf8');
    if (newline) scratch[length++] = NEWLINE_BYTE;
    return scratch.toString('base64', 0, length);
  }

  async function runPrepareBatch(
    prepareBatch: NonNullable<typeof options.prepareBatch>,
    records: readonly FirehoseRecord<TParsed>[],
    event: FirehoseTransformationEvent,
    deadline: number,
    giveUpAt: number,
  ): Promise<BatchPreparation<TPrepared>> {
    const controller = new AbortController();
    const untilDeadline = deadline - now();
    if (untilDeadline <= 0) return { status: 'timed_out' };
    const abortTimer = setTimeout(
      () => controller.abort(new DeadlineReached('prepareBatch deadline reached')),
      untilDeadline,
    );
    let giveUpTimer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new Promise<BatchPreparation<TPrepared>>((resolve) => {
      giveUpTimer = setTimeout(() => resolve({ status: 'timed_out' }), Math.max(0, giveUpAt - now()));
    });
    try {
      const work = (async (): Promise<BatchPreparation<TPrepared>> => {
        try {
          const value = await prepareBatch(records, { signal: controller.signal, deadline, event });
          return { status: 'ready', value };
        } catch (error) {
          return controller.signal.aborted && error === controller.signal.reason
            ? { status: 'timed_out' }
            : { status: 'failed', error };
        }
      })();
      return await Promise.race([work, giveUp]);
    } finally {
      clearTimeout(abortTimer);
      clearTimeout(giveUpTimer);
    }
  }

  async function withDeadline<T>(promise: PromiseLike<T>, deadline: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DeadlineReached('transform deadline reached')),
        Math.max(0, deadline - now()),
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

class DeadlineReached extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineReached';
  }
}

const OK_LENGTH = 'Ok'.length;
const DROPPED_LENGTH = 'Dropped'.length;
const PROCESSING_FAILED_LENGTH = 'ProcessingFailed'.length;

/** Counts one more failure for a reason; any text is a key of its own (`toString`, `__proto__` too). */
function countReason(counts: Record<string, number>, reason: string): void {
  const count = Object.hasOwn(counts, reason) ? counts[reason]! : 0;
  Object.defineProperty(counts, reason, {
    value: count + 1,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Answers a slot ProcessingFailed with its original data. */
function fail(slot: Slot, reason: string): void {
  slot.result = 'ProcessingFailed';
  slot.data = slot.originalData;
  slot.metadata = undefined;
  slot.bytes = slot.failedBytes;
  slot.reason = reason;
}

/** Answers a slot Dropped (empty data). */
function drop(slot: Slot, reason: string | undefined): void {
  slot.result = 'Dropped';
  slot.data = '';
  slot.metadata = undefined;
  slot.bytes = slot.droppedBytes;
  slot.reason = reason;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** `a string`, `null`, `an array`...: what a value is, never what it holds. */
function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/**
 * An error as logged. A SyntaxError's message is left out: `JSON.parse` quotes the text it failed on (Node 20+:
 * `Unexpected token ... "{"phone": +614..." is not valid JSON`), which is record contents. Other messages are
 * logged as they are (the README asks custom `parse`/`transformRecord` code not to put record contents in them).
 */
/**
 * A plain object: its prototype is an `Object.prototype` (of this realm or another: a vm context, a worker) or
 * none; a Proxy of one counts. Not an array, a boxed primitive, a Map, a Date or a class instance, whatever their
 * `Symbol.toStringTag` says.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

function describeError(error: unknown): string {
  try {
    if (error instanceof SyntaxError)
      return `${error.name} (its message is left out: it may quote the record)`;
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return 'an error that cannot be described';
  }
}

/**
 * Wraps a logger so that a call that throws is ignored: logging never fails a batch. The handler applies
 * it to the logger it is given; use it for logging of your own inside a transform too.
 *
 * @example
 * ```ts
 * import { neverThrowingLogger } from '@ctr-stream/firehose-transform';
 * const logger = neverThrowingLogger(console);
 * ```
 */
export function neverThrowingLogger(logger: FirehoseTransformLogger): FirehoseTransformLogger {
  const guard =
    (level: keyof FirehoseTransformLogger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      try {
        logger[level](message, fields);
      } catch {
        // Nowhere left to report it: the logger is the reporting channel.
      }
    };
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') };
}
