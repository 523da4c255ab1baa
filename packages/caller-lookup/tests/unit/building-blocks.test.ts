import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from '../../src/circuit-breaker.js';
import { type Abortable, ConcurrencyLimiter } from '../../src/concurrency-limiter.js';
import { LatencyRecorder } from '../../src/latency-recorder.js';
import { LruCache } from '../../src/lru-cache.js';
import { backoffDelay, parseRetryAfter } from '../../src/retry-delay.js';

describe('LruCache', () => {
  it('expires entries at their TTL', () => {
    const cache = new LruCache<string>(10);
    cache.set('a', 'A', 100, 1000);
    expect(cache.get('a', 1099)).toBe('A');
    expect(cache.get('a', 1100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string>(2);
    cache.set('a', 'A', 1000, 0);
    cache.set('b', 'B', 1000, 0);
    expect(cache.get('a', 1)).toBe('A'); // a is now the most recent
    cache.set('c', 'C', 1000, 2);
    expect(cache.get('b', 3)).toBeUndefined();
    expect(cache.get('a', 3)).toBe('A');
    expect(cache.get('c', 3)).toBe('C');
  });

  it('stores nothing with capacity 0 or TTL 0', () => {
    const disabled = new LruCache<string>(0);
    disabled.set('a', 'A', 1000, 0);
    expect(disabled.get('a', 0)).toBeUndefined();
    const cache = new LruCache<string>(5);
    cache.set('a', 'A', 0, 0);
    expect(cache.get('a', 0)).toBeUndefined();
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one probe through after openMs, and closes on success', () => {
    const changes: CircuitState[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 3,
      openMs: 1000,
      onStateChange: (s) => changes.push(s),
    });
    for (let i = 0; i < 2; i++) breaker.recordFailure(false, 0);
    expect(breaker.tryAcquire(0)).toBe(true);
    breaker.recordFailure(false, 10);
    expect(breaker.state(10)).toBe('open');
    expect(breaker.tryAcquire(500)).toBe(false);
    expect(breaker.tryAcquire(1010)).toBe('probe');
    expect(breaker.tryAcquire(1010)).toBe(false); // only one probe at a time
    breaker.recordSuccess(true);
    expect(breaker.state(1011)).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
    expect(breaker.opens).toBe(1);
  });

  it('opens again when the probe fails, and a success resets the failure count', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 100 });
    breaker.recordFailure(false, 0);
    breaker.recordSuccess(false);
    breaker.recordFailure(false, 0);
    expect(breaker.state(0)).toBe('closed');
    breaker.recordFailure(false, 0);
    expect(breaker.state(0)).toBe('open');
    expect(breaker.tryAcquire(100)).toBe('probe');
    breaker.recordFailure(true, 100);
    expect(breaker.state(150)).toBe('open');
    expect(breaker.tryAcquire(199)).toBe(false);
    expect(breaker.tryAcquire(200)).toBe('probe');
    breaker.releaseProbe(); // an abandoned probe lets another request probe
    expect(breaker.tryAcquire(200)).toBe('probe');
    expect(breaker.opens).toBe(2);
  });

  it('never opens with threshold 0', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 0, openMs: 100 });
    for (let i = 0; i < 100; i++) breaker.recordFailure(false, 0);
    expect(breaker.tryAcquire(0)).toBe(true);
  });
});

