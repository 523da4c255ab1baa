import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  createFirehoseTransformHandler,
  dropped,
  type FirehoseTransformLogger,
  ok,
  processingFailed,
  silentLogger,
} from '../../src/index.js';
import { decodeData, directPutEvent, lambdaContext, recordingLogger } from '../support/events.js';

/** A logger whose every method throws, counting the calls it got. */
function throwingLogger() {
  const calls: string[] = [];
  const at = (level: string) => (message: string) => {
    calls.push(`${level}: ${message}`);
    throw new Error('log sink down');
  };
  const logger: FirehoseTransformLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { calls, logger };
}

describe('createFirehoseTransformHandler: a user callback that throws fails one record at most', () => {
  it('answers a record whose partitionKeys cannot be serialised (BigInt) ProcessingFailed with its original data', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<{ a: number }>({
      logger,
      transformRecord: (record) =>
        record.data.a === 2
          ? ok(record.data, { partitionKeys: { k: 1n } as never })
          : ok(record.data, { partitionKeys: { k: 'v' } }),
    });
    const event = directPutEvent(['{"a":1}', '{"a":2}', '{"a":3}']);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'ProcessingFailed', 'Ok']);
    expect(response.records[1]).toEqual({
      recordId: 'record-1',
      result: 'ProcessingFailed',
      data: event.records[1]!.data,
    });
    expect(response.records[2]!.metadata).toEqual({ partitionKeys: { k: 'v' } });
    expect(entries.find((entry) => entry.message === 'record processing failed')?.fields.reason).toBe(
      'partitionKeys values must be strings, got bigint',
    );
  });

  it('answers a record whose partitionKeys is not an object ProcessingFailed (a string is not spread into keys)', async () => {
    const { entries, logger } = recordingLogger();
    const tagged = (value: object) =>
      Object.defineProperty(value, Symbol.toStringTag, { value: 'Object', configurable: true });
    const given: unknown[] = [
      'day',
      ['x'],
      null,
      new String('day'),
      tagged(new String('da')),
      tagged(new Map([['day', '2024-01-01']])),
    ];
    const handler = createFirehoseTransformHandler<{ a: number }>({
      logger,
      transformRecord: (record) => ok(record.data, { partitionKeys: given[record.data.a] as never }),
    });
    const event = directPutEvent(['{"a":0}', '{"a":1}', '{"a":2}', '{"a":3}', '{"a":4}', '{"a":5}']);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual([
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
    ]);
    expect(response.records.map((record) => record.data)).toEqual(event.records.map((record) => record.data));
    expect(
      entries
        .filter((entry) => entry.message === 'record processing failed')
        .map((entry) => entry.fields.reason),
    ).toEqual([
      'partitionKeys must be a plain object of strings, got string',
      'partitionKeys must be a plain object of strings, got an array',
      'partitionKeys must be a plain object of strings, got null',
      'partitionKeys must be a plain object of strings, got an object that is not plain',
      'partitionKeys must be a plain object of strings, got an object that is not plain',
      'partitionKeys must be a plain object of strings, got an object that is not plain',
    ]);
  });

  it('reads partitionKeys once: a getter that answers differently the second time is not asked twice', async () => {
    let reads = 0;
    const outcome = {
      result: 'Ok' as const,
      data: { a: 1 },
      get partitionKeys() {
        reads++;
        return reads === 1 ? { day: '2024-01-01' } : undefined;
      },
    };
    const handler = createFirehoseTransformHandler<{ a: number }>({
      logger: silentLogger,
      transformRecord: () => outcome as never,
    });
    const response = await handler(directPutEvent(['{"a":1}']), lambdaContext());
    expect(response.records[0]).toMatchObject({
      result: 'Ok',
      metadata: { partitionKeys: { day: '2024-01-01' } },
    });
    expect(reads).toBe(1);
  });

  it('accepts partitionKeys that are plain objects of another realm, without a prototype, or behind a Proxy', async () => {
    const given: unknown[] = [
      runInNewContext('({ day: "2024-01-01" })'),
      Object.assign(Object.create(null), { day: '2024-01-01' }),
      new Proxy({ day: '2024-01-01' }, {}),
    ];
    const handler = createFirehoseTransformHandler<{ a: number }>({
      logger: silentLogger,
      transformRecord: (record) => ok(record.data, { partitionKeys: given[record.data.a] as never }),
    });
    const response = await handler(directPutEvent(['{"a":0}', '{"a":1}', '{"a":2}']), lambdaContext());
    for (const record of response.records) {
      expect(record.result).toBe('Ok');
      expect(record.metadata).toEqual({ partitionKeys: { day: '2024-01-01' } });
    }
  });

  it('logs a SyntaxError from custom code by its name only: JSON.parse quotes the record in its message', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<unknown>({
      logger,
      parse: (bytes) => JSON.parse(bytes.toString('utf8')),
      transformRecord: () => {
        JSON.parse('{"phone": +61401004854, "in": "transform"}');
        return processingFailed('unreachable');
      },
    });
    const event = directPutEvent(['{"phone": +61401004854}', '{"ok":1}']);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['ProcessingFailed', 'ProcessingFailed']);
    const logged = JSON.stringify(entries);
    expect(logged).not.toContain('401004854');
    expect(
      entries
        .filter((entry) => entry.message === 'record processing failed')
        .map((entry) => entry.fields.reason),
    ).toEqual([
      'parse failed: SyntaxError (its message is left out: it may quote the record)',
      'transformRecord threw SyntaxError (its message is left out: it may quote the record)',
    ]);
  });

  it('answers a record whose outcome has a throwing getter ProcessingFailed, the others Ok', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<{ a: number }>({
      logger,
      transformRecord: (record) => {
        if (record.data.a !== 2) return ok(record.data);
        const partitionKeys = {};
        Object.defineProperty(partitionKeys, 'day', {
          enumerable: true,
          get: () => {
            throw new RangeError('no day');
          },
        });
        return ok(record.data, { partitionKeys });
      },
    });
    const event = directPutEvent(['{"a":1}', '{"a":2}']);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['Ok', 'ProcessingFailed']);
    expect(response.records[1]!.data).toBe(event.records[1]!.data);
    expect(response.records[1]!.metadata).toBeUndefined();
    expect(entries.find((entry) => entry.message === 'record processing failed')?.fields.reason).toBe(
      'could not use the outcome of transformRecord: RangeError: no day',
    );
  });

  it('answers the batch when onSummary throws, and logs that it did', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler({
      logger,
      onSummary: () => {
        throw new Error('metrics down');
      },
      transformRecord: (record) => ok(record.data),
    });
    const response = await handler(directPutEvent(['{"a":1}']), lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['Ok']);
    const logged = entries.find((entry) => entry.message === 'onSummary threw; the batch is answered anyway');
    expect(logged?.level).toBe('error');
    expect(logged?.fields.error).toBe('Error: metrics down');
  });

  it('answers the batch when every logger call throws (failed, dropped, prepareBatch failed, summary)', async () => {
    const { calls, logger } = throwingLogger();
    const handler = createFirehoseTransformHandler<{ kind: string }, string>({
      logger,
      prepareBatch: () => {
        throw new Error('directory down');
      },
      onSummary: () => {
        throw new Error('metrics down');
      },
      transformRecord: (record) => {
        if (record.data.kind === 'drop') return dropped('asked to');
        if (record.data.kind === 'fail') return processingFailed('asked to');
        return ok(record.data);
      },
    });
    const event = directPutEvent(['{"kind":"keep"}', '{"kind":"drop"}', '{"kind":"fail"}', 'not json']);
    const response = await handler(event, lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual([
      'Ok',
      'Dropped',
      'ProcessingFailed',
      'ProcessingFailed',
    ]);
    expect(response.records[2]!.data).toBe(event.records[2]!.data);
    expect(calls).toEqual([
      'warn: prepareBatch failed; records are transformed without its result',
      'debug: record dropped',
      'warn: record processing failed',
      'warn: record processing failed',
      'info: firehose transform summary',
      'error: onSummary threw; the batch is answered anyway',
    ]);
  });

  it('answers the batch when the logger is not even a logger', async () => {
    const handler = createFirehoseTransformHandler({
      logger: {} as FirehoseTransformLogger,
      transformRecord: () => processingFailed('asked to'),
    });
    const response = await handler(directPutEvent(['{}']), lambdaContext());
    expect(response.records.map((record) => record.result)).toEqual(['ProcessingFailed']);
  });
});

