import { describe, expect, it } from 'vitest';
import { formatCtrTimestamp } from '../../src/timestamps.js';

describe('formatCtrTimestamp', () => {
  it('formats as Date#toISOString does, to the second, across days in any order', () => {
    const samples = [
      0, -1, 59.9, 86_399, 86_400, -86_401, 1_709_510_399, 1_709_510_400, 1_709_510_400.7, 253_402_300_799,
    ];
    for (const seconds of [...samples, ...samples.reverse()]) {
      expect(formatCtrTimestamp(seconds)).toBe(
        `${new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 19)}Z`,
      );
    }
  });

  it('throws a RangeError outside the range of a Date, as before its day cache', () => {
    expect(() => formatCtrTimestamp(Number.NaN)).toThrow(RangeError);
    expect(() => formatCtrTimestamp(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => formatCtrTimestamp(8.64e12 + 5)).toThrow(RangeError);
    expect(() => formatCtrTimestamp(-8.64e12 - 5)).toThrow(RangeError);
    expect(() => formatCtrTimestamp(8.64e12)).not.toThrow();
  });
});
