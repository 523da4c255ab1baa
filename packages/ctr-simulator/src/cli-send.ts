import { FirehoseClient } from '@aws-sdk/client-firehose';
import { endpointForDisplay } from './cli-arguments.js';
import { FirehoseSendError } from './errors.js';
import { createProgressBar } from './progress-bar.js';
import type { SendSummary } from './send-summary.js';
import { type SendableRecord, type SendToFirehoseOptions, sendToFirehose } from './send-to-firehose.js';
import { formatSendCounts } from './summary-text.js';

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.');
}

/**
 * Placeholder credentials for a loopback endpoint when the environment names none (a local endpoint does not
 * check them), else undefined: the standard AWS credential chain.
 */
export function loopbackCredentials(
  endpoint: string | undefined,
): { accessKeyId: string; secretAccessKey: string } | undefined {
  return endpoint !== undefined &&
    isLoopback(endpoint) &&
    !process.env.AWS_ACCESS_KEY_ID &&
    !process.env.AWS_PROFILE
    ? { accessKeyId: 'local', secretAccessKey: 'local' }
    : undefined;
}

/**
 * The Firehose client of the bins: the standard credential chain, or placeholders for a loopback endpoint. It makes
 * one request per send (`maxAttempts: 1`): the sender's own retries are the only ones, so its `retry.maxAttempts`
 * bounds the requests per record and the summary counts what went on the wire.
 */
export function createCliFirehoseClient(
  settings: Pick<CliSendSettings, 'endpoint' | 'region'>,
): FirehoseClient {
  const credentials = loopbackCredentials(settings.endpoint);
  return new FirehoseClient({
    region: settings.region,
    maxAttempts: 1,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
}

/**
 * Where the bins send, for their first line: the endpoint without user info, query string or fragment (a token may
 * be there), or Firehose in the region.
 */
export function sendTarget(settings: Pick<CliSendSettings, 'endpoint' | 'region'>): string {
  return settings.endpoint === undefined
    ? `Firehose in ${settings.region}`
    : endpointForDisplay(settings.endpoint);
}

/** The delivery-stream settings both bins take from their command line. */
export interface CliSendSettings {
  readonly deliveryStreamName: string;
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly rateLimitPerSecond: number | undefined;
  readonly progress: boolean;
}

/**
 * Sends records as the bins do: the standard AWS credential chain, or placeholder credentials for a loopback
 * endpoint when the environment names none (a local endpoint does not check them); a progress bar on a
 * terminal; Ctrl-C and SIGTERM stop the send (which then counts what it did). Logs where it sends, then the
 * counts and the failures by reason. A refusal that stops the send is returned as `fatal`, with its summary.
 */
export async function sendFromCommandLine(
  settings: CliSendSettings,
  records: readonly SendableRecord[],
  log: (line: string) => void,
  onRecordOutcome?: SendToFirehoseOptions['onRecordOutcome'],
): Promise<{ summary: SendSummary; fatal: FirehoseSendError | undefined }> {
  const client = createCliFirehoseClient(settings);
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = settings.progress && process.stderr.isTTY ? createProgressBar(process.stderr) : undefined;
  const target = sendTarget(settings);
  log(
    `Sending to delivery stream ${settings.deliveryStreamName} (${target})${settings.rateLimitPerSecond ? ` at ${settings.rateLimitPerSecond} records/s` : ''}.`,
  );
  let summary: SendSummary;
  let fatal: FirehoseSendError | undefined;
  try {
    summary = await sendToFirehose({
      client,
      deliveryStreamName: settings.deliveryStreamName,
      records,
      ...(settings.rateLimitPerSecond === undefined
        ? {}
        : { rateLimitPerSecond: settings.rateLimitPerSecond }),
      ...(bar ? { onProgress: (progress) => bar.update(progress) } : {}),
      ...(onRecordOutcome ? { onRecordOutcome } : {}),
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
  for (const line of formatSendCounts(summary, summary.aborted ? 'Interrupted.' : '')) log(line);
  return { summary, fatal };
}
