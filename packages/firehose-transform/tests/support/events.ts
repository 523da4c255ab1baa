import { readFileSync } from 'node:fs';

/** Reads a fixture from tests/events as a fresh object (fixtures are cloned before mutation). */
export function loadEvent(name: string): Record<string, unknown> & { records: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8'));
}

export const DELIVERY_STREAM_ARN = 'arn:aws:firehose:us-east-2:123456789012:deliverystream/ctr-stream-test';

/** A Direct PUT event whose records carry the given payloads (strings are base64-encoded as UTF-8). */
export function directPutEvent(
  payloads: readonly (string | { base64: string })[],
  extra: Record<string, unknown> = {},
): {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: { recordId: string; approximateArrivalTimestamp: number; data: string }[];
} {
  return {
    invocationId: 'invocation-test',
    deliveryStreamArn: DELIVERY_STREAM_ARN,
    region: 'us-east-2',
    ...extra,
    records: payloads.map((payload, index) => ({
      recordId: `record-${index}`,
      approximateArrivalTimestamp: 1_700_000_000_000 + index,
      data: typeof payload === 'string' ? Buffer.from(payload, 'utf8').toString('base64') : payload.base64,
    })),
  };
}

/** A Lambda context with a fixed amount of remaining time from creation. */
export function lambdaContext(remainingMs = 60_000) {
  const endsAt = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => endsAt - Date.now(), awsRequestId: 'request-test' };
}

/** A logger that keeps what it is given. */
export function recordingLogger() {
  const entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      entries.push({ level, message, fields });
    };
  return { entries, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

export function decodeData(data: string): string {
  return Buffer.from(data, 'base64').toString('utf8');
}
