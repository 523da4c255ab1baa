import { type LambdaConfig, loadConfig } from './config.js';
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

/** Cold start: configuration is read and validated once per execution environment. */
function coldStart(): { handler: CtrTransformHandler; config: LambdaConfig } | { error: LambdaConfigError } {
  try {
    const config = loadConfig(process.env);
    return { handler: createHandler(config), config };
  } catch (error) {
    if (!(error instanceof LambdaConfigError)) throw error;
    process.stdout.write(
      `${JSON.stringify({ level: 'error', time: new Date().toISOString(), message: error.message, service: 'ctr-stream-lambda', issues: error.issues })}\n`,
    );
    return { error };
  }
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
