/**
 * The PutRecordBatch limits of Amazon Data Firehose (firehose-contract.md §4).
 *
 * @example
 * ```ts
 * if (Buffer.byteLength(record) > FIREHOSE_LIMITS.maxRecordBytes) console.warn('too large for Firehose');
 * ```
 */
export const FIREHOSE_LIMITS = {
  /** Records per PutRecordBatch request. */
  maxRecordsPerBatch: 500,
  /** Bytes per PutRecordBatch request (4 MiB), checked here against the whole JSON request body. */
  maxBatchBytes: 4 * 1024 * 1024,
  /** Bytes per record before base64 encoding (1,000 KiB). */
  maxRecordBytes: 1_000 * 1024,
} as const;
