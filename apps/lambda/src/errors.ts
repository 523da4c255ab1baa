/**
 * Base class of the errors thrown by the CTR transform Lambda.
 *
 * @example
 * ```ts
 * if (error instanceof CtrLambdaError) console.error(error.name, error.message);
 * ```
 */
export class CtrLambdaError extends Error {
  /** True when the same invocation may succeed later. */
  readonly isRetryable: boolean;

  constructor(message: string, options: ErrorOptions & { isRetryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CtrLambdaError';
    this.isRetryable = options.isRetryable ?? false;
  }
}

/** One invalid environment variable. The value is never included (it may be a secret). */
export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/**
 * The function's environment variables are invalid. Raised at cold start, logged once, and thrown by
 * every invocation until the configuration is fixed (Firehose then retries and, in the end, stores the
 * batch under `processing-failed/`: nothing is lost).
 *
 * @example
 * ```ts
 * try { loadConfig({}); } catch (error) { if (error instanceof LambdaConfigError) console.log(error.issues); }
 * ```
 */
export class LambdaConfigError extends CtrLambdaError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options: ErrorOptions = {}) {
    super(
      `Invalid Lambda configuration: ${issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ')}. ` +
        'Fix the function environment variables (see apps/lambda/README.md).',
      options,
    );
    this.name = 'LambdaConfigError';
    this.issues = issues;
  }
}
