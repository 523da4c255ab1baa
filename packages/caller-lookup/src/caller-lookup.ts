import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher } from 'undici';
import { CircuitBreaker } from './circuit-breaker.js';
import { type Abortable, ConcurrencyLimiter } from './concurrency-limiter.js';
import { type AttemptOutcome, DirectoryRequest } from './directory-request.js';
import { CallerLookupClosedError } from './errors.js';
import { LatencyRecorder } from './latency-recorder.js';
import { LruCache } from './lru-cache.js';
import { maskPhoneNumber, normalizePhoneNumber } from './phone-number.js';
import { MAX_TIMER_MS, type ResolvedOptions, resolveOptions } from './resolve-options.js';
import { backoffDelay } from './retry-delay.js';
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

function errorResult(reason: CallerLookupErrorReason, extra: { statusCode?: number; detail?: string } = {}) {
  return Object.freeze({ status: 'error', reason, ...extra }) as CallerLookupResult;
}

const ABORTED = errorResult('aborted');
const DEADLINE_EXCEEDED = errorResult('deadline_exceeded');
const CIRCUIT_OPEN = errorResult('circuit_open');

/** The directory (or something at its address) answered: a name, not found, a status, a body. */
function outcomeIsAnswer(result: CallerLookupResult): boolean {
  return result.status !== 'error' || result.reason === 'http_status' || result.reason === 'bad_response';
}

/** The failed attempt that opened the circuit, for the `circuit_opened` log entry. */
interface OpeningFailure {
  /** The normalised number (masked when logged). */
  key: string;
  result: CallerLookupResult;
  attempt: number;
}

/** Told once when a flight settles; a plain object (no promise, no closure) for `lookupMany`. */
interface FlightListener {
  flightSettled(flight: Flight, result: CallerLookupResult): void;
}

/**
 * One HTTP lookup (with its retries) shared by every caller waiting for the same number. `abortFlight()`
 * sets `aborted` and calls `onAbort`, the cancel hook of whatever the flight waits on (queue slot, request,
 * backoff sleep). Its waiters are listeners: the first in `listener`, any others in `moreListeners`.
 */
interface Flight extends Abortable {
  key: string;
  waiters: number;
  /** The latest deadline of its waiters on the client's clock; Infinity when one has none. */
  deadline: number;
  /**
   * Set when the last waiter left because its deadline, the flight's own, passed: the abort is then the
   * request's deadline cut arriving first (its timer and the waiter's race by a millisecond or so), so the
   * attempt settles as `deadline_exceeded` and counts against the circuit, never as `aborted`.
   */
  deadlineReached: boolean;
  /** Set while a request cut by the flight's deadline is in the air: a later deadline joining extends it. */
  onDeadlineRaised: (() => void) | undefined;
  settled: boolean;
  listener: FlightListener | undefined;
  moreListeners: FlightListener[] | undefined;
}

function listen(flight: Flight, listener: FlightListener): void {
  if (flight.listener === undefined) flight.listener = listener;
  else if (flight.moreListeners === undefined) flight.moreListeners = [listener];
  else flight.moreListeners.push(listener);
}

/** Resolves a promise when the flight settles: what `lookup()` waits on. */
class FlightPromise implements FlightListener {
  resolve: ((result: CallerLookupResult) => void) | undefined;
  flightSettled(_flight: Flight, result: CallerLookupResult): void {
    this.resolve?.(result);
  }
}

/** One `lookupMany` call waiting for its flights: settles its inputs as each flight answers. */
class LookupBatch implements FlightListener {
  readonly results: Map<string, CallerLookupResult>;
  /** Normalised number -> its distinct inputs (one string, or several). */
  readonly inputs: Map<string, string | string[]>;
  readonly flights: Flight[] = [];
  readonly #count: (result: CallerLookupResult, phone: string) => CallerLookupResult;
  remaining = 0;
  done = false;
  resolve: (() => void) | undefined;

  constructor(
    results: Map<string, CallerLookupResult>,
    inputs: Map<string, string | string[]>,
    count: (result: CallerLookupResult, phone: string) => CallerLookupResult,
  ) {
    this.results = results;
    this.inputs = inputs;
    this.#count = count;
  }

