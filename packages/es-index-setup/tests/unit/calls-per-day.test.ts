import { describe, expect, it } from 'vitest';
import { callsPerDayAggregation, parseCallsPerDay } from '../../src/calls-per-day.js';
import { UnexpectedResponseError } from '../../src/errors.js';

describe('callsPerDayAggregation', () => {
  it('is a daily date histogram on LastUpdateTimestamp with a unique count of ContactId', () => {
    expect(callsPerDayAggregation()).toEqual({
      calls_per_day: {
        date_histogram: {
          field: 'LastUpdateTimestamp',
          calendar_interval: '1d',
          time_zone: 'UTC',
          min_doc_count: 1,
          format: 'yyyy-MM-dd',
        },
        aggs: { calls: { cardinality: { field: 'ContactId', precision_threshold: 40000 } } },
      },
    });
  });

  it('takes a time zone and a precision threshold', () => {
    const body = callsPerDayAggregation({ timeZone: 'Australia/Sydney', precisionThreshold: 3000 });
    expect(body.calls_per_day.date_histogram.time_zone).toBe('Australia/Sydney');
    expect(body.calls_per_day.aggs.calls.cardinality).toEqual({
      field: 'ContactId',
      precision_threshold: 3000,
    });
  });
});

describe('parseCallsPerDay', () => {
  const bucket = (date: string, calls: number) => ({
    key_as_string: date,
    key: Date.parse(date),
    doc_count: calls + 1,
    calls: { value: calls },
  });

  it('reads rows from a search response or from its aggregations', () => {
    const aggregations = { calls_per_day: { buckets: [bucket('2018-11-02', 2), bucket('2018-11-03', 1)] } };
    const rows = [
      { date: '2018-11-02', calls: 2 },
      { date: '2018-11-03', calls: 1 },
    ];
    expect(parseCallsPerDay({ took: 1, aggregations })).toEqual(rows);
    expect(parseCallsPerDay(aggregations)).toEqual(rows);
    expect(parseCallsPerDay({ aggregations: { calls_per_day: { buckets: [] } } })).toEqual([]);
  });

  it.each([
    ['no aggregations', {}],
    ['null', null],
    ['buckets not an array', { aggregations: { calls_per_day: { buckets: {} } } }],
    [
      'a bucket without calls',
      { aggregations: { calls_per_day: { buckets: [{ key_as_string: '2018-11-02', doc_count: 1 }] } } },
    ],
    [
      'a date not formatted YYYY-MM-DD',
      {
        aggregations: {
          calls_per_day: { buckets: [{ key_as_string: '1541116800000', calls: { value: 1 } }] },
        },
      },
    ],
    [
      'a negative count',
      {
        aggregations: { calls_per_day: { buckets: [{ key_as_string: '2018-11-02', calls: { value: -1 } }] } },
      },
    ],
  ])('throws UnexpectedResponseError for %s', (_label, response) => {
    expect(() => parseCallsPerDay(response)).toThrow(UnexpectedResponseError);
  });
});
