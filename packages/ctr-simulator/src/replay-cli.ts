#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { runCommand, startCommand } from './cli-command.js';
import { loopbackCredentials, sendFromCommandLine } from './cli-send.js';
import { BackupReadError, OutputFileError } from './errors.js';
import { type BackupRecord, type FirehoseBackupContents, readFirehoseBackup } from './firehose-backup.js';
import { parseReplayArguments, REPLAY_USAGE, type ReplaySettings } from './replay-arguments.js';
import { printable } from './request-errors.js';
import { isS3Url } from './s3-backup.js';
import type { SendRecordOutcome } from './send-to-firehose.js';

/** Problems listed on the terminal; `--json` has them all. */
const PROBLEMS_SHOWN = 20;

function describeContents(contents: FirehoseBackupContents, settings: ReplaySettings): string[] {
  const codes = Object.entries(contents.byErrorCode)
    .sort(([, left], [, right]) => right - left)
    .map(([code, count]) => `${printable(code)} ${count}`)
    .join(', ');
  const leftOut = [
    settings.errorCodes === undefined ? '' : `${contents.skipped} failed records left out by --error-code`,
    contents.skippedDocuments === 0
      ? ''
      : `${contents.skippedDocuments} backed-up documents left out${settings.documents ? '' : ' (--documents sends them)'}`,
  ].filter((part) => part !== '');
  const lines = [
    `Read ${contents.records.length} records from ${contents.files} backup objects: ` +
      `${contents.failedRecords} failed records${codes === '' ? '' : ` (${codes})`}, ${contents.documents} documents` +
      `${leftOut.length === 0 ? '' : `; ${leftOut.join('; ')}`}.`,
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

/** Error codes listed in a message, most frequent first. */
const CODES_SHOWN = 10;

/**
 * One line for each `--error-code` that matched no failed record: the code as given (printable), the codes that
 * were found, and how to ask for several codes (a code with a comma in it was probably meant as a list).
 */
function unmatchedErrorCodes(
  contents: FirehoseBackupContents,
  settings: ReplaySettings,
): { code: string; message: string }[] {
  if (settings.errorCodes === undefined) return [];
  const found: Record<string, number> = { ...contents.skippedByErrorCode };
  for (const [code, count] of Object.entries(contents.byErrorCode)) found[code] = (found[code] ?? 0) + count;
  const ranked = Object.entries(found).sort(([, left], [, right]) => right - left);
  const foundText =
    ranked.length === 0
      ? 'no failed records were found'
      : `found: ${ranked
          .slice(0, CODES_SHOWN)
          .map(([code, count]) => `${printable(code)} ${count}`)
          .join(', ')}${ranked.length > CODES_SHOWN ? ` and ${ranked.length - CODES_SHOWN} more codes` : ''}`;
  return [...new Set(settings.errorCodes)]
    .filter((code) => (contents.byErrorCode[code] ?? 0) === 0)
    .map((code) => {
      const hint = code.includes(',')
        ? ` It contains a comma, but a code is matched whole: for several codes, repeat the option (${code
            .split(',')
            .filter((part) => part.trim() !== '')
            .map((part) => `--error-code ${printable(part.trim())}`)
            .join(' ')}).`
        : ' Codes are matched exactly, case included; repeat --error-code for several codes.';
      return {
        code,
        message: `--error-code ${JSON.stringify(printable(code))} matched no failed record (${foundText}).${hint}`,
      };
    });
}

/**
 * The records not accepted, as failed records `ctr-replay` reads back: `rawData` is what was to be sent, the
 * error is why it was not, and the source object and position say where it came from. `mayHaveBeenDelivered`
 * marks records whose last request got no per-record answer: Firehose may have them already.
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
        attemptsMade: outcome?.attempts ?? 0,
        ...(record.arrivalTimestamp === undefined ? {} : { arrivalTimestamp: record.arrivalTimestamp }),
        errorCode: `Replay.${reason}`,
        errorMessage:
          outcome === undefined
            ? 'ctr-replay stopped before sending this record'
            : `ctr-replay could not send this record: ${reason}`,
        attemptEndingTimestamp: now,
        mayHaveBeenDelivered: outcome?.mayHaveBeenDelivered ?? false,
        rawData: record.data.toString('base64'),
        sourceObject: record.file,
        sourcePosition: record.position,
        ...(record.errorCode === undefined ? {} : { sourceErrorCode: record.errorCode }),
      }),
    );
  });
  return lines;
}

/** Writes the file whole or not at all (a temporary file, then a rename): it may be this run's own input. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${randomUUID()}.partial`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new OutputFileError(path, error);
  }
}

/**
 * Why `--failed-out` cannot go where it was asked: inside a directory being replayed, the next replay of that
 * directory would send its records twice. The file itself may be an input (replaying it rewrites it).
 */
async function failedOutConflict(settings: ReplaySettings): Promise<string | undefined> {
  if (settings.failedOutPath === undefined) return undefined;
  const target = resolve(settings.failedOutPath);
  // Checked before anything is sent: the list of records not sent must have somewhere to go.
  try {
    await access(dirname(target), constants.W_OK);
  } catch {
    return `--failed-out ${settings.failedOutPath}: the directory ${dirname(target)} does not exist or is not writable. Create it, or write elsewhere.`;
  }
  const targetDirectory = await realpath(dirname(target)).catch(() => dirname(target));
  const targetFile = await realpath(target).catch(() => undefined);
  for (const path of settings.paths) {
    if (isS3Url(path)) continue;
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() === true && targetFile !== undefined && (await realpath(path)) === targetFile) {
      // Rewritten with the records not sent only, it would lose what it holds that is not sent: lines that do not
      // read, backed-up documents, records --error-code leaves out.
      return `--failed-out ${settings.failedOutPath} is also being replayed: rewriting it with the records not sent would lose what else it holds (lines that do not read, documents${settings.errorCodes === undefined ? '' : ', the records --error-code leaves out'}). Write it elsewhere, e.g. ${settings.failedOutPath.replace(/(\.ndjson)?$/, '-2.ndjson')}.`;
    }
    if (!info?.isDirectory()) continue;
    const directory = await realpath(path);
    if (`${targetDirectory}${sep}`.startsWith(`${directory}${sep}`)) {
      return `--failed-out ${settings.failedOutPath} is inside ${path}, which is being replayed: a later replay of ${path} would send its records twice. Write it elsewhere.`;
    }
  }
  return undefined;
}

/** Until the end, Ctrl-C and SIGTERM no longer stop ctr-replay: it is writing what it sent and what it did not. */
function finishBeforeExit(log: (line: string) => void): void {
  const onSignal = () => log('Finishing: writing the summary and --failed-out first.');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
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
  const conflict = await failedOutConflict(settings);
  if (conflict !== undefined) {
    process.stderr.write(`ctr-replay: ${conflict}\n`);
    return 2;
  }

  let contents: FirehoseBackupContents;
  try {
    const s3Credentials = loopbackCredentials(settings.s3Endpoint);
    contents = await readFirehoseBackup(settings.paths, {
      documents: settings.documents,
      ...(settings.errorCodes === undefined ? {} : { errorCodes: settings.errorCodes }),
      s3: {
        region: settings.region,
        ...(settings.s3Endpoint === undefined ? {} : { endpoint: settings.s3Endpoint }),
        ...(s3Credentials === undefined ? {} : { credentials: s3Credentials }),
      },
    });
  } catch (error) {
    if (error instanceof BackupReadError) {
      process.stderr.write(`ctr-replay: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  for (const line of describeContents(contents, settings)) log(line);
  const unmatched = unmatchedErrorCodes(contents, settings);
  for (const { message } of unmatched) process.stderr.write(`ctr-replay: ${message}\n`);
  if (settings.errorCodes !== undefined && contents.records.length === 0 && contents.skipped > 0) {
    // Failed records were there, and the codes chose none of them: most likely a typo, not a finished replay.
    process.stderr.write(
      `ctr-replay: --error-code chose none of the ${contents.skipped} failed records read: nothing was sent${settings.failedOutPath === undefined ? '' : ` and ${settings.failedOutPath} was left as it was`}.\n`,
    );
    return 2;
  }
  const { records: _records, ...read } = contents;
  const report: Record<string, unknown> = { paths: settings.paths, dryRun: settings.dryRun, read };
  if (unmatched.length > 0) report.unmatchedErrorCodes = unmatched.map(({ code }) => code);
  const unreadable = contents.problems.length > 0;

  // An object that could not be read at all would be replayed by running the same paths again, which would send
  // every other record a second time: so nothing is sent until every object reads, unless asked.
  const unreadableObjects = contents.problems.filter((problem) => problem.position === 0).length;
  const blocked = unreadableObjects > 0 && !settings.skipUnreadable && !settings.dryRun;
  report.blocked = blocked;

  const outcomes = new Map<number, SendRecordOutcome>();
  let sendFailed = false;
  let aborted = false;
  if (blocked) {
    const message =
      `${unreadableObjects} backup object${unreadableObjects === 1 ? '' : 's'} could not be read: nothing was sent, so that ` +
      'running the same paths again once they read sends no record twice. Fix them (or leave them out), or pass ' +
      '--skip-unreadable to send the rest now.';
    log(message);
    if (settings.json) process.stderr.write(`ctr-replay: ${message}\n`);
  } else if (settings.dryRun || contents.records.length === 0) {
    log(settings.dryRun ? 'Dry run: nothing sent.' : 'Nothing to send.');
  } else {
    const { summary, fatal } = await sendFromCommandLine(settings, contents.records, log, (index, outcome) =>
      outcomes.set(index, outcome),
    );
    finishBeforeExit(log);
    report.send = summary;
    if (fatal) {
      report.error = { name: fatal.name, errorCode: fatal.errorCode, message: fatal.message };
      process.stderr.write(`ctr-replay: ${fatal.message}\n`);
    }
    sendFailed = summary.failed > 0 || summary.unsent > 0;
    aborted = summary.aborted;
  }

  let failedOutError: OutputFileError | undefined;
  if (settings.failedOutPath !== undefined) {
    // Written even when nothing was sent: a file from an earlier run must not be replayed again by mistake. Empty
    // when blocked: running the same paths again sends those records, and replaying the file too would send them twice.
    const lines = blocked ? [] : failedRecordLines(contents.records, outcomes, Date.now());
    try {
      await writeAtomically(settings.failedOutPath, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
      report.failedOut = { path: settings.failedOutPath, records: lines.length };
      log(
        `Wrote the ${lines.length} records not sent to ${settings.failedOutPath}` +
          `${lines.length === 0 ? '' : ` (replay them with: ctr-replay ${settings.failedOutPath})`}.`,
      );
    } catch (error) {
      failedOutError = error as OutputFileError;
      process.stderr.write(`ctr-replay: ${failedOutError.message}\n`);
    }
  }
  if (settings.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (aborted) return 130;
  return unreadable || failedOutError || sendFailed ? 1 : 0;
}

runCommand('ctr-replay', main);
