import { describe, expect, it } from 'vitest';
import {
  createFirehoseTransformHandler,
  dropped,
  FirehoseEventError,
  FirehoseTransformOptionsError,
  ok,
  processingFailed,
  silentLogger,
} from '../../src/index.js';
import { decodeData, directPutEvent, lambdaContext, loadEvent, recordingLogger } from '../support/events.js';

const identity = createFirehoseTransformHandler({
  transformRecord: (record) => ok(record.data),
  logger: silentLogger,
});

describe('createFirehoseTransformHandler: per-record outcomes', () => {
  it('answers a mixed batch once per recordId, in input order, bad records ProcessingFailed with original data', async () => {
    const event = directPutEvent([
      '{"n":1}',
      { base64: 'not*base64' },
      'not json',
      { base64: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64') },
      '[1,2]',
      '{"drop":true}',
      '{"fail":true}',
      '{"throw":true}',
      '{"name":"Zoë 山田"}',
    ]);
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<unknown>({
      logger,
      transformRecord: (record) => {
        const data = record.data as Record<string, unknown>;
        if (Array.isArray(data)) return processingFailed('expected a JSON object, got an array');
        if (data.drop) return dropped('asked to');
        if (data.fail) return processingFailed('asked to fail');
        if (data.throw) throw new RangeError('boom');
        return ok({ ...data, seen: true });
      },
    });
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.recordId)).toEqual(
      event.records.map((record) => record.recordId),
    );
    expect(response.records.map((record) => record.result)).toEqual([
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'Dropped',
      'ProcessingFailed',
      'ProcessingFailed',
      'Ok',
    ]);
    expect(decodeData(response.records[0]!.data)).toBe('{"n":1,"seen":true}');
    expect(decodeData(response.records[8]!.data)).toBe('{"name":"Zoë 山田","seen":true}');
    for (const index of [1, 2, 3, 4, 6, 7])
      expect(response.records[index]!.data).toBe(event.records[index]!.data);
    expect(response.records[5]!.data).toBe('');
    const reasons = entries
      .filter((entry) => entry.message === 'record processing failed')
      .map((entry) => [entry.fields.recordId, entry.fields.reason]);
    expect(reasons).toEqual([
      ['record-1', 'data is not valid base64'],
      ['record-2', 'data is not valid JSON'],
      ['record-3', 'data is not valid UTF-8'],
      ['record-4', 'expected a JSON object, got an array'],
      ['record-6', 'asked to fail'],
      ['record-7', 'transformRecord threw RangeError: boom'],
    ]);
    const summary = entries.find((entry) => entry.message === 'firehose transform summary')!.fields;
    expect(summary).toMatchObject({
      records: 9,
      ok: 2,
      dropped: 1,
      processingFailed: 6,
      overflow: 0,
      preparation: 'none',
    });
    expect(summary.responseBytes).toBe(Buffer.byteLength(JSON.stringify(response)));
  });

  it('returns data as base64 of single-line UTF-8 JSON, with an optional newline and partition keys', async () => {
    const handler = createFirehoseTransformHandler({
      logger: silentLogger,
      newlineDelimiter: true,
      transformRecord: (record) =>
        ok({ nested: { a: [1, 2] }, text: record.data }, { partitionKeys: { day: '2024-01-02' } }),
    });
    const response = await handler(directPutEvent(['"héllo"']), lambdaContext());
    expect(response.records[0]).toEqual({
      recordId: 'record-0',
      result: 'Ok',
      data: Buffer.from('{"nested":{"a":[1,2]},"text":"héllo"}\n').toString('base64'),
      metadata: { partitionKeys: { day: '2024-01-02' } },
    });
  });

  it('sends Uint8Array data as-is and fails values that cannot be serialised', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const handler = createFirehoseTransformHandler<{ kind: string }>({
      logger: silentLogger,
      transformRecord: (record) => {
        if (record.data.kind === 'bytes') return ok(new Uint8Array([1, 2, 255]));
        if (record.data.kind === 'circular') return ok(circular);
        if (record.data.kind === 'undefined') return ok(undefined);
        if (record.data.kind === 'bigint') return ok({ value: 1n });
        return undefined as never;
      },
    });
    const event = directPutEvent([
      '{"kind":"bytes"}',
      '{"kind":"circular"}',
      '{"kind":"undefined"}',
      '{"kind":"bigint"}',
      '{"kind":"none"}',
    ]);
    const response = await handler(event, lambdaContext());
    expect(response.records[0]).toMatchObject({
      result: 'Ok',
      data: Buffer.from([1, 2, 255]).toString('base64'),
    });
    expect(response.records.slice(1).map((record) => record.result)).toEqual([
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
    ]);
    expect(response.records.slice(1).map((record) => record.data)).toEqual(
      event.records.slice(1).map((record) => record.data),
    );
  });

  it('awaits async transforms and keeps order', async () => {
    const handler = createFirehoseTransformHandler<{ wait: number }>({
      logger: silentLogger,
      transformRecord: async (record) => {
        await new Promise((resolve) => setTimeout(resolve, record.data.wait));
        return ok(record.data);
      },
    });
    const response = await handler(
      directPutEvent(['{"wait":20}', '{"wait":1}', '{"wait":5}']),
      lambdaContext(),
    );
    expect(response.records.map((record) => JSON.parse(decodeData(record.data)).wait)).toEqual([20, 1, 5]);
  });

  it('uses a custom parser and reports its errors', async () => {
    const handler = createFirehoseTransformHandler<number>({
      logger: silentLogger,
      parse: (data) => {
        const value = Number(data.toString());
        if (Number.isNaN(value)) throw new Error('not a number');
        return value;
      },
      transformRecord: (record) => ok(record.data * 2),
    });
    const response = await handler(directPutEvent(['21', 'x']), lambdaContext());
    expect(decodeData(response.records[0]!.data)).toBe('42');
    expect(response.records[1]!.result).toBe('ProcessingFailed');
  });

  it('throws FirehoseEventError for a malformed envelope, so Firehose retries the invocation', async () => {
    const event = loadEvent('direct-put-event.json');
    delete event.records[0]!.recordId;
    await expect(identity(event, lambdaContext())).rejects.toBeInstanceOf(FirehoseEventError);
    await expect(identity({ nope: true }, lambdaContext())).rejects.toThrow(
      /Invalid Firehose transformation event/,
    );
  });

  it('answers an empty batch with an empty response', async () => {
    await expect(identity(directPutEvent([]), lambdaContext())).resolves.toEqual({ records: [] });
  });

  it('rejects unusable options when created', () => {
    expect(() => createFirehoseTransformHandler({ transformRecord: undefined as never })).toThrow(
      FirehoseTransformOptionsError,
    );
    expect(() =>
      createFirehoseTransformHandler({ transformRecord: () => dropped(), safetyMarginMs: -1 }),
    ).toThrow(/safetyMarginMs must be a finite number >= 0/);
    expect(() =>
      createFirehoseTransformHandler({ transformRecord: () => dropped(), maxResponseBytes: 10 }),
    ).toThrow(FirehoseTransformOptionsError);
  });
});

