import { FIREHOSE_LIMITS } from './firehose-limits.js';

/** A record ready to send: its bytes and its position in the caller's list. */
export interface PreparedRecord {
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly day: string | undefined;
}

/** Bytes of `{"Data":"<base64>"}` plus the separating comma in the JSON 1.1 request body. */
export function encodedEntrySize(byteLength: number): number {
  return 4 * Math.ceil(byteLength / 3) + '{"Data":""},'.length;
}

/** Bytes of the request body around the entries: `{"DeliveryStreamName":"<name>","Records":[]}`. */
export function requestEnvelopeSize(deliveryStreamName: string): number {
  return JSON.stringify({ DeliveryStreamName: deliveryStreamName, Records: [] }).length;
}

export interface BatchLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly envelopeBytes: number;
}

/**
 * Packs records, in order, into batches under both limits: at most `maxRecords` entries and a JSON
 * request body (base64 data included) of at most `maxBytes`. Oversize records must be removed before.
 */
export function* packBatches(
  records: Iterable<PreparedRecord>,
  limits: BatchLimits,
): Generator<PreparedRecord[]> {
  let batch: PreparedRecord[] = [];
  let size = limits.envelopeBytes;
  for (const record of records) {
    const entrySize = encodedEntrySize(record.bytes.byteLength);
    if (batch.length > 0 && (batch.length >= limits.maxRecords || size + entrySize > limits.maxBytes)) {
      yield batch;
      batch = [];
      size = limits.envelopeBytes;
    }
    batch.push(record);
    size += entrySize;
  }
  if (batch.length > 0) yield batch;
}

/** Default limits for a stream name. */
export function defaultBatchLimits(
  deliveryStreamName: string,
  maxRecords: number = FIREHOSE_LIMITS.maxRecordsPerBatch,
): BatchLimits {
  return {
    maxRecords: Math.min(maxRecords, FIREHOSE_LIMITS.maxRecordsPerBatch),
    maxBytes: FIREHOSE_LIMITS.maxBatchBytes,
    envelopeBytes: requestEnvelopeSize(deliveryStreamName),
  };
}
