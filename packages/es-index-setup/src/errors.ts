/**
 * The base class of every error this package throws. Catch it to handle them all.
 *
 * @example
 * ```ts
 * import { EsIndexSetupError, installIndexTemplate } from '@ctr-stream/es-index-setup';
 * try {
 *   await installIndexTemplate({ node: 'http://127.0.0.1:9200' });
 * } catch (error) {
 *   if (error instanceof EsIndexSetupError && error.isRetryable) console.error('try again later');
 * }
 * ```
 */
export class EsIndexSetupError extends Error {
  override readonly name: string = 'EsIndexSetupError';
  /** True when the same call may succeed later (the server was unreachable, overloaded or timed out). */
  readonly isRetryable: boolean;

  constructor(message: string, options: ErrorOptions & { isRetryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.isRetryable = options.isRetryable ?? false;
  }
}

/**
 * An option is missing or invalid (a bad URL, a negative shard count, a malformed refresh interval...).
 *
 * @example
 * ```ts
 * import { InvalidOptionError, buildIndexTemplate } from '@ctr-stream/es-index-setup';
 * try {
 *   buildIndexTemplate({ shards: 0 });
 * } catch (error) {
 *   if (error instanceof InvalidOptionError) console.error(error.option, error.message);
 * }
 * ```
 */
export class InvalidOptionError extends EsIndexSetupError {
  override readonly name = 'InvalidOptionError';
  /** The option's name as the function takes it (e.g. `shards`). */
  readonly option: string;

  constructor(option: string, message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.option = option;
  }
}

/**
 * Elasticsearch (or OpenSearch) answered with an error status, or could not be reached.
 * The message names the request and the server's reason, never a credential.
 *
 * @example
 * ```ts
 * import { ElasticsearchRequestError, installIndexTemplate } from '@ctr-stream/es-index-setup';
 * try {
 *   await installIndexTemplate({ node: 'http://127.0.0.1:9200' });
 * } catch (error) {
 *   if (error instanceof ElasticsearchRequestError) console.error(error.statusCode, error.reason);
 * }
 * ```
 */
export class ElasticsearchRequestError extends EsIndexSetupError {
  override readonly name = 'ElasticsearchRequestError';
  /** The HTTP status, or `undefined` when no response arrived (connection refused, timeout). */
  readonly statusCode: number | undefined;
  readonly method: string;
  /** The request path without the query string (no credentials are ever in it). */
  readonly path: string;
  /** The server's error type (e.g. `security_exception`), when it sent one. */
  readonly errorType: string | undefined;
  /** The server's error reason, when it sent one. */
  readonly reason: string | undefined;

  constructor(
    message: string,
    details: {
      statusCode: number | undefined;
      method: string;
      path: string;
      errorType?: string | undefined;
      reason?: string | undefined;
      cause?: unknown;
    },
  ) {
    const { statusCode } = details;
    super(message, {
      cause: details.cause,
      isRetryable:
        statusCode === undefined ||
        statusCode === 429 ||
        statusCode === 502 ||
        statusCode === 503 ||
        statusCode === 504,
    });
    this.statusCode = statusCode;
    this.method = details.method;
    this.path = details.path;
    this.errorType = details.errorType;
    this.reason = details.reason;
  }
}

/**
 * Requests were to be signed with AWS SigV4 (`awsSigV4`), but no usable AWS credentials were found: the standard
 * chain found none, or the given credentials function failed. The message names what to set, never a secret.
 *
 * @example
 * ```ts
 * import { AwsCredentialsError, installIndexTemplate } from '@ctr-stream/es-index-setup';
 * try {
 *   await installIndexTemplate({ node: 'https://search-ctr.eu-west-1.es.amazonaws.com', awsSigV4: { region: 'eu-west-1' } });
 * } catch (error) {
 *   if (error instanceof AwsCredentialsError) console.error(error.message); // "No AWS credentials ... Set AWS_PROFILE ..."
 * }
 * ```
 */
export class AwsCredentialsError extends EsIndexSetupError {
  override readonly name = 'AwsCredentialsError';
}

/**
 * The server is a version this package cannot configure (Elasticsearch older than 7.10).
 *
 * @example
 * ```ts
 * import { UnsupportedServerError, installIndexTemplate } from '@ctr-stream/es-index-setup';
 * try {
 *   await installIndexTemplate({ node: 'http://127.0.0.1:9200' });
 * } catch (error) {
 *   if (error instanceof UnsupportedServerError) console.error(`upgrade ${error.version}`);
 * }
 * ```
 */
export class UnsupportedServerError extends EsIndexSetupError {
  override readonly name = 'UnsupportedServerError';
  readonly distribution: string;
  readonly version: string;

  constructor(distribution: string, version: string, message: string) {
    super(message);
    this.distribution = distribution;
    this.version = version;
  }
}

/** One field whose type in an existing index differs from the type the template wants. */
export interface MappingConflict {
  /** The existing index (never an alias). */
  index: string;
  /** The dotted field path, e.g. `ContactId`. */
  field: string;
  /** The type in the existing index (`text`, `long`, `object`...). */
  existingType: string;
  /** The type the template maps the field to. */
  wantedType: string;
}

/**
 * An existing index matching the pattern maps some fields with other types than the template
 * (typically a tutorial-style `connect` index that dynamic mapping created, with `ContactId` as `text`).
 * Elasticsearch cannot change a field's type in place: reindex into a new index. The message says how.
 *
 * @example
 * ```ts
 * import { MappingConflictError, installIndexTemplate } from '@ctr-stream/es-index-setup';
 * try {
 *   await installIndexTemplate({ node: 'http://127.0.0.1:9200' });
 * } catch (error) {
 *   if (error instanceof MappingConflictError) {
 *     for (const conflict of error.conflicts) console.error(conflict.field, conflict.existingType, conflict.wantedType);
 *   }
 * }
 * ```
 */
export class MappingConflictError extends EsIndexSetupError {
  override readonly name = 'MappingConflictError';
  readonly conflicts: readonly MappingConflict[];

  constructor(message: string, conflicts: readonly MappingConflict[]) {
    super(message);
    this.conflicts = conflicts;
  }
}

/**
 * A server answer did not have the expected shape (e.g. a search response without the calls-per-day buckets).
 *
 * @example
 * ```ts
 * import { UnexpectedResponseError, parseCallsPerDay } from '@ctr-stream/es-index-setup';
 * try {
 *   parseCallsPerDay({});
 * } catch (error) {
 *   if (error instanceof UnexpectedResponseError) console.error(error.message);
 * }
 * ```
 */
export class UnexpectedResponseError extends EsIndexSetupError {
  override readonly name = 'UnexpectedResponseError';
}
