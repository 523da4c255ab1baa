import {
  type FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchResponseEntry,
} from '@aws-sdk/client-firehose';

/**
 * PutRecordBatch's record limit per request.
 *
 * @example
 * ```ts
 * planPutRecordBatches(records).every((batch) => batch.length <= PUT_RECORD_BATCH_MAX_RECORDS); // true
 * ```
 */
export const PUT_RECORD_BATCH_MAX_RECORDS = 500;
/**
 * PutRecordBatch's size limit per request (4 MiB), counted on the base64 wire form to be safe.
 *
 * @example
 * ```ts
 * console.log(PUT_RECORD_BATCH_MAX_BYTES); // 4194304
 * ```
 */
export const PUT_RECORD_BATCH_MAX_BYTES = 4 * 1024 * 1024;
export const FIREHOSE_MAX_RECORD_BYTES = 1_024_000;

/** Bytes one record costs in a PutRecordBatch JSON request: base64 data plus `{"Data":""},`. */
function wireBytes(data: Uint8Array): number {
  return Math.ceil(data.length / 3) * 4 + 12;
}

/** Error names that no retry can fix. */
const PERMANENT_ERRORS = new Set([
  'ResourceNotFoundException',
  'InvalidArgumentException',
  'InvalidKMSResourceException',
  'InvalidSourceException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ValidationException',
]);

export interface ReingestOptions {
  readonly client: FirehoseClient;
  readonly deliveryStreamName: string;
  /** Epoch ms (in `now`'s clock) after which no new attempt starts and calls in flight are aborted. */
  readonly deadline: number;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly now: () => number;
  readonly random?: () => number;
}

/** Per record: `undefined` when it was accepted, else why it was not. */
export type ReingestOutcome = { ok: true } | { ok: false; reason: string };

export interface ReingestReport {
  readonly outcomes: ReingestOutcome[];
  readonly requests: number;
  readonly attempts: number;
}

/**
 * Splits records into PutRecordBatch-sized groups of indexes (<= 500 records, <= 4 MiB), in input order.
 *
 * @example
 * ```ts
 * planPutRecordBatches(Array.from({ length: 1_200 }, () => Buffer.from('{}'))).map((batch) => batch.length); // [500, 500, 200]
 * ```
 */
export function planPutRecordBatches(records: readonly Uint8Array[]): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  records.forEach((data, index) => {
    const bytes = wireBytes(data);
    if (
      current.length > 0 &&
      (current.length >= PUT_RECORD_BATCH_MAX_RECORDS || currentBytes + bytes > PUT_RECORD_BATCH_MAX_BYTES)
    ) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(index);
    currentBytes += bytes;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Puts `records` into the delivery stream with PutRecordBatch, batched under the API limits, retrying
 * only the entries that failed, with exponential backoff and full jitter, until `maxAttempts` or the
 * deadline. Never throws: every record gets an outcome.
 */
export async function reingestRecords(
  records: readonly Uint8Array[],
  options: ReingestOptions,
): Promise<ReingestReport> {
  const outcomes: ReingestOutcome[] = records.map(() => ({
    ok: false,
    reason: 're-ingestion not attempted',
  }));
  let requests = 0;
  let attempts = 0;
  const random = options.random ?? Math.random;
  const controller = new AbortController();
  const remaining = options.deadline - options.now();
  const timer = setTimeout(
    () => controller.abort(new Error('re-ingestion deadline reached')),
    Math.max(0, remaining),
  );
  timer.unref?.();

  const runBatch = async (indexes: number[]): Promise<void> => {
    let pending = indexes;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (options.now() >= options.deadline || controller.signal.aborted) {
        for (const index of pending) outcomes[index] = { ok: false, reason: 're-ingestion deadline reached' };
        return;
      }
      attempts = Math.max(attempts, attempt);
      requests++;
      let entries: readonly (PutRecordBatchResponseEntry | undefined)[];
      let permanent = false;
      try {
        const response = await options.client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: options.deliveryStreamName,
            Records: pending.map((index) => ({ Data: records[index] })),
          }),
          { abortSignal: controller.signal },
        );
        entries = response.RequestResponses ?? [];
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        permanent = PERMANENT_ERRORS.has(name);
        const reason = `PutRecordBatch failed: ${name}`;
        entries = pending.map(() => ({ ErrorCode: name, ErrorMessage: reason }));
      }
      const failed: number[] = [];
      pending.forEach((index, position) => {
        const entry = entries[position];
        if (entry !== undefined && entry.ErrorCode === undefined && entry.RecordId !== undefined) {
          outcomes[index] = { ok: true };
        } else {
          const code = entry?.ErrorCode ?? 'MissingResponseEntry';
          outcomes[index] = { ok: false, reason: `re-ingestion failed: ${code}` };
          failed.push(index);
        }
      });
      pending = failed;
      if (pending.length === 0 || permanent || attempt >= options.maxAttempts) return;
      const delay = random() * Math.min(2_000, options.baseDelayMs * 2 ** (attempt - 1));
      if (options.now() + delay >= options.deadline) {
        for (const index of pending) outcomes[index] = { ok: false, reason: 're-ingestion deadline reached' };
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };

  try {
    await Promise.all(planPutRecordBatches(records).map((batch) => runBatch(batch)));
  } finally {
    clearTimeout(timer);
  }
  return { outcomes, requests, attempts };
}
