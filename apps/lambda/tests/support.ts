import { readFileSync } from 'node:fs';
import type { FirehoseTransformLogger } from '@ctr-stream/firehose-transform';

export const TUTORIAL_PHONE = '+61401004854';

export function readJson<T = Record<string, unknown>>(relativeToTests: string): T {
  return JSON.parse(readFileSync(new URL(relativeToTests, import.meta.url), 'utf8')) as T;
}

/** A fresh copy of the tutorial's Lambda test event (shared/seed), Direct PUT shaped. */
export function tutorialEvent() {
  return readJson<{
    invocationId: string;
    deliveryStreamArn: string;
    region: string;
    records: { recordId: string; approximateArrivalTimestamp: number; data: string }[];
  }>('./events/tutorial-test-event.json');
}

/** The CTR inside the tutorial event, as text. */
export function tutorialCtrText(): string {
  return Buffer.from(tutorialEvent().records[0]!.data, 'base64').toString('utf8');
}

/** A ctr-schema fixture, fresh. */
export function ctrFixture(name: string): Record<string, unknown> {
  return readJson(`../../../packages/ctr-schema/tests/events/${name}`);
}

export function firehoseEvent(
  payloads: readonly (string | { base64: string })[],
  extra: Record<string, unknown> = {},
) {
  return {
    invocationId: 'lambda-test',
    deliveryStreamArn: 'arn:aws:firehose:ap-southeast-2:123456789012:deliverystream/CTRFHStream',
    region: 'ap-southeast-2',
    ...extra,
    records: payloads.map((payload, index) => ({
      recordId: `record-${index}`,
      approximateArrivalTimestamp: 1_700_000_000_000 + index,
      data: typeof payload === 'string' ? Buffer.from(payload, 'utf8').toString('base64') : payload.base64,
    })),
  };
}

export function lambdaContext(remainingMs = 60_000) {
  const endsAt = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => endsAt - Date.now() };
}

export function decode(data: string): string {
  return Buffer.from(data, 'base64').toString('utf8');
}

export function recordingLogger(): { lines: string[]; logger: FirehoseTransformLogger } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      lines.push(JSON.stringify({ level, message, ...fields }));
    };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A batch just under Lambda's 6 MB request limit that enrichment pushes over the response limit. */
export function nearLimitBatch(limit = 6_291_456): {
  event: ReturnType<typeof firehoseEvent>;
  payloads: string[];
} {
  const payloads: string[] = [];
  const template = JSON.parse(tutorialCtrText());
  let size = Buffer.byteLength(JSON.stringify(firehoseEvent([])));
  for (let index = 0; ; index++) {
    const ctr = { ...template, ContactId: `c54d7b3a-581d-45ce-9a3c-${String(index).padStart(12, '0')}` };
    ctr.Attributes = { greetingPlayed: 'true', notes: 'n'.repeat(3_000) };
    const payload = JSON.stringify(ctr);
    const entry = Buffer.byteLength(JSON.stringify(firehoseEvent([payload]).records[0])) + 1;
    if (size + entry > limit - 6_000) break;
    payloads.push(payload);
    size += entry;
  }
  return { event: firehoseEvent(payloads), payloads };
}
