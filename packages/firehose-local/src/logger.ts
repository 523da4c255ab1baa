import { redactUrlCredentials } from './redact-url.js';

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

// A URL in a message: `scheme://` and what follows up to white space, a quote or a backslash (which are left as they
// are, so that quoted strings stay paired for QUOTED).
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'\\]*/gi;

/**
 * The URLs of a message with no secret left in them: the user and password masked as `redactUrlCredentials` masks
 * them (`http://***:***@host`), then everything up to the URL's last `@` as well (a password written raw may hold a
 * `/`, `?` or `#`, where the user info of a valid URL ends; an `@` in a path or query masks more than needed), and
 * the query string and fragment dropped (tokens go there), from the first `?`, `#` or `&` after that `@` (after an
 * `@` in a query, such as an email address, the next parameter starts at `&`):
 * `GET http://svc:pa/ss@host:9/api?token=t` becomes `GET http://***:***@host:9/api`.
 */
export function withoutUrlSecrets(message: string): string {
  return message.replace(URL_IN_TEXT, (url) => {
    const redacted = redactUrlCredentials(url);
    const authority = redacted.indexOf('://') + 3;
    const at = redacted.lastIndexOf('@');
    const masked =
      at < authority
        ? redacted
        : `${redacted.slice(0, authority)}${redacted.slice(authority, at).includes(':') ? '***:***' : '***'}${redacted.slice(at)}`;
    return masked.replace(/[?#&][\s\S]*$/, '');
  });
}

/**
 * A processor's error message as it may be logged: URLs lose their user, password, query string and fragment
 * (`withoutUrlSecrets`), what it quotes of its input becomes `"…"`, and every run of 7 or more digits (a phone number,
 * whole or cut) keeps only its last two. The backup objects keep the message whole.
 */
export function withoutRecordData(message: string): string {
  const unquoted = withoutUrlSecrets(message).replace(JSON_EXCERPT, '$1"…"$2').replace(QUOTED, '"…"');
  return unquoted.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '').length;
    if (digits < PHONE_DIGITS) return run;
    let seen = 0;
    return run.replace(/\d/g, (digit) => (++seen > digits - 2 ? digit : '*'));
  });
}
