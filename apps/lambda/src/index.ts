import { readApiKeySecret } from './api-key-secret.js';
import { type ColdStartResult, startFromEnvironment } from './cold-start.js';
import { apiKey } from './config.js';
import { type CtrTransformHandler, createHandler } from './create-handler.js';
import { LambdaConfigError } from './errors.js';

export { CONFIG_DEFAULTS, type LambdaConfig, loadConfig } from './config.js';
export { type CtrTransformHandler, createHandler, type LambdaDependencies } from './create-handler.js';
export {
  applyEnrichment,
  type CallerLookupEnrichment,
  type CallerLookupEnrichmentStatus,
  customerPhoneNumber,
  notContactTraceRecordReason,
} from './enrichment.js';
export { type ConfigIssue, CtrLambdaError, LambdaConfigError } from './errors.js';

/** One JSON error line on stdout, as the handler's logger writes them (before or without a handler). */
function logError(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ level: 'error', time: new Date().toISOString(), message, service: 'ctr-stream-lambda', ...fields })}\n`,
  );
}

/** The cold start's outcome, made once per execution environment (module instance). */
let initialised: ColdStartResult | undefined;

/**
 * Cold start: the configuration is read and validated once per execution environment, and a problem is
 * logged once, as a JSON line. Inside Lambda (or anything that sets Lambda's reserved
 * `AWS_LAMBDA_FUNCTION_NAME`, like firehose-local) it runs as the module loads, in the init phase; anywhere
 * else it runs on the first call of `handler`, so importing `createHandler` or `loadConfig` reads no
 * environment variable and logs nothing.
 */
function coldStart(): ColdStartResult {
  if (initialised !== undefined) return initialised;
  const result = startFromEnvironment(process.env);
  if ('error' in result) logError(result.error.message, { issues: result.error.issues });
  initialised = result;
  return result;
}

if (process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined) coldStart();

/**
 * The Lambda entry point (`index.handler`), configured from environment variables at cold start (see
 * `coldStart`). Its caller-lookup client (and so its cache) lives at module scope and survives warm
 * invocations.
 *
 * @throws {LambdaConfigError} on every invocation while the configuration is invalid.
 * @example
 * ```ts
 * // CALLER_LOOKUP_URL=https://directory.example.com/api/user/
 * import { handler } from './dist/index.mjs';
 * const response = await handler(firehoseEvent, lambdaContext);
 * ```
 */
export async function handler(
  event: unknown,
  context?: Parameters<CtrTransformHandler>[1],
): ReturnType<CtrTransformHandler> {
  const started = coldStart();
  if ('error' in started) throw started.error;
  const secretId = started.config.callerLookupApiKeySecretId;
  if (secretId === undefined) return started.handler(event, context);
  // At most 5 s, and at most half of what the invocation has left: the transform needs the rest.
  const remaining = context?.getRemainingTimeInMillis?.();
  const timeoutMs = Math.max(1, Math.floor(Math.min(5_000, remaining === undefined ? 5_000 : remaining / 2)));
  return (await keyedHandler(started.config, secretId, timeoutMs))(event, context);
}

/** The handler with the API key from Secrets Manager: read once per execution environment, again after a failure. */
let keyed: Promise<CtrTransformHandler> | undefined;

function keyedHandler(
  config: Extract<ColdStartResult, { config: unknown }>['config'],
  secretId: string,
  timeoutMs: number,
): Promise<CtrTransformHandler> {
  keyed ??= readApiKeySecret(secretId, { timeoutMs })
    .then((callerLookupApiKey) => {
      // The checks a key in CALLER_LOOKUP_API_KEY gets (no stray space or line break...), the value never shown.
      const checked = apiKey.safeParse(callerLookupApiKey);
      if (!checked.success) {
        throw new LambdaConfigError(
          checked.error.issues.map((issue) => ({
            variable: 'CALLER_LOOKUP_API_KEY_SECRET_ID',
            message: `the secret's value ${issue.message}`,
          })),
        );
      }
      // Every other option was checked at cold start, and the key now as the client would check it.
      return createHandler({ ...config, callerLookupApiKey });
    })
    .catch((error: unknown) => {
      keyed = undefined; // the next invocation tries again
      logError((error as Error).message);
      throw error;
    });
  return keyed;
}
