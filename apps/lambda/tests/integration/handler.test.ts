import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler, loadConfig } from '../../src/index.js';
import {
  ctrFixture,
  decode,
  firehoseEvent,
  lambdaContext,
  recordingLogger,
  TUTORIAL_PHONE,
  tutorialCtrText,
  tutorialEvent,
} from '../support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp(
  directoryOptions: Parameters<typeof startDirectoryServer>[0] = {},
  environment: Record<string, string> = {},
) {
  const directory = await startDirectoryServer({
    entries: { [TUTORIAL_PHONE]: 'Jane Citizen', '+61299999854': 'Zoë 山田-O’Brien 😀' },
    ...directoryOptions,
  });
  cleanups.push(() => directory.close());
  const { lines, logger } = recordingLogger();
  const metricLines: string[] = [];
  const handler = createHandler(loadConfig({ CALLER_LOOKUP_URL: directory.baseUrl, ...environment }), {
    logger,
    writeMetrics: (line) => metricLines.push(line),
  });
  cleanups.push(() => handler.close());
  const summary = () => JSON.parse(lines.find((line) => line.includes('"firehose transform summary"'))!);
  return { directory, handler, lines, summary, metricLines };
}

/** The tutorial CTR with this record's expected additions, in the original key order. */
function expectedTutorialOutput(name: string | undefined, lookup: Record<string, string>): string {
  const record = JSON.parse(tutorialCtrText());
  if (name !== undefined) record.CustomerEndpoint.Name = name;
  record.CtrStream = { CallerLookup: lookup };
  return JSON.stringify(record);
}

describe('handler: CloudWatch metrics (Embedded Metric Format)', () => {
  it('writes one line per invocation: record outcomes and lookup outcomes, by function name', async () => {
    const { handler, metricLines } = await setUp({}, { AWS_LAMBDA_FUNCTION_NAME: 'AddName' });
    const known = ctrFixture('synthetic-voice-inbound-agent.json');
    (known.CustomerEndpoint as Record<string, unknown>).Address = TUTORIAL_PHONE;
    const unknown = ctrFixture('synthetic-voice-inbound-agent.json');
    (unknown.CustomerEndpoint as Record<string, unknown>).Address = '+61255550123';
    const event = firehoseEvent([
      JSON.stringify(known),
      JSON.stringify(unknown),
      JSON.stringify(ctrFixture('synthetic-chat-agent.json')),
      'not json',
    ]);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'Ok', 'Ok', 'ProcessingFailed']);
    expect(metricLines).toHaveLength(1);
    const line = JSON.parse(metricLines[0]!);
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'CtrStream',
      Dimensions: [['FunctionName']],
    });
    expect(line).toMatchObject({
      FunctionName: 'AddName',
      Records: 4,
      RecordsOk: 3,
      RecordsProcessingFailed: 1,
      CallerLookupFound: 1,
      CallerLookupNotFound: 1,
      CallerLookupErrors: 0,
      RecordsWithoutPhoneNumber: 1,
      CallerLookupCacheMisses: 2,
    });
    expect(line.CallerLookupP95).toBeGreaterThanOrEqual(0);
    const names = line._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name);
    for (const name of names) expect(typeof line[name], name).toBe('number');
    // No phone number or name in the metrics line.
    expect(metricLines[0]).not.toMatch(/401004854|Jane/);
  });

  it('writes none with METRICS=off, and uses METRICS_NAMESPACE', async () => {
    const off = await setUp({}, { METRICS: 'off' });
    await off.handler(tutorialEvent(), lambdaContext());
    expect(off.metricLines).toEqual([]);
    const named = await setUp({}, { METRICS_NAMESPACE: 'ContactCenter/Prod' });
    await named.handler(tutorialEvent(), lambdaContext());
    expect(JSON.parse(named.metricLines[0]!)._aws.CloudWatchMetrics[0].Namespace).toBe('ContactCenter/Prod');
  });
});

