import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher } from 'undici';
import { CircuitBreaker } from './circuit-breaker.js';
import { type Abortable, ConcurrencyLimiter } from './concurrency-limiter.js';
import { CallerLookupClosedError } from './errors.js';
import { LatencyRecorder } from './latency-recorder.js';
import { LruCache } from './lru-cache.js';
import { maskPhoneNumber, normalizePhoneNumber } from './phone-number.js';
import { type ResolvedOptions, resolveOptions } from './resolve-options.js';
import { badResponse, parseNameResponse } from './response-parser.js';
import { backoffDelay, parseRetryAfter } from './retry-delay.js';
import type {
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

const INVALID_NUMBER: CallerLookupResult = Object.freeze({ status: 'invalid_number' });
const NOT_FOUND: CallerLookupResult = Object.freeze({ status: 'not_found' });

function errorResult(reason: CallerLookupErrorReason, extra: { statusCode?: number; detail?: string } = {}) {
  return Object.freeze({ status: 'error', reason, ...extra }) as CallerLookupResult;
}

const ABORTED = errorResult('aborted');
const DEADLINE_EXCEEDED = errorResult('deadline_exceeded');
const CIRCUIT_OPEN = errorResult('circuit_open');

/**
 * One HTTP lookup (with its retries) shared by every caller waiting for the same number. `abortFlight()`
 * sets `aborted` and calls `onAbort`, the cancel hook of whatever the flight waits on (queue slot, request,
 * backoff sleep).
 */
interface Flight extends Abortable {
  key: string;
  promise: Promise<CallerLookupResult>;
  waiters: number;
  /** The latest deadline of its waiters on the client's clock; Infinity when one has none. */
  deadline: number;
  settled: boolean;
}

interface AttemptOutcome {
  result: CallerLookupResult;
  retryable: boolean;
  /** Counts against the circuit breaker (network, timeout, 408, 429, 5xx). */
  failure: boolean;
  retryAfterMs?: number | undefined;
  aborted?: boolean;
}

function toDeadline(deadline: number | Date | undefined): number | undefined {
  if (deadline === undefined) return undefined;
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

function emptyCounts<Key extends string>(keys: readonly Key[]): Record<Key, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;
}

const STATUSES: readonly CallerLookupStatus[] = ['found', 'not_found', 'invalid_number', 'error'];
const REASONS: readonly CallerLookupErrorReason[] = [
  'timeout',
  'deadline_exceeded',
  'aborted',
  'http_status',
  'network',
  'circuit_open',
  'bad_response',
];

class CallerLookupClient implements CallerLookup {
  readonly #options: ResolvedOptions;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #cache: LruCache<CallerLookupResult>;
  readonly #flights = new Map<string, Flight>();
  readonly #limiter: ConcurrencyLimiter;
  readonly #circuit: CircuitBreaker;
  readonly #latency = new LatencyRecorder();
  readonly #results = emptyCounts(STATUSES);
  readonly #errors = emptyCounts(REASONS);
  #cacheHits = 0;
  #cacheMisses = 0;
  #requestsSent = 0;
  #retries = 0;
  #deduplicated = 0;
  #lastError: CallerLookupStats['lastError'] = null;
  #closed = false;

  constructor(options: CallerLookupOptions) {
    this.#options = resolveOptions(options);
    const resolved = this.#options;
    this.#ownsDispatcher = resolved.dispatcher === undefined;
    this.#dispatcher =
      resolved.dispatcher ??
      new Agent({
        connections: resolved.maxConcurrency,
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 60_000,
      });
    this.#cache = new LruCache(resolved.cacheMaxEntries);
    this.#limiter = new ConcurrencyLimiter(resolved.maxConcurrency);
    this.#circuit = new CircuitBreaker({
      failureThreshold: resolved.circuitFailureThreshold,
      openMs: resolved.circuitOpenMs,
      onStateChange: (state) =>
        this.#log({
          level: state === 'open' ? 'warn' : 'info',
          event:
            state === 'open' ? 'circuit_opened' : state === 'closed' ? 'circuit_closed' : 'circuit_half_open',
        }),
    });
  }

  async lookup(phone: string, options: LookupOptions = {}): Promise<CallerLookupResult> {
    if (this.#closed) throw new CallerLookupClosedError();
    const key = normalizePhoneNumber(phone);
    if (key === undefined) return this.#count(INVALID_NUMBER, phone);
    const cached = this.#fromCache(key);
    if (cached !== undefined) return this.#count(cached, key);
    const deadline = toDeadline(options.deadline);
    const { signal } = options;
    if (signal?.aborted) return this.#count(ABORTED, key);
    if (deadline !== undefined && deadline <= this.#options.clock.now())
      return this.#count(DEADLINE_EXCEEDED, key);
    const flight = this.#join(key, deadline);
    if (signal === undefined && deadline === undefined) return this.#count(await flight.promise, key);

    const result = await new Promise<CallerLookupResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (value: CallerLookupResult, left: boolean) => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (left) this.#leave(flight);
        resolve(value);
      };
      const onAbort = () => finish(ABORTED, true);
      signal?.addEventListener('abort', onAbort, { once: true });
      const delay = deadline === undefined ? undefined : timerDelay(deadline - this.#options.clock.now());
      if (delay !== undefined) timer = setTimeout(() => finish(DEADLINE_EXCEEDED, true), delay);
      flight.promise.then((value) => finish(value, false));
    });
    return this.#count(result, key);
  }

  async lookupMany(
    phones: Iterable<string>,
    options: LookupManyOptions = {},
  ): Promise<Map<string, CallerLookupResult>> {
    if (this.#closed) throw new CallerLookupClosedError();
    const results = new Map<string, CallerLookupResult>();
    const pendingInputs = new Map<string, string[]>(); // normalised number -> distinct inputs
    for (const phone of phones) {
      if (results.has(phone)) continue;
      const key = normalizePhoneNumber(phone);
      if (key === undefined) {
        results.set(phone, this.#count(INVALID_NUMBER, phone));
        continue;
      }
      results.set(phone, INVALID_NUMBER); // placeholder keeps input order; overwritten below
      const waiting = pendingInputs.get(key);
      if (waiting !== undefined) {
        waiting.push(phone);
        continue;
      }
      const cached = this.#fromCache(key);
      if (cached !== undefined) results.set(phone, this.#count(cached, key));
      else pendingInputs.set(key, [phone]);
    }
    if (pendingInputs.size === 0) return results;

    const deadline = toDeadline(options.deadline);
    const { signal } = options;
    const settle = (key: string, result: CallerLookupResult) => {
      for (const phone of pendingInputs.get(key) ?? []) results.set(phone, this.#count(result, key));
    };
    if (signal?.aborted || (deadline !== undefined && deadline <= this.#options.clock.now())) {
      for (const key of pendingInputs.keys()) settle(key, signal?.aborted ? ABORTED : DEADLINE_EXCEEDED);
      return results;
    }

    const flights = new Map<string, Flight>();
    for (const key of pendingInputs.keys()) flights.set(key, this.#join(key, deadline));
    await new Promise<void>((resolve) => {
      let remaining = flights.size;
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const giveUp = (result: CallerLookupResult) => {
        if (done) return;
        for (const [key, flight] of flights) {
          this.#leave(flight);
          settle(key, result);
        }
        finish();
      };
      const onAbort = () => giveUp(ABORTED);
      signal?.addEventListener('abort', onAbort, { once: true });
      const delay = deadline === undefined ? undefined : timerDelay(deadline - this.#options.clock.now());
      if (delay !== undefined) timer = setTimeout(() => giveUp(DEADLINE_EXCEEDED), delay);
      for (const [key, flight] of flights) {
        flight.promise.then((result) => {
          if (done) return;
          flights.delete(key);
          settle(key, result);
          if (--remaining === 0) finish();
        });
      }
    });
    return results;
  }

  stats(): CallerLookupStats {
    const lookups = this.#cacheHits + this.#cacheMisses;
    return {
      results: { ...this.#results },
      errors: { ...this.#errors },
      cache: {
        hits: this.#cacheHits,
        misses: this.#cacheMisses,
        size: this.#cache.size,
        hitRate: lookups === 0 ? 0 : Math.round((this.#cacheHits / lookups) * 10_000) / 10_000,
      },
      requests: {
        sent: this.#requestsSent,
        retries: this.#retries,
        deduplicated: this.#deduplicated,
        inFlight: this.#limiter.active,
        queued: this.#limiter.queued,
      },
      circuit: { state: this.#circuit.state(this.#options.clock.now()), opens: this.#circuit.opens },
      latencyMs: this.#latency.summary(),
      lastError: this.#lastError === null ? null : { ...this.#lastError },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const flight of [...this.#flights.values()]) abortFlight(flight);
    this.#flights.clear();
    this.#cache.clear();
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #fromCache(key: string): CallerLookupResult | undefined {
    const cached = this.#cache.get(key, this.#options.clock.now());
    if (cached !== undefined) this.#cacheHits++;
    else this.#cacheMisses++;
    return cached;
  }

  #count(result: CallerLookupResult, phone: string): CallerLookupResult {
    this.#results[result.status]++;
    if (result.status === 'error') {
      this.#errors[result.reason]++;
      this.#lastError = {
        phone: maskPhoneNumber(phone),
        reason: result.reason,
        ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
        at: this.#options.clock.now(),
      };
    }
    return result;
  }

  #log(entry: CallerLookupLogEntry): void {
    const logger = this.#options.logger;
    if (logger === undefined) return;
    try {
      logger(entry);
    } catch {
      // A failing logger must not fail a lookup.
    }
  }

  #join(key: string, deadline: number | undefined): Flight {
    let flight = this.#flights.get(key);
    if (flight === undefined) {
      const created: Flight = {
        key,
        aborted: false,
        onAbort: undefined,
        waiters: 0,
        deadline: Number.NEGATIVE_INFINITY,
        settled: false,
        promise: undefined as unknown as Promise<CallerLookupResult>,
      };
      this.#flights.set(key, created);
      flight = created;
      created.promise = this.#run(created)
        .catch(() => errorResult('network', { detail: 'unexpected client failure' }))
        .then((result) => {
          created.settled = true;
          if (this.#flights.get(key) === created) this.#flights.delete(key);
          return result;
        });
    } else {
      this.#deduplicated++;
    }
    flight.waiters++;
    flight.deadline = Math.max(flight.deadline, deadline ?? Number.POSITIVE_INFINITY);
    return flight;
  }

  #leave(flight: Flight): void {
    flight.waiters--;
    if (flight.waiters <= 0 && !flight.settled) {
      if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
      abortFlight(flight);
    }
  }

  async #run(flight: Flight): Promise<CallerLookupResult> {
    await Promise.resolve(); // let #join record the first waiter's deadline
    const options = this.#options;
    for (let attempt = 0; ; attempt++) {
      if (flight.aborted) return ABORTED;
      const permit = this.#circuit.tryAcquire(options.clock.now());
      if (permit === false) return this.#fail(flight, CIRCUIT_OPEN, attempt);
      const acquired = this.#limiter.acquire(flight);
      if (!(acquired === true || (await acquired))) {
        if (permit === 'probe') this.#circuit.releaseProbe();
        return ABORTED;
      }
      if (flight.aborted) {
        this.#limiter.release();
        if (permit === 'probe') this.#circuit.releaseProbe();
        return ABORTED;
      }
      const now = options.clock.now();
      if (permit === true && this.#circuit.state(now) !== 'closed') {
        this.#limiter.release(); // the circuit opened while this request was queued
        return this.#fail(flight, CIRCUIT_OPEN, attempt);
      }
      const remaining = flight.deadline - now;
      if (remaining <= 0) {
        this.#limiter.release();
        if (permit === 'probe') this.#circuit.releaseProbe();
        return this.#fail(flight, DEADLINE_EXCEEDED, attempt);
      }
      const cutByDeadline = remaining < options.requestTimeoutMs;
      let outcome: AttemptOutcome;
      try {
        outcome = await this.#attempt(
          flight,
          cutByDeadline ? remaining : options.requestTimeoutMs,
          cutByDeadline,
        );
      } finally {
        this.#limiter.release();
      }
      if (outcome.aborted) {
        if (permit === 'probe') this.#circuit.releaseProbe();
        return ABORTED;
      }
      if (outcome.failure) this.#circuit.recordFailure(permit === 'probe', options.clock.now());
      else this.#circuit.recordSuccess(permit === 'probe');
      const { result } = outcome;
      if (result.status === 'found') {
        this.#cache.set(flight.key, result, options.foundTtlMs, options.clock.now());
        return result;
      }
      if (result.status === 'not_found') {
        this.#cache.set(flight.key, result, options.notFoundTtlMs, options.clock.now());
        return result;
      }
      if (!outcome.retryable || attempt >= options.maxRetries) return this.#fail(flight, result, attempt);
      let delayMs: number;
      if (outcome.retryAfterMs !== undefined) {
        if (outcome.retryAfterMs > options.maxRetryAfterMs) return this.#fail(flight, result, attempt);
        delayMs = outcome.retryAfterMs;
      } else {
        delayMs = backoffDelay(attempt, options.retryBaseDelayMs, options.retryMaxDelayMs, options.random);
      }
      if (options.clock.now() + delayMs >= flight.deadline) return this.#fail(flight, result, attempt);
      this.#retries++;
      this.#log({
        level: 'debug',
        event: 'retry_scheduled',
        phone: maskPhoneNumber(flight.key),
        ...this.#describe(result),
        attempt: attempt + 1,
        delayMs,
      });
      if (!(await sleep(delayMs, flight))) return ABORTED;
    }
  }

  #describe(result: CallerLookupResult): Pick<CallerLookupLogEntry, 'reason' | 'statusCode' | 'detail'> {
    if (result.status !== 'error') return {};
    return {
      reason: result.reason,
      ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
      ...(result.detail === undefined ? {} : { detail: result.detail }),
    };
  }

  #fail(flight: Flight, result: CallerLookupResult, attempt: number): CallerLookupResult {
    this.#log({
      level: 'warn',
      event: 'lookup_failed',
      phone: maskPhoneNumber(flight.key),
      ...this.#describe(result),
      attempt,
    });
    return result;
  }

  async #attempt(flight: Flight, timeoutMs: number, cutByDeadline: boolean): Promise<AttemptOutcome> {
    const options = this.#options;
    // undici accepts an EventEmitter as the abort signal: much cheaper than an AbortController per request.
    const abortRequest = new EventEmitter();
    flight.onAbort = () => abortRequest.emit('abort');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abortRequest.emit('abort');
    }, timeoutMs);
    const started = performance.now();
    this.#requestsSent++;
    try {
      const response = await this.#dispatcher.request({
        origin: options.origin,
        path: options.pathPrefix + encodeURIComponent(flight.key) + options.pathSuffix,
        method: 'GET',
        headers: options.headers,
        signal: abortRequest,
      });
      return await this.#interpret(response, options);
    } catch (error) {
      if (flight.aborted) return { result: ABORTED, retryable: false, failure: false, aborted: true };
      if (timedOut) {
        const reason = cutByDeadline ? DEADLINE_EXCEEDED : errorResult('timeout');
        return { result: reason, retryable: false, failure: true };
      }
      const code = (error as { code?: unknown }).code;
      const detail = typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'connection failed';
      return { result: errorResult('network', { detail }), retryable: true, failure: true };
    } finally {
      clearTimeout(timer);
      flight.onAbort = undefined;
      this.#latency.record(performance.now() - started);
    }
  }

  async #interpret(response: Dispatcher.ResponseData, options: ResolvedOptions): Promise<AttemptOutcome> {
    const { statusCode, headers, body } = response;
    if (options.notFoundStatuses.has(statusCode)) {
      await discard(body);
      return { result: NOT_FOUND, retryable: false, failure: false };
    }
    if (statusCode >= 200 && statusCode < 300) {
      const declared = Number(headers['content-length']);
      if (declared > options.maxResponseBytes) {
        body.destroy();
        return tooLarge(options.maxResponseBytes);
      }
      const contentType = headers['content-type'];
      const mediaType = Array.isArray(contentType) ? contentType[0] : contentType;
      if (declared >= 0) {
        // Declared and within the bound: read it in one go (undici enforces the declared length).
        const result = parseNameResponse(new Uint8Array(await body.arrayBuffer()), mediaType, options);
        return { result, retryable: false, failure: false };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxResponseBytes) {
          body.destroy();
          return tooLarge(options.maxResponseBytes);
        }
        chunks.push(chunk);
      }
      const result = parseNameResponse(
        chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        mediaType,
        options,
      );
      return { result, retryable: false, failure: false };
    }
    await discard(body);
    const retryable = statusCode === 408 || statusCode === 429 || statusCode >= 500;
    return {
      result: errorResult('http_status', { statusCode }),
      retryable,
      failure: retryable,
      retryAfterMs:
        statusCode === 429 || statusCode === 503
          ? parseRetryAfter(headers['retry-after'], options.clock.now())
          : undefined,
    };
  }
}

