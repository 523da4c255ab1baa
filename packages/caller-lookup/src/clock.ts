/**
 * The time source for cache TTLs, the circuit breaker, Retry-After dates and deadlines.
 * Inject a fake one in tests; the default is `Date.now`.
 *
 * @example
 * ```ts
 * import { createCallerLookup, type Clock } from '@ctr-stream/caller-lookup';
 * let now = 0;
 * const clock: Clock = { now: () => now };
 * const callers = createCallerLookup({ baseUrl: 'http://127.0.0.1:8080/api/user/', clock, foundTtlMs: 1000 });
 * now += 1000; // cached names expire
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