describe('handler: the tutorial test event', () => {
  it('comes back Ok with the caller name from the local directory, every other byte of meaning kept', async () => {
    const { handler, directory, summary } = await setUp();
    const event = tutorialEvent();
    const response = await handler(event, lambdaContext());
    expect(response.records).toHaveLength(1);
    const [answer] = response.records;
    expect(answer).toMatchObject({ recordId: event.records[0]!.recordId, result: 'Ok' });
    expect(decode(answer!.data)).toBe(expectedTutorialOutput('Jane Citizen', { Status: 'found' }));
    expect(directory.requests().map((request) => request.phone)).toEqual([TUTORIAL_PHONE]);
    expect(summary()).toMatchObject({
      records: 1,
      ok: 1,
      callerLookup: { distinctNumbers: 1, found: 1, cacheHits: 0, cacheMisses: 1, cacheHitRate: 0 },
    });
    expect(summary().callerLookup.lookupP95Ms).toBeGreaterThanOrEqual(0);
  });

  it('serves a warm invocation from the cache (no second request)', async () => {
    const { handler, directory, lines } = await setUp();
    await handler(tutorialEvent(), lambdaContext());
    const second = await handler(tutorialEvent(), lambdaContext());
    expect(decode(second.records[0]!.data)).toContain('"Name":"Jane Citizen"');
    expect(directory.requests()).toHaveLength(1);
    const summaries = lines
      .filter((line) => line.includes('"firehose transform summary"'))
      .map((line) => JSON.parse(line));
    expect(summaries[1].callerLookup).toMatchObject({ cacheHits: 1, cacheMisses: 0, cacheHitRate: 1 });
  });

  it('sends the API key as a header and never logs it or a full phone number', async () => {
    const { handler, directory, lines } = await setUp(
      { recordSecretHeaders: ['x-api-key'] }, // the directory records the key only when asked to
      { CALLER_LOOKUP_API_KEY: 'sekret-123', LOG_LEVEL: 'debug' },
    );
    await handler(tutorialEvent(), lambdaContext());
    expect(directory.requests()[0]!.headers['x-api-key']).toBe('sekret-123');
    expect(directory.requests()[0]!.path).not.toContain('sekret');
    const log = lines.join('\n');
    expect(log).not.toContain('sekret-123');
    expect(log).not.toContain('401004854');
  });
});

describe('handler: mixed batches', () => {
  it('answers every recordId once, in order; bad records ProcessingFailed with their original data', async () => {
    const { handler, summary, lines } = await setUp();
    const withoutContactId = JSON.parse(tutorialCtrText());
    delete withoutContactId.ContactId;
    const nonAscii = JSON.parse(tutorialCtrText());
    nonAscii.CustomerEndpoint.Address = '+61 2 9999 9854';
    nonAscii.Attributes = { note: 'Grüße, 東京 ☎' };
    const large = JSON.parse(tutorialCtrText());
    large.Attributes = { blob: 'x'.repeat(1_000_000) };
    const chat = ctrFixture('synthetic-chat-agent.json');
    const unknownCaller = JSON.parse(tutorialCtrText());
    unknownCaller.CustomerEndpoint.Address = '+61400000000';
    const payloads = [
      tutorialCtrText(),
      { base64: '%%%not-base64%%%' },
      'this is not JSON',
      '[{"ContactId":"a"}]',
      JSON.stringify(withoutContactId),
      JSON.stringify(large),
      JSON.stringify(nonAscii),
      JSON.stringify(ctrFixture('not-ctr/agent-event.json')),
      JSON.stringify(chat),
      JSON.stringify(unknownCaller),
    ];
    const event = firehoseEvent(payloads);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.recordId)).toEqual(
      event.records.map((record) => record.recordId),
    );
    const results = response.records.map((record) => record.result);
    expect(results).toEqual([
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      results[5], // 1 MB: Ok or ProcessingFailed as ctr-schema decides, asserted below
      'Ok',
      'ProcessingFailed',
      'Ok',
      'Ok',
    ]);
    for (const [index, record] of response.records.entries()) {
      if (record.result === 'ProcessingFailed') expect(record.data).toBe(event.records[index]!.data);
    }
    if (results[5] === 'Ok') {
      const output = JSON.parse(decode(response.records[5]!.data));
      expect(output.Attributes.blob).toHaveLength(1_000_000);
      expect(output.CustomerEndpoint.Name).toBe('Jane Citizen');
    }
    const enrichedNonAscii = JSON.parse(decode(response.records[6]!.data));
    expect(enrichedNonAscii.CustomerEndpoint).toEqual({
      Address: '+61 2 9999 9854',
      Type: 'TELEPHONE_NUMBER',
      Name: 'Zoë 山田-O’Brien 😀',
    });
    expect(enrichedNonAscii.Attributes.note).toBe('Grüße, 東京 ☎');
    const chatOutput = JSON.parse(decode(response.records[8]!.data));
    expect(chatOutput).toEqual({ ...chat, CtrStream: { CallerLookup: { Status: 'no_phone_number' } } });
    const unknown = JSON.parse(decode(response.records[9]!.data));
    expect(unknown.CustomerEndpoint.Name).toBeUndefined();
    expect(unknown.CtrStream).toEqual({ CallerLookup: { Status: 'not_found' } });

    const reasons = lines
      .filter((line) => line.includes('"record processing failed"'))
      .map((line) => JSON.parse(line))
      .map((entry) => [entry.recordId, entry.reason]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['record-1', 'data is not valid base64'],
        ['record-2', 'data is not valid JSON'],
        ['record-3', 'expected a JSON object (a contact trace record), got an array'],
        ['record-4', expect.stringMatching(/^invalid contact trace record: ContactId/)],
        [
          'record-7',
          'not a contact trace record (looks like an Amazon Connect agent event); send agent events to their own stream',
        ],
      ]),
    );
    expect(summary().callerLookup).toMatchObject({ distinctNumbers: 3, no_phone_number: 1, not_found: 1 });
    expect(lines.join('\n')).not.toMatch(/61400000000|61299999854|401004854/);
  });
});

