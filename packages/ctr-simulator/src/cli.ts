#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { callerDirectoryFormatFromPath, writeCallerDirectory } from './caller-directory.js';
import { CliUsageError, parseCliArguments, USAGE } from './cli-arguments.js';
import { CtrSimulatorError, FirehoseSendError, SimulationOptionsError } from './errors.js';
import { writeNdjson } from './ndjson.js';
import { createProgressBar } from './progress-bar.js';
import type { SendSummary } from './send-summary.js';
import { sendToFirehose } from './send-to-firehose.js';
import { simulateContactTraffic } from './simulate.js';
import { formatDayTable, formatTotals } from './summary-text.js';

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.');
}

async function main(): Promise<number> {
  let settings: ReturnType<typeof parseCliArguments>;
  try {
    settings = parseCliArguments(process.argv.slice(2), process.env, Date.now());
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`ctr-simulate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (settings.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (settings.version) {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`${manifest.version}\n`);
    return 0;
  }

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
  const log = (line: string) => {
    if (!settings.json) process.stdout.write(`${line}\n`);
  };
  log(
    `Simulated ${groundTruth.totals.records} records (${groundTruth.totals.distinctContacts} contacts) over ${options.days} days from ${options.startDate}, seed ${options.seed}.`,
  );

  const report: Record<string, unknown> = { options, groundTruth };
  if (settings.directoryOutPath !== undefined) {
    await writeCallerDirectory(
      settings.directoryOutPath,
      simulation.callerDirectory,
      callerDirectoryFormatFromPath(settings.directoryOutPath),
    );
    report.callerDirectory = { path: settings.directoryOutPath, entries: simulation.callerDirectory.size };
    log(
      `Wrote the caller directory (${simulation.callerDirectory.size} numbers) to ${settings.directoryOutPath}.`,
    );
  }

  if (settings.outPath !== undefined) {
    const written = await writeNdjson(settings.outPath, simulation.records);
    report.ndjson = { path: settings.outPath, ...written };
    log(`Wrote ${written.records} records (${written.bytes} bytes) to ${settings.outPath}.\n`);
    log(formatDayTable(groundTruth, undefined));
    log(`\n${formatTotals(groundTruth)}`);
    if (settings.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }

  const useDummyCredentials =
    settings.endpoint !== undefined &&
    isLoopback(settings.endpoint) &&
    !process.env.AWS_ACCESS_KEY_ID &&
    !process.env.AWS_PROFILE;
  const client = new FirehoseClient({
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(useDummyCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = settings.progress && process.stderr.isTTY ? createProgressBar(process.stderr) : undefined;
  const target = settings.endpoint ?? `Firehose in ${settings.region}`;
  log(
    `Sending to delivery stream ${settings.deliveryStreamName} (${target})${settings.rateLimitPerSecond ? ` at ${settings.rateLimitPerSecond} records/s` : ''}.`,
  );

  let summary: SendSummary;
  let fatal: FirehoseSendError | undefined;
  try {
    summary = await sendToFirehose({
      client,
      deliveryStreamName: settings.deliveryStreamName,
      records: simulation.records,
      ...(settings.rateLimitPerSecond === undefined
        ? {}
        : { rateLimitPerSecond: settings.rateLimitPerSecond }),
      ...(bar ? { onProgress: (progress) => bar.update(progress) } : {}),
      signal: controller.signal,
    });
  } catch (error) {
    if (!(error instanceof FirehoseSendError)) throw error;
    fatal = error;
    summary = error.summary;
  } finally {
    bar?.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    client.destroy();
  }
  report.send = summary;
  if (fatal) report.error = { name: fatal.name, errorCode: fatal.errorCode, message: fatal.message };

  log(
    `\nSent ${summary.sent}, failed ${summary.failed}, retried ${summary.retried}, unsent ${summary.unsent} ` +
      `in ${summary.requests} requests, ${(summary.durationMs / 1000).toFixed(1)} s.${summary.aborted ? ' Interrupted.' : ''}`,
  );
  const reasons = Object.entries(summary.failuresByReason);
  if (reasons.length > 0)
    log(`Failures: ${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  log(`\n${formatDayTable(groundTruth, summary)}`);
  log(`\n${formatTotals(groundTruth)}`);
  if (settings.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (fatal) process.stderr.write(`ctr-simulate: ${fatal.message}\n`);
  if (summary.aborted) return 130;
  return summary.failed > 0 || summary.unsent > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof CtrSimulatorError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`ctr-simulate: ${message}\n`);
    process.exitCode = 1;
  },
);
