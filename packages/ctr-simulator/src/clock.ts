/** Time source and timer of the sender, injectable for tests. */
export interface Clock {
  /** Milliseconds since an arbitrary origin, monotonic (the wall clock's: since the epoch). */
  now(): number;
  /** Resolves after `milliseconds`, or rejects with the signal's reason when it aborts. */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}

function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, milliseconds),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock: `performance.now()` and `setTimeout`. */
export const systemClock: Clock = { now: () => performance.now(), sleep };

/** The wall clock (`Date.now()`, epoch milliseconds) for what happens at given times: the live simulation. */
export const wallClock: Clock = { now: () => Date.now(), sleep };
