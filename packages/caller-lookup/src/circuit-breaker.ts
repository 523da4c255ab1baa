/**
 * `closed`: requests flow. `open`: no requests until the open period ends. `half_open`: one probe.
 *
 * @example
 * ```ts
 * import { createCallerLookup, type CircuitState } from '@ctr-stream/caller-lookup';
 * const callers = createCallerLookup({ baseUrl: 'https://directory.example.com/api/user/' });
 * const state: CircuitState = callers.stats().circuit.state;
 * ```
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions<Cause = unknown> {
  /** Consecutive failed attempts that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe request is let through. */
  openMs: number;
  /** Told of every change; `cause` is the failure given to `recordFailure` when that failure opened it. */
  onStateChange?: (state: CircuitState, cause: Cause | undefined) => void;
}

/**
 * Counts consecutive failed attempts; after `failureThreshold` it opens and rejects requests for
 * `openMs`, then lets exactly one probe through: success closes it, failure opens it again.
 */
export class CircuitBreaker<Cause = unknown> {
  readonly #options: CircuitBreakerOptions<Cause>;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #probeInFlight = false;
  #opens = 0;

  constructor(options: CircuitBreakerOptions<Cause>) {
    this.#options = options;
  }

  get opens(): number {
    return this.#opens;
  }

  state(now: number): CircuitState {
    if (this.#state === 'open' && now - this.#openedAt >= this.#options.openMs) return 'half_open';
    return this.#state;
  }

  /** Returns `'probe'` when this request is the half-open probe, `true` when allowed, `false` when not. */
  tryAcquire(now: number): boolean | 'probe' {
    if (this.#options.failureThreshold <= 0) return true;
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'open' || this.#probeInFlight) return false;
    this.#transition('half_open');
    this.#probeInFlight = true;
    return 'probe';
  }

  recordSuccess(isProbe: boolean): void {
    if (isProbe) this.#probeInFlight = false;
    this.#consecutiveFailures = 0;
    if (this.#state !== 'closed') this.#transition('closed');
  }

  /** Counts a failed attempt; `cause` (the failure) reaches `onStateChange` if it opens the circuit. */
  recordFailure(isProbe: boolean, now: number, cause?: Cause): void {
    if (this.#options.failureThreshold <= 0) return;
    if (isProbe) this.#probeInFlight = false;
    this.#consecutiveFailures++;
    const reopen = this.#state === 'half_open' && isProbe;
    if (reopen || (this.#state === 'closed' && this.#consecutiveFailures >= this.#options.failureThreshold)) {
      this.#openedAt = now;
      this.#opens++;
      this.#transition('open', cause);
    }
  }

  /** The probe was abandoned (aborted) without an answer: let another request probe. */
  releaseProbe(): void {
    this.#probeInFlight = false;
  }

  #transition(state: CircuitState, cause?: Cause): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onStateChange?.(state, cause);
  }
}
