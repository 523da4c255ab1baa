import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_METRICS,
  createFirehoseTransformHandler,
  dropped,
  type FirehoseTransformMetricsOptions,
  FirehoseTransformOptionsError,
  ok,
  processingFailed,
  silentLogger,
} from '../../src/index.js';
import { directPutEvent, lambdaContext, recordingLogger } from '../support/events.js';

interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [member: string]: unknown;
}

/** What CloudWatch requires of an EMF line: every metric and dimension named in `_aws` is a top-level member. */
function expectValidEmf(line: EmfLine): void {
  const [directive] = line._aws.CloudWatchMetrics;
  expect(line._aws.CloudWatchMetrics).toHaveLength(1);
  expect(Number.isInteger(line._aws.Timestamp)).toBe(true);
  for (const { Name } of directive!.Metrics) expect(typeof line[Name], Name).toBe('number');
  for (const name of directive!.Dimensions.flat()) expect(typeof line[name], name).toBe('string');
  expect(new Set(directive!.Metrics.map((metric) => metric.Name)).size).toBe(directive!.Metrics.length);
}

function handlerWithMetrics(metrics: Omit<FirehoseTransformMetricsOptions, 'write'>, logger = silentLogger) {
  const lines: string[] = [];
  const handler = createFirehoseTransformHandler<Record<string, unknown>, { hits: number }>({
    logger,
    metrics: { ...metrics, write: (line) => lines.push(line) },
    prepareBatch: () => ({ hits: 7 }),
    summaryFields: (preparation) => ({
      lookup: { hits: preparation?.status === 'ready' ? preparation.value.hits : 0 },
    }),
    transformRecord: (record) => {
      if (record.data.drop) return dropped('asked to');
      if (record.data.fail) return processingFailed('asked to fail');
      return ok(record.data);
    },
  });
  return { handler, lines };
}

