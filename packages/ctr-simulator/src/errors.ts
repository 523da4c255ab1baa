import type { SendSummary } from './send-summary.js';

/** Base class of every error thrown by `@ctr-stream/ctr-simulator`. */
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

/** Writing an output file (NDJSON, caller directory) failed. */
export class OutputFileError extends CtrSimulatorError {
  /** The path that could not be written. */
  readonly path: string;

  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Could not write ${path}: ${reason}. Check that the directory exists and is writable.`, { cause });
    this.name = 'OutputFileError';
    this.path = path;
  }
}

/**
 * Sending stopped because Firehose refused the requests themselves (not single records), for a
 * reason that retrying cannot fix: unknown delivery stream, access denied, bad credentials, invalid
 * argument. `summary` counts exactly what was sent before the stop and what was not.
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

  constructor(details: {
    errorCode: string;
    statusCode: number | undefined;
    deliveryStreamName: string;
    summary: SendSummary;
    cause: unknown;
  }) {
    const reason = details.cause instanceof Error ? details.cause.message : String(details.cause);
    const advice =
      details.errorCode === 'ResourceNotFoundException'
        ? ' Create the delivery stream, or pass the right name (--stream) and region (--region).'
        : details.errorCode === 'AccessDeniedException' || details.statusCode === 403
          ? ' Check the credentials and that they allow firehose:PutRecordBatch on this stream.'
          : '';
    super(
      `PutRecordBatch to delivery stream "${details.deliveryStreamName}" failed with ${details.errorCode}: ${reason}.` +
        ` Sent ${details.summary.sent} of ${details.summary.records} records before stopping.${advice}`,
      { cause: details.cause },
    );
    this.name = 'FirehoseSendError';
    this.errorCode = details.errorCode;
    this.statusCode = details.statusCode;
    this.deliveryStreamName = details.deliveryStreamName;
    this.summary = details.summary;
  }
}

/**
 * A backup path given to `readFirehoseBackup` cannot be read at all: missing, not a file or directory, no access;
 * for an `s3://` URL, a bucket that cannot be listed (unknown, another account's, no credentials).
 */
export class BackupReadError extends CtrSimulatorError {
  /** The path as given. */
  readonly path: string;

  constructor(
    path: string,
    cause: unknown,
    advice = 'Pass the backup objects (files), a directory holding them, or an s3://bucket/prefix URL.',
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Cannot read the backup at ${path}: ${reason}. ${advice}`, { cause });
    this.name = 'BackupReadError';
    this.path = path;
  }
}
