/**
 * Base class of every error this package throws. Record-level problems (a failing processor, a document
 * Elasticsearch rejects) are never thrown: they land in the backup directory and in the metrics. These
 * errors mean a configuration mistake, an unloadable processor, or a call after `close()`.
 *
 * @example
 * ```ts
 * import { FirehoseLocalError, startFirehoseLocal } from '@ctr-stream/firehose-local';
 * try {
 *   await startFirehoseLocal({ streams: [] });
 * } catch (error) {
 *   if (error instanceof FirehoseLocalError) console.error(error.code, error.message);
 * }
 * ```
 */
export class FirehoseLocalError extends Error {
  override readonly name: string = 'FirehoseLocalError';
  /** A stable machine-readable code, e.g. `INVALID_CONFIG`. */
  readonly code: string;
  /** True when trying the same call again may succeed. */
  readonly isRetryable: boolean;

  constructor(message: string, details: { code: string; isRetryable?: boolean }, options?: ErrorOptions) {
    super(message, options);
    this.code = details.code;
    this.isRetryable = details.isRetryable ?? false;
  }
}

/** One problem found in a delivery stream configuration. */
export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `streams.0.processor.bufferSizeInMBs`. */
  path: string;
  message: string;
}

/**
 * Thrown by `startFirehoseLocal` and `parseFirehoseLocalConfig` when the configuration is invalid.
 *
 * @example
 * ```ts
 * import { FirehoseLocalConfigError, parseFirehoseLocalConfig } from '@ctr-stream/firehose-local';
 * try {
 *   parseFirehoseLocalConfig({ streams: [{ name: 'ctr' }] });
 * } catch (error) {
 *   if (error instanceof FirehoseLocalConfigError) console.error(error.issues);
 * }
 * ```
 */
export class FirehoseLocalConfigError extends FirehoseLocalError {
  override readonly name = 'FirehoseLocalConfigError';
  /** Every problem found, with its path. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions) {
    const summary = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
    super(`Invalid firehose-local configuration: ${summary}`, { code: 'INVALID_CONFIG' }, options);
    this.issues = issues;
  }
}

/**
 * Thrown by `startFirehoseLocal` when a processor module cannot be imported or does not export a function
 * under the configured name.
 *
 * @example
 * ```ts
 * import { ProcessorLoadError } from '@ctr-stream/firehose-local';
 * // error.modulePath === '/abs/path/lambda.mjs', error.exportName === 'handler'
 * ```
 */
export class ProcessorLoadError extends FirehoseLocalError {
  override readonly name = 'ProcessorLoadError';
  readonly modulePath: string;
  readonly exportName: string;

  constructor(modulePath: string, exportName: string, problem: string, options?: ErrorOptions) {
    super(
      `Cannot load the processor "${exportName}" from ${modulePath}: ${problem}. Check processor.modulePath and processor.exportName.`,
      { code: 'PROCESSOR_LOAD_FAILED' },
      options,
    );
    this.modulePath = modulePath;
    this.exportName = exportName;
  }
}

/**
 * Thrown (as a rejected promise) by `flush()` and the stream methods after `close()` was called.
 *
 * @example
 * ```ts
 * import { FirehoseLocalClosedError } from '@ctr-stream/firehose-local';
 * await firehose.close();
 * await firehose.flush().catch((error) => error instanceof FirehoseLocalClosedError); // true
 * ```
 */
export class FirehoseLocalClosedError extends FirehoseLocalError {
  override readonly name = 'FirehoseLocalClosedError';

  constructor() {
    super('The local Firehose endpoint is closed; start a new one with startFirehoseLocal().', {
      code: 'CLOSED',
    });
  }
}

/**
 * Thrown by `metrics(streamName)` and `flush(streamName)` for a stream that is not configured.
 *
 * @example
 * ```ts
 * import { UnknownDeliveryStreamError } from '@ctr-stream/firehose-local';
 * try { firehose.metrics('nope'); } catch (error) { (error as UnknownDeliveryStreamError).streamName; }
 * ```
 */
export class UnknownDeliveryStreamError extends FirehoseLocalError {
  override readonly name = 'UnknownDeliveryStreamError';
  readonly streamName: string;