  settle(key: string, result: CallerLookupResult): void {
    const phones = this.inputs.get(key);
    if (typeof phones === 'string') this.results.set(phones, this.#count(result, key));
    else if (phones !== undefined)
      for (const phone of phones) this.results.set(phone, this.#count(result, key));
  }

  flightSettled(flight: Flight, result: CallerLookupResult): void {
    if (this.done) return;
    this.settle(flight.key, result);
    if (--this.remaining === 0) this.resolve?.();
  }
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
  readonly #circuit: CircuitBreaker<OpeningFailure>;
  readonly #latency = new LatencyRecorder();
  readonly #results = emptyCounts(STATUSES);
  readonly #errors = emptyCounts(REASONS);
  #cacheHits = 0;
  #cacheMisses = 0;
  #requestsSent = 0;
  #retries = 0;
  /** When the directory last answered (clock ms): a request the deadline cut short without one is a failure. */
  #lastAnswerAt = Number.NEGATIVE_INFINITY;
  #deduplicated = 0;
  #lastError: CallerLookupStats['lastError'] = null;
  #closed = false;
  readonly #countResult = (result: CallerLookupResult, phone: string) => this.#count(result, phone);

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
        // Every request has its own timer (requestTimeoutMs, or the deadline) that drops it: undici's
        // 300-second header and body timers would only be set, refreshed and cleared for nothing.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    this.#cache = new LruCache(resolved.cacheMaxEntries);
    this.#limiter = new ConcurrencyLimiter(resolved.maxConcurrency);
    this.#circuit = new CircuitBreaker<OpeningFailure>({
      failureThreshold: resolved.circuitFailureThreshold,
      openMs: resolved.circuitOpenMs,
      onStateChange: (state, cause) => {
        if (resolved.logger !== undefined) {
          this.#log({
            level: state === 'open' ? 'warn' : 'info',
            event:
              state === 'open'
                ? 'circuit_opened'
                : state === 'closed'
                  ? 'circuit_closed'
                  : 'circuit_half_open',
            // The failure that opened it: without it the log shows only circuit_open results, never why.
            ...(cause === undefined
              ? {}
              : {
                  phone: maskPhoneNumber(cause.key),
                  ...this.#describe(cause.result),
                  attempt: cause.attempt,
                }),
          });
        }
        // Every lookup still waiting for a request slot would only fail as circuit_open once it got one:
        // settle them all now, in one loop, instead of one slot hand-over after another.
        if (state === 'open') this.#limiter.shed();
      },
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
    const waiting = new FlightPromise();
    const flight = this.#join(key, deadline, waiting);
    const result = await new Promise<CallerLookupResult>((resolve) => {
      if (signal === undefined && deadline === undefined) {
        waiting.resolve = resolve;
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      let finished = false;
      const finish = (value: CallerLookupResult, left: boolean) => {
        if (finished) return;
        finished = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (left) this.#leave(flight, value === DEADLINE_EXCEEDED ? deadline : undefined);
        resolve(value);
      };
      const onAbort = () => finish(ABORTED, true);
      signal?.addEventListener('abort', onAbort, { once: true });
      const delay = deadline === undefined ? undefined : timerDelay(deadline - this.#options.clock.now());
      if (delay !== undefined) timer = setTimeout(() => finish(DEADLINE_EXCEEDED, true), delay);
      waiting.resolve = (value) => finish(value, false);
    });
    return this.#count(result, key);
  }

  async lookupMany(
    phones: Iterable<string>,
    options: LookupManyOptions = {},
  ): Promise<Map<string, CallerLookupResult>> {
    if (this.#closed) throw new CallerLookupClosedError();
    const results = new Map<string, CallerLookupResult>();
    const pendingInputs = new Map<string, string | string[]>(); // normalised number -> distinct inputs
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
        if (typeof waiting === 'string') pendingInputs.set(key, [waiting, phone]);
        else waiting.push(phone);
        continue;
      }
      const cached = this.#fromCache(key);
      if (cached !== undefined) results.set(phone, this.#count(cached, key));
      else pendingInputs.set(key, phone);
    }
    if (pendingInputs.size === 0) return results;

    const batch = new LookupBatch(results, pendingInputs, this.#countResult);
    const deadline = toDeadline(options.deadline);
    const { signal } = options;
    if (signal?.aborted || (deadline !== undefined && deadline <= this.#options.clock.now())) {
      const result = signal?.aborted ? ABORTED : DEADLINE_EXCEEDED;
      for (const key of pendingInputs.keys()) batch.settle(key, result);
      return results;
    }

    batch.remaining = pendingInputs.size;
    for (const key of pendingInputs.keys()) batch.flights.push(this.#join(key, deadline, batch));
    if (batch.remaining === 0) return results;
    await new Promise<void>((resolve) => {
      if (signal === undefined && deadline === undefined) {
        batch.resolve = resolve;
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        batch.done = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const giveUp = (result: CallerLookupResult) => {
        if (batch.done) return;
        batch.done = true;
        for (const flight of batch.flights) {
          if (flight.settled) continue; // already settled into this batch
          this.#leave(flight, result === DEADLINE_EXCEEDED ? deadline : undefined);
          batch.settle(flight.key, result);
        }
        finish();
      };
      const onAbort = () => giveUp(ABORTED);
      signal?.addEventListener('abort', onAbort, { once: true });
      const delay = deadline === undefined ? undefined : timerDelay(deadline - this.#options.clock.now());
      if (delay !== undefined) timer = setTimeout(() => giveUp(DEADLINE_EXCEEDED), delay);
      batch.resolve = finish;
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

  /** Joins the flight for `key` (starting one if none is in the air); `listener` hears its result. */
  #join(key: string, deadline: number | undefined, listener: FlightListener): Flight {
    let flight = this.#flights.get(key);
    const started = flight === undefined;
    if (flight === undefined) {
      flight = {
        key,
        aborted: false,
        onAbort: undefined,
        waiters: 0,
        deadline: Number.NEGATIVE_INFINITY,
        deadlineReached: false,
        onDeadlineRaised: undefined,
        settled: false,
        listener: undefined,
        moreListeners: undefined,
      };
      this.#flights.set(key, flight);
    } else {
      this.#deduplicated++;
    }
    flight.waiters++;
    const before = flight.deadline;
    flight.deadline = Math.max(flight.deadline, deadline ?? Number.POSITIVE_INFINITY);
    // The request in the air was timed for the earlier deadline: it must not cut this caller off with it.
    if (flight.deadline > before) flight.onDeadlineRaised?.();
    listen(flight, listener);
    if (started) this.#start(flight); // after the deadline and the listener are recorded
    return flight;
  }

  /**
   * Starts a new flight once it holds a request slot. Until then a queued flight is only a queue entry (no
   * running async function, no promise): `lookupMany` of thousands of numbers stays cheap.
   */
  #start(flight: Flight): void {
    if (this.#limiter.tryAcquire()) {
      void this.#run(flight);
      return;
    }
    this.#limiter.wait(flight, (granted) => {
      if (granted) void this.#run(flight);
      else if (flight.aborted) this.#settle(flight, ABORTED);
      else this.#settle(flight, this.#fail(flight, CIRCUIT_OPEN, 0)); // shed: the circuit opened
    });
  }

  /**
   * A waiter gives up on the flight; the last one aborts it. `leftAtDeadline` is the waiter's deadline when its
   * deadline passed (undefined when its signal aborted): at or past the flight's deadline, the abort is the
   * request's own deadline cut (see `Flight.deadlineReached`).
   */
  #leave(flight: Flight, leftAtDeadline?: number): void {
    flight.waiters--;
    if (flight.waiters <= 0 && !flight.settled) {
      if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
      if (leftAtDeadline !== undefined && leftAtDeadline >= flight.deadline) flight.deadlineReached = true;
      abortFlight(flight);
    }
  }

  /** Runs a flight that holds a request slot to its result and tells its listeners; never rejects. */
  async #run(flight: Flight): Promise<void> {
    let result: CallerLookupResult;
    try {
      result = await this.#attempts(flight);
    } catch {
      result = errorResult('network', { detail: 'unexpected client failure' });
    }
    this.#settle(flight, result);
  }

  #settle(flight: Flight, result: CallerLookupResult): void {
    flight.settled = true;
    if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
    const { listener, moreListeners } = flight;
    flight.listener = undefined;
    flight.moreListeners = undefined;
    listener?.flightSettled(flight, result);
    if (moreListeners !== undefined) for (const other of moreListeners) other.flightSettled(flight, result);
  }

  /**
   * The circuit refused attempt `attempt` of the flight (no request sent for it). A first attempt ends as
   * `circuit_open`; a retry ends with the failure of the attempt before it (a 500, a refused connection...):
   * that is what went wrong for this number, and `circuit_open` would hide it.
   */
  #refusedByCircuit(flight: Flight, attempt: number, lastFailure: CallerLookupResult | undefined) {
    return lastFailure === undefined
      ? this.#fail(flight, CIRCUIT_OPEN, attempt)
      : this.#fail(flight, lastFailure, attempt - 1);
  }

  /** The attempts of one flight; the first starts with the request slot `#start` acquired. */
  async #attempts(flight: Flight): Promise<CallerLookupResult> {
    const options = this.#options;
    /** The result of the latest request sent for this flight (a retryable failure), once there is one. */
    let lastFailure: CallerLookupResult | undefined;
    for (let attempt = 0; ; attempt++) {
      const holdsSlot = attempt === 0;
      if (flight.aborted) {
        if (holdsSlot) this.#limiter.release();
        return ABORTED;
      }
      const permit = this.#circuit.tryAcquire(options.clock.now());
      if (permit === false) {
        if (holdsSlot) this.#limiter.release();
        return this.#refusedByCircuit(flight, attempt, lastFailure);
      }
      if (!holdsSlot) {
        const acquired = this.#limiter.acquire(flight);
        if (!(acquired === true || (await acquired))) {
          if (permit === 'probe') this.#circuit.releaseProbe();
          // No slot: the flight aborted, or the queue was shed because the circuit opened.
          return flight.aborted ? ABORTED : this.#refusedByCircuit(flight, attempt, lastFailure);
        }
        if (flight.aborted) {
          if (permit === 'probe') this.#circuit.releaseProbe();
          this.#limiter.release();
          return ABORTED;
        }
      }
      const now = options.clock.now();
      if (permit === true && this.#circuit.state(now) !== 'closed') {
        this.#limiter.release(); // the circuit opened while this request was queued
        return this.#refusedByCircuit(flight, attempt, lastFailure);
      }
      const remaining = flight.deadline - now;
      if (remaining <= 0) {
        if (permit === 'probe') this.#circuit.releaseProbe();
        this.#limiter.release();
        return this.#fail(flight, DEADLINE_EXCEEDED, attempt);
      }
      const cutByDeadline = remaining < options.requestTimeoutMs;
      const sentAt = now;
      let outcome: AttemptOutcome;
      try {
        outcome = await this.#attempt(
          flight,
          cutByDeadline ? remaining : options.requestTimeoutMs,
          cutByDeadline,
          sentAt,
        );
      } catch (error) {
        this.#limiter.release();
        throw error;
      }
      // The outcome reaches the circuit breaker before the slot is handed on: a failure that opens the
      // circuit then sheds the queue, instead of the next queued lookup sending one more request first.
      try {
        if (outcome.aborted) {
          if (permit === 'probe') this.#circuit.releaseProbe();
          return ABORTED;
        }
        const settledAt = options.clock.now();
        // A request the deadline cut short is a failure when the directory answered nothing while it ran (a hang);
        // when answers kept coming, the directory is slow, not failing, and the request says nothing about it.
        const failure = outcome.deadlineCut === true ? this.#lastAnswerAt < sentAt : outcome.failure;
        if (outcomeIsAnswer(outcome.result)) this.#lastAnswerAt = settledAt;
        if (failure) {
          this.#circuit.recordFailure(permit === 'probe', settledAt, {
            key: flight.key,
            result: outcome.result,
            attempt,
          });
        } else if (outcome.deadlineCut === true) {
          if (permit === 'probe') this.#circuit.releaseProbe();
        } else this.#circuit.recordSuccess(permit === 'probe');
      } finally {
        this.#limiter.release();
      }
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
      lastFailure = result;
      this.#retries++;
      if (options.logger !== undefined) {
        this.#log({
          level: 'debug',
          event: 'retry_scheduled',
          phone: maskPhoneNumber(flight.key),
          ...this.#describe(result),
          attempt: attempt + 1,
          delayMs,
        });
      }
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
    if (this.#options.logger === undefined) return result; // no entry: no masking work
    this.#log({
      level: 'warn',
      event: 'lookup_failed',
      phone: maskPhoneNumber(flight.key),
      ...this.#describe(result),
      attempt,
    });
    return result;
  }

  /** One HTTP request: resolves with its outcome (never rejects); the flight's abort cancels it. */
  #attempt(
    flight: Flight,
    timeoutMs: number,
    cutByDeadline: boolean,
    sentAt: number,
  ): Promise<AttemptOutcome> {
    const options = this.#options;
    const started = performance.now();
    this.#requestsSent++;
    return new Promise<AttemptOutcome>((resolve) => {
      const request = new DirectoryRequest(options, flight, timeoutMs, cutByDeadline, (outcome) => {
        flight.onAbort = undefined;
        flight.onDeadlineRaised = undefined;
        this.#latency.record(performance.now() - started);
        resolve(outcome);
      });
      flight.onAbort = () => (flight.deadlineReached ? request.cutAtDeadline() : request.abort());
      if (cutByDeadline) {
        flight.onDeadlineRaised = () => {
          const now = options.clock.now();
          const byTimeout = options.requestTimeoutMs - (now - sentAt);
          const byDeadline = flight.deadline - now;
          request.reschedule(Math.max(0, Math.min(byTimeout, byDeadline)), byDeadline < byTimeout);
        };
      }
      request.send(
        this.#dispatcher,
        options.pathPrefix + encodeURIComponent(flight.key) + options.pathSuffix,
      );
    });
  }
}

/** setTimeout turns delays over 2^31-1 ms into 1 ms: such far deadlines need no timer at all. */
function timerDelay(ms: number): number | undefined {
  return ms > MAX_TIMER_MS ? undefined : Math.max(0, ms);
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
