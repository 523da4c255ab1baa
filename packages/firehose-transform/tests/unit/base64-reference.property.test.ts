import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStrictBase64 } from '../../src/index.js';

/** The original definition of canonical base64: decoding and encoding again gives back the same text. */
function referenceDecode(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** Characters that matter to Node's decoder: the alphabet, `=`, URL-safe, skipped ones, high ones. */
const CHARACTERS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  '=',
  '-',
  '_',
  ' ',
  '\n',
  '\0',
  '.',
  '*',
  'ÿ',
  '\u0080',
  'ī', // U+012B: its low byte is `+`
  'Ł', // U+0141: its low byte is `A`
  'Ž', // U+017D: its low byte is `}`
  '\u013d', // its low byte is `=`
  '\ud800',
  '😀',
];

const anyText = fc
  .array(fc.constantFrom(...CHARACTERS), { maxLength: 24 })
  .map((characters) => characters.join(''));

/** Canonical base64 of random bytes with one character replaced, inserted or removed. */
const nearlyCanonical = fc
  .tuple(
    fc.uint8Array({ maxLength: 20 }),
    fc.nat(),
    fc.constantFrom(...CHARACTERS),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([bytes, at, character, edit]) => {
    const text = Buffer.from(bytes).toString('base64');
    const position = text.length === 0 ? 0 : at % text.length;
    if (edit === 0) return text.slice(0, position) + character + text.slice(position + 1);
    if (edit === 1) return text.slice(0, position) + character + text.slice(position);
    return text.slice(0, position) + text.slice(position + 1);
  });

describe('decodeStrictBase64 against its reference definition (decode, re-encode, compare)', () => {
  it('accepts exactly what the reference accepts, with the same bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          nearlyCanonical,
          fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
        ),
        (text) => {
          const expected = referenceDecode(text);
          const actual = decodeStrictBase64(text);
          if (expected === undefined) expect(actual).toBeUndefined();
          else expect(actual?.equals(expected)).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('agrees on every 4-character text over the characters that matter, with and without a prefix', () => {
    const prefix = Buffer.from('prefix').toString('base64'); // 'cHJlZml4'
    let checked = 0;
    for (const a of CHARACTERS)
      for (const b of CHARACTERS)
        for (const c of ['A', 'Q', 'R', '=', 'ī', '-', ' '])
          for (const d of ['=', 'A', 'B', '_', '\n']) {
            for (const text of [a + b + c + d, prefix + a + b + c + d]) {
              const expected = referenceDecode(text);
              const actual = decodeStrictBase64(text);
              expect(actual === undefined ? undefined : actual.toString('hex'), JSON.stringify(text)).toBe(
                expected === undefined ? undefined : expected.toString('hex'),
              );
              checked++;
            }
          }
    expect(checked).toBeGreaterThan(10_000);
  });
});
