import type { FirehoseTransformSummary } from './types.js';

/** The CloudWatch units the metrics use. */
export type MetricUnit = 'Count' | 'Bytes' | 'Milliseconds' | 'Percent' | 'None';

/** One metric value of an invocation. */
export interface MetricValue {
  readonly value: number;
  readonly unit: MetricUnit;
}

/** Options of the per-invocation CloudWatch metrics (`metrics` of `createFirehoseTransformHandler`). */
export interface FirehoseTransformMetricsOptions {
  /** CloudWatch namespace, e.g. `CtrStream`. 1-255 printable ASCII characters, no `:`, not starting with `AWS/`. */
  readonly namespace: string;
  /** One dimension set for every metric, e.g. `{ FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME }`. At most 30. */
  readonly dimensions?: Readonly<Record<string, string>>;
  /**
   * Metrics of your own for this invocation, from the `summaryFields` it returned (e.g. lookup hits). A value
   * that is not a finite number is left out. Names must not repeat a built-in metric or a dimension.
   */
  readonly extraMetrics?: (
    summary: FirehoseTransformSummary,
    summaryFields: Readonly<Record<string, unknown>>,
  ) => Readonly<Record<string, MetricValue>>;
  /** Where the line goes (one line, no line break). Default: standard output, which Lambda sends to CloudWatch Logs. */
  readonly write?: (line: string) => void;
}

/** The metrics every invocation reports, from its summary. */
export const BUILT_IN_METRICS = {
  Records: 'Count',
  RecordsOk: 'Count',
  RecordsDropped: 'Count',
  RecordsProcessingFailed: 'Count',
  RecordsOverflow: 'Count',
  RecordsReingested: 'Count',
  InputBytes: 'Bytes',
  ResponseBytes: 'Bytes',
  Duration: 'Milliseconds',
  PrepareBatchDuration: 'Milliseconds',
} as const satisfies Record<string, MetricUnit>;

const UNITS: ReadonlySet<string> = new Set<MetricUnit>(['Count', 'Bytes', 'Milliseconds', 'Percent', 'None']);
const MAX_METRICS = 100;
/** At most this many dimensions (CloudWatch's limit); checked with the other options in options.ts. */
export const MAX_DIMENSIONS = 30;
/** What CloudWatch takes as a namespace, metric or dimension name: 1-255 printable ASCII characters. */
export const METRIC_NAME = /^[\x20-\x7e]{1,255}$/;

/**
 * One line of CloudWatch Embedded Metric Format for an invocation: the built-in metrics from its summary, the
 * extra ones, and the dimensions, all at the top level with the `_aws` metadata that tells CloudWatch Logs
 * which members are metrics. Returns the line and the names it left out (invalid extra metrics).
 *
 * @example
 * ```ts
 * const { line } = embeddedMetricsLine({ namespace: 'CtrStream' }, summary, {}, Date.now());
 * process.stdout.write(`${line}\n`);
 * ```
 */
export function embeddedMetricsLine(
  options: FirehoseTransformMetricsOptions,
  summary: FirehoseTransformSummary,
  summaryFields: Readonly<Record<string, unknown>>,
  timestamp: number,
): { line: string; leftOut: string[] } {
  const measured: Record<keyof typeof BUILT_IN_METRICS, number> = {
    Records: summary.records,
    RecordsOk: summary.ok,
    RecordsDropped: summary.dropped,
    RecordsProcessingFailed: summary.processingFailed,
    RecordsOverflow: summary.overflow,
    RecordsReingested: summary.reingested,
    InputBytes: summary.inputBytes,
    ResponseBytes: summary.responseBytes,
    // A clock stepped back must not report a negative duration.
    Duration: Math.max(0, summary.durationMs),
    PrepareBatchDuration: Math.max(0, summary.prepareBatchMs),
  };
  const values = new Map<string, MetricValue>(
    Object.entries(BUILT_IN_METRICS).map(([name, unit]) => [
      name,
      { value: measured[name as keyof typeof BUILT_IN_METRICS], unit },
    ]),
  );
  const dimensions = options.dimensions ?? {};
  const leftOut: string[] = [];
  let extra: Readonly<Record<string, MetricValue>> = {};
  try {
    extra = options.extraMetrics?.(summary, summaryFields) ?? {};
  } catch {
    leftOut.push('(extraMetrics threw)');
  }
  for (const [name, metric] of Object.entries(extra)) {
    const valid =
      METRIC_NAME.test(name) &&
      !values.has(name) &&
      !Object.hasOwn(dimensions, name) &&
      name !== '_aws' &&
      name !== 'invocationId' &&
      typeof metric?.value === 'number' &&
      Number.isFinite(metric.value) &&
      UNITS.has(metric.unit) &&
      values.size < MAX_METRICS;
    if (valid) values.set(name, { value: metric.value, unit: metric.unit });
    else leftOut.push(name);
  }
  const body: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: options.namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: [...values].map(([name, metric]) => ({ Name: name, Unit: metric.unit })),
        },
      ],
    },
    ...dimensions,
    invocationId: summary.invocationId,
  };
  for (const [name, metric] of values)
    Object.defineProperty(body, name, { value: metric.value, enumerable: true });
  return { line: JSON.stringify(body), leftOut };
}
