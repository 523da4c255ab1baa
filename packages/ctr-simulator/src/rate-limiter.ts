import type { Clock } from './clock.js';

/** The highest rate the sender takes (`rateLimitPerSecond`, `--rate`): records per second. */
export const MAX_RATE_PER_SECOND = 1_000_000;

/**
 * A token bucket of `ratePerSecond` records per second holding at most one second of tokens.
 * Callers take tokens in order (FIFO), so concurrent senders share one rate.
 */
export class RateLimiter {
  readonly #ratePerSecond: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;
  #queue: Promise<void> = Promise.resolve();

  constructor(ratePerSecond: number, clock: Clock) {
    this.#ratePerSecond = ratePerSecond;
    this.#clock = clock;
    this.#tokens = Math.min(ratePerSecond, 1);
    this.#updatedAt = clock.now();
  }

  /** The largest batch one acquisition may ask for (one second of tokens, at least 1). */
  get burst(): number {
    return Math.max(1, Math.floor(this.#ratePerSecond));
  }

  /** Waits until `count` tokens (at most `burst`) are available, then takes them. */
  acquire(count: number, signal?: AbortSignal): Promise<void> {
    const take = async () => {
      const needed = Math.min(count, this.burst);
      for (;;) {
        const now = this.#clock.now();
        this.#tokens = Math.min(
          this.burst,
          this.#tokens + ((now - this.#updatedAt) / 1000) * this.#ratePerSecond,
        );
        this.#updatedAt = now;
        if (this.#tokens >= needed) {
          this.#tokens -= needed;
          return;
        }
        await this.#clock.sleep(((needed - this.#tokens) / this.#ratePerSecond) * 1000, signal);
      }
    };
    const result = this.#queue.then(take);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
