import { parseArgs } from 'node:util';
import { formatCallsPerDay, formatTable } from './report.js';
import { DELIVERY_STREAM_NAME, redactUrl, runLocalPipeline } from './run-local-pipeline.js';
import type { LocalPipelineReport } from './types.js';

const USAGE = `usage: npm start -- [--days N] [--contacts-per-day N] [--seed N] [--start-date YYYY-MM-DD]
                    [--index NAME] [--reset-index]

Runs the whole pipeline on this machine: simulated contacts -> local Firehose (${DELIVERY_STREAM_NAME})
-> the Lambda transform (caller names from a local directory) -> Elasticsearch, then prints
"Calls per day" from the same aggregation the Kibana visualization uses.
Set KIBANA_URL (and KIBANA_USERNAME/KIBANA_PASSWORD or KIBANA_API_KEY) to install the Kibana objects too.

--index NAME     the index to deliver to (default connect)
--reset-index    delete that index first; the default on the local Elasticsearch npm start runs, never
                 on ELASTICSEARCH_URL unless given (an index with documents there is an error instead)`;

/** What scripts/start.mjs hands over. */
export interface StartContext {
  elasticsearchUrl: string;
  /** True for the local node npm start runs (started or reused), false for ELASTICSEARCH_URL. */
  elasticsearchStartedHere: boolean;
  workDirectory: string;
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return parsed;
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/**
 * True when "Calls per day" from Elasticsearch equals the simulator's ground truth on every day of either
 * side: a day missing from Elasticsearch, or an empty table, is a mismatch.
 */
export function callsPerDayMatches(
  report: Pick<LocalPipelineReport, 'callsPerDay' | 'expectedCallsPerDay'>,
): boolean {
  const actual = new Map(
    report.callsPerDay.filter((row) => row.calls > 0).map((row) => [row.date, row.calls]),
  );
  const allDays = new Set([...actual.keys(), ...report.expectedCallsPerDay.keys()]);
  return (
    allDays.size > 0 && [...allDays].every((day) => actual.get(day) === report.expectedCallsPerDay.get(day))
  );
}

/** The run succeeded: the table matches, and every record sent was delivered (none lost, none failed). */
export function runSucceeded(
  report: Pick<LocalPipelineReport, 'callsPerDay' | 'expectedCallsPerDay' | 'totals'>,
): boolean {
  const { totals } = report;
  return (
    callsPerDayMatches(report) &&
    totals.sendFailed === 0 &&
    totals.failed === 0 &&
    totals.delivered > 0 &&
    totals.sent === totals.delivered
  );
}

/** `npm start`'s program; returns the exit code. */
export async function main(argv: string[], context: StartContext): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        days: { type: 'string' },
        'contacts-per-day': { type: 'string' },
        seed: { type: 'string' },
        'start-date': { type: 'string' },
        index: { type: 'string' },
        'reset-index': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let days: number;
  let contactsPerDay: number;
  let seed: number;
  try {
    days = positiveInteger('days', values.days as string | undefined, 7);
    contactsPerDay = positiveInteger(
      'contacts-per-day',
      values['contacts-per-day'] as string | undefined,
      200,
    );
    seed = positiveInteger('seed', values.seed as string | undefined, 1);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const interactive = process.stderr.isTTY === true;
  const report = await runLocalPipeline({
    elasticsearchUrl: context.elasticsearchUrl,
    workDirectory: context.workDirectory,
    days,
    contactsPerDay,
    seed,
    ...(typeof values['start-date'] === 'string' ? { startDate: values['start-date'] } : {}),
    ...(typeof values.index === 'string' ? { index: values.index } : {}),
    // The local node is ours to reset; someone's cluster only when asked.
    resetIndex: values['reset-index'] === true || context.elasticsearchStartedHere,
    ...(process.env.KIBANA_URL ? { kibanaUrl: process.env.KIBANA_URL } : {}),
    log: (line) => console.error(line),
    onSendProgress: (progress) => {
      if (interactive)
        process.stderr.write(`\r${progressBar(progress.sent + progress.failed, progress.records)}`);
    },
  });
  if (interactive) process.stderr.write('\n');

  console.log(
    `\nCalls per day (unique ContactId per day of LastUpdateTimestamp, index ${report.paths.index}):\n`,
  );
  console.log(formatCallsPerDay(report.callsPerDay, report.expectedCallsPerDay));
  const { totals } = report;
  console.log(
    `\n${formatTable(
      ['Totals', 'Records'],
      [
        ['sent to Firehose', totals.sent],
        ['not accepted by Firehose', totals.sendFailed],
        ['delivered to Elasticsearch', totals.delivered],
        ['enriched with a caller name', totals.enrichedWithName],
        ['unknown callers', totals.unknownCallers],
        ['lookup failed (delivered without a name)', totals.lookupFailed],
        ['failed (processing-failed/, elasticsearch-failed/)', totals.failed],
        ['backed up (all records)', totals.backedUp],
      ],
    )}`,
  );
  const matches = callsPerDayMatches(report);
  console.log(`
Calls per day ${matches ? 'matches' : 'DOES NOT match'} the simulator's ground truth; finished in ${(report.durationMs / 1000).toFixed(1)}s.

Elasticsearch      ${redactUrl(report.paths.elasticsearchUrl)}  (index ${report.paths.index}${context.elasticsearchStartedHere ? '; still running: npm run es:stop ends it' : ''})
Backup (S3 layout) ${report.paths.backupDirectory}
Caller directory   ${report.paths.callerDirectoryFile}
Kibana objects     ${report.paths.kibanaNdjson}  (${report.kibanaInstalled ? 'installed into KIBANA_URL' : 'import it in Kibana, or set KIBANA_URL'})`);
  const nothingLost = totals.sent === totals.delivered + totals.failed;
  if (!nothingLost)
    console.error(
      `\nRecords unaccounted for: sent ${totals.sent}, delivered ${totals.delivered}, failed ${totals.failed}.`,
    );
  return runSucceeded(report) ? 0 : 1;
}
