/** Formats epoch seconds as a CTR timestamp: `yyyy-mm-ddThh:mm:ssZ`, UTC, second precision. */
export function formatCtrTimestamp(epochSeconds: number): string {
  return `${new Date(Math.floor(epochSeconds) * 1000).toISOString().slice(0, 19)}Z`;
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
