import { type FirehoseIssue, FirehoseTransformOptionsError } from './errors.js';
import { BUILT_IN_METRICS, MAX_DIMENSIONS, METRIC_NAME } from './metrics.js';
import { RESPONSE_ENVELOPE_BYTES } from './response-size.js';

/** A Firehose delivery stream name (the same rule the stream's ARN follows). */
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Adds the problems of one option's value (never `undefined`: an absent option takes its default). */
type OptionRule = (value: unknown, path: string, issues: FirehoseIssue[]) => void;

const callback =
  (signature: string): OptionRule =>
  (value, path, issues) => {
    if (typeof value !== 'function')
      issues.push({ path, message: `must be a function ${signature}, got ${describeValue(value)}` });
  };

const flag: OptionRule = (value, path, issues) => {
  if (typeof value !== 'boolean')
    issues.push({ path, message: `must be true or false, got ${describeValue(value)}` });
};

const numberAtLeast =
  (minimum: number, { integer = false } = {}): OptionRule =>
  (value, path, issues) => {
    const valid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= minimum &&
      (!integer || Number.isInteger(value));
    if (!valid) {
      const kind = integer ? 'an integer' : 'a finite number';
      issues.push({ path, message: `must be ${kind} >= ${minimum}, got ${describeValue(value)}` });
    }
  };

/**
 * Every option, in the order of the README's options table: how its value is checked when present.
 * `transformRecord` is the one required option.
 */
const OPTION_RULES: Readonly<Record<string, OptionRule>> = {
  transformRecord: callback('(record, context) => outcome'),
  prepareBatch: callback('(records, { signal, deadline, event }) => value'),
  parse: callback('(data, { recordId, index }) => parsed, e.g. parseUtf8Record'),
  serialize: callback('(data) => string, e.g. JSON.stringify'),
  newlineDelimiter: flag,
  safetyMarginMs: numberAtLeast(0),
  prepareBatchGraceMs: numberAtLeast(0),
  maxResponseBytes: numberAtLeast(RESPONSE_ENVELOPE_BYTES + 64),
  reingestOverflow: flag,
  firehoseClient: (value, path, issues) => {
    if (!isObject(value) || typeof (value as { send?: unknown }).send !== 'function') {
      issues.push({
        path,
        message: `must be a FirehoseClient of @aws-sdk/client-firehose (an object with send), got ${describeValue(value)}`,
      });
    }
  },
  deliveryStreamName: (value, path, issues) => {
    if (typeof value === 'string' && STREAM_NAME.test(value)) return;
    const arn = typeof value === 'string' && value.startsWith('arn:') ? ' (the name, not the ARN)' : '';
    issues.push({
      path,
      message: `must be a Firehose stream name of 1-64 letters, digits, '_', '.' or '-'${arn}, got ${describeValue(value)}`,
    });
  },
  reingestMaxAttempts: numberAtLeast(1, { integer: true }),
  reingestBaseDelayMs: numberAtLeast(0),
  // Only its type: a logger missing a method, or one that throws, is ignored call by call (never fails a batch).
  logger: (value, path, issues) => {
    if (!isObject(value))
      issues.push({
        path,
        message: `must be an object { debug, info, warn, error }, got ${describeValue(value)}`,
      });
  },
  now: callback('() => epoch milliseconds, e.g. Date.now'),
  defaultRemainingTimeMs: numberAtLeast(1),
  summaryFields: callback('(preparation, event) => fields'),
  metrics: metricsRule,
  onSummary: callback('(summary) => void'),
};

/**
 * Checks every option of `createFirehoseTransformHandler` once, when the handler is created: the types,
 * the ranges, the metrics. Every problem is reported at once.
 *
 * @throws {FirehoseTransformOptionsError} listing every problem found.
 */
export function checkTransformOptions(options: unknown): void {
  if (!isObject(options)) {
    throw new FirehoseTransformOptionsError(
      `options must be an object with at least transformRecord, got ${describeValue(options)}`,
    );
  }
  const issues: FirehoseIssue[] = [];
  for (const [name, rule] of Object.entries(OPTION_RULES)) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined || name === 'transformRecord') rule(value, name, issues);
  }
  unknownNames(options, Object.keys(OPTION_RULES), '', issues);
  if (issues.length > 0) throw new FirehoseTransformOptionsError(issues);
}

/** The members of the `metrics` option, in the README's order. */
const METRICS_OPTION_NAMES = ['namespace', 'dimensions', 'extraMetrics', 'write'] as const;

/**
 * Adds an issue for each own name of `object` that is not one of `known` (a typo such as `safetyMargin` would
 * otherwise be ignored without a word), with the closest known name when one is close. Its value does not
 * matter: a misspelt option set to `undefined` is still misspelt.
 */