describe('per-invocation CloudWatch metrics (Embedded Metric Format)', () => {
  it('writes one EMF line per invocation with the summary counts, the dimensions and extra metrics', async () => {
    const { handler, lines } = handlerWithMetrics({
      namespace: 'CtrStream',
      dimensions: { FunctionName: 'AddName' },
      extraMetrics: (_summary, fields) => ({
        LookupHits: { value: (fields.lookup as { hits: number }).hits, unit: 'Count' },
      }),
    });
    const event = directPutEvent(['{"a":1}', '{"drop":true}', '{"fail":true}', 'not json', '{"b":2}']);
    const response = await handler(event, lambdaContext());
    expect(response.records).toHaveLength(5);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as EmfLine;
    expectValidEmf(line);
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe('CtrStream');
    expect(directive!.Dimensions).toEqual([['FunctionName']]);
    expect(directive!.Metrics).toEqual([
      ...Object.entries(BUILT_IN_METRICS).map(([Name, Unit]) => ({ Name, Unit })),
      { Name: 'LookupHits', Unit: 'Count' },
    ]);
    expect(line).toMatchObject({
      FunctionName: 'AddName',
      invocationId: 'invocation-test',
      Records: 5,
      RecordsOk: 2,
      RecordsDropped: 1,
      RecordsProcessingFailed: 2,
      RecordsOverflow: 0,
      RecordsReingested: 0,
      LookupHits: 7,
    });
    expect(line.InputBytes).toBe(
      event.records.reduce((sum, record) => sum + Buffer.from(record.data, 'base64').length, 0),
    );
    expect(line.ResponseBytes).toBe(Buffer.byteLength(JSON.stringify(response)));
    expect(line.Duration).toBeGreaterThanOrEqual(0);

    await handler(directPutEvent(['{"c":3}']), lambdaContext());
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ Records: 1, RecordsOk: 1 });
  });

  it('leaves out extra metrics that are not finite numbers or reuse a name, and says which', async () => {
    const { entries, logger } = recordingLogger();
    const { handler, lines } = handlerWithMetrics(
      {
        namespace: 'CtrStream',
        dimensions: { FunctionName: 'AddName' },
        extraMetrics: () => ({
          Good: { value: 1, unit: 'Count' },
          NotANumber: { value: Number.NaN, unit: 'Count' },
          Records: { value: 99, unit: 'Count' },
          FunctionName: { value: 1, unit: 'Count' },
          invocationId: { value: 1, unit: 'Count' },
          BadUnit: { value: 1, unit: 'ms' as 'Count' },
          ['__proto__']: { value: 1, unit: 'Count' },
        }),
      },
      logger,
    );
    await handler(directPutEvent(['{"a":1}']), lambdaContext());
    const line = JSON.parse(lines[0]!) as EmfLine;
    expectValidEmf(line);
    expect(line).toMatchObject({ Good: 1, Records: 1, FunctionName: 'AddName' });
    expect(line.NotANumber).toBeUndefined();
    expect(Object.hasOwn(line, '__proto__')).toBe(true); // a plain metric name, not a prototype
    expect(entries.find((entry) => entry.message.startsWith('metrics left out'))?.fields.metrics).toEqual([
      'NotANumber',
      'Records',
      'FunctionName',
      'invocationId',
      'BadUnit',
    ]);
  });

  it('never fails the batch for metrics: extraMetrics that throws, a write that throws', async () => {
    const { entries, logger } = recordingLogger();
    const { handler, lines } = handlerWithMetrics(
      {
        namespace: 'CtrStream',
        extraMetrics: () => {
          throw new Error('broken');
        },
      },
      logger,
    );
    const response = await handler(directPutEvent(['{"a":1}']), lambdaContext());
    expect(response.records[0]!.result).toBe('Ok');
    expect(JSON.parse(lines[0]!)).toMatchObject({ Records: 1 });
    expect(entries.some((entry) => entry.message.startsWith('metrics left out'))).toBe(true);

    const failing = createFirehoseTransformHandler({
      logger,
      metrics: {
        namespace: 'CtrStream',
        write: () => {
          throw new Error('stdout closed');
        },
      },
      transformRecord: (record) => ok(record.data),
    });
    const answered = await failing(directPutEvent(['{"a":1}']), lambdaContext());
    expect(answered.records[0]!.result).toBe('Ok');
    expect(entries.some((entry) => entry.message === 'cannot write the metrics line')).toBe(true);
  });

  it('refuses bad options when the handler is made: reserved or empty namespace, bad dimensions', () => {
    const make = (metrics: FirehoseTransformMetricsOptions) => () =>
      createFirehoseTransformHandler({ metrics, transformRecord: (record) => ok(record.data) });
    expect(make({ namespace: 'AWS/Firehose' })).toThrow(FirehoseTransformOptionsError);
    expect(make({ namespace: 'a:b' })).toThrow(/must not contain ':'/);
    expect(make({ namespace: '' })).toThrow(/namespace/);
    expect(make({ namespace: 'ok', dimensions: { FunctionName: '' } })).toThrow(/needs a value/);
    expect(make({ namespace: 'ok', dimensions: { Records: 'x' } })).toThrow(/also a metric name/);
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, index) => [`D${index}`, 'x']));
    expect(make({ namespace: 'ok', dimensions: many })).toThrow(/at most 30 dimensions/);
    expect(make({ namespace: 'CtrStream', dimensions: { FunctionName: 'AddName' } })).not.toThrow();
  });

  it('refuses metrics without a namespace, or that are no object, with FirehoseTransformOptionsError', () => {
    const make = (metrics: unknown) => () =>
      createFirehoseTransformHandler({
        metrics: metrics as FirehoseTransformMetricsOptions,
        transformRecord: (record) => ok(record.data),
      });
    for (const metrics of [{}, { dimensions: { FunctionName: 'AddName' } }, { namespace: 42 }]) {
      expect(make(metrics)).toThrow(FirehoseTransformOptionsError);
      expect(make(metrics)).toThrow(/metrics\.namespace is required/);
    }
    for (const metrics of [true, null, 'CtrStream', ['CtrStream']]) {
      expect(make(metrics)).toThrow(FirehoseTransformOptionsError);
      expect(make(metrics)).toThrow(/metrics must be an object \{ namespace/);
    }
  });

  it('lists every bad metrics option at once, with its path', () => {
    let error: unknown;
    try {
      createFirehoseTransformHandler({
        metrics: {
          namespace: ' CtrStream',
          dimensions: { FunctionName: '', ' Padded': 'x' },
          extraMetrics: 'LookupHits',
          write: process.stdout,
        } as unknown as FirehoseTransformMetricsOptions,
        transformRecord: (record) => ok(record.data),
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FirehoseTransformOptionsError);
    expect((error as FirehoseTransformOptionsError).issues.map((issue) => issue.path)).toEqual([
      'metrics.namespace',
      'metrics.dimensions.FunctionName',
      'metrics.dimensions',
      'metrics.extraMetrics',
      'metrics.write',
    ]);
    expect(() =>
      createFirehoseTransformHandler({
        metrics: { namespace: 'ok', dimensions: ['FunctionName'] as unknown as Record<string, string> },
        transformRecord: (record) => ok(record.data),
      }),
    ).toThrow(/metrics\.dimensions must be an object/);
  });
});
