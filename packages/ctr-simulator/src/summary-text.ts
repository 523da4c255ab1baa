import type { GroundTruth } from './ground-truth.js';
import type { SendSummary } from './send-summary.js';

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

/** The per-day table printed at the end: expected distinct contacts and records, then what was sent. */
export function formatDayTable(groundTruth: GroundTruth, send: SendSummary | undefined): string {
  const sendByDay = new Map(send?.perDay.map((day) => [day.date, day]));
  const header = send
    ? ['Day (UTC)', 'Contacts', 'Records', 'Sent', 'Failed', 'Retried']
    : ['Day (UTC)', 'Contacts', 'Records'];
  const rows: string[][] = [header];
  for (const day of groundTruth.days) {
    const row = [day.date, String(day.distinctContacts), String(day.records)];
    if (send) {
      const counts = sendByDay.get(day.date);
      row.push(String(counts?.sent ?? 0), String(counts?.failed ?? 0), String(counts?.retried ?? 0));
    }
    rows.push(row);
  }
  const total = ['Total', String(groundTruth.totals.distinctContacts), String(groundTruth.totals.records)];
  if (send) total.push(String(send.sent), String(send.failed), String(send.retried));
  rows.push(total);
  return table(rows);
}

/** One paragraph on what the simulation contains. */
export function formatTotals(groundTruth: GroundTruth): string {
  const totals = groundTruth.totals;
  return [
    `Channels (contacts): VOICE ${totals.distinctContactsByChannel.VOICE}, CHAT ${totals.distinctContactsByChannel.CHAT}, TASK ${totals.distinctContactsByChannel.TASK}; abandoned ${totals.abandonedContacts}`,
    `Records: ${totals.originalRecords} first deliveries, ${totals.updateRecords} updates, ${totals.duplicateRecords} duplicates`,
    `Callers: ${totals.recordsWithKnownCaller} records from ${totals.distinctKnownCallers} known numbers, ${totals.recordsWithUnknownCaller} records from ${totals.distinctUnknownCallers} unknown numbers, ${totals.recordsWithoutPhoneNumber} without a number`,
  ].join('\n');
}

/** What a send did, in the lines the bins print: the counts with how it ended, then the failures by reason if any. */
export function formatSendCounts(summary: SendSummary, ending: string): string[] {
  const lines = [
    `\nSent ${summary.sent}, failed ${summary.failed}, retried ${summary.retried}, unsent ${summary.unsent} ` +
      `in ${summary.requests} requests, ${(summary.durationMs / 1000).toFixed(1)} s.${ending === '' ? '' : ` ${ending}`}`,
  ];
  const reasons = Object.entries(summary.failuresByReason);
  if (reasons.length > 0)
    lines.push(`Failures: ${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  return lines;
}
