import { describe, expect, it } from 'vitest';
import { isContactTraceRecordLike, parseContactTraceRecord } from '../../src/index.js';
import { loadEvent, readEventText, validEventNames } from '../load-events.js';

// The `data` of the tutorial's Lambda test event (seed: tutorial-module3-connect-kinesis-elasticsearch.md).
const TUTORIAL_TEST_EVENT_DATA =
  'eyJBV1NBY2NvdW50SWQiOiI0Njc3NTEyNzQyNTYiLCJBV1NDb250YWN0VHJhY2VSZWNvcmRGb3JtYXRWZXJzaW9uIjoiMjAxNy0wMy0xMCIsIkFnZW50IjpudWxsLCJBZ2VudENvbm5lY3Rpb25BdHRlbXB0cyI6MCwiQXR0cmlidXRlcyI6eyJncmVldGluZ1BsYXllZCI6InRydWUifSwiQ2hhbm5lbCI6IlZPSUNFIiwiQ29ubmVjdGVkVG9TeXN0ZW1UaW1lc3RhbXAiOiIyMDE4LTExLTAyVDA3OjAwOjEyWiIsIkNvbnRhY3RJZCI6ImM1NGQ3YjNhLTU4MWQtNDVjZS05YTNjLWU0Y2JiNjJlY2EzZiIsIkN1c3RvbWVyRW5kcG9pbnQiOnsiQWRkcmVzcyI6Iis2MTQwMTAwNDg1NCIsIlR5cGUiOiJURUxFUEhPTkVfTlVNQkVSIn0sIkRpc2Nvbm5lY3RUaW1lc3RhbXAiOiIyMDE4LTExLTAyVDA3OjAxOjA0WiIsIkluaXRpYWxDb250YWN0SWQiOm51bGwsIkluaXRpYXRpb25NZXRob2QiOiJJTkJPVU5EIiwiSW5pdGlhdGlvblRpbWVzdGFtcCI6IjIwMTgtMTEtMDJUMDc6MDA6MTJaIiwiSW5zdGFuY2VBUk4iOiJhcm46YXdzOmNvbm5lY3Q6YXAtc291dGhlYXN0LTI6NDY3NzUxMjc0MjU2Omluc3RhbmNlLzVhMmYzYjY4LTI0ZDctNDZjNS1iYTcwLWI3MGNkNjkxODI4NiIsIkxhc3RVcGRhdGVUaW1lc3RhbXAiOiIyMDE4LTExLTAyVDA3OjAyOjExWiIsIk1lZGlhU3RyZWFtcyI6W3siVHlwZSI6IkFVRElPIn1dLCJOZXh0Q29udGFjdElkIjpudWxsLCJQcmV2aW91c0NvbnRhY3RJZCI6bnVsbCwiUXVldWUiOnsiQVJOIjoiYXJuOmF3czpjb25uZWN0OmFwLXNvdXRoZWFzdC0yOjQ2Nzc1MTI3NDI1NjppbnN0YW5jZS81YTJmM2I2OC0yNGQ3LTQ2YzUtYmE3MC1iNzBjZDY5MTgyODYvcXVldWUvODk0ZDlhYzAtZDAxOC00MGYxLWE3YTItNzA4MTRkMDhhZDZhIiwiRGVxdWV1ZVRpbWVzdGFtcCI6IjIwMTgtMTEtMDJUMDc6MDE6MDRaIiwiRHVyYXRpb24iOjM5LCJFbnF1ZXVlVGltZXN0YW1wIjoiMjAxOC0xMS0wMlQwNzowMDoyNVoiLCJOYW1lIjoiQmFzaWNRdWV1ZSJ9LCJSZWNvcmRpbmciOm51bGwsIlJlY29yZGluZ3MiOm51bGwsIlN5c3RlbUVuZHBvaW50Ijp7IkFkZHJlc3MiOiIrNjExODAwNTMxNTIwIiwiVHlwZSI6IlRFTEVQSE9ORV9OVU1CRVIifSwiVHJhbnNmZXJDb21wbGV0ZWRUaW1lc3RhbXAiOm51bGwsIlRyYW5zZmVycmVkVG9FbmRwb2ludCI6bnVsbH0K';