  constructor(streamName: string, knownStreamNames: readonly string[]) {
    super(
      `Delivery stream "${streamName}" is not configured. Configured streams: ${knownStreamNames.join(', ') || '(none)'}.`,
      { code: 'UNKNOWN_STREAM' },
    );
    this.streamName = streamName;
  }
}

/** `host:port` as a URL writes it (`[::1]:4573` for IPv6). */
export function hostAndPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listenProblem(host: string, port: number, systemCode: string | undefined, cause: Error): string {
  const where = hostAndPort(host, port);
  switch (systemCode) {
    case 'EADDRINUSE':
      return `Cannot listen on ${where}: the port is in use (EADDRINUSE). Pass another port, or port 0 to pick a free one.`;
    case 'EACCES':
      return `Cannot listen on ${where}: permission denied (EACCES; ports below 1024 need privileges). Pass a port above 1023, or port 0 to pick a free one.`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${where}: ${host} is not an address of this machine (EADDRNOTAVAIL). Pass a local address as host, e.g. 127.0.0.1 (0.0.0.0 for every interface).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot listen on ${where}: the host name ${host} does not resolve (${systemCode}). Pass a local address as host, e.g. 127.0.0.1.`;
    default:
      return `Cannot listen on ${where}: ${cause.message}. Check host and port.`;
  }
}

/**
 * Thrown by `startFirehoseLocal` when its server cannot listen: the port is in use (`EADDRINUSE`), needs
 * privileges (`EACCES`), or the host is not a local address (`EADDRNOTAVAIL`) or does not resolve (`ENOTFOUND`).
 *
 * @example
 * ```ts
 * import { FirehoseLocalListenError, startFirehoseLocal } from '@ctr-stream/firehose-local';
 * try {
 *   await startFirehoseLocal({ port: 4573, streams });
 * } catch (error) {
 *   if (error instanceof FirehoseLocalListenError && error.systemCode === 'EADDRINUSE') {
 *     // start on a free port instead: startFirehoseLocal({ port: 0, streams })
 *   }
 * }
 * ```
 */
export class FirehoseLocalListenError extends FirehoseLocalError {
  override readonly name = 'FirehoseLocalListenError';
  readonly host: string;
  readonly port: number;
  /** Node's error code: `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, `ENOTFOUND`, … */
  readonly systemCode: string | undefined;

  constructor(host: string, port: number, cause: Error) {
    const systemCode = (cause as NodeJS.ErrnoException).code;
    super(
      listenProblem(host, port, systemCode, cause),
      // The port may be free on a later try; a bad host stays bad.
      { code: 'LISTEN_FAILED', isRetryable: systemCode === 'EADDRINUSE' },
      { cause },
    );
    this.host = host;
    this.port = port;
    this.systemCode = systemCode;
  }
}

/**
 * One `_bulk` request to the destination that got no usable answer: no connection, no answer in time, an error
 * status, or a body that is not a bulk response. Internal: it never reaches a caller of this package. The
 * destination retries the request's documents (`isRetryable`) within the retry duration, else writes them to
 * `elasticsearch-failed/` with `errorCode` and this message (credentials in URLs masked).
 *
 * @example
 * ```ts
 * // thrown by a bulk transport, caught by the destination:
 * new BulkRequestError('{"error":{"type":"es_rejected_execution_exception"}}', { statusCode: 429 });
 * // errorCode '429', isRetryable true
 * ```
 */
export class BulkRequestError extends FirehoseLocalError {
  override readonly name = 'BulkRequestError';
  /** The HTTP status of the answer; `undefined` when there was none (no connection, timeout, broken off). */
  readonly statusCode: number | undefined;
  /** What `elasticsearch-failed/` records: the status (`"429"`), `ES.ConnectionFailed` or `ES.ServiceException`. */
  readonly errorCode: string;

  constructor(
    message: string,
    details: { statusCode: number | undefined; errorCode?: string },
    options?: ErrorOptions,
  ) {
    const { statusCode } = details;
    super(
      message,
      {
        code: 'BULK_REQUEST_FAILED',
        // Firehose retries what may succeed later: no answer, throttling, a server error, a garbled answer.
        isRetryable:
          details.errorCode === 'ES.ServiceException' ||
          statusCode === undefined ||
          statusCode === 429 ||
          statusCode >= 500,
      },
      options,
    );
    this.statusCode = statusCode;
    this.errorCode =
      details.errorCode ?? (statusCode === undefined ? 'ES.ConnectionFailed' : String(statusCode));
  }
}
