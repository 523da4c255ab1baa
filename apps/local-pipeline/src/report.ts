import type { CallsPerDayRow } from './types.js';

/** Formats rows as a fixed-width text table, the way `npm start` prints it. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [
    line(headers),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

/**
 * The "Calls per day" table: the Elasticsearch aggregation next to the simulator's ground truth. With the
 * ground truth, a row for every day of either, in date order: a day whose every record was lost (no document,
 * so no histogram bucket) shows 0 calls instead of missing from the table.
 */
export function formatCallsPerDay(
  rows: readonly CallsPerDayRow[],
  expected?: ReadonlyMap<string, number>,
): string {
  if (!expected)
    return formatTable(
      ['Date', 'Calls'],
      rows.map((row) => [row.date, row.calls]),
    );
  const calls = new Map(rows.map((row) => [row.date, row.calls]));
  const days = [...new Set([...calls.keys(), ...expected.keys()])].sort();
  return formatTable(
    ['Date', 'Calls', 'Expected'],
    days.map((day) => [day, calls.get(day) ?? 0, expected.get(day) ?? 0]),
  );
}
