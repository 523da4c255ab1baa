import { writeDirectoryOut } from './caller-directory.js';
import type { CliSettings } from './cli-arguments.js';
import { createCliFirehoseClient, sendTarget } from './cli-send.js';
import type { Clock } from './clock.js';
import { FirehoseSendError, SimulationOptionsError } from './errors.js';
import { GroundTruthCounter } from './ground-truth.js';
import { type LiveTraffic, simulateLiveTraffic } from './live-traffic.js';
import { type LiveSendSummary, sendLiveTraffic } from './send-live.js';
import { formatDayTable, formatSendCounts, formatTotals } from './summary-text.js';

/** A wait for the next record longer than this is announced, so a quiet night does not look like a hang. */
const ANNOUNCED_WAIT_MS = 5 * 60_000;
/** How often a running live send says what it sent since the last time (when it sent anything). */
const STATUS_INTERVAL_MS = 60_000;

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

/** `4h 12m`, `12m 5s`, `40s`: a wait in words. */
export function formatWait(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${seconds % 60}s`;
  return `${seconds}s`;
}

/** What a live run needs besides its settings; tests give a fake clock and their own signals. */
export interface LiveRunContext {
  readonly clock: Clock;
  /** Fires on the first Ctrl-C or SIGTERM: the run ends once the batch in flight is sent. */
  readonly stop: AbortSignal;
  /** Fires on the second: records in flight count as failed. */
  readonly abort: AbortSignal;
  readonly log: (line: string) => void;
  readonly writeStdout: (text: string) => void;
  readonly writeStderr: (text: string) => void;
}

/**
 * `ctr-simulate --live`: traffic from now on, each record sent when its contact ends, until `--duration` has passed
 * or Ctrl-C; then the same per-day table and totals as a batch run, of the records that came due. Returns the exit
 * code: 0 all sent, 1 some failed or Firehose refused, 2 invalid options, 130 interrupted twice.
 */
export async function runLive(settings: CliSettings, context: LiveRunContext): Promise<number> {
  const { clock, log } = context;
  const startedAt = clock.now();
  const { startDate: _startDate, days: _days, ...model } = settings.simulation;
  let live: LiveTraffic;
  try {
    live = simulateLiveTraffic({ ...model, from: startedAt });
  } catch (error) {
    if (!(error instanceof SimulationOptionsError)) throw error;
    context.writeStderr(`ctr-simulate: ${error.message}\n`);
    return 2;
  }
  const until = settings.live?.durationMs === undefined ? undefined : startedAt + settings.live.durationMs;
  const { options } = live;
  log(
    `Live traffic from ${options.from}, seed ${options.seed}: about ${options.contactsPerDay} contacts on a weekday ` +
      `(${formatOffset(options.utcOffsetMinutes)} business hours), each record sent when its contact ends.`,
  );
  const report: Record<string, unknown> = { options };
  await writeDirectoryOut(settings.directoryOutPath, live.callerDirectory, report, log);
  const ending =
    until === undefined ? 'until Ctrl-C' : `until ${new Date(until).toISOString().slice(0, 19)}Z or Ctrl-C`;
  log(`Sending to delivery stream ${settings.deliveryStreamName} (${sendTarget(settings)}) ${ending}.`);

  const groundTruth = new GroundTruthCounter(live.callerDirectory);
  const client = createCliFirehoseClient(settings);
  let reportedSent = 0;
  let reportedFailed = 0;
  let latest = { sent: 0, failed: 0 };
  let announcedWaitFor: string | undefined;
  const status = setInterval(() => {
    if (latest.sent === reportedSent && latest.failed === reportedFailed) return;
    const at = new Date(clock.now()).toISOString().slice(11, 16);
    log(
      `${at} UTC  sent ${latest.sent - reportedSent}${latest.failed > reportedFailed ? `, failed ${latest.failed - reportedFailed}` : ''}` +
        ` (${latest.sent} sent, ${latest.failed} failed in all)`,
    );
    reportedSent = latest.sent;
    reportedFailed = latest.failed;
  }, STATUS_INTERVAL_MS);
  status.unref();

  let summary: LiveSendSummary;
  let fatal: FirehoseSendError | undefined;
  try {
    summary = await sendLiveTraffic({
      client,
      deliveryStreamName: settings.deliveryStreamName,
      records: live.records,
      ...(until === undefined ? {} : { until }),
      stop: context.stop,
      abort: context.abort,
      clock,
      onDue: (records) => {
        for (const record of records) groundTruth.add(record);
      },
      onProgress: ({ summary: counts, nextRecordAt }) => {
        latest = { sent: counts.sent, failed: counts.failed };
        if (nextRecordAt === undefined || nextRecordAt === announcedWaitFor) return;
        const wait = Date.parse(nextRecordAt) - clock.now();
        if (wait < ANNOUNCED_WAIT_MS || (until !== undefined && Date.parse(nextRecordAt) > until)) return;
        announcedWaitFor = nextRecordAt;
        log(
          `The contact center is quiet: the next contact ends at ${nextRecordAt} (in ${formatWait(wait)}).`,
        );
      },
    });
  } catch (error) {
    if (!(error instanceof FirehoseSendError)) throw error;
    fatal = error;
    summary = error.summary as LiveSendSummary;
  } finally {
    clearInterval(status);
    client.destroy();
  }

  const truth = groundTruth.result();
  const ended =
    summary.endedBy === 'until'
      ? 'Duration reached.'
      : summary.endedBy === 'aborted'
        ? 'Interrupted.'
        : summary.endedBy === 'refused'
          ? 'Stopped: Firehose refused the requests.'
          : 'Stopped.';
  for (const line of formatSendCounts(summary, ended)) log(line);
  if (truth.totals.records > 0) {
    log(`\n${formatDayTable(truth, summary)}`);
    log(`\n${formatTotals(truth)}`);
  }
  report.live = { from: options.from, until: until === undefined ? null : new Date(until).toISOString() };
  report.groundTruth = truth;
  report.send = summary;
  if (fatal) report.error = { name: fatal.name, errorCode: fatal.errorCode, message: fatal.message };
  if (settings.json) context.writeStdout(`${JSON.stringify(report, null, 2)}\n`);
  if (fatal) context.writeStderr(`ctr-simulate: ${fatal.message}\n`);
  if (summary.endedBy === 'aborted') return 130;
  return fatal !== undefined || summary.failed > 0 || summary.unsent > 0 ? 1 : 0;
}
