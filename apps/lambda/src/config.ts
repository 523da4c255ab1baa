import { z } from 'zod';
import { type ConfigIssue, LambdaConfigError } from './errors.js';

/** `''` (common in CloudFormation/CDK) counts as unset. */
const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);

/** Treats `''` as unset. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUnset, schema.optional());

/** Plain decimal digits, optionally negative: no spaces, exponent, hex, sign `+` or fraction. */
const DECIMAL_INTEGER = /^-?[0-9]+$/;

/** A whole number written in plain decimal, within bounds (`why` is added to the bound's message). */
const integer = (minimum: number, maximum: number, why: { minimum?: string; maximum?: string } = {}) =>
  z
    .string({ error: 'must be a whole number' })
    .regex(DECIMAL_INTEGER, 'must be a whole number')
    .transform((value) => Number(value) + 0) // + 0 turns '-0' into 0
    .pipe(
      z
        .number()
        .min(minimum, `must be at least ${minimum}${why.minimum ?? ''}`)
        .max(maximum, `must be at most ${maximum}${why.maximum ?? ''}`),
    );

/**
 * An API key undici could not send (it fails every request: "invalid header value"), or one stored with a
 * stray space or line break (a key the directory would not recognise). The value is never echoed.
 */
export const apiKey = z
  .string()
  .refine((value) => !/[\x00-\x1f\x7f]/.test(value) && value.trim() === value, {
    message:
      'must not contain line breaks or control characters, or start or end with a space (check how the secret was stored)',
  })
  .refine((value) => !/[^\x00-\xff]/.test(value), {
    message: 'must contain only ASCII or Latin-1 characters (an HTTP header value cannot carry others)',
  });

/** Below this, the handler would have no time left to answer after the lookups stop. */
const MIN_SAFETY_MARGIN_MS = 500;
/** Firehose's maximum transform timeout (5 minutes): a larger margin can never leave time to work. */
const MAX_SAFETY_MARGIN_MS = 300_000;

const lookupUrl = z.preprocess(
  emptyAsUnset, // unset or '': one issue, "is required"
  z
    .string({ error: 'is required (the directory base URL, e.g. https://directory.example.com/api/user/)' })
    .superRefine((value, context) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        context.addIssue({ code: 'custom', message: 'is not a URL' });
        return;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        context.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
      }
      if (url.username !== '' || url.password !== '') {
        context.addIssue({
          code: 'custom',
          message: 'must not carry credentials; use CALLER_LOOKUP_API_KEY',
        });
      }
      // The same rules as createCallerLookup's baseUrl, so a URL accepted here never fails at cold start.
      if (value.includes('#')) {
        context.addIssue({
          code: 'custom',
          message: 'must not contain a fragment (#...): the number is appended to the path or query',
        });
      }
      if (value.includes('{') || value.includes('}')) {
        context.addIssue({
          code: 'custom',
          message: "must not contain '{' or '}': the number is appended to the URL as it is",
        });
      }
      if (!value.endsWith('/') && !value.endsWith('=')) {
        context.addIssue({
          code: 'custom',
          message: "must end with '/' (the number is appended, e.g. https://directory.example.com/api/user/)",
        });
      }
    }),
);

/**
 * Headers that must not carry the API key: they route or frame the request (a key in `Host` sends it to another
 * virtual host, or nowhere), or proxies, load balancers and access logs record them as a matter of course.
 */
const NOT_FOR_A_SECRET = new Set([
  'host',
  'user-agent',
  'referer',
  'accept',
  'accept-encoding',
  'content-type',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'via',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
  'x-request-id',
  'x-amzn-trace-id',
  'traceparent',
  'tracestate',
  // A forward proxy takes it for itself and does not pass it on.
  'proxy-authorization',
]);

const EnvironmentSchema = z.object({
  CALLER_LOOKUP_URL: lookupUrl,
  CALLER_LOOKUP_TIMEOUT_MS: optional(integer(10, 60_000)),
  CALLER_LOOKUP_CONCURRENCY: optional(integer(1, 1_024)),
  CALLER_LOOKUP_CACHE_TTL_SECONDS: optional(integer(0, 86_400)),
  CALLER_LOOKUP_NOT_FOUND_TTL_SECONDS: optional(integer(0, 86_400)),
  CALLER_LOOKUP_API_KEY: optional(apiKey),
  CALLER_LOOKUP_API_KEY_SECRET_ID: optional(
    z
      .string()
      .regex(
        /^[A-Za-z0-9/_+=.@:-]{1,2048}$/,
        'must be a Secrets Manager secret ARN or name (letters, digits and /_+=.@:- only)',
      ),
  ),
  CALLER_LOOKUP_API_KEY_HEADER: optional(
    z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
      .refine((name) => !NOT_FOR_A_SECRET.has(name.toLowerCase()), {
        error:
          'must be a header meant for credentials (e.g. x-api-key, authorization): this one routes or describes the request, and proxies and access logs record it',
      }),
  ),
  DELIVERY_STREAM_NAME: optional(
    z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a Firehose stream name'),
  ),
  LOG_LEVEL: optional(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.toLowerCase() : value),
      z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' }),
    ),
  ),
  METRICS: optional(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.toLowerCase() : value),
      z.enum(['on', 'off'], { error: 'must be on or off' }),
    ),
  ),
  METRICS_NAMESPACE: optional(
    z
      .string()
      .regex(/^[\x20-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters')
      .refine((value) => value.trim() === value, { message: 'must not start or end with a space' })
      .refine((value) => !value.includes(':') && !value.startsWith('AWS/'), {
        message: "must not contain ':' or start with 'AWS/' (reserved for AWS services)",
      }),
  ),
  AWS_LAMBDA_FUNCTION_NAME: optional(z.string()),
  TRANSFORM_SAFETY_MARGIN_MS: optional(
    integer(MIN_SAFETY_MARGIN_MS, MAX_SAFETY_MARGIN_MS, {
      minimum: ' (time to answer before the Lambda timeout)',
      maximum:
        ' (Firehose invokes a transform for at most 5 minutes; the margin must be well under the function timeout)',
    }),
  ),
});

