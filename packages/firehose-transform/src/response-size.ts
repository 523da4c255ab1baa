/**
 * Lambda's synchronous response payload limit: 6 MB = 6,291,456 bytes of JSON.
 *
 * @example
 * ```ts
 * createFirehoseTransformHandler({ transformRecord, maxResponseBytes: LAMBDA_RESPONSE_LIMIT_BYTES - 100_000 });
 * ```
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_456;

/** One answered record in the Firehose transformation response. */
export interface FirehoseTransformationResultRecord {
  recordId: string;
  result: 'Ok' | 'Dropped' | 'ProcessingFailed';
  /** Base64 of the record's bytes (`''` for `Dropped`). */
  data: string;
  metadata?: { partitionKeys: Record<string, string> };
}

/** The handler's answer: exactly one entry per input recordId, in input order. */
export interface FirehoseTransformationResponse {
  records: FirehoseTransformationResultRecord[];
}

/** `{"records":[` + `]}`: the bytes around the entries. */
export const RESPONSE_ENVELOPE_BYTES = Buffer.byteLength('{"records":[]}');

/**
 * Exact UTF-8 size of one entry as the Lambda runtime serialises it (`JSON.stringify`), without the
 * comma that separates it from its neighbour. Pass `dataIsBase64` when `entry.data` is known to hold
 * only base64 characters (no JSON escaping), which skips a scan of the data.
 *
 * @example
 * ```ts
 * entryBytes({ recordId: 'r1', result: 'Ok', data: 'e30=' }); // 45 === Buffer.byteLength(JSON.stringify(entry))
 * ```
 */
export function entryBytes(entry: FirehoseTransformationResultRecord, dataIsBase64 = false): number {
  // {"recordId":<id>,"result":"<result>","data":<data>}
  let size =
    jsonStringBytes(entry.recordId) +
    entry.result.length +
    (dataIsBase64 ? entry.data.length + 2 : jsonStringBytes(entry.data)) +
    ENTRY_FIXED_BYTES;
  if (entry.metadata !== undefined) size += metadataBytes(entry.metadata);
  return size;
}

/** `{"recordId":,"result":"","data":}`: the bytes of an entry around its three values (internal). */
export const ENTRY_FIXED_BYTES = '{"recordId":,"result":"","data":}'.length;

/** Printable ASCII other than `"` and `\`: JSON.stringify leaves it as is, one byte per character. */
const PLAIN_JSON_TEXT = /^[ !#-[\]-~]*$/;

/** Exact UTF-8 size of `JSON.stringify(text)`, quotes included (internal). */
export function jsonStringBytes(text: string): number {
  if (text.length <= 256 && PLAIN_JSON_TEXT.test(text)) return text.length + 2;
  return Buffer.byteLength(JSON.stringify(text));
}

/** Exact UTF-8 size of `,"metadata":<metadata>` (internal). */
export function metadataBytes(metadata: NonNullable<FirehoseTransformationResultRecord['metadata']>): number {
  return Buffer.byteLength(`,"metadata":${JSON.stringify(metadata)}`);
}

/** Exact size of a whole response given the sizes of its entries (commas included). */
export function responseBytes(entrySizes: readonly number[]): number {
  let total = RESPONSE_ENVELOPE_BYTES + Math.max(0, entrySizes.length - 1);
  for (const size of entrySizes) total += size;
  return total;
}
