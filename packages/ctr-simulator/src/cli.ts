#!/usr/bin/env node
import { writeDirectoryOut } from './caller-directory.js';
import { type CliSettings, parseCliArguments, USAGE } from './cli-arguments.js';
import { runCommand, startCommand } from './cli-command.js';
import { runLive } from './cli-live.js';
import { sendFromCommandLine } from './cli-send.js';
import { wallClock } from './clock.js';
import { SimulationOptionsError } from './errors.js';
import { writeNdjson } from './ndjson.js';
import { simulateContactTraffic } from './simulate.js';
import { formatDayTable, formatTotals } from './summary-text.js';

async function main(): Promise<number> {
  const started = startCommand('ctr-simulate', USAGE, () =>
    parseCliArguments(process.argv.slice(2), process.env, Date.now()),
  );
  if (typeof started === 'number') return started;
  const settings = started;
  const log = (line: string) => {
    if (!settings.json) process.stdout.write(`${line}\n`);
  };
  if (settings.live !== undefined) return live(settings, log);

  let simulation: ReturnType<typeof simulateContactTraffic>;
  try {
    simulation = simulateContactTraffic(settings.simulation);
  } catch (error) {
    if (error instanceof SimulationOptionsError) {
      process.stderr.write(`ctr-simulate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { options, groundTruth } = simulation;
  log(
    `Simulated ${groundTruth.totals.records} records (${groundTruth.totals.distinctContacts} contacts) over ${options.days} ${options.days === 1 ? 'day' : 'days'} from ${options.startDate}, seed ${options.seed}.`,
  );

  const report: Record<string, unknown> = { options, groundTruth };
  await writeDirectoryOut(settings.directoryOutPath, simulation.callerDirectory, report, log);

  if (settings.outPath !== undefined) {
    const written = await writeNdjson(settings.outPath, simulation.records);
    report.ndjson = { path: settings.outPath, ...written };
    log(`Wrote ${written.records} records (${written.bytes} bytes) to ${settings.outPath}.\n`);
    log(formatDayTable(groundTruth, undefined));
    log(`\n${formatTotals(groundTruth)}`);
    if (settings.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }

  const { summary, fatal } = await sendFromCommandLine(settings, simulation.records, log);
  report.send = summary;
  if (fatal) report.error = { name: fatal.name, errorCode: fatal.errorCode, message: fatal.message };

  log(`\n${formatDayTable(groundTruth, summary)}`);
  log(`\n${formatTotals(groundTruth)}`);
  if (settings.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (fatal) process.stderr.write(`ctr-simulate: ${fatal.message}\n`);
  if (summary.aborted) return 130;
  return summary.failed > 0 || summary.unsent > 0 ? 1 : 0;
}

/** `--live`: the first Ctrl-C (or SIGTERM) ends the run after the batch in flight, a second one at once. */
async function live(settings: CliSettings, log: (line: string) => void): Promise<number> {
  const stop = new AbortController();
  const abort = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) {
      process.stderr.write(
        '\nctr-simulate: stopping once the records in flight are sent (Ctrl-C again to interrupt).\n',
      );
      stop.abort();
    } else {
      abort.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runLive(settings, {
      clock: wallClock,
      stop: stop.signal,
      abort: abort.signal,
      log,
      writeStdout: (text) => process.stdout.write(text),
      writeStderr: (text) => process.stderr.write(text),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runCommand('ctr-simulate', main);
