import { describe, expect, it } from 'vitest';
import { withoutRecordData } from '../../src/logger.js';

describe('withoutRecordData', () => {
  it('drops what a JSON.parse error quotes of its input, and masks the phone number it cut', () => {
    let message = '';
    try {
      JSON.parse('+61412345678 is no JSON');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('61412345');
    expect(withoutRecordData(message)).not.toMatch(/41234/);
    expect(withoutRecordData(message)).toContain('is not valid JSON');
    expect(withoutRecordData(`Unexpected token 'x', "{"Name":"Ana Lima"}" is not valid JSON`)).toBe(
      `Unexpected token 'x', "…" is not valid JSON`,
    );
  });

  it('keeps the last two digits of a run of 7 or more, and leaves shorter numbers alone', () => {
    expect(withoutRecordData('caller +61 412 345 678 unknown')).toBe('caller +** *** *** *78 unknown');
    expect(withoutRecordData('lookup of 0412345678 failed')).toBe('lookup of ********78 failed');
    expect(withoutRecordData('timed out after 30000 ms on attempt 3 at 2026-11-29')).toBe(
      'timed out after 30000 ms on attempt 3 at ****-**-29',
    );
    expect(withoutRecordData('TypeError: lookup service unreachable')).toBe(
      'TypeError: lookup service unreachable',
    );
  });
});