describe('createFirehoseTransformHandler: prepareBatch and the deadline', () => {
  it('passes only parsed records to prepareBatch and its value to every transform', async () => {
    let seen: string[] = [];
    const handler = createFirehoseTransformHandler<{ key: string }, Map<string, number>>({
      logger: silentLogger,
      prepareBatch: (records) => {
        seen = records.map((record) => record.recordId);
        return new Map(records.map((record) => [record.data.key, record.index]));
      },
      transformRecord: (record, context) =>
        context.preparation.status === 'ready'
          ? ok({ key: record.data.key, found: context.preparation.value.get(record.data.key) })
          : processingFailed('not ready'),
    });
    const response = await handler(directPutEvent(['{"key":"a"}', 'oops', '{"key":"b"}']), lambdaContext());
    expect(seen).toEqual(['record-0', 'record-2']);
    expect(decodeData(response.records[2]!.data)).toBe('{"key":"b","found":2}');
  });

  it('answers on time when prepareBatch hangs, aborting its signal at the deadline', async () => {
    let aborted = false;
    const handler = createFirehoseTransformHandler<unknown, string>({
      logger: silentLogger,
      safetyMarginMs: 1_000,
      prepareBatchGraceMs: 50,
      prepareBatch: (_records, { signal }) =>
        new Promise<string>(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
      transformRecord: (record, context) => ok({ data: record.data, status: context.preparation.status }),
    });
    const started = Date.now();
    const response = await handler(directPutEvent(['{"a":1}', '{"a":2}']), lambdaContext(1_400));
    const elapsed = Date.now() - started;
    expect(aborted).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1_400);
    expect(
      response.records.map((record) => [record.result, JSON.parse(decodeData(record.data)).status]),
    ).toEqual([
      ['Ok', 'timed_out'],
      ['Ok', 'timed_out'],
    ]);
  });

  it('uses the partial result of a prepareBatch that honours its signal within the grace period', async () => {
    const handler = createFirehoseTransformHandler<unknown, string>({
      logger: silentLogger,
      safetyMarginMs: 1_000,
      prepareBatch: (_records, { signal, deadline }) =>
        new Promise<string>((resolve) => {
          expect(deadline).toBeGreaterThan(Date.now());
          signal.addEventListener('abort', () => resolve('partial'));
        }),
      transformRecord: (_record, context) =>
        ok(context.preparation.status === 'ready' ? context.preparation.value : context.preparation.status),
    });
    const response = await handler(directPutEvent(['{}']), lambdaContext(1_300));
    expect(decodeData(response.records[0]!.data)).toBe('"partial"');
  });

  it('hands a failed prepareBatch to transformRecord as status failed', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<unknown, string>({
      logger,
      prepareBatch: async () => {
        throw new Error('directory down');
      },
      transformRecord: (_record, context) =>
        ok(context.preparation.status === 'failed' ? String(context.preparation.error) : 'no'),
    });
    const response = await handler(directPutEvent(['{}']), lambdaContext());
    expect(decodeData(response.records[0]!.data)).toBe('"Error: directory down"');
    expect(
      entries.some((entry) => entry.level === 'warn' && entry.message.startsWith('prepareBatch failed')),
    ).toBe(true);
  });

  it('fails records whose async transform outlives the deadline, and still answers on time', async () => {
    const handler = createFirehoseTransformHandler<{ hang: boolean }>({
      logger: silentLogger,
      safetyMarginMs: 1_000,
      transformRecord: (record) => (record.data.hang ? new Promise(() => {}) : ok(record.data)),
    });
    const started = Date.now();
    const response = await handler(
      directPutEvent(['{"hang":false}', '{"hang":true}', '{"hang":false}']),
      lambdaContext(1_500),
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(response.records.map((record) => record.result)).toEqual([
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
    ]);
  });

  it('falls back to defaultRemainingTimeMs when the context has no getRemainingTimeInMillis', async () => {
    const response = await identity(directPutEvent(['{}']));
    expect(response.records[0]!.result).toBe('Ok');
  });
});

