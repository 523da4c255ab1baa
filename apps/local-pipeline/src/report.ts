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

/** The "Calls per day" table: the Elasticsearch aggregation next to the simulator's ground truth. */
export function formatCallsPerDay(
  rows: readonly CallsPerDayRow[],
  expected?: ReadonlyMap<string, number>,
): string {
  const headers = expected ? ['Date', 'Calls', 'Expected'] : ['Date', 'Calls'];
  return formatTable(
    headers,
    rows.map((row) =>
      expected ? [row.date, row.calls, expected.get(row.date) ?? 0] : [row.date, row.calls],
    ),
  );
}
