#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { runCommand, sendFromCommandLine, startCommand } from './cli-support.js';
import { BackupReadError, OutputFileError } from './errors.js';
import { type BackupRecord, type FirehoseBackupContents, readFirehoseBackup } from './firehose-backup.js';
import { parseReplayArguments, REPLAY_USAGE, type ReplaySettings } from './replay-arguments.js';
import type { SendRecordOutcome } from './send-to-firehose.js';

/** Problems listed on the terminal; `--json` has them all. */
const PROBLEMS_SHOWN = 20;

function describeContents(contents: FirehoseBackupContents, settings: ReplaySettings): string[] {
  const codes = Object.entries(contents.byErrorCode)
    .sort(([, left], [, right]) => right - left)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  const lines = [
    `Read ${contents.records.length} records from ${contents.files} backup objects: ` +
      `${contents.failedRecords} failed records${codes === '' ? '' : ` (${codes})`}, ${contents.documents} documents` +
      `${settings.errorCodes === undefined ? '' : `; ${contents.skipped} left out by --error-code`}.`,
  ];
  if (contents.problems.length > 0) {
    lines.push(`${contents.problems.length} values could not be read (they stay in their objects):`);
    for (const problem of contents.problems.slice(0, PROBLEMS_SHOWN)) {
      const where = problem.position === 0 ? 'the whole object' : `value ${problem.position}`;
      lines.push(`  ${problem.file}: ${where}: ${problem.reason}`);
    }
    if (contents.problems.length > PROBLEMS_SHOWN)
      lines.push(`  and ${contents.problems.length - PROBLEMS_SHOWN} more (--json lists them all)`);
  }
  return lines;
}

/**
 * The records not accepted, as failed records `ctr-replay` reads back: `rawData` is what was to be sent, the
 * error is why it was not, and the source object and position say where it came from.
 */
function failedRecordLines(
  records: readonly BackupRecord[],
  outcomes: ReadonlyMap<number, SendRecordOutcome>,
  now: number,
): string[] {
  const lines: string[] = [];
  records.forEach((record, index) => {
    const outcome = outcomes.get(index);
    if (outcome?.status === 'sent') return;
    const reason = outcome === undefined ? 'Unsent' : outcome.reason;
    lines.push(
      JSON.stringify({
        attemptsMade: outcome === undefined ? 0 : 1,
        errorCode: `Replay.${reason}`,
        errorMessage:
          outcome === undefined
            ? 'ctr-replay stopped before sending this record'
            : `ctr-replay could not send this record: ${reason}`,
        attemptEndingTimestamp: now,
        rawData: record.data.toString('base64'),
        sourceObject: record.file,
        sourcePosition: record.position,
        ...(record.errorCode === undefined ? {} : { sourceErrorCode: record.errorCode }),
      }),
    );
  });
  return lines;
}

async function main(): Promise<number> {
  const started = startCommand('ctr-replay', REPLAY_USAGE, () =>
    parseReplayArguments(process.argv.slice(2), process.env),
  );
  if (typeof started === 'number') return started;
  const settings = started;
  const log = (line: string) => {
    if (!settings.json) process.stdout.write(`${line}\n`);
  };

  let contents: FirehoseBackupContents;
  try {
    contents = await readFirehoseBackup(
      settings.paths,
      settings.errorCodes === undefined ? {} : { errorCodes: settings.errorCodes },
    );
  } catch (error) {
    if (error instanceof BackupReadError) {
      process.stderr.write(`ctr-replay: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  for (const line of describeContents(contents, settings)) log(line);
  const { records: _records, ...read } = contents;
  const report: Record<string, unknown> = { paths: settings.paths, dryRun: settings.dryRun, read };
  const unreadable = contents.problems.length > 0;
  if (settings.dryRun || contents.records.length === 0) {
    log(settings.dryRun ? 'Dry run: nothing sent.' : 'Nothing to send.');
    if (settings.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return unreadable ? 1 : 0;
  }

  const outcomes = new Map<number, SendRecordOutcome>();
  const { summary, fatal } = await sendFromCommandLine(settings, contents.records, log, (index, outcome) =>
    outcomes.set(index, outcome),
  );
  report.send = summary;
  if (fatal) report.error = { name: fatal.name, errorCode: fatal.errorCode, message: fatal.message };
  let failedOutError: OutputFileError | undefined;
  if (settings.failedOutPath !== undefined) {
    const lines = failedRecordLines(contents.records, outcomes, Date.now());
    try {
      await writeFile(settings.failedOutPath, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
      report.failedOut = { path: settings.failedOutPath, records: lines.length };
      log(
        `Wrote the ${lines.length} records not sent to ${settings.failedOutPath}` +
          `${lines.length === 0 ? '' : ` (replay them with: ctr-replay ${settings.failedOutPath})`}.`,
      );
    } catch (error) {
      failedOutError = new OutputFileError(settings.failedOutPath, error);
    }
  }
  if (settings.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (fatal) process.stderr.write(`ctr-replay: ${fatal.message}\n`);
  if (failedOutError) process.stderr.write(`ctr-replay: ${failedOutError.message}\n`);
  if (summary.aborted) return 130;
  return unreadable || failedOutError || summary.failed > 0 || summary.unsent > 0 ? 1 : 0;
}

runCommand('ctr-replay', main);
