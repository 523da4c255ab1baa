import { canonicalDecodedLength, decodeCanonicalBase64Into } from './base64.js';
import type { FirehoseTransformationResultStatus } from './lambda-types.js';

/** The synchronous Lambda response payload limit (Lambda answers `Function.ResponseSizeTooLarge` above it). */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_556;

/** The data of a record answered without any (zero bytes cannot be mutated, so one is shared). */
const NO_DATA = Buffer.alloc(0);

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
    return responseNotSerializable((error as Error).message);
  }
  const serializedBytes = serialized === undefined ? 0 : Buffer.byteLength(serialized);
  if (serializedBytes > LAMBDA_RESPONSE_LIMIT_BYTES) return responseTooLarge(serializedBytes);
  return checkResponseRecords(response, inputRecordIds);
}

/** A response that `JSON.stringify` refused (a cycle, a BigInt): what Firehose reports as unparsable. */
export function responseNotSerializable(reason: string): ProcessorResponseCheck {
  return invalid(
    'Lambda.JsonProcessingException',
    `The Lambda response cannot be serialized to JSON: ${reason}`,
  );
}

/** Lambda's own refusal of a response over its synchronous payload limit. */
export function responseTooLarge(serializedBytes: number): ProcessorResponseCheck {
  return invalid(
    'Lambda.FunctionError',
    `Function.ResponseSizeTooLarge: Response payload size (${serializedBytes} bytes) exceeded maximum allowed payload size (${LAMBDA_RESPONSE_LIMIT_BYTES} bytes).`,
  );
}

/**
 * Checks a response that arrives as JSON text, as Lambda's runtime API returns it (the execution environment
 * already measured it against the payload limit): parsed once, then checked like `checkProcessorResponse`.
 * `undefined` is a handler that returned nothing.
 */
export function checkProcessorResponseJson(
  json: string | undefined,
  inputRecordIds: readonly string[],
): ProcessorResponseCheck {
  let response: unknown;
  try {
    response = json === undefined ? undefined : JSON.parse(json);
  } catch (error) {
    return responseNotSerializable((error as Error).message);
  }
  return checkResponseRecords(response, inputRecordIds);
}

function checkResponseRecords(response: unknown, inputRecordIds: readonly string[]): ProcessorResponseCheck {
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

  // Every record's data is decoded into one buffer (each record gets a view of it): one allocation per
  // invocation instead of one per record. Sized from the lengths the strings promise; checked as they decode.
  let arenaBytes = 0;
  for (const outputRecord of outputRecords) {
    const data = (outputRecord as { data?: unknown } | null)?.data;
    if (typeof data === 'string') arenaBytes += Math.max(0, canonicalDecodedLength(data));
  }
  const arena = arenaBytes === 0 ? NO_DATA : Buffer.allocUnsafeSlow(arenaBytes);
  let arenaOffset = 0;
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
    let decoded = NO_DATA;
    if (typeof data === 'string') {
      const written = decodeCanonicalBase64Into(data, arena, arenaOffset);
      if (written < 0) return parseFailure(`records[${index}].data is not valid base64`);
      decoded = arena.subarray(arenaOffset, arenaOffset + written);
      arenaOffset += written;
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
