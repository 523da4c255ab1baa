import { type ColdStartResult, startFromEnvironment } from './cold-start.js';
import type { CtrTransformHandler } from './create-handler.js';

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

/** Cold start: configuration is read and validated once per execution environment. */
function coldStart(): ColdStartResult {
  const result = startFromEnvironment(process.env);
  if ('error' in result) {
    const { error } = result;
    process.stdout.write(
      `${JSON.stringify({ level: 'error', time: new Date().toISOString(), message: error.message, service: 'ctr-stream-lambda', issues: error.issues })}\n`,
    );
  }
  return result;
}

const initialised = coldStart();

/**
 * The Lambda entry point (`index.handler`), configured from environment variables at cold start. Its
 * caller-lookup client (and so its cache) lives at module scope and survives warm invocations.
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
  if ('error' in initialised) throw initialised.error;
  return initialised.handler(event, context);
}
