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

// What `JSON.parse` errors quote of their input, unescaped: `Unexpected token '+', "+614123456"... is not valid JSON`.
const JSON_EXCERPT = /(, )(?:\.\.\.)?".*"(?:\.\.\.)?( is not valid JSON)/g;
// Any other quoted string.
const QUOTED = /"(?:[^"\\\n]|\\.)*"/g;
// Runs of digits and phone-number punctuation.
const DIGIT_RUN = /\+?\d[\d ().-]*\d/g;
const PHONE_DIGITS = 7;

/**
 * A processor's error message as it may be logged: what it quotes of its input becomes `"…"`, and every run of 7 or
 * more digits (a phone number, whole or cut) keeps only its last two. The backup objects keep the message whole.
 */
export function withoutRecordData(message: string): string {
  const unquoted = message.replace(JSON_EXCERPT, '$1"…"$2').replace(QUOTED, '"…"');
  return unquoted.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '').length;
    if (digits < PHONE_DIGITS) return run;
    let seen = 0;
    return run.replace(/\d/g, (digit) => (++seen > digits - 2 ? digit : '*'));
  });
}
