// The date part of the last day formatted: a simulation formats several timestamps per record, mostly of one day.
const MAX_EPOCH_SECONDS = 8.64e12;
let cachedDay = Number.NaN;
let cachedDatePrefix = '';

const twoDigits = (value: number) => (value < 10 ? `0${value}` : String(value));

/** Formats epoch seconds as a CTR timestamp: `yyyy-mm-ddThh:mm:ssZ`, UTC, second precision. */
export function formatCtrTimestamp(epochSeconds: number): string {
  const seconds = Math.floor(epochSeconds);
  // The range of a Date (±8.64e15 ms); the day cache would otherwise format the last day's overflow.
  if (!(Math.abs(seconds) <= MAX_EPOCH_SECONDS)) throw new RangeError('Invalid time value');
  const day = Math.floor(seconds / SECONDS_PER_DAY);
  if (day !== cachedDay) {
    // toISOString throws a RangeError for NaN and out-of-range times, as before.
    cachedDatePrefix = new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 11);
    cachedDay = day;
  }
  const second = seconds - day * SECONDS_PER_DAY;
  return `${cachedDatePrefix}${twoDigits(Math.floor(second / 3600))}:${twoDigits(Math.floor((second % 3600) / 60))}:${twoDigits(second % 60)}Z`;
}

/** The UTC day (`yyyy-mm-dd`) of a CTR timestamp. */
export function utcDayOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** Epoch seconds of midnight UTC of a `yyyy-mm-dd` date, or undefined when it is not a real date. */
export function parseIsoDate(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const milliseconds = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(milliseconds)) return undefined;
  // Date.parse accepts 2024-02-30 in some engines; round-trip to reject it.
  if (new Date(milliseconds).toISOString().slice(0, 10) !== date) return undefined;
  return milliseconds / 1000;
}

export const SECONDS_PER_DAY = 86_400;
