import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, systemClock, wallClock } from '../../src/clock.js';
import { RateLimiter } from '../../src/rate-limiter.js';

// Vitest's fake timers do what Node does with a delay over 2^31 - 1 ms: they fire it after 1 ms.
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** Records the delays given to `setTimeout` from now on. */
function watchTimerDelays(): () => number[] {
  const spy = vi.spyOn(globalThis, 'setTimeout');
  return () => spy.mock.calls.map((call) => call[1] ?? 0);
}

describe('the clocks sleep through waits longer than one timer holds', () => {
  it.each([
    ['systemClock', systemClock],
    ['wallClock', wallClock],
  ])('%s waits the whole of a 74-day wait, in timers of at most 2^31 - 1 ms', async (_, clock) => {
    vi.useFakeTimers();
    const delays = watchTimerDelays();
    const wait = 3 * 2 ** 31;
    let woke = false;
    const sleeping = clock.sleep(wait).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(wait - 1001);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(delays()).toEqual([MAX_TIMER_DELAY_MS, MAX_TIMER_DELAY_MS, MAX_TIMER_DELAY_MS, 3]);
  });

  it('stops a long wait when the signal aborts, in any of its timers', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = systemClock.sleep(3 * 2 ** 31, controller.signal);
    const outcome = sleeping.then(
      () => 'woke',
      (reason: unknown) => reason,
    );
    await vi.advanceTimersByTimeAsync(2 ** 31 + 5);
    controller.abort(new Error('interrupted'));
    expect(await outcome).toEqual(new Error('interrupted'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets a rate limiter at 0.0000001 records/s wait (a token every 115 days) without spinning', async () => {
    vi.useFakeTimers();
    const delays = watchTimerDelays();
    const limiter = new RateLimiter(0.0000001, systemClock);
    const controller = new AbortController();
    const acquired = limiter.acquire(1, controller.signal).then(
      () => 'acquired',
      () => 'aborted',
    );
    // A second: a limiter whose timer fired after 1 ms would have armed about a thousand of them.
    await vi.advanceTimersByTimeAsync(1000);
    expect(delays()).toEqual([MAX_TIMER_DELAY_MS]);
    controller.abort();
    expect(await acquired).toBe('aborted');
  });
});