const EXPECTED_FIXTURES = [
  'synthetic-chat-agent.json',
  'synthetic-chat-no-agent.json',
  'synthetic-email-future-fields.json',
  'synthetic-hand-made-attribute-types.json',
  'synthetic-task-agent.json',
  'synthetic-task-no-agent.json',
  'synthetic-voice-abandoned-in-queue.json',
  'synthetic-voice-callback.json',
  'synthetic-voice-contact-lens.json',
  'synthetic-voice-external-transfer.json',
  'synthetic-voice-inbound-agent.json',
  'synthetic-voice-inbound-enriched.json',
  'synthetic-voice-outbound.json',
  'synthetic-voice-recordings-s3-and-kvs.json',
  'synthetic-voice-transfer.json',
  'tutorial-abandoned-2018.json',
];

describe('fixtures', () => {
  it('lists the expected valid records, every one real (tutorial-) or labelled synthetic-', () => {
    expect(validEventNames()).toEqual(EXPECTED_FIXTURES);
    for (const name of validEventNames()) expect(name).toMatch(/^(tutorial|synthetic)-[a-z0-9-]+\.json$/);
  });

  it('keeps the tutorial record byte for byte as decoded from the test event', () => {
    expect(readEventText('tutorial-abandoned-2018.json')).toBe(
      Buffer.from(TUTORIAL_TEST_EVENT_DATA, 'base64').toString('utf8'),
    );
  });

  it.each(validEventNames())('%s parses and round-trips through JSON unchanged', (name) => {
    const input = loadEvent(name);
    const record = parseContactTraceRecord(input);
    expect(JSON.parse(JSON.stringify(record))).toStrictEqual(input);
    expect(Object.keys(record).sort()).toEqual(Object.keys(input).sort());
    expect(isContactTraceRecordLike(input)).toBe(true);
  });

  it('covers the scenarios the README promises', () => {
    const records = validEventNames().map((name) => parseContactTraceRecord(loadEvent(name)));
    const has = (predicate: (record: (typeof records)[number]) => boolean) => records.some(predicate);
    expect(
      has((record) => record.Channel === 'VOICE' && record.InitiationMethod === 'INBOUND' && !!record.Agent),
    ).toBe(true);
    expect(has((record) => record.InitiationMethod === 'OUTBOUND')).toBe(true);
    expect(
      has((record) => record.InitiationMethod === 'TRANSFER' && typeof record.PreviousContactId === 'string'),
    ).toBe(true);
    expect(has((record) => record.InitiationMethod === 'CALLBACK')).toBe(true);
    expect(has((record) => record.Agent === null && !!record.Queue?.EnqueueTimestamp)).toBe(true);
    expect(has((record) => record.Channel === 'CHAT' && !!record.Agent)).toBe(true);
    expect(has((record) => record.Channel === 'CHAT' && record.Agent === null)).toBe(true);
    expect(has((record) => record.Channel === 'TASK' && !!record.Agent)).toBe(true);
    expect(has((record) => record.Channel === 'TASK' && record.Agent === null)).toBe(true);
    expect(has((record) => !!record.Recordings?.some((entry) => entry.StorageType === 'S3'))).toBe(true);
    expect(
      has((record) => !!record.Recordings?.some((entry) => entry.StorageType === 'KINESIS_VIDEO_STREAM')),
    ).toBe(true);
    expect(has((record) => !!record.ContactLens)).toBe(true);
    expect(has((record) => record.Channel === 'EMAIL' && 'FutureTopLevelField' in record)).toBe(true);
  });
});
