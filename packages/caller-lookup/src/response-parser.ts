import type { CallerLookupResult } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
/**
 * C0/C1 controls and every invisible format character (`\p{Cf}`: bidi overrides, isolates and marks, zero-width
 * space, word joiner, soft hyphen, tag characters, the BOM), which can disguise a name, except those names are
 * spelt with: the zero-width non-joiner and joiner (U+200C, U+200D: Persian, Indic scripts, emoji sequences), the
 * Mongolian vowel separator (U+180E) after a Mongolian character, and an emoji subdivision flag (🏴, 2 to 6 tag
 * letters or digits, cancel tag: England, Scotland, Wales). Matched in one pass: a flag sequence first, kept whole;
 * tags that spell anything else (hidden text) go with the rest.
 */
const INVISIBLE = /(\u{1F3F4}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{2,6}\u{E007F})|[\p{Cc}\p{Cf}]/gu;
const KEPT_FORMAT = new Set(['\u200c', '\u200d', '\u180e']);
const keepOrDrop = (match: string, flag: string | undefined) =>
  flag !== undefined || KEPT_FORMAT.has(match) ? match : '';
/** A Mongolian vowel separator stays only after a character of the Mongolian block (U+1800-U+18AF). */
const keepMongolianSeparator = (separator: string, offset: number, whole: string) => {
  const before = whole.charCodeAt(offset - 1);
  return before >= 0x1800 && before <= 0x18af && before !== 0x180e ? separator : '';
};
/** Two passes: a separator is judged by the character before it in the name cleaned of the rest. */
const clean = (text: string) =>
  text.replace(INVISIBLE, keepOrDrop).replace(/\u180E/g, keepMongolianSeparator);
const MARKUP = /[<>{}[\]]/;
const LETTER = /\p{L}/u;

export interface NameRules {
  responseFormat: 'text' | 'json';
  namePath: readonly string[];
  emptyBodyIsNotFound: boolean;
  maxNameLength: number;
}

const NOT_FOUND: CallerLookupResult = Object.freeze({ status: 'not_found' });

export function badResponse(detail: string): CallerLookupResult {
  return { status: 'error', reason: 'bad_response', detail };
}

/**
 * Turns a 2xx body into a result: the name trimmed, stripped of control characters and capped, or
 * `bad_response` when the body is not a plausible name (never written into a record).
 */
export function parseNameResponse(body: Uint8Array, contentType: string | undefined, rules: NameRules) {
  if (contentType !== undefined && /^\s*(text\/html|application\/xhtml)/i.test(contentType)) {
    return badResponse('HTML response');
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return badResponse('response is not UTF-8');
  }
  let raw: unknown = text;
  if (rules.responseFormat === 'json') {
    if (text.trim() === '') return rules.emptyBodyIsNotFound ? NOT_FOUND : badResponse('empty response');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return badResponse('response is not JSON');
    }
    for (const key of rules.namePath) {
      value =
        value !== null && typeof value === 'object' && Object.hasOwn(value, key)
          ? (value as never)[key]
          : undefined;
    }
    if (value === undefined || value === null) {
      return rules.emptyBodyIsNotFound ? NOT_FOUND : badResponse('no name at the name path');
    }
    if (typeof value !== 'string') return badResponse('the value at the name path is not a string');
    raw = value;
  }
  return sanitizeName(raw as string, rules);
}

export function sanitizeName(raw: string, rules: Pick<NameRules, 'emptyBodyIsNotFound' | 'maxNameLength'>) {
  const trimmed = raw.trim();
  if (trimmed === '') return rules.emptyBodyIsNotFound ? NOT_FOUND : badResponse('empty response');
  if (/[\r\n]/.test(trimmed)) return badResponse('multi-line response');
  const cleaned = clean(trimmed).replace(/\s+/g, ' ').trim();
  // Not an empty answer (not found) but one of invisible characters only: garbage, never cached as not found.
  if (cleaned === '') return badResponse('response holds only invisible characters');
  if (MARKUP.test(cleaned)) return badResponse('markup in response');
  if (!LETTER.test(cleaned)) return badResponse('response has no letters');
  // Code points never outnumber UTF-16 code units: only a long string needs splitting into characters.
  // Frozen: the cache hands the same result to every later lookup of the number and to every deduplicated waiter.
  if (cleaned.length <= rules.maxNameLength)
    return Object.freeze({ status: 'found', name: cleaned }) as CallerLookupResult;
  const characters = Array.from(cleaned);
  // Cleaned again: a cut through a flag sequence leaves tag characters without their cancel tag.
  const name =
    characters.length > rules.maxNameLength
      ? clean(characters.slice(0, rules.maxNameLength).join('')).trim()
      : cleaned;
  return Object.freeze({ status: 'found', name }) as CallerLookupResult;
}
