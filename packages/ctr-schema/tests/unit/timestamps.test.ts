import { describe, expect, it } from 'vitest';
import { safeParseContactTraceRecord, TimestampSchema } from '../../src/index.js';
import { loadEvent } from '../load-events.js';

describe('timestamps', () => {
  it.each([
    ['2018-11-02T07:00:12Z', 'Connect: second precision, UTC'],
    ['2024-03-08T05:00:03.412Z', 'milliseconds (API, contact events, KVS recordings)'],
    ['2024-03-08T05:00:03.4Z', 'one fractional digit'],
    ['2024-03-08T05:00:03.123456789Z', 'nanoseconds'],
    ['2024-02-29T23:59:59Z', 'leap day'],
  ])('accepts %s (%s) and keeps the string as is', (timestamp) => {
    expect(TimestampSchema.parse(timestamp)).toBe(timestamp);
    const input = { ...loadEvent('tutorial-abandoned-2018.json'), LastUpdateTimestamp: timestamp };
    const result = safeParseContactTraceRecord(input);
    expect(result.success && result.data.LastUpdateTimestamp).toBe(timestamp);
  });

  it.each([
    ['2018-11-02T07:00:12+11:00', 'an offset instead of Z'],
    ['2018-11-02T07:00:12', 'no zone'],
    ['2018-11-02T07:00Z', 'minute precision'],
    ['2018-11-02 07:00:12Z', 'a space instead of T'],
    ['2018-11-02', 'a date alone'],
    ['2023-02-29T00:00:00Z', 'a day that does not exist'],
    ['2018-11-02T24:00:00Z', 'hour 24'],
    ['2018-11-02T07:00:12.Z', 'an empty fraction'],
    ['2018-11-02t07:00:12z', 'lower case'],
    ['1541142012', 'epoch seconds as a string'],
    ['', 'empty'],
    [' 2018-11-02T07:00:12Z', 'leading space'],
  ])('rejects %j (%s)', (timestamp) => {
    expect(TimestampSchema.safeParse(timestamp).success).toBe(false);
    const input = { ...loadEvent('tutorial-abandoned-2018.json'), DisconnectTimestamp: timestamp };
    const result = safeParseContactTraceRecord(input);
    expect(result.success).toBe(false);
    if (!result.success)
      expect(result.error.issues.map((issue) => issue.path)).toEqual(['DisconnectTimestamp']);
  });

  it('rejects a number or a Date object where a timestamp belongs', () => {
    for (const value of [1541142012000, new Date('2018-11-02T07:00:12Z')]) {
      const result = safeParseContactTraceRecord({
        ...loadEvent('tutorial-abandoned-2018.json'),
        InitiationTimestamp: value,
      });
      expect(result.success).toBe(false);
    }
  });
});
