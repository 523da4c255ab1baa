/** A problem found in the shape of an input, as a dotted path and a message. */
export interface FirehoseIssue {
  /** Dotted path into the event, e.g. `records.3.recordId`. */
  readonly path: string;
  /** What is wrong at that path. */
  readonly message: string;
}

/**
 * Base class of every error thrown by `@ctr-stream/firehose-transform`.
 *
 * @example
 * ```ts
 * try {
 *   await handler(event, context);
 * } catch (error) {
 *   if (error instanceof FirehoseTransformError) console.error(error.name, error.message);
 * }
 * ```
 */
export class FirehoseTransformError extends Error {
  /** True when repeating the same invocation may succeed. */
  readonly isRetryable: boolean;

  constructor(message: string, options: ErrorOptions & { isRetryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FirehoseTransformError';
    this.isRetryable = options.isRetryable ?? false;
  }
}

/**
 * The invocation event is not a Firehose data-transformation event (missing `records`, a record
 * without `recordId`, duplicated recordIds...). Thrown from the handler so that Firehose retries the
 * whole invocation and, after its retries, sends the batch to `processing-failed/`. A bad record
 * never causes this error: it is answered `ProcessingFailed` instead.
 *
 * @example
 * ```ts
 * try {
 *   parseFirehoseTransformationEvent({ records: 'nope' });
 * } catch (error) {
 *   if (error instanceof FirehoseEventError) console.log(error.issues); // [{ path: 'invocationId', ... }]
 * }
 * ```
 */
export class FirehoseEventError extends FirehoseTransformError {
  /** Every problem found in the event (never record contents). */
  readonly issues: readonly FirehoseIssue[];

  constructor(issues: readonly FirehoseIssue[], options: ErrorOptions = {}) {
    const listed = issues
      .slice(0, 5)
      .map((issue) => `${issue.path || '(root)'}: ${issue.message}`)
      .join('; ');
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
    super(
      `Invalid Firehose transformation event: ${listed}${more}. ` +
        'Expected { invocationId, deliveryStreamArn, region, records: [{ recordId, data }] }.',
      { ...options, isRetryable: false },
    );
    this.name = 'FirehoseEventError';
    this.issues = issues;
  }
}

/**
 * The options given to `createFirehoseTransformHandler` are unusable (for example a safety margin
 * larger than the response limit allows). Thrown when the handler is created, never per invocation.
 *
 * @example
 * ```ts
 * createFirehoseTransformHandler({ transformRecord, maxResponseBytes: 10 }); // throws FirehoseTransformOptionsError
 * ```
 */
export class FirehoseTransformOptionsError extends FirehoseTransformError {
  constructor(message: string) {
    super(message, { isRetryable: false });
    this.name = 'FirehoseTransformOptionsError';
  }
}

/**
 * A record's bytes could not be parsed (not UTF-8, not JSON). Thrown by the parsers and caught by
 * the handler, which answers that record `ProcessingFailed`. Its message never quotes the record.
 *
 * @example
 * ```ts
 * try { parseJsonRecord(Buffer.from('{')); } catch (error) { console.log((error as RecordParseError).message); }
 * ```
 */
export class RecordParseError extends FirehoseTransformError {
  constructor(message: string) {
    super(message, { isRetryable: false });
    this.name = 'RecordParseError';
  }
}
