/** A problem found in the shape of an input (an event, the options), as a dotted path and a message. */
export interface FirehoseIssue {
  /** Dotted path into the event or the options, e.g. `records.3.recordId`, `metrics.namespace`. */
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
 * The options given to `createFirehoseTransformHandler` are unusable: not an object, a callback that is
 * not a function, a number that is not a finite number in range (a string such as `'60000'` included),
 * metrics without a namespace, a name that is not an option (`safetyMargin`: did you mean `safetyMarginMs`?)...
 * Thrown when the handler is created, never per invocation, with every problem found in `issues` and in the
 * message.
 *
 * @example
 * ```ts
 * try {
 *   createFirehoseTransformHandler({ transformRecord, maxResponseBytes: 10, metrics: {} as never });
 * } catch (error) {
 *   if (error instanceof FirehoseTransformOptionsError) console.log(error.issues.map((issue) => issue.path));
 *   // ['maxResponseBytes', 'metrics.namespace']
 * }
 * ```
 */
export class FirehoseTransformOptionsError extends FirehoseTransformError {
  /** Every problem found in the options: `path` is the option (`metrics.namespace`), `''` for the whole. */
  readonly issues: readonly FirehoseIssue[];

  /** Takes the problems found, or one message for the options as a whole. */
  constructor(issues: readonly FirehoseIssue[] | string) {
    const listed = typeof issues === 'string' ? [{ path: '', message: issues }] : issues;
    super(
      `Invalid options for createFirehoseTransformHandler: ${listed
        .map((issue) => (issue.path === '' ? issue.message : `${issue.path} ${issue.message}`))
        .join('; ')}`,
      { isRetryable: false },
    );
    this.name = 'FirehoseTransformOptionsError';
    this.issues = listed;
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