describe('handler: members the CTR page does not document', () => {
  it('delivers and enriches a record whatever their shape (ctr.md: accept any), data otherwise unchanged', async () => {
    const { handler } = await setUp();
    const record = JSON.parse(tutorialCtrText());
    Object.assign(record, {
      Tags: { team: 7, nested: { a: [1] } },
      References: 'ref-1',
      ContactEvaluations: [],
      OutboundStrategy: 'PREDICTIVE',
      GlobalResiliencyMetadata: { ActiveRegion: 1 },
      CustomerId: 12345,
      TaskTemplateInfo: null,
    });
    const response = await handler(firehoseEvent([JSON.stringify(record)]), lambdaContext());
    expect(response.records[0]!.result).toBe('Ok');
    const output = JSON.parse(decode(response.records[0]!.data));
    const { CtrStream, ...rest } = output;
    expect(CtrStream).toEqual({ CallerLookup: { Status: 'found' } });
    expect(rest).toEqual({
      ...record,
      CustomerEndpoint: { ...record.CustomerEndpoint, Name: 'Jane Citizen' },
    });
  });
});

describe('handler: logged reasons never quote record contents', () => {
  it('names the schema path of an invalid CTR but not the customer-defined key', async () => {
    const { handler, lines } = await setUp();
    const record = JSON.parse(tutorialCtrText());
    record.Attributes = { 'card 4111 1111': { nested: 42 } };
    const event = firehoseEvent([JSON.stringify(record)]);
    const response = await handler(event, lambdaContext());
    expect(response.records[0]).toMatchObject({ result: 'ProcessingFailed', data: event.records[0]!.data });
    const failed = lines
      .filter((line) => line.includes('"record processing failed"'))
      .map((line) => JSON.parse(line));
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatch(/^invalid contact trace record: Attributes\[…\]: /);
    expect(lines.join('\n')).not.toContain('4111');
  });
});

describe('handler: one lookup per number, however it is written', () => {
  it('looks up each distinct number once and enriches every spelling and repeat of it', async () => {
    const { handler, directory, summary } = await setUp();
    const spellings = [TUTORIAL_PHONE, '+61 401 004 854', TUTORIAL_PHONE, '+61-401-004-854', '+61299999854'];
    const event = firehoseEvent(
      spellings.map((address, index) => {
        const record = JSON.parse(tutorialCtrText());
        record.ContactId = `c54d7b3a-581d-45ce-9a3c-${String(index).padStart(12, '0')}`;
        record.CustomerEndpoint.Address = address;
        return JSON.stringify(record);
      }),
    );
    const response = await handler(event, lambdaContext());
    const names = response.records.map((record) => JSON.parse(decode(record.data)).CustomerEndpoint);
    expect(names.map((endpoint) => [endpoint.Address, endpoint.Name])).toEqual([
      [TUTORIAL_PHONE, 'Jane Citizen'],
      ['+61 401 004 854', 'Jane Citizen'],
      [TUTORIAL_PHONE, 'Jane Citizen'],
      ['+61-401-004-854', 'Jane Citizen'],
      ['+61299999854', 'Zoë 山田-O’Brien 😀'],
    ]);
    expect(
      directory
        .requests()
        .map((request) => request.phone)
        .sort(),
    ).toEqual(['+61299999854', TUTORIAL_PHONE]);
    expect(summary().callerLookup).toMatchObject({ distinctNumbers: 2, found: 5 });
  });
});