describe('createFirehoseTransformHandler: at most 100 record log lines per invocation', () => {
  it('caps the lines of dropped records', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler({ logger, transformRecord: () => dropped('heartbeat') });
    const response = await handler(
      directPutEvent(Array.from({ length: 5_000 }, () => '{}')),
      lambdaContext(),
    );
    expect(response.records.every((record) => record.result === 'Dropped')).toBe(true);
    expect(entries.filter((entry) => entry.message === 'record dropped')).toHaveLength(100);
  });

  it('caps dropped and failed records together', async () => {
    const { entries, logger } = recordingLogger();
    const handler = createFirehoseTransformHandler<{ n: number }>({
      logger,
      transformRecord: (record) => (record.data.n % 2 === 0 ? dropped('even') : processingFailed('odd')),
    });
    await handler(
      directPutEvent(Array.from({ length: 300 }, (_, n) => JSON.stringify({ n }))),
      lambdaContext(),
    );
    const recordLines = entries.filter(
      (entry) => entry.message === 'record dropped' || entry.message === 'record processing failed',
    );
    expect(recordLines).toHaveLength(100);
    const summary = entries.find((entry) => entry.message === 'firehose transform summary');
    expect(summary?.fields).toMatchObject({ dropped: 150, processingFailed: 150 });
  });
});

describe('createFirehoseTransformHandler: a small safety margin never answers after the Lambda timeout', () => {
  it('gives up on a prepareBatch that ignores its signal before the hard deadline, even with no margin', async () => {
    let givenDeadline = Number.NaN;
    let endsAt = Number.NaN;
    const handler = createFirehoseTransformHandler<unknown, string>({
      logger: silentLogger,
      safetyMarginMs: 0,
      prepareBatch: (_records, { deadline }) => {
        givenDeadline = deadline;
        return new Promise<string>(() => {});
      },
      transformRecord: (record, context) => ok({ data: record.data, status: context.preparation.status }),
    });
    const started = Date.now();
    const context = lambdaContext(1_000);
    endsAt = started + 1_000;
    const response = await handler(directPutEvent(['{"a":1}']), context);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(givenDeadline).toBeLessThanOrEqual(endsAt - 100);
    expect(
      response.records.map((record) => [record.result, JSON.parse(decodeData(record.data)).status]),
    ).toEqual([['Ok', 'timed_out']]);
  });

  it('bounds the grace period by the hard deadline (margin 300 ms: give up 250 ms before the timeout)', async () => {
    const handler = createFirehoseTransformHandler<unknown, string>({
      logger: silentLogger,
      safetyMarginMs: 300,
      prepareBatchGraceMs: 10_000,
      prepareBatch: () => new Promise<string>(() => {}),
      transformRecord: (record, context) => ok({ data: record.data, status: context.preparation.status }),
    });
    const context = lambdaContext(800);
    const response = await handler(directPutEvent(['{"a":1}']), context);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(JSON.parse(decodeData(response.records[0]!.data)).status).toBe('timed_out');
  });
});
