import type { FirehoseTransformationResultStatus } from './lambda-types.js';

/** The synchronous Lambda response payload limit (Lambda answers `Function.ResponseSizeTooLarge` above it). */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_556;

const RESULT_VALUES: ReadonlySet<string> = new Set(['Ok', 'Dropped', 'ProcessingFailed']);

/** One record's settled transformation. */
export interface TransformedRecord {
  result: FirehoseTransformationResultStatus;
  /** The decoded transformed bytes (empty when the response had no data). */
  data: Buffer;
}

/** The outcome of checking a Lambda response against Firehose's contract. */
export type ProcessorResponseCheck =
  | { valid: true; records: Map<string, TransformedRecord> }
  | { valid: false; errorCode: string; errorMessage: string };

const invalid = (errorCode: string, errorMessage: string): ProcessorResponseCheck => ({
  valid: false,
  errorCode,
  errorMessage,
});

/**
 * Decodes `text` when it is canonical base64 (what Lambda's JSON must carry), else `undefined`.
 * Buffer.from alone would skip garbage; re-encoding and comparing is exact, native and linear, several
 * times faster than a regular expression over the whole string, and decodes only once.
 */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/**
 * Checks a transformation response the way Firehose does: exactly one result per input record, same
 * `recordId`s, a valid `result`, base64 `data` (required for `Ok`), and a payload under Lambda's 6 MB
 * response limit. Any violation fails the whole invocation with the error code Firehose reports.
 *
 * @example
 * ```ts
 * import { checkProcessorResponse } from '@ctr-stream/firehose-local';
 * checkProcessorResponse({ records: [] }, ['r1']);
 * // { valid: false, errorCode: 'Lambda.MissingRecordId', ... }
 * ```
 */
export function checkProcessorResponse(
  response: unknown,
  inputRecordIds: readonly string[],
): ProcessorResponseCheck {
  let serialized: string | undefined;
  try {
    serialized = JSON.stringify(response);
  } catch (error) {
    return invalid(
      'Lambda.JsonProcessingException',
      `The Lambda response cannot be serialized to JSON: ${(error as Error).message}`,
    );
  }
  if (serialized !== undefined && Buffer.byteLength(serialized) > LAMBDA_RESPONSE_LIMIT_BYTES) {
    return invalid(
      'Lambda.FunctionError',
      `Function.ResponseSizeTooLarge: Response payload size (${Buffer.byteLength(serialized)} bytes) exceeded maximum allowed payload size (${LAMBDA_RESPONSE_LIMIT_BYTES} bytes).`,
    );
  }
  const parseFailure = (detail: string) =>
    invalid(
      'Lambda.JsonProcessingException',
      `There was an error parsing returned records from the Lambda function (${detail}). Ensure that the returned records follow the status model required by Firehose.`,
    );
  if (typeof response !== 'object' || response === null || Array.isArray(response)) {
    return parseFailure('the response is not an object with a records array');
  }
  const outputRecords = (response as { records?: unknown }).records;
  if (!Array.isArray(outputRecords)) return parseFailure('the response has no records array');

  const expected = new Set(inputRecordIds);
  const settled = new Map<string, TransformedRecord>();
  for (const [index, outputRecord] of outputRecords.entries()) {
    if (typeof outputRecord !== 'object' || outputRecord === null) {
      return parseFailure(`records[${index}] is not an object`);
    }
    const { recordId, result, data } = outputRecord as {
      recordId?: unknown;
      result?: unknown;
      data?: unknown;
    };
    if (typeof recordId !== 'string') return parseFailure(`records[${index}].recordId is not a string`);
    if (typeof result !== 'string' || !RESULT_VALUES.has(result)) {
      return parseFailure(
        `records[${index}].result is ${JSON.stringify(result)}; it must be Ok, Dropped or ProcessingFailed`,
      );
    }
    if (data !== undefined && data !== null && typeof data !== 'string') {
      return parseFailure(`records[${index}].data is not a base64 string`);
    }
    if (result === 'Ok' && typeof data !== 'string') {
      return parseFailure(`records[${index}].data is missing for an Ok record`);
    }
    const decoded = typeof data === 'string' ? decodeCanonicalBase64(data) : Buffer.alloc(0);
    if (decoded === undefined) {
      return parseFailure(`records[${index}].data is not valid base64`);
    }
    if (!expected.has(recordId)) {
      return invalid(
        'Lambda.MissingRecordId',
        `records[${index}].recordId was not in the invocation. One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.`,
      );
    }
    if (settled.has(recordId)) {
      return invalid(
        'Lambda.DuplicatedRecordId',
        'Multiple records were returned with the same record Id. Ensure that the Lambda function returns unique record Ids for each record.',
      );
    }
    settled.set(recordId, {
      result: result as FirehoseTransformationResultStatus,
      data: decoded,
    });
  }
  if (settled.size !== expected.size) {
    return invalid(
      'Lambda.MissingRecordId',
      `${expected.size - settled.size} of ${expected.size} record Ids were not returned. Ensure that the Lambda function returns all received record Ids.`,
    );
  }
  return { valid: true, records: settled };
}