describe('ConcurrencyLimiter', () => {
  const owner = (): Abortable => ({ aborted: false, onAbort: undefined });

  it('caps holders, hands slots over in order, and drops aborted waiters', async () => {
    const limiter = new ConcurrencyLimiter(1);
    expect(limiter.acquire(owner())).toBe(true);
    const leaving = owner();
    const second = limiter.acquire(leaving);
    const staying = owner();
    const third = limiter.acquire(staying);
    expect(limiter.queued).toBe(2);
    leaving.onAbort?.();
    await expect(second).resolves.toBe(false);
    expect(limiter.queued).toBe(1);
    limiter.release();
    await expect(third).resolves.toBe(true);
    expect(staying.onAbort).toBeUndefined(); // a granted waiter can no longer be cancelled
    expect(limiter.active).toBe(1);
    limiter.release();
    expect(limiter.active).toBe(0);
    expect(limiter.acquire({ aborted: true, onAbort: undefined })).toBe(false);
  });

  it('grants queued callback waiters in order and tells an aborted one false without a slot', () => {
    const limiter = new ConcurrencyLimiter(1);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    const granted: string[] = [];
    const leaving = owner();
    limiter.wait(leaving, (ok) => granted.push(`leaving:${ok}`));
    limiter.wait(owner(), (ok) => granted.push(`staying:${ok}`));
    leaving.onAbort?.();
    expect(granted).toEqual(['leaving:false']);
    expect(limiter.queued).toBe(1);
    limiter.release();
    expect(granted).toEqual(['leaving:false', 'staying:true']);
    expect(limiter.active).toBe(1);
    limiter.wait({ aborted: true, onAbort: undefined }, (ok) => granted.push(`aborted:${ok}`));
    expect(granted.at(-1)).toBe('aborted:false');
    expect(limiter.queued).toBe(0);
  });

  it('hands slots over in a loop when each granted waiter releases at once (no stack growth)', () => {
    const limiter = new ConcurrencyLimiter(1);
    expect(limiter.tryAcquire()).toBe(true);
    let granted = 0;
    for (let i = 0; i < 100_000; i++) {
      limiter.wait(owner(), (ok) => {
        if (ok) granted++;
        limiter.release(); // fails at once, as a lookup does while the circuit is open
      });
    }
    limiter.release();
    expect(granted).toBe(100_000);
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
    expect(limiter.tryAcquire()).toBe(true); // no slot was lost
  });

  it('keeps handing over the other slots when a granted waiter throws, then rethrows', () => {
    const limiter = new ConcurrencyLimiter(1);
    expect(limiter.tryAcquire()).toBe(true);
    const granted: string[] = [];
    limiter.wait(owner(), () => {
      granted.push('first');
      limiter.release();
      throw new Error('boom');
    });
    limiter.wait(owner(), () => {
      granted.push('second');
      limiter.release();
    });
    expect(() => limiter.release()).toThrow('boom');
    expect(granted).toEqual(['first', 'second']);
    expect(limiter.active).toBe(0);
  });

  it('sheds every live waiter in one call: false without a slot, the owner not aborted', async () => {
    const limiter = new ConcurrencyLimiter(1);
    expect(limiter.tryAcquire()).toBe(true);
    const told: string[] = [];
    const leaving = owner();
    limiter.wait(leaving, (ok) => told.push(`leaving:${ok}`));
    const staying = owner();
    limiter.wait(staying, (ok) => told.push(`staying:${ok}:${staying.aborted}`));
    const retrying = owner();
    const retry = limiter.acquire(retrying);
    leaving.onAbort?.();
    expect(limiter.shed()).toBe(2);
    expect(told).toEqual(['leaving:false', 'staying:false:false']);
    await expect(retry).resolves.toBe(false);
    expect(staying.onAbort).toBeUndefined();
    expect(retrying.onAbort).toBeUndefined();
    expect(limiter.queued).toBe(0);
    expect(limiter.active).toBe(1); // the holder keeps its slot
    limiter.release();
    expect(limiter.active).toBe(0);
    expect(limiter.shed()).toBe(0);
  });
});

describe('LatencyRecorder', () => {
  it('reports nearest-rank percentiles', () => {
    const recorder = new LatencyRecorder();
    expect(recorder.summary()).toEqual({ count: 0, p50: null, p95: null, p99: null });
    for (let ms = 1; ms <= 100; ms++) recorder.record(ms);
    expect(recorder.summary()).toEqual({ count: 100, p50: 50, p95: 95, p99: 99 });
  });

  it('keeps only the last samples', () => {
    const recorder = new LatencyRecorder(10);
    for (let i = 0; i < 100; i++) recorder.record(1000);
    for (let i = 0; i < 10; i++) recorder.record(5);
    expect(recorder.summary()).toMatchObject({ count: 110, p99: 5 });
  });

  it('gives the same percentiles as sorting, for any sizes, duplicates and orders, before and after a wrap', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const nearestRank = (sorted: number[], fraction: number) =>
      Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]! * 100) / 100;
    for (let trial = 0; trial < 300; trial++) {
      const capacity = 1 + Math.floor(random() * 50);
      const recorder = new LatencyRecorder(capacity);
      const samples: number[] = [];
      const shape = trial % 4; // random, few distinct values, ascending, descending
      const count = 1 + Math.floor(random() * 120);
      for (let index = 0; index < count; index++) {
        const value =
          shape === 0
            ? random() * 100
            : shape === 1
              ? Math.floor(random() * 3)
              : shape === 2
                ? index * 1.5
                : 500 - index;
        recorder.record(value);
        samples.push(value);
        if (random() < 0.2 || index === count - 1) {
          const kept = samples.slice(-capacity).sort((a, b) => a - b);
          expect(recorder.summary()).toEqual({
            count: samples.length,
            p50: nearestRank(kept, 0.5),
            p95: nearestRank(kept, 0.95),
            p99: nearestRank(kept, 0.99),
          });
        }
      }
    }
  });

  it('answers a repeated summary from its memo, and a new sample renews it', () => {
    const recorder = new LatencyRecorder();
    recorder.record(10);
    const first = recorder.summary();
    first.p50 = 999; // a caller's copy: the memo is not affected
    expect(recorder.summary()).toEqual({ count: 1, p50: 10, p95: 10, p99: 10 });
    recorder.record(30);
    expect(recorder.summary()).toEqual({ count: 2, p50: 10, p95: 30, p99: 30 });
  });
});

describe('retry delays', () => {
  it('grows exponentially with jitter and a cap', () => {
    expect(backoffDelay(0, 100, 1000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 1000, () => 0.999_999)).toBe(100);
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 0.999_999)).toBe(1000);
  });

  it('parses Retry-After seconds and dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(['3'], now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:05 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
