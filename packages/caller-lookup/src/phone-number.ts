/** Longest input we even try to normalise; anything longer is not a phone number. */
const MAX_INPUT_LENGTH = 64;
const SEPARATORS = /[\s\-.()]/g;
const NORMALISED = /^\+?[0-9]{3,15}$/;

/**
 * Normalises a phone number: removes spaces, dashes, dots and parentheses, keeps an optional leading `+`,
 * and accepts 3 to 15 ASCII digits (E.164 allows at most 15). Returns `undefined` for anything else
 * (letters, `/`, `%`, `?`, non-ASCII digits, empty or over-long input, non-strings).
 *
 * @example
 * ```ts
 * import { normalizePhoneNumber } from '@ctr-stream/caller-lookup';
 * normalizePhoneNumber('+61 (2) 9999-9854'); // '+61299999854'
 * normalizePhoneNumber('../admin?x=1'); // undefined
 * ```
 */
export function normalizePhoneNumber(phone: unknown): string | undefined {
  if (typeof phone !== 'string' || phone.length === 0 || phone.length > MAX_INPUT_LENGTH) return undefined;
  const compact = phone.replace(SEPARATORS, '');
  return NORMALISED.test(compact) ? compact : undefined;
}

/**
 * Masks a phone number for logs, errors and metrics: keeps the `+`, the first two and the last three
 * digits of numbers with 8 or more digits (`+61******854`), only the last two of 5 to 7 digits, and none
 * of shorter ones. Input that is not a phone number is never echoed: it becomes `[invalid phone number]`.
 *
 * @example
 * ```ts
 * import { maskPhoneNumber } from '@ctr-stream/caller-lookup';
 * maskPhoneNumber('+61 2 9999 9854'); // '+61******854'
 * maskPhoneNumber('../admin?x=1'); // '[invalid phone number]'
 * ```
 */
export function maskPhoneNumber(phone: unknown): string {
  const normalised = normalizePhoneNumber(phone);
  if (normalised === undefined) return '[invalid phone number]';
  const plus = normalised.startsWith('+') ? '+' : '';
  const digits = plus ? normalised.slice(1) : normalised;
  if (digits.length >= 8)
    return `${plus}${digits.slice(0, 2)}${'*'.repeat(digits.length - 5)}${digits.slice(-3)}`;
  if (digits.length >= 5) return `${plus}${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
  return `${plus}${'*'.repeat(digits.length)}`;
}
