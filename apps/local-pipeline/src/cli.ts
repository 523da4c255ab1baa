import { parseArgs } from 'node:util';
import {
  joinNegativeNumbers,
  parseDurationOption,
  resolveSimulationOptions,
  SimulationOptionsError,
} from '@ctr-stream/ctr-simulator';
import { validateIndexName } from '@ctr-stream/es-index-setup';
import { formatCallsPerDay, formatTable } from './report.js';
import {
  DELIVERY_STREAM_NAME,
  redactUrl,
  runLocalPipeline,
  uniqueCountTolerance,
} from './run-local-pipeline.js';
import type { LiveStatus, LocalPipelineReport } from './types.js';

const USAGE = `usage: npm start -- [--days N] [--contacts-per-day N] [--seed N] [--start-date YYYY-MM-DD]
                    [--utc-offset-minutes N] [--index NAME] [--reset-index] [--live [--duration TIME]]

Runs the whole pipeline on this machine: simulated contacts -> local Firehose (${DELIVERY_STREAM_NAME})
-> the Lambda transform (caller names from a local directory) -> Elasticsearch, then prints
"Calls per day" from the same aggregation the Kibana visualization uses.
Set KIBANA_URL (and KIBANA_USERNAME/KIBANA_PASSWORD or KIBANA_API_KEY) to install the Kibana objects too.

--days N         days simulated (default 7)
--contacts-per-day N
                 contacts on an average weekday; weekends get 30% of it (default 200)
--seed N         the simulator's seed: the same seed and options give the same records (default 1)
--start-date YYYY-MM-DD
                 the first simulated day, in the contact center's clock (default: the N days up to
                 yesterday; with --live, up to today); not with --live
--utc-offset-minutes N
                 the contact center's clock vs UTC, for its business hours: 600 for Sydney,
                 --utc-offset-minutes=-300 for New York (default 0). The table's days are UTC days
--index NAME     the index to deliver to (default connect)
--reset-index    delete that index first; the default on the local Elasticsearch npm start runs, never
                 on ELASTICSEARCH_URL unless given (an index with documents there is an error instead)
--live           after the simulated days, keep going on live traffic: each contact sent when it ends,
                 from now on, with a status line every 10 s; Ctrl-C ends it, delivers what is in flight
                 and prints the report (a second Ctrl-C quits at once)
--duration TIME  with --live: stop after TIME, e.g. 90s, 30m, 8h (a number alone is seconds)`;

/** A signal repeated within this many ms is the same one, passed on by npm (see `onSignal`). */
const SAME_SIGNAL_MS = 100;

/** What scripts/start.mjs hands over. */
export interface StartContext {
  /**
   * Starts (or reuses) the Elasticsearch to use, once the arguments are known to be good: `--help` or a typo
   * never downloads or starts anything. `startedHere` is true for the local node npm start runs, false for
   * ELASTICSEARCH_URL.
   */
  elasticsearch(): Promise<{ url: string; startedHere: boolean }>;
  workDirectory: string;
}

/** A run's settings, every one checked before anything is started, deleted or written. */
export interface StartSettings {
  days: number;
  contactsPerDay: number;
  seed: number;
  startDate: string | undefined;
  utcOffsetMinutes: number;
  index: string | undefined;
  resetIndex: boolean;
  kibanaUrl: string | undefined;
  lambdaLogLevel: 'debug' | 'info' | 'warn' | 'error' | undefined;
  /** `--live`, with `--duration` in milliseconds when given. */
  live: { durationMs: number | undefined } | undefined;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(parsed) || parsed < 1)
    throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return parsed;
}

/** A URL-like value for messages: anything before an `@` (a user, a password) masked, with or without a scheme. */
function shown(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, '$1***@');
}

