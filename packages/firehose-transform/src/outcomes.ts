/** Firehose's three record results. */
export type FirehoseRecordResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

/** The record was transformed: `data` is serialised (JSON by default) and sent on. */
export interface OkOutcome {
  readonly result: 'Ok';
  /** The new record. A `Uint8Array` is sent as-is; anything else goes through the serialiser. */
  readonly data: unknown;
  /** Dynamic-partitioning keys (S3 destinations only); becomes `metadata.partitionKeys`. */
  readonly partitionKeys?: Readonly<Record<string, string>>;
}

/** The record is intentionally discarded. The reason is logged, never sent. */
export interface DroppedOutcome {
  readonly result: 'Dropped';
  readonly reason?: string;
}

/** The record could not be transformed: its original data goes back so Firehose stores it as failed. */
export interface ProcessingFailedOutcome {
  readonly result: 'ProcessingFailed';
  /** Logged with the recordId. Keep personal data out of it. */
  readonly reason: string;
}

/** What a `transformRecord` callback returns for one record. */
export type RecordOutcome = OkOutcome | DroppedOutcome | ProcessingFailedOutcome;

/**
 * Answers a record `Ok` with new data.
 *
 * @example
 * ```ts
 * transformRecord: (record) => ok({ ...record.data, seen: true }, { partitionKeys: { day: '2024-01-01' } })
 * ```
 */
export function ok(
  data: unknown,
  options: { partitionKeys?: Readonly<Record<string, string>> } = {},
): OkOutcome {
  return options.partitionKeys === undefined
    ? { result: 'Ok', data }
    : { result: 'Ok', data, partitionKeys: options.partitionKeys };
}

/**
 * Answers a record `Dropped` (successfully processed, not delivered).
 *
 * @example
 * ```ts
 * transformRecord: (record) => (record.data.type === 'heartbeat' ? dropped('heartbeat') : ok(record.data))
 * ```
 */
export function dropped(reason?: string): DroppedOutcome {
  return reason === undefined ? { result: 'Dropped' } : { result: 'Dropped', reason };
}

/**
 * Answers a record `ProcessingFailed`: Firehose keeps the original data under `processing-failed/`.
 *
 * @example
 * ```ts
 * transformRecord: (record) => (Array.isArray(record.data) ? processingFailed('expected a JSON object') : ok(record.data))
 * ```
 */
export function processingFailed(reason: string): ProcessingFailedOutcome {
  return { result: 'ProcessingFailed', reason };
}
