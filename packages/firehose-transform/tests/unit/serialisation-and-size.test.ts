import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createFirehoseTransformHandler,
  entryBytes,
  type FirehoseTransformationResultRecord,
  type FirehoseTransformSummary,
  ok,
  processingFailed,
  silentLogger,
} from '../../src/index.js';
import { directPutEvent, lambdaContext, recordingLogger } from '../support/events.js';

// Serialised text up to 64 Ki UTF-16 code units goes through the handler's reused scratch buffer,
// longer text through a one-off Buffer: both must give the bytes `Buffer.from(text, 'utf8')` gives.
const SCRATCH_MAX_CHARS = 64 * 1024;

/** Texts that stress UTF-8 encoding: multi-byte, astral, lone surrogates, both sides of the scratch limit. */
function awkwardTexts(): string[] {
  const mixed = 'aZoë 山田 😀 \ud800 x \udfff"\\\n';
  return [
    '',
    mixed,
    '山'.repeat(SCRATCH_MAX_CHARS), // exactly at the limit, 3 bytes per unit: the scratch's worst case
    `${'😀'.repeat(SCRATCH_MAX_CHARS / 2)}`, // surrogate pairs, exactly at the limit
    `${'山'.repeat(SCRATCH_MAX_CHARS)}x`, // one past the limit: the one-off path
    `${mixed.repeat(10_000)}\ud800`, // long, ends in a lone surrogate
  ];
}

describe('Ok data: serialised once, straight to base64', () => {
  it.each([false, true])(
    'encodes serialiser output exactly as Buffer.from(text) does, on both sides of the scratch limit (newline %s)',
    async (newlineDelimiter) => {
      const texts = awkwardTexts();
      const summaries: FirehoseTransformSummary[] = [];
      const handler = createFirehoseTransformHandler<unknown>({
        logger: silentLogger,
        newlineDelimiter,
        serialize: (value) => texts[value as number]!,
        onSummary: (summary) => summaries.push(summary),
        transformRecord: (record) => ok(record.index),
      });
      const response = await handler(directPutEvent(texts.map(() => '{}')), lambdaContext());
      expect(response.records.map((record) => record.result)).toEqual(texts.map(() => 'Ok'));
      response.records.forEach((record, index) => {
        const expected = Buffer.from(`${texts[index]}${newlineDelimiter ? '\n' : ''}`, 'utf8');
        expect(Buffer.from(record.data, 'base64').equals(expected)).toBe(true);
      });
      expect(summaries[0]!.responseBytes).toBe(Buffer.byteLength(JSON.stringify(response)));
    },
  );

  it('keeps records apart when invocations of one handler run at the same time', async () => {
    const handler = createFirehoseTransformHandler<{ n: number }>({
      logger: silentLogger,
      transformRecord: async (record) => {
        await new Promise((resolve) => setTimeout(resolve, (record.data.n * 7) % 5));
        return ok({ n: record.data.n, text: `${'é'.repeat(record.data.n)}${record.recordId}` });
      },
    });
    const events = [0, 1, 2].map((batch) =>
      directPutEvent(Array.from({ length: 20 }, (_, index) => JSON.stringify({ n: batch * 20 + index }))),
    );
    const responses = await Promise.all(events.map((event) => handler(event, lambdaContext())));
    responses.forEach((response, batch) => {
      response.records.forEach((record, index) => {
        const n = batch * 20 + index;
        expect(JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'))).toEqual({
          n,
          text: `${'é'.repeat(n)}record-${index}`,
        });
      });
    });
  });
});

describe('response size: counted from lengths, exactly', () => {
  it('entryBytes equals the UTF-8 size of JSON.stringify(entry) for any recordId, data and metadata', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 300 })),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom('Ok' as const, 'Dropped' as const, 'ProcessingFailed' as const),
        fc.option(fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ maxLength: 6 }))),
        (recordId, data, result, partitionKeys) => {
          const entry: FirehoseTransformationResultRecord = { recordId, result, data };
          if (partitionKeys !== null) entry.metadata = { partitionKeys };
          expect(entryBytes(entry)).toBe(Buffer.byteLength(JSON.stringify(entry)));
        },
      ),
    );
  });

  it('counts recordIds that need escaping or are long exactly', async () => {
    const recordIds = [
      'plain-ascii-~!#[]^_`{|}',
      'quote"and\\backslash',
      'tab\tand\u007fdel',
      'lone \ud800 surrogate',
      'x'.repeat(257),
      'é'.repeat(300),
    ];
    const event = directPutEvent(recordIds.map(() => '{"a":1}'));
    event.records.forEach((record, index) => {
      record.recordId = recordIds[index]!;
    });
    event.records[1]!.data = 'not base64 "\\ é';
    const summaries: number[] = [];
    const handler = createFirehoseTransformHandler({
      logger: silentLogger,
      onSummary: (summary) => summaries.push(summary.responseBytes),
      transformRecord: (record) => (record.index === 2 ? processingFailed('no') : ok(record.data)),
    });
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual([
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
      'Ok',
      'Ok',
      'Ok',
    ]);
    expect(summaries).toEqual([Buffer.byteLength(JSON.stringify(response))]);
  });
});

