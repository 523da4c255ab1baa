import { CallerLookupOptionsError } from '@ctr-stream/caller-lookup';
import { type LambdaConfig, loadConfig } from './config.js';
import { type CtrTransformHandler, createHandler } from './create-handler.js';
import { LambdaConfigError } from './errors.js';

/** The environment variable behind each caller-lookup option the Lambda sets. */
const VARIABLE_BY_OPTION: Readonly<Record<string, string>> = {
  baseUrl: 'CALLER_LOOKUP_URL',
  urlTemplate: 'CALLER_LOOKUP_URL',
  requestTimeoutMs: 'CALLER_LOOKUP_TIMEOUT_MS',
  maxConcurrency: 'CALLER_LOOKUP_CONCURRENCY',
  foundTtlMs: 'CALLER_LOOKUP_CACHE_TTL_SECONDS',
  notFoundTtlMs: 'CALLER_LOOKUP_NOT_FOUND_TTL_SECONDS',
  headers: 'CALLER_LOOKUP_API_KEY_HEADER',
};

/** What a cold start yields: a ready handler, or the configuration error every invocation throws. */
export type ColdStartResult =
  | { readonly handler: CtrTransformHandler; readonly config: LambdaConfig }
  | { readonly error: LambdaConfigError };

/**
 * Reads the configuration and builds the handler. Any configuration problem, including one only the
 * caller-lookup client detects, becomes one `LambdaConfigError` (returned, not thrown), so the function
 * still starts and reports it on every invocation. Other errors are bugs and are thrown.
 */
export function startFromEnvironment(
  environment: Readonly<Record<string, string | undefined>>,
): ColdStartResult {
  try {
    const config = loadConfig(environment);
    return { handler: createHandler(config), config };
  } catch (error) {
    if (error instanceof LambdaConfigError) return { error };
    if (error instanceof CallerLookupOptionsError) return { error: configErrorFromLookupOptions(error) };
    throw error;
  }
}

/** Names the environment variable behind a rejected caller-lookup option; the value is never echoed. */
export function configErrorFromLookupOptions(error: CallerLookupOptionsError): LambdaConfigError {
  const variable = VARIABLE_BY_OPTION[error.option] ?? '(caller lookup)';
  return new LambdaConfigError(
    [{ variable, message: `rejected by the caller-lookup client: ${error.message}` }],
    {
      cause: error,
    },
  );
}