const START_OPTIONS = {
  days: { type: 'string' },
  'contacts-per-day': { type: 'string' },
  seed: { type: 'string' },
  'start-date': { type: 'string' },
  'utc-offset-minutes': { type: 'string' },
  index: { type: 'string' },
  'reset-index': { type: 'boolean' },
  live: { type: 'boolean' },
  duration: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Reads `npm start`'s arguments and the environment it reads (LOG_LEVEL, KIBANA_URL), and checks them all,
 * the simulation options included: a mistake is one message and exit code 2 before anything is started,
 * deleted or written. `--help` prints the usage (exit code 0).
 */
export function parseStartArguments(
  argv: readonly string[],
  environment: Readonly<Record<string, string | undefined>>,
): { settings: StartSettings } | { exitCode: number; output: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      // `--utc-offset-minutes -300` (New York) as `--utc-offset-minutes=-300`: parseArgs alone calls it ambiguous.
      args: joinNegativeNumbers(argv, START_OPTIONS),
      options: START_OPTIONS,
      strict: true,
    }).values;
  } catch (error) {
    return { exitCode: 2, output: `${(error as Error).message}\n\n${USAGE}` };
  }
  if (values.help) return { exitCode: 0, output: USAGE };
  try {
    const days = positiveInteger('days', values.days as string | undefined, 7);
    const contactsPerDay = positiveInteger(
      'contacts-per-day',
      values['contacts-per-day'] as string | undefined,
      200,
    );
    const seed = positiveInteger('seed', values.seed as string | undefined, 1);
    const startDate = values['start-date'] as string | undefined;
    const offsetText = values['utc-offset-minutes'] as string | undefined;
    const utcOffsetMinutes = offsetText === undefined ? 0 : Number(offsetText);
    if (offsetText !== undefined && !/^-?\d+$/.test(offsetText))
      throw new Error(`--utc-offset-minutes must be an integer from -720 to 840, got "${offsetText}"`);
    // The simulator's own checks (a real date, at most 366 days, ...), before the work directory is emptied.
    resolveSimulationOptions({
      startDate: startDate ?? '2026-01-01',
      days,
      contactsPerDay,
      seed,
      utcOffsetMinutes,
    });
    if (values.live === true && startDate !== undefined)
      throw new Error(
        '--start-date picks the simulated days, and --live simulates the days up to now, then goes on live: give one of them',
      );
    if (values.duration !== undefined && values.live !== true)
      throw new Error('--duration sets how long --live runs: add --live');
    const durationMs = parseDurationOption(values.duration as string | undefined);
    const index = values.index as string | undefined;
    if (index !== undefined) {
      try {
        validateIndexName(index);
      } catch (error) {
        throw new Error(`--index: ${(error as Error).message}`);
      }
    }
    const logLevel = environment.LOG_LEVEL?.trim().toLowerCase() || undefined;
    if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
      throw new Error(
        `LOG_LEVEL is "${environment.LOG_LEVEL}" in this shell, and the Lambda accepts only debug, info, warn or error: change it or unset it`,
      );
    }
    const kibanaUrl = environment.KIBANA_URL || undefined;
    if (kibanaUrl !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(kibanaUrl);
      } catch {}
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw new Error(
          `KIBANA_URL must be an http:// or https:// URL such as http://localhost:5601 (got "${shown(kibanaUrl)}"): fix it, or unset it to only write the Kibana file`,
        );
      }
      // What the Kibana installer refuses, refused before anything runs rather than after the whole run.
      if (url.username !== '' || url.password !== '') {
        throw new Error(
          `KIBANA_URL must not contain a user or password (${url.protocol}//***@${url.host}): set KIBANA_USERNAME and KIBANA_PASSWORD, or KIBANA_API_KEY, instead`,
        );
      }
      if (url.search !== '' || url.hash !== '') {
        throw new Error(
          `KIBANA_URL must not have a query string or fragment (${url.origin}${url.pathname}): a Kibana space is part of the path, /s/<space>`,
        );
      }
      if (!environment.KIBANA_API_KEY && !environment.KIBANA_USERNAME !== !environment.KIBANA_PASSWORD) {
        throw new Error(
          `KIBANA_${environment.KIBANA_USERNAME ? 'USERNAME' : 'PASSWORD'} is set without KIBANA_${environment.KIBANA_USERNAME ? 'PASSWORD' : 'USERNAME'}: set both, or KIBANA_API_KEY`,
        );
      }
    }
    return {
      settings: {
        days,
        contactsPerDay,
        seed,
        startDate,
        utcOffsetMinutes,
        index,
        resetIndex: values['reset-index'] === true,
        kibanaUrl,
        lambdaLogLevel: logLevel as StartSettings['lambdaLogLevel'],
        live: values.live === true ? { durationMs } : undefined,
      },
    };
  } catch (error) {
    const message =
      error instanceof SimulationOptionsError
        ? error.problems
            // The directory's size follows from --contacts-per-day: its problem is that one's, said once.
            .filter((problem) => !problem.startsWith('callerDirectorySize'))
            .map((problem) =>
              problem
                // npm start wants at least one contact a day (a positive integer), the simulator allows none.
                .replace(/^(contactsPerDay must be an integer from )0\b/, '$11')
                .replace(/^(days|contactsPerDay|seed|startDate|utcOffsetMinutes)\b/, optionName),
            )
            .join('; ')
        : (error as Error).message;
    return { exitCode: 2, output: `${message}\n\n${USAGE}` };
  }
}