describe('createFirehoseTransformHandler: the response-size limit without re-ingestion', () => {
  const big = (size: number) => JSON.stringify({ pad: 'x'.repeat(size) });

  it('counts the response exactly (non-ASCII recordIds, metadata, escapes)', async () => {
    const event = directPutEvent(['{"a":"\\u0000\\"ü"}', '{}', 'bad']);
    event.records[0]!.recordId = 'récord-"0"-😀';
    event.records[2]!.data = 'ü"\\';
    const summaries: number[] = [];
    const handler = createFirehoseTransformHandler({
      logger: silentLogger,
      onSummary: (summary) => summaries.push(summary.responseBytes),
      transformRecord: (record) => ok(record.data, { partitionKeys: { 'ké"y': 'välue' } }),
    });
    const response = await handler(event, lambdaContext());
    expect(summaries).toEqual([Buffer.byteLength(JSON.stringify(response))]);
  });

  it('answers overflow of a Kinesis-sourced stream ProcessingFailed (never re-ingested)', async () => {
    const event = directPutEvent([big(100), big(100), big(100)], {
      sourceKinesisStreamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/source',
    });
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<{ pad: string }>({
      logger,
      maxResponseBytes: 1_200,
      transformRecord: (record) => ok({ pad: record.data.pad.repeat(3) }),
    });
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'Ok', 'ProcessingFailed']);
    expect(response.records[2]!.data).toBe(event.records[2]!.data);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(1_200);
    expect(entries.find((entry) => entry.message === 'record processing failed')?.fields.reason).toBe(
      'response size limit reached; not re-ingested because the source is a Kinesis data stream',
    );
  });

  it('keeps Ok a record the transform made smaller than its failed answer, to fit a limit below the request', async () => {
    // Pretty-printed input, compacted by the transform: its Ok answer is smaller than failing it with its original
    // data. With a Kinesis source nothing is re-ingested: the response fits only if those stay Ok.
    const pretty = JSON.stringify(
      { pad: 'x'.repeat(900), list: Array.from({ length: 60 }, (_, n) => n) },
      null,
      1,
    );
    const event = directPutEvent([`not json ${'y'.repeat(3000)}`, pretty, pretty, '{"grow":1}'], {
      sourceKinesisStreamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/source',
    });
    const transformRecord = (record: { data: Record<string, unknown> }) =>
      record.data.grow === 1 ? ok({ grow: 'z'.repeat(2000) }) : ok(record.data);
    const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const unlimited = await createFirehoseTransformHandler({ logger: silentLogger, transformRecord })(
      event,
      lambdaContext(),
    );
    const failed = (index: number) =>
      size({ recordId: `record-${index}`, result: 'ProcessingFailed', data: event.records[index]!.data });
    expect(size(unlimited.records[1])).toBeLessThan(failed(1));
    // The best answer: the bad record failed, the compacted ones Ok, the grown one failed.
    const best = size({
      records: [
        unlimited.records[0],
        unlimited.records[1],
        unlimited.records[2],
        { recordId: 'record-3', result: 'ProcessingFailed', data: event.records[3]!.data },
      ],
    });
    const maxResponseBytes = best + 50;
    expect(maxResponseBytes).toBeLessThan(
      size({
        records: event.records.map((_, index) => ({
          recordId: `record-${index}`,
          result: 'ProcessingFailed',
          data: event.records[index]!.data,
        })),
      }),
    );
    const response = await createFirehoseTransformHandler({
      logger: silentLogger,
      maxResponseBytes,
      transformRecord,
    })(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual([
      'ProcessingFailed',
      'Ok',
      'Ok',
      'ProcessingFailed',
    ]);
    expect(size(response)).toBeLessThanOrEqual(maxResponseBytes);
  });

  it('uses half the invocation time as the margin when safetyMarginMs is not under it, and says so once', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<{ ContactId: string }>({
      logger,
      safetyMarginMs: 120_000,
      transformRecord: (record) => ok(record.data),
    });
    for (let run = 0; run < 2; run++) {
      const response = await handler(
        directPutEvent(['{"ContactId":"a"}', '{"ContactId":"b"}']),
        lambdaContext(60_000),
      );
      // Before, every record was ProcessingFailed: the deadline had passed before the first one.
      expect(response.records.map((record) => record.result)).toEqual(['Ok', 'Ok']);
    }
    const warnings = entries.filter((entry) => entry.message.startsWith('safetyMarginMs is not under'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ safetyMarginMs: 120_000 });
  });

  it('fails a record that alone cannot fit, so it is never re-ingested in a loop', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<{ pad: string }>({
      logger,
      maxResponseBytes: 1_000,
      transformRecord: (record) => ok({ pad: record.data.pad.repeat(20) }),
    });
    const response = await handler(directPutEvent([big(10), big(100)]), lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'ProcessingFailed']);
    expect(
      String(entries.find((entry) => entry.message === 'record processing failed')?.fields.reason),
    ).toMatch(/alone, over the 1000-byte limit/);
  });

  it('fails overflow when re-ingestion is disabled or the stream name is unknown', async () => {
    const transformRecord = (record: { data: { pad: string } }) => ok({ pad: record.data.pad.repeat(3) });
    const disabled = createFirehoseTransformHandler({
      logger: silentLogger,
      maxResponseBytes: 1_200,
      reingestOverflow: false,
      transformRecord,
    });
    const event = directPutEvent([big(100), big(100), big(100)]);
    expect((await disabled(event, lambdaContext())).records.map((record) => record.result)).toEqual([
      'Ok',
      'Ok',
      'ProcessingFailed',
    ]);
    const { entries, logger } = recordingLogger();
    const unnamed = createFirehoseTransformHandler({ logger, maxResponseBytes: 1_200, transformRecord });
    const tutorialShaped = directPutEvent([big(100), big(100), big(100)], {
      deliveryStreamArn: 'arn:aws:kinesis:EXAMPLE',
    });
    expect((await unnamed(tutorialShaped, lambdaContext())).records[2]!.result).toBe('ProcessingFailed');
    expect(entries.find((entry) => entry.message === 'record processing failed')?.fields.reason).toMatch(
      /no delivery stream name/,
    );
  });

  it('lets smaller later records use the space a large one could not', async () => {
    const handler = createFirehoseTransformHandler<{ pad: string }>({
      logger: silentLogger,
      maxResponseBytes: 1_200,
      reingestOverflow: false,
      transformRecord: (record) => ok({ pad: record.data.pad.repeat(2) }),
    });
    const response = await handler(directPutEvent([big(200), big(200), big(10)]), lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'ProcessingFailed', 'Ok']);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(1_200);
  });
});
