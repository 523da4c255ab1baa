import { describe, expect, it } from 'vitest';
import { formatCallsPerDay } from '../../src/report.js';

describe('formatCallsPerDay', () => {
  it('shows a day of the ground truth that Elasticsearch has no document for as 0 calls, in date order', () => {
    const table = formatCallsPerDay(
      [
        { date: '2026-11-23', calls: 211 },
        { date: '2026-11-21', calls: 62 },
      ],
      new Map([
        ['2026-11-21', 62],
        ['2026-11-22', 70],
        ['2026-11-23', 211],
      ]),
    );
    expect(table.split('\n')).toEqual([
      'Date        Calls  Expected',
      '----------  -----  --------',
      '2026-11-21     62        62',
      '2026-11-22      0        70',
      '2026-11-23    211       211',
    ]);
  });

  it('shows a day only Elasticsearch has with 0 expected, and without a ground truth only what it has', () => {
    const rows = [{ date: '2026-11-21', calls: 3 }];
    expect(formatCallsPerDay(rows, new Map()).split('\n').at(-1)).toBe('2026-11-21      3         0');
    expect(formatCallsPerDay(rows).split('\n')).toEqual([
      'Date        Calls',
      '----------  -----',
      '2026-11-21      3',
    ]);
  });
});
