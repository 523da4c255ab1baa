import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contactTraceRecordJsonSchema,
  safeParseContactTraceRecord,
  TimestampSchema,
} from '../../src/index.js';
import { TIMESTAMP_PATTERN } from '../../src/primitives.js';
import { loadEvent } from '../load-events.js';

// The JSON Schema's timestamp pattern (what teams in other languages validate with).
const lastUpdateTimestamp = contactTraceRecordJsonSchema().properties!.LastUpdateTimestamp as {
  pattern: string;
};
const jsonSchemaPattern = new RegExp(lastUpdateTimestamp.pattern);

describe('timestamps', () => {
  it.each([
    ['2018-11-02T07:00:12Z', 'Connect: second precision, UTC'],
    ['2024-03-08T05:00:03.412Z', 'milliseconds (API, contact events, KVS recordings)'],
    ['2024-03-08T05:00:03.4Z', 'one fractional digit'],
    ['2024-03-08T05:00:03.123456789Z', 'nanoseconds'],
    ['2024-02-29T23:59:59Z', 'leap day'],
  ])('accepts %s (%s) and keeps the string as is', (timestamp) => {
    expect(TimestampSchema.parse(timestamp)).toBe(timestamp);
    expect(jsonSchemaPattern.test(timestamp)).toBe(true);
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
    expect(jsonSchemaPattern.test(timestamp)).toBe(false);
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

  it('the JSON Schema pattern accepts exactly what TimestampSchema accepts', () => {
    expect(jsonSchemaPattern.source).toBe(TIMESTAMP_PATTERN);
    const digits = (length: number) =>
      fc
        .array(fc.constantFrom(...'0123456789'), { minLength: length, maxLength: length })
        .map((characters) => characters.join(''));
    const timestamp = fc
      .tuple(
        fc.oneof(digits(4), fc.constantFrom('2000', '1900', '2024', '2023', '2100', '0000')),
        fc.oneof(digits(2), fc.constantFrom('01', '02', '04', '12', '13', '00')),
        fc.oneof(digits(2), fc.constantFrom('28', '29', '30', '31', '00')),
        fc.constantFrom('T', 't', ' '),
        fc.oneof(digits(2), fc.constantFrom('00', '23', '24')),
        digits(2),
        fc.option(fc.tuple(fc.constantFrom(':', ''), fc.oneof(digits(2), digits(1), fc.constant('60')))),
        fc.option(fc.tuple(fc.constant('.'), fc.oneof(fc.constant(''), digits(1), digits(3), digits(9)))),
        fc.constantFrom('Z', 'z', '', '+00:00', '+11:00'),
      )
      .map(
        ([year, month, day, separator, hour, minute, seconds, fraction, zone]) =>
          `${year}-${month}-${day}${separator}${hour}:${minute}${seconds ? seconds.join('') : ''}${fraction ? fraction.join('') : ''}${zone}`,
      );
    fc.assert(
      fc.property(fc.oneof(timestamp, fc.string()), (candidate) => {
        expect(jsonSchemaPattern.test(candidate)).toBe(TimestampSchema.safeParse(candidate).success);
      }),
      { numRuns: 5000 },
    );
  });
});
