/**
 * Base class of every error this package throws. Per-number lookup failures are never thrown: they are
 * returned as `{ status: 'error', reason }` results. These errors mean a programming or configuration
 * mistake (bad options, a closed client, an unreadable directory file).
 *
 * @example
 * ```ts
 * import { CallerLookupError, createCallerLookup } from '@ctr-stream/caller-lookup';
 * try {
 *   createCallerLookup({ baseUrl: 'ftp://example.com/' });
 * } catch (error) {
 *   if (error instanceof CallerLookupError) console.error(error.code, error.message);
 * }
 * ```
 */
export class CallerLookupError extends Error {
  override readonly name: string = 'CallerLookupError';
  /** A stable machine-readable code, e.g. `INVALID_OPTIONS`. */
  readonly code: string;
  /** True when trying the same call again may succeed. */
  readonly isRetryable: boolean;

  constructor(message: string, details: { code: string; isRetryable?: boolean }, options?: ErrorOptions) {
    super(message, options);
    this.code = details.code;
    this.isRetryable = details.isRetryable ?? false;
  }
}

/**
 * Thrown by `createCallerLookup` (and `startDirectoryServer`) when an option is invalid.
 *
 * @example
 * ```ts
 * import { CallerLookupOptionsError, createCallerLookup } from '@ctr-stream/caller-lookup';
 * try {
 *   createCallerLookup({ baseUrl: 'https://user:secret@directory.example.com/' });
 * } catch (error) {
 *   if (error instanceof CallerLookupOptionsError) console.error(error.option); // 'baseUrl'
 * }
 * ```
 */
export class CallerLookupOptionsError extends CallerLookupError {
  override readonly name = 'CallerLookupOptionsError';
  /** The name of the offending option. */
  readonly option: string;

  constructor(option: string, problem: string, options?: ErrorOptions) {
    super(`Invalid caller-lookup option "${option}": ${problem}`, { code: 'INVALID_OPTIONS' }, options);
    this.option = option;
  }
}

/**
 * Thrown (as a rejected promise) by `lookup` and `lookupMany` after `close()` was called.
 *
 * @example
 * ```ts
 * import { CallerLookupClosedError, createCallerLookup } from '@ctr-stream/caller-lookup';
 * const callers = createCallerLookup({ baseUrl: 'http://127.0.0.1:8080/api/user/' });
 * await callers.close();
 * await callers.lookup('+61299999854').catch((error) => error instanceof CallerLookupClosedError); // true
 * ```
 */
export class CallerLookupClosedError extends CallerLookupError {
  override readonly name = 'CallerLookupClosedError';

  constructor() {
    super('The caller-lookup client is closed: create a new client with createCallerLookup()', {
      code: 'CLIENT_CLOSED',
    });
  }
}

/**
 * Thrown when a directory file (CSV `phone,name` or JSON `{ "<phone>": "<name>" }`) cannot be read or
 * parsed. Phone numbers in the message are masked.
 *
 * @example
 * ```ts
 * import { DirectoryFileError } from '@ctr-stream/caller-lookup';
 * import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
 * await startDirectoryServer({ file: 'callers.csv' }).catch((error) => {
 *   if (error instanceof DirectoryFileError) console.error(error.file, error.line, error.message);
 * });
 * ```
 */
export class DirectoryFileError extends CallerLookupError {
  override readonly name = 'DirectoryFileError';
  /** The file that failed, as given. */
  readonly file: string;
  /** The 1-based line where the problem is, when known (CSV rows, JSON syntax errors). */
  readonly line: number | undefined;

  constructor(file: string, problem: string, details: { line?: number } = {}, options?: ErrorOptions) {
    const where = details.line === undefined ? file : `${file}:${details.line}`;
    super(`Cannot load caller directory ${where}: ${problem}`, { code: 'DIRECTORY_FILE' }, options);
    this.file = file;
    this.line = details.line;
  }
}
