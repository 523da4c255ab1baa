import { describe, expect, it } from 'vitest';
import {
  canonicalBase64ByteLength,
  decodeCanonicalBase64,
  decodeCanonicalBase64Into,
} from '../../src/base64.js';

/** The definition of canonical base64: decoding and re-encoding gives the same text back. */
function referenceDecode(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const CHARACTERS =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ *\n\r\t.éŁť流"\\\u0000';

describe('canonical base64', () => {
  it.each([
    ['', 0],
    ['YQ==', 1],
    ['YWI=', 2],
    ['YWJj', 3],
    ['eyJhIjoxfQ==', 7],
    ['+/+/', 3],
  ])('accepts %j (%i bytes)', (text, length) => {
    expect(decodeCanonicalBase64(text)).toEqual(Buffer.from(text, 'base64'));
    expect(canonicalBase64ByteLength(text)).toBe(length);
  });

  it.each([
    ['no padding', 'YQ'],
    ['stray bits before ==', 'YR=='],
    ['stray bits before =', 'YWJ='],
    ['base64url minus', 'YW-j'],
    ['base64url underscore', 'YW_j'],
    ['a space', 'YW j'],
    ['a newline', 'YWJj\nYWJj'],
    ['a character Buffer.from skips', 'YW*j'],
    ['padding in the middle', 'YQ==YQ=='],
    ['padding then data', 'YQ=a'],
    ['three padding characters', 'Y==='],
    ['only padding', '===='],
    ['non-ASCII', 'YWé='],
    ['garbage', '!!not base64!!'],
  ])('rejects %s (%j)', (_label, text) => {
    expect(referenceDecode(text)).toBeUndefined();
    expect(decodeCanonicalBase64(text)).toBeUndefined();
    expect(canonicalBase64ByteLength(text)).toBe(-1);
  });

  it('agrees with decode-and-re-encode on 60,000 generated strings, valid and mutated', () => {
    const next = random(20_240_506);
    let accepted = 0;
    for (let round = 0; round < 60_000; round += 1) {
      let text: string;
      if (round % 2 === 0) {
        // Valid base64 of random bytes, then maybe one mutation.
        const bytes = Buffer.alloc(Math.floor(next() * 12));
        for (let index = 0; index < bytes.length; index += 1) bytes[index] = Math.floor(next() * 256);
        text = bytes.toString('base64');
        if (next() < 0.6 && text.length > 0) {
          const at = Math.floor(next() * text.length);
          const replacement = CHARACTERS[Math.floor(next() * CHARACTERS.length)]!;
          text = text.slice(0, at) + replacement + text.slice(at + 1);
        }
      } else {
        text = Array.from(
          { length: Math.floor(next() * 4) * 4 },
          () => CHARACTERS[Math.floor(next() * CHARACTERS.length)]!,
        ).join('');
      }
      const expected = referenceDecode(text);
      if (expected !== undefined) accepted += 1;
      expect(decodeCanonicalBase64(text), text).toEqual(expected);
      expect(canonicalBase64ByteLength(text), text).toBe(expected === undefined ? -1 : expected.length);
      const target = Buffer.alloc(20);
      const written = decodeCanonicalBase64Into(text, target, 3);
      expect(written, text).toBe(expected === undefined ? -1 : expected.length);
      if (expected !== undefined) expect(target.subarray(3, 3 + written)).toEqual(expected);
    }
    // Both kinds of answers were exercised.
    expect(accepted).toBeGreaterThan(10_000);
    expect(60_000 - accepted).toBeGreaterThan(10_000);
  });

  it('measures records larger than its reusable buffer exactly', () => {
    const large = Buffer.alloc(1_100_000, 7).toString('base64');
    expect(canonicalBase64ByteLength(large)).toBe(1_100_000);
    expect(canonicalBase64ByteLength(`${large.slice(0, -4)}YW-j`)).toBe(-1);
  });
});