/** The validated configuration of the transform. */
export interface LambdaConfig {
  /** Base URL the phone number is appended to (the tutorial's form). */
  readonly callerLookupUrl: string;
  readonly callerLookupTimeoutMs: number;
  readonly callerLookupConcurrency: number;
  readonly callerLookupCacheTtlSeconds: number;
  readonly callerLookupNotFoundTtlSeconds: number;
  /** Sent as a request header, never logged and never in a URL. */
  readonly callerLookupApiKey?: string;
  readonly callerLookupApiKeyHeader: string;
  /**
   * The Secrets Manager secret (ARN or name) whose `SecretString` is the API key, read at the first invocation of
   * an execution environment and kept for its life; the key is then never in the function's configuration.
   */
  readonly callerLookupApiKeySecretId?: string;
  /** Stream to re-ingest overflow records into; default: the one in the event ARN. */
  readonly deliveryStreamName?: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Time kept free before the Lambda timeout. */
  readonly safetyMarginMs: number;
  /** CloudWatch namespace of the per-invocation metrics (Embedded Metric Format); undefined when METRICS=off. */
  readonly metricsNamespace?: string;
  /** The function's name (Lambda sets AWS_LAMBDA_FUNCTION_NAME): the metrics' FunctionName dimension. */
  readonly functionName?: string;
}

/** Defaults of every optional setting. */
export const CONFIG_DEFAULTS = {
  callerLookupTimeoutMs: 1_000,
  callerLookupConcurrency: 64,
  callerLookupCacheTtlSeconds: 600,
  callerLookupNotFoundTtlSeconds: 60,
  callerLookupApiKeyHeader: 'x-api-key',
  logLevel: 'info',
  safetyMarginMs: 3_000,
  metricsNamespace: 'CtrStream',
} as const;

/**
 * Reads and validates the configuration from environment variables. Every problem is reported at
 * once; values are never echoed (the API key is a secret).
 *
 * @throws {LambdaConfigError} when a variable is missing or invalid.
 * @example
 * ```ts
 * const config = loadConfig({ CALLER_LOOKUP_URL: 'https://directory.example.com/api/user/' });
 * console.log(config.callerLookupConcurrency); // 64
 * ```
 */
export function loadConfig(environment: Readonly<Record<string, string | undefined>>): LambdaConfig {
  const parsed = EnvironmentSchema.refine(
    (values) =>
      values.CALLER_LOOKUP_API_KEY === undefined || values.CALLER_LOOKUP_API_KEY_SECRET_ID === undefined,
    {
      path: ['CALLER_LOOKUP_API_KEY_SECRET_ID'],
      error: 'set either CALLER_LOOKUP_API_KEY or CALLER_LOOKUP_API_KEY_SECRET_ID, not both',
    },
  ).safeParse(environment);
  if (!parsed.success) {
    const issues: ConfigIssue[] = parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      message: issue.message,
    }));
    throw new LambdaConfigError(issues);
  }
  const values = parsed.data;
  return {
    callerLookupUrl: values.CALLER_LOOKUP_URL,
    callerLookupTimeoutMs: values.CALLER_LOOKUP_TIMEOUT_MS ?? CONFIG_DEFAULTS.callerLookupTimeoutMs,
    callerLookupConcurrency: values.CALLER_LOOKUP_CONCURRENCY ?? CONFIG_DEFAULTS.callerLookupConcurrency,
    callerLookupCacheTtlSeconds:
      values.CALLER_LOOKUP_CACHE_TTL_SECONDS ?? CONFIG_DEFAULTS.callerLookupCacheTtlSeconds,
    callerLookupNotFoundTtlSeconds:
      values.CALLER_LOOKUP_NOT_FOUND_TTL_SECONDS ?? CONFIG_DEFAULTS.callerLookupNotFoundTtlSeconds,
    ...(values.CALLER_LOOKUP_API_KEY === undefined
      ? {}
      : { callerLookupApiKey: values.CALLER_LOOKUP_API_KEY }),
    ...(values.CALLER_LOOKUP_API_KEY_SECRET_ID === undefined
      ? {}
      : { callerLookupApiKeySecretId: values.CALLER_LOOKUP_API_KEY_SECRET_ID }),
    callerLookupApiKeyHeader: values.CALLER_LOOKUP_API_KEY_HEADER ?? CONFIG_DEFAULTS.callerLookupApiKeyHeader,
    ...(values.DELIVERY_STREAM_NAME === undefined ? {} : { deliveryStreamName: values.DELIVERY_STREAM_NAME }),
    logLevel: values.LOG_LEVEL ?? CONFIG_DEFAULTS.logLevel,
    safetyMarginMs: values.TRANSFORM_SAFETY_MARGIN_MS ?? CONFIG_DEFAULTS.safetyMarginMs,
    ...(values.METRICS === 'off'
      ? {}
      : { metricsNamespace: values.METRICS_NAMESPACE ?? CONFIG_DEFAULTS.metricsNamespace }),
    ...(values.AWS_LAMBDA_FUNCTION_NAME === undefined
      ? {}
      : { functionName: values.AWS_LAMBDA_FUNCTION_NAME }),
  };
}
