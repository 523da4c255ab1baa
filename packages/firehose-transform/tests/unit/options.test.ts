import { describe, expect, it } from 'vitest';
import {
  createFirehoseTransformHandler,
  type FirehoseTransformOptions,
  FirehoseTransformOptionsError,
  ok,
  silentLogger,
} from '../../src/index.js';
import { directPutEvent, lambdaContext } from '../support/events.js';

const transformRecord: FirehoseTransformOptions['transformRecord'] = (record) => ok(record.data);

/** Creates a handler from options a JavaScript caller (or a cast) could pass, returning the error it threw. */
function creationError(options: unknown): FirehoseTransformOptionsError {
  try {
    createFirehoseTransformHandler(options as FirehoseTransformOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(FirehoseTransformOptionsError);
    return error as FirehoseTransformOptionsError;
  }
  throw new Error('createFirehoseTransformHandler accepted the options');
}

describe('createFirehoseTransformHandler: options are checked when the handler is made', () => {
  it('refuses no options at all with FirehoseTransformOptionsError, not a TypeError', () => {
    for (const options of [undefined, null, 'transformRecord', [transformRecord]]) {
      const error = creationError(options);
      expect(error.message).toMatch(/options must be an object with at least transformRecord/);
      expect(error.issues).toEqual([{ path: '', message: expect.stringContaining('options must be') }]);
      expect(error.isRetryable).toBe(false);
    }
  });

  it('refuses callbacks that are not functions, naming each', () => {
    const error = creationError({
      transformRecord,
      parse: 'json',
      serialize: 1,
      prepareBatch: {},
      summaryFields: { field: 1 },
      onSummary: true,
      now: 1_700_000_000_000,
    });
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'prepareBatch',
      'parse',
      'serialize',
      'now',
      'summaryFields',
      'onSummary',
    ]);
    expect(error.message).toContain('parse must be a function');
    expect(error.message).toContain('got "json" (string)');
    expect(error.message).toContain('serialize must be a function');
    expect(error.message).toContain('prepareBatch must be a function');
  });

  it('refuses numbers that are strings, not finite or out of range, listing every problem', () => {
    const error = creationError({
      transformRecord,
      defaultRemainingTimeMs: '60000',
      safetyMarginMs: Number.NaN,
      prepareBatchGraceMs: Number.POSITIVE_INFINITY,
      maxResponseBytes: 10,
      reingestMaxAttempts: 2.5,
      reingestBaseDelayMs: -1,
    });
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'safetyMarginMs',
      'prepareBatchGraceMs',
      'maxResponseBytes',
      'reingestMaxAttempts',
      'reingestBaseDelayMs',
      'defaultRemainingTimeMs',
    ]);
    expect(error.message).toContain(
      'defaultRemainingTimeMs must be a finite number >= 1, got "60000" (string)',
    );
    expect(error.message).toContain('safetyMarginMs must be a finite number >= 0, got NaN');
    expect(error.message).toContain('reingestMaxAttempts must be an integer >= 1, got 2.5');
  });

  it('refuses flags, the logger, the client and the stream name of the wrong type', () => {
    const error = creationError({
      transformRecord: 'ok',
      newlineDelimiter: 'yes',
      reingestOverflow: 0,
      logger: 'console',
      firehoseClient: {},
      deliveryStreamName: 'arn:aws:firehose:us-east-2:123456789012:deliverystream/ctr',
      metrics: 'CtrStream',
    });
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'transformRecord',
      'newlineDelimiter',
      'reingestOverflow',
      'firehoseClient',
      'deliveryStreamName',
      'logger',
      'metrics',
    ]);
    expect(error.message).toMatch(
      /^Invalid options for createFirehoseTransformHandler: transformRecord must be/,
    );
  });

  it('accepts every option with the right type, and undefined for any optional one', async () => {
    const handler = createFirehoseTransformHandler({
      transformRecord,
      prepareBatch: () => undefined,
      parse: (data) => JSON.parse(data.toString('utf8')),
      serialize: JSON.stringify,
      newlineDelimiter: false,
      safetyMarginMs: 0,
      prepareBatchGraceMs: 0,
      maxResponseBytes: 1_000,
      reingestOverflow: false,
      deliveryStreamName: 'ctr-stream_1.test',
      reingestMaxAttempts: 1,
      reingestBaseDelayMs: 0,
      logger: silentLogger,
      now: Date.now,
      defaultRemainingTimeMs: 5_000,
      summaryFields: () => ({}),
      metrics: { namespace: 'CtrStream', write: () => {} },
      onSummary: () => {},
    });
    await expect(handler(directPutEvent(['{"a":1}']), lambdaContext())).resolves.toMatchObject({
      records: [{ result: 'Ok' }],
    });
    expect(() =>
      createFirehoseTransformHandler({
        transformRecord,
        safetyMarginMs: undefined,
        metrics: undefined,
        logger: undefined,
      } as unknown as FirehoseTransformOptions),
    ).not.toThrow();
  });

  it('uses a checked defaultRemainingTimeMs as a number of milliseconds', async () => {
    const started = Date.now();
    let deadline = 0;
    const handler = createFirehoseTransformHandler({
      logger: silentLogger,
      defaultRemainingTimeMs: 60_000,
      prepareBatch: (_records, context) => {
        deadline = context.deadline;
        return undefined;
      },
      transformRecord,
    });
    await handler(directPutEvent(['{}']));
    // 60 s less the 3 s safety margin: a number, not '60000' glued to the clock.
    expect(deadline - started).toBeGreaterThan(56_000);
    expect(deadline - started).toBeLessThanOrEqual(57_100);
  });
  it('refuses misspelt option names, suggesting the option meant', () => {
    const error = creationError({
      transformRecord,
      safetyMargin: 5_000,
      prepareBatches: () => undefined,
      SafetyMarginMS: 1_000,
      reingestOverFlow: false,
      nwo: Date.now,
    });
    expect(error.issues).toEqual([
      { path: 'safetyMargin', message: 'is not an option; did you mean safetyMarginMs?' },
      { path: 'prepareBatches', message: 'is not an option; did you mean prepareBatch?' },
      { path: 'SafetyMarginMS', message: 'is not an option; did you mean safetyMarginMs?' },
      { path: 'reingestOverFlow', message: 'is not an option; did you mean reingestOverflow?' },
      { path: 'nwo', message: 'is not an option; did you mean now?' },
    ]);
    expect(error.message).toBe(
      'Invalid options for createFirehoseTransformHandler: safetyMargin is not an option; did you mean safetyMarginMs?; ' +
        'prepareBatches is not an option; did you mean prepareBatch?; ' +
        'SafetyMarginMS is not an option; did you mean safetyMarginMs?; ' +
        'reingestOverFlow is not an option; did you mean reingestOverflow?; ' +
        'nwo is not an option; did you mean now?',
    );
    expect(error.isRetryable).toBe(false);
  });

  it('refuses unknown option names with no close match, listing the options, even when set to undefined', () => {
    const error = creationError({ transformRecord, log: console, timeoutMs: undefined, '': 1 });
    expect(error.issues.map((issue) => issue.path)).toEqual(['log', 'timeoutMs', '""']);
    for (const issue of error.issues) {
      expect(issue.message).toMatch(
        /^is not an option; remove it \(the options are transformRecord, prepareBatch, /,
      );
      expect(issue.message).not.toContain('did you mean');
    }
    expect(error.issues[0]!.message).toContain('safetyMarginMs');
    expect(error.issues[0]!.message).toContain('onSummary)');
  });

  it('reports unknown names together with bad values, after them', () => {
    const error = creationError({ transformRecord: 'ok', safetyMarginMs: -1, maxResponseByte: 1_000 });
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'transformRecord',
      'safetyMarginMs',
      'maxResponseByte',
    ]);
    expect(error.issues[2]!.message).toBe('is not an option; did you mean maxResponseBytes?');
  });

  it('refuses unknown names inside metrics, suggesting the member meant', () => {
    const error = creationError({
      transformRecord,
      metrics: { namespace: 'CtrStream', dimension: { FunctionName: 'f' }, Write: () => {}, unit: 'Count' },
    });
    expect(error.issues).toEqual([
      { path: 'metrics.dimension', message: 'is not an option of metrics; did you mean dimensions?' },
      { path: 'metrics.Write', message: 'is not an option of metrics; did you mean write?' },
      {
        path: 'metrics.unit',
        message:
          'is not an option of metrics; remove it (the options are namespace, dimensions, extraMetrics, write)',
      },
    ]);
    // A misspelt namespace is both missing and unknown.
    expect(
      creationError({ transformRecord, metrics: { nameSpace: 'CtrStream' } }).issues.map(
        (issue) => issue.path,
      ),
    ).toEqual(['metrics.namespace', 'metrics.nameSpace']);
  });

  it('leaves the names inside dimensions, logger and firehoseClient alone: they are not options', () => {
    expect(() =>
      createFirehoseTransformHandler({
        transformRecord,
        logger: { ...silentLogger, child: () => silentLogger, level: 'info' } as never,
        firehoseClient: { send: async () => ({}), config: {}, middlewareStack: {} } as never,
        metrics: {
          namespace: 'CtrStream',
          dimensions: { FunctionName: 'f', Stage: 'prod' },
          write: () => {},
        },
      }),
    ).not.toThrow();
  });
});
