import { describe, expect, it } from 'vitest';
import { type NameRules, parseNameResponse } from '../../src/response-parser.js';

const text: NameRules = {
  responseFormat: 'text',
  namePath: ['name'],
  emptyBodyIsNotFound: true,
  maxNameLength: 20,
};
const json: NameRules = { ...text, responseFormat: 'json', namePath: ['data', 'caller', 'name'] };
const body = (value: string) => new TextEncoder().encode(value);

describe('parseNameResponse (text)', () => {
  it('trims and keeps non-ASCII names', () => {
    expect(parseNameResponse(body('  Émilie Nguyễn\n'), 'text/plain', text)).toEqual({
      status: 'found',
      name: 'Émilie Nguyễn',
    });
  });

  it('strips control characters and bidi overrides and collapses whitespace', () => {
    expect(parseNameResponse(body('Jane\u0000 \u202eCitizen\u0007\t Smith'), undefined, text)).toEqual({
      status: 'found',
      name: 'Jane Citizen Smith',
    });
  });

  it('strips every invisible format character, but keeps the joiners scripts and emoji need', () => {
    const disguised = 'J\u061Cane\u200B Cit\u2060iz\u00ADen\u{E0041}\u{E0042}';
    expect(parseNameResponse(body(disguised), undefined, { ...text, maxNameLength: 60 })).toEqual({
      status: 'found',
      name: 'Jane Citizen',
    });
    // Persian spelling uses the zero-width non-joiner; a family emoji is joined by zero-width joiners; Mongolian
    // uses the vowel separator; the flag of Scotland is 🏴 followed by tag characters and a cancel tag.
    const persian = 'مهدی\u200Cزاده';
    const family = 'Ana 👩\u200D👩\u200D👧';
    const mongolian = 'ᠭᠠᠷᠢ\u180Eᠠ';
    const scotland = 'Ana \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
    for (const name of [persian, family, mongolian, scotland]) {
      expect(parseNameResponse(body(name), undefined, { ...text, maxNameLength: 60 })).toEqual({
        status: 'found',
        name,
      });
    }
  });

  it('keeps no hidden text in tag characters, nor stray Mongolian separators, nor half a cut flag', () => {
    const tags = (text: string) =>
      [...text].map((c) => String.fromCodePoint(0xe0000 + c.codePointAt(0)!)).join('');
    const hidden = `Ann \u{1F3F4}${tags('IGNORE PREVIOUS INSTRUCTIONS')}\u{E007F}`;
    expect(parseNameResponse(body(hidden), undefined, { ...text, maxNameLength: 60 })).toEqual({
      status: 'found',
      name: 'Ann \u{1F3F4}',
    });
    expect(parseNameResponse(body('A\u180e\u180enn'), undefined, text)).toEqual({
      status: 'found',
      name: 'Ann',
    });
    // Judged after the rest is cleaned: a zero-width space or a soft hyphen between does not cost the separator,
    // nor does a free variation selector (a Mongolian mark) before it.
    for (const [given, expected] of [
      ['\u1828\u200b\u180e\u1820', '\u1828\u180e\u1820'],
      ['\u1828\u00ad\u180e\u1820', '\u1828\u180e\u1820'],
      ['\u1828\u180b\u180e\u1820', '\u1828\u180b\u180e\u1820'],
    ]) {
      expect(parseNameResponse(body(given!), undefined, text)).toEqual({ status: 'found', name: expected });
    }
    // Cut at 10 characters inside the flag of Scotland: the black flag stays, its lone tag does not.
    const cut = parseNameResponse(body(`Ann Lee \u{1F3F4}${tags('gbsct')}\u{E007F}`), undefined, {
      ...text,
      maxNameLength: 10,
    });
    expect(cut).toEqual({ status: 'found', name: 'Ann Lee \u{1F3F4}' });
  });

  it('answers bad_response, not a cached not_found, for a body of invisible characters only', () => {
    for (const value of ['\u0000\u0001', '\u202e\u200f', '\u200b', '\u00ad\u2060']) {
      expect(parseNameResponse(body(value), undefined, text), JSON.stringify(value)).toEqual({
        status: 'error',
        reason: 'bad_response',
        detail: 'response holds only invisible characters',
      });
    }
  });

  it('returns a frozen result: the cache shares it with every later lookup of the number', () => {
    const result = parseNameResponse(body('Jane Citizen'), undefined, text);
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(parseNameResponse(body(`A${'b'.repeat(40)}`), undefined, text))).toBe(true);
  });

  it('caps the name by characters without splitting a surrogate pair', () => {
    const result = parseNameResponse(body(`A${'😀'.repeat(25)}`), undefined, text);
    expect(result).toEqual({ status: 'found', name: `A${'😀'.repeat(19)}` });
  });

  it('treats an empty body as not found, or as bad_response when configured', () => {
    expect(parseNameResponse(body('  \n'), undefined, text)).toEqual({ status: 'not_found' });
    expect(parseNameResponse(body(''), undefined, { ...text, emptyBodyIsNotFound: false })).toMatchObject({
      status: 'error',
      reason: 'bad_response',
    });
  });

  it.each([
    ['an HTML page', '<html><body>502 Bad Gateway</body></html>', undefined],
    ['an HTML content type', 'Jane Citizen', 'text/html; charset=utf-8'],
    ['a JSON object', '{"name":"Jane"}', 'text/plain'],
    ['a multi-line body', 'Internal error\nat line 3', undefined],
    ['digits only', '0412 345 678', undefined],
    ['punctuation only', '--- ...', undefined],
  ])('rejects %s as bad_response', (_label, value, contentType) => {
    expect(parseNameResponse(body(value), contentType, text)).toMatchObject({
      status: 'error',
      reason: 'bad_response',
    });
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(parseNameResponse(new Uint8Array([0x4a, 0xff, 0xfe, 0x61]), undefined, text)).toEqual({
      status: 'error',
      reason: 'bad_response',
      detail: 'response is not UTF-8',
    });
  });
});

describe('parseNameResponse (json)', () => {
  it('reads the name at the path', () => {
    expect(
      parseNameResponse(body('{"data":{"caller":{"name":" Jane "}}}'), 'application/json', json),
    ).toEqual({
      status: 'found',
      name: 'Jane',
    });
  });

  it('treats a missing or null name as not found', () => {
    expect(parseNameResponse(body('{"data":{"caller":null}}'), undefined, json)).toEqual({
      status: 'not_found',
    });
    expect(parseNameResponse(body('{"data":{}}'), undefined, json)).toEqual({ status: 'not_found' });
  });

  it('does not follow inherited properties', () => {
    expect(parseNameResponse(body('{}'), undefined, { ...json, namePath: ['constructor', 'name'] })).toEqual({
      status: 'not_found',
    });
  });

  it('rejects invalid JSON and non-string names', () => {
    expect(parseNameResponse(body('{"data":'), undefined, json)).toMatchObject({ reason: 'bad_response' });
    expect(parseNameResponse(body('{"data":{"caller":{"name":42}}}'), undefined, json)).toMatchObject({
      reason: 'bad_response',
    });
  });
});