describe('handler: the directory misbehaves, every record still Ok and on time', () => {
  const batch = () =>
    firehoseEvent([
      tutorialCtrText(),
      tutorialCtrText(),
      JSON.stringify(ctrFixture('synthetic-task-agent.json')),
    ]);

  it('directory down (connection refused): Ok with Status error, counted in CallerLookupErrors', async () => {
    const { handler, directory, metricLines } = await setUp();
    await directory.close();
    const response = await handler(batch(), lambdaContext(10_000));
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'Ok', 'Ok']);
    const first = JSON.parse(decode(response.records[0]!.data));
    expect(first.CustomerEndpoint.Name).toBeUndefined();
    expect(first.CtrStream.CallerLookup).toEqual({ Status: 'error', Reason: 'network' });
    // The number an operator alarms on: records delivered without a name because the lookup failed.
    expect(JSON.parse(metricLines[0]!)).toMatchObject({
      RecordsOk: 3,
      CallerLookupErrors: 2,
      RecordsWithoutPhoneNumber: 1,
      CallerLookupFound: 0,
    });
  });

  it('directory slower than the deadline: answers before the Lambda timeout', async () => {
    const { handler } = await setUp(
      { latencyMs: 10_000 },
      { TRANSFORM_SAFETY_MARGIN_MS: '1000', CALLER_LOOKUP_TIMEOUT_MS: '20000' },
    );
    const started = Date.now();
    const response = await handler(batch(), lambdaContext(2_500));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2_500 - 400);
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'Ok', 'Ok']);
    const lookup = JSON.parse(decode(response.records[0]!.data)).CtrStream.CallerLookup;
    expect(lookup.Status).toBe('error');
    expect(lookup.Reason).toBe('deadline_exceeded');
  });

  it('directory that never answers: Reason deadline_exceeded (not aborted), and the circuit opens', async () => {
    const { handler, directory, lines } = await setUp(
      { faults: [{ fault: { type: 'hang' } }] },
      { TRANSFORM_SAFETY_MARGIN_MS: '500', CALLER_LOOKUP_TIMEOUT_MS: '60000' },
    );
    const batchOf = (phones: readonly string[]) =>
      firehoseEvent(
        phones.map((address, index) => {
          const record = JSON.parse(tutorialCtrText());
          record.ContactId = `c54d7b3a-581d-45ce-9a3c-${String(index).padStart(12, '0')}`;
          record.CustomerEndpoint.Address = address;
          return JSON.stringify(record);
        }),
      );
    const summaries = () =>
      lines
        .filter((line) => line.includes('"firehose transform summary"'))
        .map((line) => JSON.parse(line).callerLookup);
    const lookupsOf = (response: { records: { result: string; data: string }[] }) =>
      response.records.map((record) => [
        record.result,
        JSON.parse(decode(record.data)).CtrStream.CallerLookup,
      ]);
    // Five distinct numbers: the circuit opens after five consecutive failures.
    const first = [1, 2, 3, 5, 6].map((digit) => `+6140100485${digit}`);
    expect(lookupsOf(await handler(batchOf(first), lambdaContext(1_500)))).toEqual(
      first.map(() => ['Ok', { Status: 'error', Reason: 'deadline_exceeded' }]),
    );
    // The one hanging invocation that reaches the threshold opens the circuit, every time: a lookup cut
    // by its deadline counts against the circuit even when its own timer beats the request's.
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]).toMatchObject({
      error: 5,
      errorReasons: { deadline_exceeded: 5 },
      circuit: 'open',
    });

    // The next invocation does not wait on the hanging directory at all.
    const requestsBefore = directory.requests().length;
    const started = Date.now();
    const third = await handler(batchOf(['+61299999851']), lambdaContext(1_500));
    expect(Date.now() - started).toBeLessThan(500);
    expect(JSON.parse(decode(third.records[0]!.data)).CtrStream.CallerLookup).toEqual({
      Status: 'error',
      Reason: 'circuit_open',
    });
    expect(directory.requests()).toHaveLength(requestsBefore);
  });

  it('directory returning garbage (an HTML page): Ok with Status error, no garbage as a name', async () => {
    const { handler } = await setUp({
      faults: [
        {
          fault: {
            type: 'body',
            body: '<html><body>502 Bad Gateway</body></html>',
            contentType: 'text/html',
          },
        },
      ],
    });
    const response = await handler(batch(), lambdaContext(10_000));
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'Ok', 'Ok']);
    const first = JSON.parse(decode(response.records[0]!.data));
    expect(first.CustomerEndpoint.Name).toBeUndefined();
    expect(first.CtrStream.CallerLookup).toEqual({ Status: 'error', Reason: 'bad_response' });
  });
});
