import type { IndexRotationPeriod } from './config.js';

const DAY_MS = 86_400_000;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Start (UTC ms) of the Sunday-based week that contains 1 January of `year`: week 1 by US conventions. */
function firstWeekStart(year: number): number {
  const januaryFirst = Date.UTC(year, 0, 1);
  return januaryFirst - new Date(januaryFirst).getUTCDay() * DAY_MS;
}

/**
 * The week-year and week number of a UTC instant by the US conventions Firehose documents for OneWeek:
 * a week starts on Sunday, and week 1 is the first week that contains a Saturday of the year (the week
 * holding 1 January). Late-December days in the week of the next 1 January belong to week 1 of that year.
 */
export function usWeekOfYear(timestampMs: number): { year: number; week: number } {
  const calendarYear = new Date(timestampMs).getUTCFullYear();
  const nextYearStart = firstWeekStart(calendarYear + 1);
  if (timestampMs >= nextYearStart) return { year: calendarYear + 1, week: 1 };
  const week = Math.floor((timestampMs - firstWeekStart(calendarYear)) / (7 * DAY_MS)) + 1;
  return { year: calendarYear, week };
}

/**
 * The index a record goes to: `indexName` plus the suffix of the rotation period, computed from the
 * record's arrival timestamp in UTC, as Firehose does (`myindex-2016-02-25-13`, `myindex-2016-02-25`,
 * `myindex-2016-w09`, `myindex-2016-02`).
 *
 * @example
 * ```ts
 * import { rotatedIndexName } from '@ctr-stream/firehose-local';
 * rotatedIndexName('connect', 'OneDay', Date.parse('2016-02-25T13:00:00Z')); // 'connect-2016-02-25'
 * ```
 */
export function rotatedIndexName(
  indexName: string,
  period: IndexRotationPeriod,
  arrivalTimestampMs: number,
): string {
  const date = new Date(arrivalTimestampMs);
  const year = date.getUTCFullYear();
  const month = pad(date.getUTCMonth() + 1);
  const day = pad(date.getUTCDate());
  switch (period) {
    case 'NoRotation':
      return indexName;
    case 'OneHour':
      return `${indexName}-${year}-${month}-${day}-${pad(date.getUTCHours())}`;
    case 'OneDay':
      return `${indexName}-${year}-${month}-${day}`;
    case 'OneWeek': {
      const week = usWeekOfYear(arrivalTimestampMs);
      return `${indexName}-${week.year}-w${pad(week.week)}`;
    }
    case 'OneMonth':
      return `${indexName}-${year}-${month}`;
  }
}
