import { describe, expect, it } from 'vitest';
import { maskPhoneNumber, normalizePhoneNumber } from '../../src/index.js';

describe('normalizePhoneNumber', () => {
  it.each([
    ['+61299999854', '+61299999854'],
    ['+61 2 9999 9854', '+61299999854'],
    ['+61 (2) 9999-9854', '+61299999854'],
    ['02.9999.9854', '0299999854'],
    ['\t+1 555 010 9999 ', '+15550109999'],
    ['000', '000'],
    ['123456789012345', '123456789012345'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizePhoneNumber(input)).toBe(expected);
  });

  it.each([
    ['path traversal and query', '../admin?x=1'],
    ['an encoded slash', '%2F'],
    ['an encoded plus', '%2B61299999854'],
    ['a slash', '+61/299999854'],
    ['letters', '+61 2 CALL NOW'],
    ['Arabic-Indic digits', '٠٢٩٩٩٩٩٨٥٤'],
    ['full-width digits', '０２９９９９９８５４'],
    ['a plus in the middle', '61+299999854'],
    ['two pluses', '++61299999854'],
    ['too short', '12'],
    ['16 digits', '1234567890123456'],
    ['empty', ''],
    ['only separators', ' - . ( ) '],
    ['a 10 kB string', '1'.repeat(10_240)],
    ['a NUL byte', '+6129999\u00009854'],
    ['a newline injection', '+61299999854\r\nX-Evil: 1'],
  ])('rejects %s', (_label, input) => {
    expect(normalizePhoneNumber(input)).toBeUndefined();
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 61299999854, {}, ['+61299999854']]) {
      expect(normalizePhoneNumber(value)).toBeUndefined();
    }
  });
});

describe('maskPhoneNumber', () => {
  it.each([
    ['+61299999854', '+61******854'],
    ['+61 2 9999 9854', '+61******854'],
    ['0299999854', '02*****854'],
    ['12345678', '12***678'],
    ['1234567', '*****67'],
    ['12345', '***45'],
    ['1234', '****'],
    ['+000', '+***'],
  ])('masks %j as %j', (input, expected) => {
    expect(maskPhoneNumber(input)).toBe(expected);
  });

  it('never echoes input that is not a phone number', () => {
    expect(maskPhoneNumber('../admin?x=1')).toBe('[invalid phone number]');
    expect(maskPhoneNumber('4111 1111 1111 1111 1111')).toBe('[invalid phone number]');
    expect(maskPhoneNumber(undefined)).toBe('[invalid phone number]');
  });

  it('keeps at most five digits of a long number visible', () => {
    const masked = maskPhoneNumber('+123456789012345');
    expect(masked.replace(/[^0-9]/g, '')).toHaveLength(5);
  });
});