/** setTimeout turns delays over 2^31-1 ms into 1 ms: such far deadlines need no timer at all. */
function timerDelay(ms: number): number | undefined {
  return ms > 2_147_483_647 ? undefined : Math.max(0, ms);
}

function tooLarge(limit: number): AttemptOutcome {
  return { result: badResponse(`response over ${limit} bytes`), retryable: false, failure: false };
}

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump({ limit: 65_536 });
  } catch {
    // The connection is discarded by undici; nothing else to do.
  }
}

function abortFlight(flight: Flight): void {
  if (flight.aborted) return;
  flight.aborted = true;
  flight.onAbort?.();
}

/** Resolves true after `ms`, false as soon as the flight aborts. */
function sleep(ms: number, flight: Flight): Promise<boolean> {
  if (flight.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      flight.onAbort = undefined;
      resolve(true);
    }, ms);
    flight.onAbort = () => {
      flight.onAbort = undefined;
      clearTimeout(timer);
      resolve(false);
    };
  });
}

/**
 * Creates a caller-name lookup client: normalises and validates numbers, deduplicates and caches
 * lookups, caps requests in flight, retries retryable failures with backoff, and stops calling a
 * failing directory (circuit breaker). Per-number failures are results, never thrown errors.
 *
 * Create it once at module scope in a Lambda: its keep-alive connections and LRU cache then survive
 * warm invocations.
 *
 * @example
 * ```ts
 * import { createCallerLookup } from '@ctr-stream/caller-lookup';
 *
 * const callers = createCallerLookup({ baseUrl: 'https://directory.example.com/api/user/' });
 * const result = await callers.lookup('+61 2 9999 9854');
 * if (result.status === 'found') console.log(result.name);
 * const many = await callers.lookupMany(['+61299999854', '+61299990000'], { deadline: Date.now() + 5000 });
 * console.log(many.get('+61299990000'), callers.stats().cache.hitRate);
 * await callers.close();
 * ```
 */
export function createCallerLookup(options: CallerLookupOptions): CallerLookup {
  return new CallerLookupClient(options);
}
