export { createCallerLookup } from './caller-lookup.js';
export type { CircuitState } from './circuit-breaker.js';
export type { Clock } from './clock.js';
export {
  CallerLookupClosedError,
  CallerLookupError,
  CallerLookupOptionsError,
  DirectoryFileError,
} from './errors.js';
export { maskPhoneNumber, normalizePhoneNumber } from './phone-number.js';
export { CALLER_LOOKUP_DEFAULTS } from './resolve-options.js';
export type {
  CallerLookup,
  CallerLookupErrorReason,
  CallerLookupLogEntry,
  CallerLookupOptions,
  CallerLookupResult,
  CallerLookupStats,
  CallerLookupStatus,
  LookupManyOptions,
  LookupOptions,
} from './types.js';
