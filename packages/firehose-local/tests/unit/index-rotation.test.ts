import { describe, expect, it } from 'vitest';
import { backupObjectKey, rotatedIndexName, usWeekOfYear } from '../../src/index.js';

const at = (iso: string) => Date.parse(iso);

describe('rotatedIndexName', () => {
  it('appends the UTC arrival time in Firehose formats', () => {
    const arrival = at('2016-02-25T13:00:00Z');
    expect(rotatedIndexName('myindex', 'NoRotation', arrival)).toBe('myindex');
    expect(rotatedIndexName('myindex', 'OneHour', arrival)).toBe('myindex-2016-02-25-13');
    expect(rotatedIndexName('myindex', 'OneDay', arrival)).toBe('myindex-2016-02-25');
    expect(rotatedIndexName('myindex', 'OneMonth', arrival)).toBe('myindex-2016-02');
  });

  it('uses UTC, not the local time zone, at day boundaries', () => {
    expect(rotatedIndexName('connect', 'OneDay', at('2024-03-31T23:59:59.999Z'))).toBe('connect-2024-03-31');
    expect(rotatedIndexName('connect', 'OneHour', at('2024-04-01T00:00:00Z'))).toBe('connect-2024-04-01-00');
  });

  it('numbers weeks by US conventions: Sunday start, week 1 holds 1 January', () => {
    // 2016-01-01 is a Friday: week 1 runs Sun 2015-12-27 .. Sat 2016-01-02.
    expect(usWeekOfYear(at('2016-01-02T23:00:00Z'))).toEqual({ year: 2016, week: 1 });
    expect(usWeekOfYear(at('2016-01-03T00:00:00Z'))).toEqual({ year: 2016, week: 2 });
    expect(usWeekOfYear(at('2015-12-27T00:00:00Z'))).toEqual({ year: 2016, week: 1 });
    expect(usWeekOfYear(at('2015-12-26T23:59:59Z'))).toEqual({ year: 2015, week: 52 });
    // 2023-01-01 is a Sunday: the week starts that day.
    expect(usWeekOfYear(at('2023-01-01T00:00:00Z'))).toEqual({ year: 2023, week: 1 });
    expect(usWeekOfYear(at('2022-12-31T12:00:00Z'))).toEqual({ year: 2022, week: 53 });
    expect(rotatedIndexName('myindex', 'OneWeek', at('2016-02-25T13:00:00Z'))).toBe('myindex-2016-w09');
    expect(rotatedIndexName('myindex', 'OneWeek', at('2020-08-13T00:00:00Z'))).toBe('myindex-2020-w33');
  });
});

describe('backupObjectKey', () => {
  it('lays objects out like Firehose in S3', () => {
    const timestampMs = at('2024-05-06T07:08:09Z');
    expect(
      backupObjectKey({ prefix: '', area: 'all-documents', streamName: 'ctr', timestampMs, uniqueId: 'u1' }),
    ).toBe('2024/05/06/07/ctr-1-2024-05-06-07-08-09-u1');
    expect(
      backupObjectKey({
        prefix: 'ctr/',
        area: 'processing-failed',
        streamName: 'ctr',
        timestampMs,
        uniqueId: 'u2',
      }),
    ).toBe('ctr/processing-failed/2024/05/06/07/ctr-1-2024-05-06-07-08-09-u2');
    expect(
      backupObjectKey({
        prefix: '',
        area: 'elasticsearch-failed',
        streamName: 's',
        timestampMs,
        uniqueId: 'u3',
      }),
    ).toBe('elasticsearch-failed/2024/05/06/07/s-1-2024-05-06-07-08-09-u3');
  });
});