/** The simulator's option names as npm start spells them. */
function optionName(name: string): string {
  return (
    {
      days: '--days',
      contactsPerDay: '--contacts-per-day',
      seed: '--seed',
      startDate: '--start-date',
      utcOffsetMinutes: '--utc-offset-minutes',
    }[name] ?? name
  );
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/**
 * True when "Calls per day" from Elasticsearch equals the simulator's ground truth on every day of either
 * side, within what the unique count's hashing allows ({@link uniqueCountTolerance}: nothing below 260
 * contacts a day): a day missing from Elasticsearch, or an empty table, is a mismatch.
 */
export function callsPerDayMatches(
  report: Pick<LocalPipelineReport, 'callsPerDay' | 'expectedCallsPerDay'>,
): boolean {
  const actual = new Map(
    report.callsPerDay.filter((row) => row.calls > 0).map((row) => [row.date, row.calls]),
  );
  const allDays = new Set([...actual.keys(), ...report.expectedCallsPerDay.keys()]);
  return (
    allDays.size > 0 &&
    [...allDays].every((day) => {
      const [calls, expected] = [actual.get(day), report.expectedCallsPerDay.get(day)];
      if (calls === undefined || expected === undefined) return false;
      return Math.abs(calls - expected) <= uniqueCountTolerance(expected);
    })
  );
}

/** Nothing was simulated (a quiet weekend day at a few contacts a day), so nothing was sent or is expected. */
export function nothingSimulated(
  report: Pick<LocalPipelineReport, 'callsPerDay' | 'expectedCallsPerDay' | 'totals'>,
): boolean {
  return (
    report.totals.sent === 0 &&
    report.totals.sendFailed === 0 &&
    report.expectedCallsPerDay.size === 0 &&
    report.callsPerDay.every((row) => row.calls === 0)
  );
}

/**
 * The run succeeded: the table matches, and every record sent was delivered (none lost, none failed); or nothing
 * was simulated, so there was nothing to lose.
 */
export function runSucceeded(
  report: Pick<LocalPipelineReport, 'callsPerDay' | 'expectedCallsPerDay' | 'totals'>,
): boolean {
  const { totals } = report;
  if (nothingSimulated(report)) return totals.failed === 0 && totals.delivered === 0;
  return (
    callsPerDayMatches(report) &&
    totals.sendFailed === 0 &&
    totals.failed === 0 &&
    totals.delivered > 0 &&
    totals.sent === totals.delivered
  );
}

/** One status line of a live run: what was sent, and what a search of the index sees now. */
export function formatLiveStatus(status: LiveStatus): string {
  return `${status.at.slice(11, 19)} UTC  live records sent ${status.sent}${status.failed > 0 ? ` (${status.failed} failed)` : ''}  |  documents in the index ${status.documents}  |  calls today ${status.callsToday}`;
}

/** `npm start`'s program; returns the exit code. */
export async function main(argv: string[], context: StartContext): Promise<number> {
  const parsed = parseStartArguments(argv, process.env);
  if ('exitCode' in parsed) {
    if (parsed.exitCode === 0) console.log(parsed.output);
    else console.error(parsed.output);
    return parsed.exitCode;
  }
  const { settings } = parsed;
  const elasticsearch = await context.elasticsearch();
  const interactive = process.stderr.isTTY === true;
  const stop = new AbortController();
  // Only while the live phase runs does a first signal stop it gently; before and after it, it quits at once.
  let liveRunning = false;
  const onHangup = () => process.exit(129);
  // Live: a signal during the live phase delivers what is in flight and prints the report; one before it (the
  // simulated days are still being sent), after it (the report is being made) or a second one ends the run at
  // once, 130 for SIGINT, 143 for SIGTERM.
  // A run ended by a signal says so: a quiet exit looks like a signal that was ignored, or a crash.
  const quit = (signal: 'SIGINT' | 'SIGTERM') => {
    process.stderr.write(
      `\nInterrupted (${signal}): the run ends here, incomplete. Elasticsearch keeps running (npm run es:stop ends it).\n`,
    );
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  // npm start runs node in npm's place (`exec`), and npm passes on the signals it gets: one Ctrl-C reaches node twice,
  // from the terminal and from npm, milliseconds apart. The same signal again within SAME_SIGNAL_MS is that one.
  let last: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (last?.signal === signal && now - last.at < SAME_SIGNAL_MS) return;
    last = { signal, at: now };
    if (!liveRunning || stop.signal.aborted) quit(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    console.error(
      '\nStopping: the records in flight are delivered, then the report is printed (Ctrl-C again to quit now).',
    );
    stop.abort();
  };
  // Without --live a signal ends the run at once, but through process.exit: a signal's default action would skip
  // the exit handlers, and `kill <pid>` (npm start alone, not its process group) would leave the caller directory
  // running.
  const onInterrupt = () => quit('SIGINT');
  const onTerminate = () => quit('SIGTERM');
  if (settings.live !== undefined) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  } else {
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
  }
  // A closed terminal: nobody reads the report. Exit now (the directory ends with us).
  process.on('SIGHUP', onHangup);
  const report = await runLocalPipeline({
    elasticsearchUrl: elasticsearch.url,
    workDirectory: context.workDirectory,
    days: settings.days,
    contactsPerDay: settings.contactsPerDay,
    seed: settings.seed,
    utcOffsetMinutes: settings.utcOffsetMinutes,
    ...(settings.startDate === undefined ? {} : { startDate: settings.startDate }),
    ...(settings.index === undefined ? {} : { index: settings.index }),
    // The local node is ours to reset; someone's cluster only when asked.
    resetIndex: settings.resetIndex || elasticsearch.startedHere,
    ...(settings.kibanaUrl === undefined ? {} : { kibanaUrl: settings.kibanaUrl }),
    ...(settings.lambdaLogLevel === undefined ? {} : { lambdaLogLevel: settings.lambdaLogLevel }),
    log: (line) => console.error(line),
    onSendProgress: (progress) => {
      if (interactive) {
        process.stderr.write(`\r${progressBar(progress.sent + progress.failed, progress.records)}`);
        if (progress.sent + progress.failed === progress.records) process.stderr.write('\n');
      }
    },
    ...(settings.live === undefined
      ? {}
      : {
          live: {
            ...(settings.live.durationMs === undefined ? {} : { durationMs: settings.live.durationMs }),
            stop: stop.signal,
            onStart: () => {
              liveRunning = true;
            },
            onEnd: () => {
              liveRunning = false;
            },
            onStatus: (status) => console.error(formatLiveStatus(status)),
          },
        }),
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
    process.off('SIGHUP', onHangup);
  });

  console.log(
    `\nCalls per day (unique ContactId per UTC day of LastUpdateTimestamp, index ${report.paths.index}):\n`,
  );
  console.log(formatCallsPerDay(report.callsPerDay, report.expectedCallsPerDay));
  const { totals } = report;
  const searchEngine = report.searchEngine.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch';
  console.log(
    `\n${formatTable(
      ['Totals', 'Records'],
      [
        ['sent to Firehose', totals.sent],
        ['not accepted by Firehose', totals.sendFailed],
        [`delivered to ${searchEngine}`, totals.delivered],
        ['enriched with a caller name', totals.enrichedWithName],
        ['unknown callers', totals.unknownCallers],
        ['lookup failed (delivered without a name)', totals.lookupFailed],
        ['failed (processing-failed/, elasticsearch-failed/)', totals.failed],
        ['backed up (all records)', totals.backedUp],
      ],
    )}`,
  );
  const matches = callsPerDayMatches(report);
  const approximate = report.callsPerDay.some(
    (row) => row.calls !== (report.expectedCallsPerDay.get(row.date) ?? 0),
  );
  if (nothingSimulated(report)) {
    console.log(`
No contacts were simulated (a quiet period at ${settings.contactsPerDay} contacts a day: raise --contacts-per-day or --days), so there was nothing to compare; finished in ${(report.durationMs / 1000).toFixed(1)}s.`);
  } else
    console.log(`
Calls per day ${matches ? 'matches' : 'DOES NOT match'} the simulator's ground truth${matches && approximate ? " (within the unique count's precision: Elasticsearch counts hashes of the ContactIds, and some collide)" : ''}; finished in ${(report.durationMs / 1000).toFixed(1)}s.

${searchEngine.padEnd(18)} ${redactUrl(report.paths.elasticsearchUrl)}  (index ${report.paths.index}${elasticsearch.startedHere ? '; still running: npm run es:stop ends it' : ''})
Backup (S3 layout) ${report.paths.backupDirectory}
Caller directory   ${report.paths.callerDirectoryFile}
Kibana objects     ${report.paths.kibanaNdjson}  (index pattern ${report.kibanaIndexPattern}; ${report.kibanaInstalled ? 'installed into KIBANA_URL' : report.kibanaError === undefined ? 'import it in Kibana, or set KIBANA_URL' : 'NOT installed into KIBANA_URL, see below'})`);
  if (report.kibanaError !== undefined) {
    console.error(
      `\nKIBANA_URL=${redactUrl(settings.kibanaUrl ?? '')}: the Kibana objects were not installed: ${report.kibanaError}`,
    );
  }
  const nothingLost = totals.sent === totals.delivered + totals.failed;
  if (!nothingLost)
    console.error(
      `\nRecords unaccounted for: sent ${totals.sent}, delivered ${totals.delivered}, failed ${totals.failed}.`,
    );
  return runSucceeded(report) && report.kibanaError === undefined ? 0 : 1;
}