function unknownNames(
  object: object,
  known: readonly string[],
  prefix: string,
  issues: FirehoseIssue[],
): void {
  for (const name of Object.keys(object)) {
    if (known.includes(name)) continue;
    const closest = closestName(name, known);
    issues.push({
      path: `${prefix}${describeName(name)}`,
      message:
        closest === undefined
          ? `is not an option${prefix === '' ? '' : ` of ${prefix.slice(0, -1)}`}; remove it (the options are ${known.join(', ')})`
          : `is not an option${prefix === '' ? '' : ` of ${prefix.slice(0, -1)}`}; did you mean ${closest}?`,
    });
  }
}

/**
 * The known name closest to `name`: the same ignoring case, or at most 2 edits away (1 for names shorter than
 * 5 letters, so that `log` does not suggest `now`). `undefined` when none is that close.
 */
function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    const allowed = Math.min(name.length, candidate.length) < 5 ? 1 : 2;
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edits (insert, delete, replace, swap of two neighbours) from `a` to `b`; stops early past 2. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, beforePrevious[j - 2]! + 1);
      current.push(distance);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** An option name as a path: as written when it looks like one, else quoted (and cut). */
function describeName(name: string): string {
  if (/^[A-Za-z_$][\w$]{0,63}$/.test(name)) return name;
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}...` : name);
}

function metricsRule(metrics: unknown, path: string, issues: FirehoseIssue[]): void {
  if (!isObject(metrics)) {
    issues.push({
      path,
      message: `must be an object { namespace, dimensions?, extraMetrics?, write? }, got ${describeValue(metrics)}`,
    });
    return;
  }
  const { namespace, dimensions, extraMetrics, write } = metrics as Record<string, unknown>;
  if (typeof namespace !== 'string') {
    issues.push({
      path: `${path}.namespace`,
      message: `is required: a CloudWatch namespace such as "CtrStream" (1-255 printable ASCII characters), got ${describeValue(namespace)}`,
    });
  } else if (!isMetricName(namespace)) {
    issues.push({
      path: `${path}.namespace`,
      message: `must be 1-255 printable ASCII characters without surrounding spaces, got ${describeValue(namespace)}`,
    });
  } else if (namespace.includes(':') || namespace.startsWith('AWS/')) {
    issues.push({
      path: `${path}.namespace`,
      message: `must not contain ':' or start with 'AWS/' (reserved for AWS services), got ${describeValue(namespace)}`,
    });
  }
  if (dimensions !== undefined) dimensionsRule(dimensions, `${path}.dimensions`, issues);
  if (extraMetrics !== undefined)
    callback('(summary, summaryFields) => { Name: { value, unit } }')(
      extraMetrics,
      `${path}.extraMetrics`,
      issues,
    );
  if (write !== undefined) callback('(line) => void')(write, `${path}.write`, issues);
  unknownNames(metrics, METRICS_OPTION_NAMES, `${path}.`, issues);
}

function dimensionsRule(dimensions: unknown, path: string, issues: FirehoseIssue[]): void {
  if (!isObject(dimensions)) {
    issues.push({ path, message: `must be an object { name: value }, got ${describeValue(dimensions)}` });
    return;
  }
  const entries = Object.entries(dimensions);
  if (entries.length > MAX_DIMENSIONS) {
    issues.push({ path, message: `must have at most ${MAX_DIMENSIONS} dimensions, got ${entries.length}` });
    return;
  }
  for (const [name, value] of entries) {
    if (!isMetricName(name)) {
      issues.push({
        path,
        message: `name ${JSON.stringify(name)} must be 1-255 printable ASCII characters without surrounding spaces`,
      });
      continue;
    }
    if (typeof value !== 'string' || value === '' || value.length > 1024) {
      issues.push({
        path: `${path}.${name}`,
        message: `needs a value of 1-1024 characters, got ${describeValue(value)}`,
      });
    }
    if (Object.hasOwn(BUILT_IN_METRICS, name) || name === 'invocationId' || name === '_aws') {
      issues.push({
        path: `${path}.${name}`,
        message: 'is also a metric name; choose another dimension name',
      });
    }
  }
}

function isMetricName(name: string): boolean {
  return METRIC_NAME.test(name) && name.trim() === name;
}

/** An object that is not an array (a class instance, a plain object, `console`). */
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value for an error message: strings quoted (and cut), objects by kind. */
function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)} (string)`;
    case 'bigint':
      return `${value}n (bigint)`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? 'an array' : 'an object';
    default:
      return String(value);
  }
}
