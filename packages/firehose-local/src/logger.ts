/**
 * Where the endpoint reports what it does. Messages never contain record data (CTRs hold phone numbers).
 * The default logger is silent; the bin logs to stderr.
 */
export interface FirehoseLocalLogger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

const ignore = (): void => {};

export const silentLogger: FirehoseLocalLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
