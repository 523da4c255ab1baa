import { describe, expect, it } from 'vitest';
import {
  canonicalBase64ByteLength,
  decodeCanonicalBase64,
  decodeCanonicalBase64Into,
} from '../../src/base64.js';
import { checkProcessorResponse, checkProcessorResponseJson } from '../../src/processor-response.js';

/** The definition the commit claims equivalence with: decoding and re-encoding gives the same text back. */
const isCanonical = (text: string) => Buffer.from(text, 'base64').toString('base64') === text;

/**
 * Node's base64 decoder reads a two-byte string through a uint8 cast, so a character above U+00FF whose low
 * byte is a base64 letter decodes as that letter (U+0165 'ť' reads as 0x65 'e'). The length check cannot see it.
 */
const NON_ASCII = [
  ['ť (U+0165, low byte "e")', 'ťyJhIjoxfQ=='],
  ['Ł (U+0141, low byte "A") at the end', 'QUJDŁŁŁŁ'],
  ['ń (U+0144, low byte "D") before padding', 'QUJń'],
  ['a CJK character (U+6D41, low byte "A")', 'AAA流'],
] as const;

describe('canonical base64 and characters above U+00FF', () => {
  it.each(NON_ASCII)('the reference rejects %s', (_label, text) => {
    expect(isCanonical(text)).toBe(false);
  });

  it.each(NON_ASCII)(
    'decodeCanonicalBase64 rejects %s (producer path, stream without processor)',
    (_label, text) => {
      expect(decodeCanonicalBase64(text)).toBeUndefined();
    },
  );

  it.each(NON_ASCII)(
    'canonicalBase64ByteLength rejects %s (producer path, stream with processor)',
    (_label, text) => {
      expect(canonicalBase64ByteLength(text)).toBe(-1);
    },
  );

  it.each(NON_ASCII)('decodeCanonicalBase64Into rejects %s (Lambda response path)', (_label, text) => {
    expect(decodeCanonicalBase64Into(text, Buffer.alloc(32), 0)).toBe(-1);
  });

  it('a Lambda response whose data has such a character fails with Lambda.JsonProcessingException', () => {
    const response = { records: [{ recordId: 'r1', result: 'Ok', data: 'ťyJhIjoxfQ==' }] };
    expect(checkProcessorResponse(response, ['r1'])).toMatchObject({
      valid: false,
      errorCode: 'Lambda.JsonProcessingException',
    });
    expect(checkProcessorResponseJson(JSON.stringify(response), ['r1'])).toMatchObject({
      valid: false,
      errorCode: 'Lambda.JsonProcessingException',
    });
  });
});
