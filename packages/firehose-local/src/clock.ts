/**
 * The time source for arrival timestamps, index rotation, backup object keys and retry deadlines.
 * Inject a fake one in tests; the default is `Date.now`. Buffer intervals and backoff sleeps use real timers.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
