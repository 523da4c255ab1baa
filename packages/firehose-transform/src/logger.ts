/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The logger the handler writes to: one structured entry per call, never record contents. */
export interface FirehoseTransformLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Entries below this level are skipped. Default `info`. */
  level?: LogLevel;
  /** Where each JSON line goes. Default `process.stdout.write`. */
  write?: (line: string) => void;
  /** Fields added to every entry (e.g. `{ service: 'ctr-transform' }`). */
  base?: Record<string, unknown>;
  /** Clock for the `time` field. Default `Date.now`. */
  now?: () => number;
}

/**
 * A logger that writes one JSON object per line: `{"level","time","message",...fields}`. CloudWatch
 * Logs Insights parses these fields without configuration.
 *
 * @example
 * ```ts
 * const logger = createJsonLogger({ level: 'debug', base: { service: 'my-transform' } });
 * logger.info('started', { records: 3 });
 * ```
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): FirehoseTransformLogger {
  const threshold = LEVEL_RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? Date.now;
  const base = options.base ?? {};
  const log =
    (level: LogLevel) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      if (LEVEL_RANK[level] < threshold) return;
      let line: string;
      try {
        line = JSON.stringify({ level, time: new Date(now()).toISOString(), message, ...base, ...fields });
      } catch {
        line = JSON.stringify({
          level,
          time: new Date(now()).toISOString(),
          message,
          ...base,
          unserialisable: true,
        });
      }
      write(`${line}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * A logger that discards everything (tests, benchmarks).
 *
 * @example
 * ```ts
 * createFirehoseTransformHandler({ transformRecord, logger: silentLogger });
 * ```
 */
export const silentLogger: FirehoseTransformLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