describe('summary: failure reasons', () => {
  it('counts reasons that are names of Object.prototype members as reasons of their own', async () => {
    const { entries, logger } = recordingLogger();
    const reasons = ['toString', '__proto__', 'toString', 'hasOwnProperty'];
    const summaries: FirehoseTransformSummary[] = [];
    const handler = createFirehoseTransformHandler({
      logger,
      onSummary: (summary) => summaries.push(summary),
      transformRecord: (record) => processingFailed(reasons[record.index]!),
    });
    await handler(directPutEvent(reasons.map(() => '{}')), lambdaContext());
    const failureReasons = summaries[0]!.failureReasons;
    expect(Object.keys(failureReasons).sort()).toEqual(['__proto__', 'hasOwnProperty', 'toString']);
    expect(Object.hasOwn(failureReasons, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(failureReasons, '__proto__')?.value).toBe(1);
    expect(failureReasons.toString).toBe(2);
    expect(failureReasons.hasOwnProperty).toBe(1);
    const logged = entries.find((entry) => entry.message === 'firehose transform summary');
    expect(JSON.parse(JSON.stringify(logged?.fields.failureReasons))).toEqual(
      JSON.parse('{"toString":2,"__proto__":1,"hasOwnProperty":1}'),
    );
  });
});

describe('summary: fields of your own', () => {
  it('keeps the built-in fields when summaryFields returns the same names, and logs the names left out', async () => {
    const { entries, logger } = recordingLogger();
    const lines: string[] = [];
    let metricFields: Readonly<Record<string, unknown>> = {};
    const handler = createFirehoseTransformHandler({
      logger,
      metrics: {
        namespace: 'CtrStream',
        write: (line) => lines.push(line),
        extraMetrics: (_summary, fields) => {
          metricFields = fields;
          return {};
        },
      },
      summaryFields: () => ({
        records: 999,
        ok: -1,
        failureReasons: {},
        invocationId: 'forged',
        message: 'not the summary',
        level: 'debug',
        cacheHitRate: 0.5,
      }),
      transformRecord: (record) => (record.index === 0 ? ok(record.data) : processingFailed('asked to')),
    });
    await handler(directPutEvent(['{}', '{}']), lambdaContext());
    const summary = entries.find((entry) => entry.message === 'firehose transform summary');
    expect(summary?.level).toBe('info');
    expect(summary?.fields).toMatchObject({
      invocationId: 'invocation-test',
      records: 2,
      ok: 1,
      processingFailed: 1,
      failureReasons: { 'asked to': 1 },
      cacheHitRate: 0.5,
    });
    expect(summary?.fields).not.toHaveProperty('message');
    expect(summary?.fields).not.toHaveProperty('level');
    const leftOut = entries.find((entry) => entry.message.startsWith('summary fields left out'));
    expect(leftOut?.level).toBe('warn');
    expect(leftOut?.fields).toEqual({
      invocationId: 'invocation-test',
      fields: ['records', 'ok', 'failureReasons', 'invocationId', 'message', 'level'],
    });
    // The metrics see the summary's own figures; extraMetrics still gets what summaryFields returned.
    expect(JSON.parse(lines[0]!)).toMatchObject({
      Records: 2,
      RecordsOk: 1,
      invocationId: 'invocation-test',
    });
    expect(metricFields).toMatchObject({ records: 999, cacheHitRate: 0.5 });
  });

  it('logs nothing extra when summaryFields returns no conflicting name', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler({
      logger,
      summaryFields: () => ({ cacheHitRate: 0.5 }),
      transformRecord: (record) => ok(record.data),
    });
    await handler(directPutEvent(['{}']), lambdaContext());
    expect(entries.map((entry) => entry.message)).toEqual(['firehose transform summary']);
    expect(entries[0]!.fields).toMatchObject({ records: 1, cacheHitRate: 0.5 });
  });

  it('ignores a summaryFields result that is not an object, and says so', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler({
      logger,
      summaryFields: () => 'hits=3' as unknown as Record<string, unknown>,
      transformRecord: (record) => ok(record.data),
    });
    await handler(directPutEvent(['{}']), lambdaContext());
    const summary = entries.find((entry) => entry.message === 'firehose transform summary');
    expect(summary?.fields).not.toHaveProperty('0');
    expect(summary?.fields.summaryFieldsError).toBe('summaryFields returned a string, expected an object');
  });
});
