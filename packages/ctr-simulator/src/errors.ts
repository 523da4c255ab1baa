import { credentialsAdvice, isCredentialsError, UNREACHED_ERRORS } from './request-errors.js';
import type { SendSummary } from './send-summary.js';

/**
 * `text` without its closing period(s), for a message that goes on after it: an AWS or Node message often ends
 * with one (`... not found.`), and `${reason}. ${advice}` must not read `not found.. Check`.
 */
export function withoutFinalPeriod(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

/** An error's message (any thrown value's text) without its closing period. */
export function reasonOf(cause: unknown): string {
  return withoutFinalPeriod(cause instanceof Error ? cause.message : String(cause));
}

/** Base class of the errors `@ctr-stream/ctr-simulator` throws (but `writeNdjson`'s `RangeError`, a standard one). */
export class CtrSimulatorError extends Error {
  /** True when the same call may succeed if tried again later (e.g. a throttled request). */
  readonly isRetryable: boolean;

  constructor(message: string, options: ErrorOptions & { isRetryable?: boolean } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'CtrSimulatorError';
    this.isRetryable = options.isRetryable ?? false;
  }
}

/** The command line was wrong (unknown option, bad number); the message says which and how to fix it. */
export class CliUsageError extends CtrSimulatorError {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** The simulation options are invalid (e.g. `days` is 0, a weight is negative, the date is malformed). */
export class SimulationOptionsError extends CtrSimulatorError {
  /** One line per problem found, e.g. `days must be an integer from 1 to 366 (got 0)`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid simulation options: ${problems.join('; ')}`);
    this.name = 'SimulationOptionsError';
    this.problems = problems;
  }
}

/**
 * The options given to `sendToFirehose` are invalid (e.g. a negative `retry.baseDelayMs`, a `concurrency` of 0, a
 * record whose `data` is neither a string nor bytes). Nothing was sent.
 */
export class SendOptionsError extends CtrSimulatorError {
  /** One line per problem found, e.g. `retry.baseDelayMs must be a number of milliseconds, 0 or more (got -1)`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid sendToFirehose options: ${problems.join('; ')}`);
    this.name = 'SendOptionsError';
    this.problems = problems;
  }
}

/** Writing an output file (NDJSON, caller directory) failed. */
export class OutputFileError extends CtrSimulatorError {
  /** The path that could not be written. */
  readonly path: string;

  constructor(path: string, cause: unknown) {
    super(`Could not write ${path}: ${reasonOf(cause)}. Check that the directory exists and is writable.`, {
      cause,
    });
    this.name = 'OutputFileError';
    this.path = path;
  }
}

/**
 * Sending stopped because Firehose refused the requests themselves (not single records), for a
 * reason that retrying cannot fix: unknown delivery stream, access denied, bad credentials or none found
 * (the message then says what to check, naming the profile when `AWS_PROFILE` is set), invalid argument. `summary` counts exactly what was sent before the stop and what was not.
 */
export class FirehoseSendError extends CtrSimulatorError {
  /** The AWS error name, e.g. `ResourceNotFoundException`. */
  readonly errorCode: string;
  /** The HTTP status of the refused request, when known. */
  readonly statusCode: number | undefined;
  /** The delivery stream that was written to. */
  readonly deliveryStreamName: string;
  /** The counts at the time of the stop. */
  readonly summary: SendSummary;
  /**
   * True when the requests failed for a reason that may pass (throttling, a 5xx, a network error) on every attempt;
   * false when Firehose refused them for a reason retrying cannot fix (unknown stream, access denied, credentials).
   */
  readonly retryable: boolean;
  /**
   * True when no connection to the endpoint was made at all: refused, or its host name did not resolve (for a name
   * with several addresses, every one of them).
   */
  readonly neverConnected: boolean;

  constructor(details: {
    errorCode: string;
    statusCode: number | undefined;
    deliveryStreamName: string;
    summary: SendSummary;
    cause: unknown;
    retryable?: boolean;
    neverConnected?: boolean;
  }) {
    const advice =
      details.errorCode === 'ResourceNotFoundException'
        ? ' Create the delivery stream, or pass the right name (--stream) and region (--region).'
        : isCredentialsError(details.errorCode)
          ? ` ${credentialsAdvice()}`
          : details.errorCode === 'AccessDeniedException' || details.statusCode === 403
            ? ' Check the credentials and that they allow firehose:PutRecordBatch on this stream.'
            : details.neverConnected === true || UNREACHED_ERRORS.has(details.errorCode)
              ? ' Check the endpoint (--endpoint) and the region (--region), and that the network reaches it.'
              : '';
    super(
      `PutRecordBatch to delivery stream "${details.deliveryStreamName}" failed with ${details.errorCode}: ${reasonOf(details.cause)}.` +
        ` Sent ${details.summary.sent} of ${details.summary.records} records before stopping.${advice}`,
      { cause: details.cause },
    );
    this.name = 'FirehoseSendError';
    this.errorCode = details.errorCode;
    this.statusCode = details.statusCode;
    this.deliveryStreamName = details.deliveryStreamName;
    this.summary = details.summary;
    this.retryable = details.retryable ?? false;
    this.neverConnected = details.neverConnected ?? UNREACHED_ERRORS.has(details.errorCode);
  }
}

/**
 * A backup path given to `readFirehoseBackup` cannot be read at all: missing, not a file or directory, no access, no
 * backup object in it (an empty directory); for an `s3://` URL, a bucket that cannot be listed (unknown, another
 * account's, no credentials) or no object under the prefix.
 */
export class BackupReadError extends CtrSimulatorError {
  /** The path as given. */
  readonly path: string;

  constructor(
    path: string,
    cause: unknown,
    advice = 'Pass the backup objects (files), a directory holding them, or an s3://bucket/prefix URL.',
  ) {
    super(`Cannot read the backup at ${path}: ${reasonOf(cause)}. ${advice}`, { cause });
    this.name = 'BackupReadError';
    this.path = path;
  }
}

/**
 * A compressed backup object cannot be decompressed: corrupt (a checksum or length that does not match), cut off, or
 * using something not read here (a ZIP method other than stored and deflate, encryption). Internal:
 * `readFirehoseBackup` reports it as a problem of the object (`cannot read the object: <message>`) and reads on; it
 * is never thrown to callers. The message describes the structure, never the content.
 */
export class CompressedObjectError extends CtrSimulatorError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'CompressedObjectError';
  }
}

/**
 * A compressed backup object would decompress to more than the limit (`maxDecompressedBytes`, 1 GiB by default):
 * refused before the memory runs out, as a compression bomb would be. Internal, as `CompressedObjectError`.
 */
export class DecompressedSizeError extends CompressedObjectError {
  /** The limit that was reached, in bytes. */
  readonly limit: number;

  constructor(limit: number) {
    super(
      `it decompresses to more than ${describeByteCount(limit)}, the most read from one object: refused as a possible ` +
        'compression bomb (if it is real, decompress it and replay it in parts)',
    );
    this.name = 'DecompressedSizeError';
    this.limit = limit;
  }
}

/** `1 GiB`, `64 MiB`, `1000 bytes`: a byte count as it was most likely chosen. */
export function describeByteCount(bytes: number): string {
  if (bytes >= 2 ** 30 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30} GiB`;
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}
