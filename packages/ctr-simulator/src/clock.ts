/** Time source and timer of the sender, injectable for tests. */
export interface Clock {
  /** Milliseconds since an arbitrary origin, monotonic (the wall clock's: since the epoch). */
  now(): number;
  /** Resolves after `milliseconds`, or rejects with the signal's reason when it aborts. */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay Node's `setTimeout` keeps (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Resolves after `milliseconds`. A longer wait than one timer holds is slept in timers of at most
 * `MAX_TIMER_DELAY_MS`: given to `setTimeout` whole it would end after 1 ms, and a caller that waits again (the rate
 * limiter at a very low rate) would spin.
 */
function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let remaining = Math.max(0, milliseconds);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const wait = () => {
      const chunk = Math.min(remaining, MAX_TIMER_DELAY_MS);
      remaining -= chunk;
      timer = setTimeout(() => {
        if (remaining > 0) {
          wait();
          return;
        }
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, chunk);
    };
    wait();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock: `performance.now()` and `setTimeout`. */
export const systemClock: Clock = { now: () => performance.now(), sleep };

/** The wall clock (`Date.now()`, epoch milliseconds) for what happens at given times: the live simulation. */
export const wallClock: Clock = { now: () => Date.now(), sleep };
