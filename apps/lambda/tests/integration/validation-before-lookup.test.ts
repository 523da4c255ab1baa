import { type CallerLookup, createCallerLookup } from '@ctr-stream/caller-lookup';
import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
import * as ctrSchema from '@ctr-stream/ctr-schema';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler, loadConfig } from '../../src/index.js';
import {
  decode,
  firehoseEvent,
  lambdaContext,
  recordingLogger,
  TUTORIAL_PHONE,
  tutorialCtrText,
} from '../support.js';

// The real validator, wrapped so a test can count how often the handler validates each record.
vi.mock('@ctr-stream/ctr-schema', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@ctr-stream/ctr-schema')>();
  return { ...actual, safeParseContactTraceRecord: vi.fn(actual.safeParseContactTraceRecord) };
});
const validate = vi.mocked(ctrSchema.safeParseContactTraceRecord);

const REJECTED_PHONE = '+61477777777';

const cleanups: (() => Promise<void>)[] = [];
beforeEach(() => validate.mockClear());
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The tutorial CTR calling from `address`, made invalid (`Agent` must be an object) when asked. */
function ctrFrom(address: string, { invalid = false } = {}): string {
  const record = JSON.parse(tutorialCtrText());
  record.CustomerEndpoint.Address = address;
  if (invalid) record.Agent = 'Bob';
  return JSON.stringify(record);
}

async function setUp(environment: Record<string, string> = {}) {
  const directory = await startDirectoryServer({
    entries: { [TUTORIAL_PHONE]: 'Jane Citizen', [REJECTED_PHONE]: 'Never Asked' },
  });
  cleanups.push(() => directory.close());
  const { lines, logger } = recordingLogger();
  const handler = createHandler(loadConfig({ CALLER_LOOKUP_URL: directory.baseUrl, ...environment }), {
    logger,
    writeMetrics: () => {},
  });
  cleanups.push(() => handler.close());
  const summary = () => JSON.parse(lines.find((line) => line.includes('"firehose transform summary"'))!);
  return { directory, handler, lines, summary };
}

describe('handler: only valid CTRs have their number looked up', () => {
  it('never sends the number of a record it rejects to the directory; looks up the valid one', async () => {
    const { directory, handler, summary } = await setUp();
    const event = firehoseEvent([ctrFrom(REJECTED_PHONE, { invalid: true }), ctrFrom(TUTORIAL_PHONE)]);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(response.records[0]!.data).toBe(event.records[0]!.data);
    expect(JSON.parse(decode(response.records[1]!.data)).CustomerEndpoint.Name).toBe('Jane Citizen');
    expect(directory.requests().map((request) => request.phone)).toEqual([TUTORIAL_PHONE]);
    expect(summary().callerLookup).toMatchObject({ distinctNumbers: 1, found: 1, cacheMisses: 1 });
  });

  it('asks nothing of the directory when every record is invalid', async () => {
    const { directory, handler } = await setUp();
    const response = await handler(
      firehoseEvent([ctrFrom(REJECTED_PHONE, { invalid: true }), ctrFrom(TUTORIAL_PHONE, { invalid: true })]),
      lambdaContext(),
    );
    expect(response.records.map((record) => record.result)).toEqual(['ProcessingFailed', 'ProcessingFailed']);
    expect(directory.requests()).toEqual([]);
  });

  it('validates each record once, before the lookups', async () => {
    const { handler } = await setUp();
    const event = firehoseEvent([
      ctrFrom(REJECTED_PHONE, { invalid: true }),
      ctrFrom(TUTORIAL_PHONE),
      ctrFrom('+61299999854'),
      'not JSON', // never parsed, so never validated
    ]);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual([
      'ProcessingFailed',
      'Ok',
      'Ok',
      'ProcessingFailed',
    ]);
    expect(validate).toHaveBeenCalledTimes(3);
  });

  it('still validates every record itself when the lookup step failed', async () => {
    const directory = await startDirectoryServer({ entries: { [TUTORIAL_PHONE]: 'Jane Citizen' } });
    cleanups.push(() => directory.close());
    // A closed client rejects every lookup: prepareBatch fails and leaves no validation behind.
    const callerLookup = createCallerLookup({ baseUrl: directory.baseUrl });
    await callerLookup.close();
    const { lines, logger } = recordingLogger();
    const handler = createHandler(loadConfig({ CALLER_LOOKUP_URL: directory.baseUrl }), {
      callerLookup,
      logger,
      writeMetrics: () => {},
    });
    const response = await handler(
      firehoseEvent([ctrFrom(REJECTED_PHONE, { invalid: true }), ctrFrom(TUTORIAL_PHONE)]),
      lambdaContext(),
    );
    expect(lines.some((line) => line.includes('prepareBatch failed'))).toBe(true);
    expect(response.records.map((record) => record.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(JSON.parse(decode(response.records[1]!.data)).CtrStream.CallerLookup).toMatchObject({
      Status: 'error',
    });
    expect(directory.requests()).toEqual([]);
    // Once in prepareBatch (which then failed), once more in transformRecord: correct, if not the cheapest.
    expect(validate).toHaveBeenCalledTimes(4);
  });

  it('still validates every record itself when the lookup step timed out', async () => {
    const directory = await startDirectoryServer({ entries: { [TUTORIAL_PHONE]: 'Jane Citizen' } });
    cleanups.push(() => directory.close());
    const real = createCallerLookup({ baseUrl: directory.baseUrl });
    cleanups.push(() => real.close());
    // A client that ignores its deadline: prepareBatch is given up and leaves no validation behind.
    const callerLookup: CallerLookup = {
      lookup: () => new Promise<never>(() => {}),
      lookupMany: (phones, options) => real.lookupMany(phones, options),
      stats: () => real.stats(),
      close: () => real.close(),
    };
    const { lines, logger } = recordingLogger();
    const handler = createHandler(
      loadConfig({ CALLER_LOOKUP_URL: directory.baseUrl, TRANSFORM_SAFETY_MARGIN_MS: '500' }),
      { callerLookup, logger, writeMetrics: () => {} },
    );
    const response = await handler(
      firehoseEvent([ctrFrom(REJECTED_PHONE, { invalid: true }), ctrFrom(TUTORIAL_PHONE)]),
      lambdaContext(1_500),
    );
    expect(lines.some((line) => line.includes('prepareBatch did not finish before its deadline'))).toBe(true);
    expect(response.records.map((record) => record.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(JSON.parse(decode(response.records[1]!.data)).CtrStream.CallerLookup).toEqual({
      Status: 'error',
      Reason: 'deadline_exceeded',
    });
    expect(validate).toHaveBeenCalledTimes(4);
  });
});
