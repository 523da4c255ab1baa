import type { Dispatcher } from 'undici';
import type { CircuitState } from './circuit-breaker.js';
import type { Clock } from './clock.js';

/**
 * Why a lookup ended in `{ status: 'error' }`.
 *
 * @example
 * ```ts
 * import type { CallerLookupErrorReason } from '@ctr-stream/caller-lookup';
 * const retryLater: CallerLookupErrorReason[] = ['timeout', 'circuit_open'];
 * ```
 */
export type CallerLookupErrorReason =
  /** The directory did not answer within `requestTimeoutMs`. */
  | 'timeout'
  /**
   * The caller's deadline passed before an answer arrived. A retry that would reach the deadline is not made:
   * the lookup then ends with the failure before it (e.g. `http_status` 429), not with this reason.
   */
  | 'deadline_exceeded'
  /** The caller's `signal` aborted, or the client was closed. */
  | 'aborted'
  /** The directory answered with an HTTP status that is neither success nor not-found (see `statusCode`). */
  | 'http_status'
  /** The connection failed: refused, reset, DNS, TLS; `detail` is the code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  | 'network'
  /**
   * The circuit breaker is open after repeated failures and no request was sent for this lookup. A lookup
   * whose retry the circuit refused ends with its own last failure instead (`http_status`, `network`...).
   */
  | 'circuit_open'
  /** The answer is not a plausible name: HTML, markup, not UTF-8, too large, no letters, not JSON. */
  | 'bad_response';

/**
 * The outcome of one lookup: a tagged value, never a thrown error.
 *
 * @example
 * ```ts
 * import type { CallerLookupResult } from '@ctr-stream/caller-lookup';
 * function nameOf(result: CallerLookupResult): string | undefined {
 *   return result.status === 'found' ? result.name : undefined;
 * }
 * ```
 */
export type CallerLookupResult =
  | { readonly status: 'found'; readonly name: string }
  | { readonly status: 'not_found' }
  | { readonly status: 'invalid_number' }
  | {
      readonly status: 'error';
      readonly reason: CallerLookupErrorReason;
      /** The HTTP status, for `http_status` errors. */
      readonly statusCode?: number;
      /** A short fixed explanation (never server text or a phone number), e.g. `'response over 16384 bytes'`. */
      readonly detail?: string;
    };

/**
 * The four values of `CallerLookupResult['status']`.
 *
 * @example
 * ```ts
 * import type { CallerLookupStatus } from '@ctr-stream/caller-lookup';
 * const counted: CallerLookupStatus = 'not_found';
 * ```
 */
export type CallerLookupStatus = CallerLookupResult['status'];

/**
 * One structured log entry. `phone` is always masked (`+61******854`). `circuit_opened` carries the failure
 * that opened the circuit: its number (masked), `reason`, `statusCode` or `detail`, and `attempt`.
 *
 * @example
 * ```ts
 * import { createCallerLookup, type CallerLookupLogEntry } from '@ctr-stream/caller-lookup';
 * const logger = (entry: CallerLookupLogEntry) => console.log(JSON.stringify(entry));
 * createCallerLookup({ baseUrl: 'https://directory.example.com/api/user/', logger });
 * ```
 */
export interface CallerLookupLogEntry {
  level: 'debug' | 'info' | 'warn';
  event: 'lookup_failed' | 'retry_scheduled' | 'circuit_opened' | 'circuit_half_open' | 'circuit_closed';
  /** The masked phone number, when the entry is about one number. */
  phone?: string;
  reason?: CallerLookupErrorReason;
  statusCode?: number;
  detail?: string;
  /** 0 for the first request, 1 for the first retry, ... */
  attempt?: number;
  delayMs?: number;
}

/**
 * Options of `createCallerLookup`. Exactly one of `baseUrl` and `urlTemplate` is required.
 *
 * @example
 * ```ts
 * import type { CallerLookupOptions } from '@ctr-stream/caller-lookup';
 * const options: CallerLookupOptions = {
 *   urlTemplate: 'https://directory.example.com/v1/callers?number={phone}',
 *   headers: { 'x-api-key': process.env.DIRECTORY_API_KEY ?? '' },
 *   responseFormat: 'json',
 *   namePath: 'caller.displayName',
 * };
 * ```
 */
export interface CallerLookupOptions {
  /** The tutorial's form: the number is appended, e.g. `https://directory.example.com/api/user/`. Must end in `/` or `=`. */
  baseUrl?: string;
  /** A URL with one `{phone}` placeholder in its path or query, e.g. `https://dir.example.com/v1/callers?number={phone}`. */
  urlTemplate?: string;
  /**
   * Extra request headers, e.g. `{ 'x-api-key': process.env.DIRECTORY_KEY }`. Never put secrets in the URL.
   * Names must be HTTP tokens and values RFC 9110 field values (no CR, LF or other control character): checked
   * at creation, the value never shown in the error.
   */
  headers?: Record<string, string>;
  /** `'text'` (default): the body is the name. `'json'`: the name is read at `namePath`. */
  responseFormat?: 'text' | 'json';
  /** Dotted path (or array of keys) to the name in a JSON body. Default `'name'`. */
  namePath?: string | readonly string[];
  /** HTTP statuses that mean "no such caller". Default `[404]`. */
  notFoundStatuses?: readonly number[];
  /** Whether a 2xx with an empty body (or a JSON `null`/missing name) is `not_found` (default) rather than `bad_response`. */
  emptyBodyIsNotFound?: boolean;
  /** Timeout of one HTTP request, headers and body included. Default 2000 ms; every `...Ms` option is at most 2147483647. */
  requestTimeoutMs?: number;
  /** Maximum HTTP requests in flight; more wait in a queue. Default 64. */
  maxConcurrency?: number;
  /** Retries after a retryable failure (network error, 408, 429, 5xx). Default 2. */
  maxRetries?: number;
  /** Base of the exponential backoff (with jitter). Default 50 ms. */
  retryBaseDelayMs?: number;
  /** Cap of one backoff delay. Default 1000 ms. */
  retryMaxDelayMs?: number;
  /** Longest `Retry-After` honoured; a longer one ends the lookup as an error. Default 5000 ms. */
  maxRetryAfterMs?: number;
  /** Consecutive failed requests that open the circuit; 0 disables the breaker. Default 5. */
  circuitFailureThreshold?: number;
  /** How long the circuit stays open before one probe request. Default 10000 ms. */
  circuitOpenMs?: number;
  /** LRU cache capacity (numbers); 0 disables the cache. Default 10000. */
  cacheMaxEntries?: number;
  /** How long a found name is cached. Default 600000 ms (10 min). */
  foundTtlMs?: number;
  /** How long a not-found answer is cached. Default 60000 ms (1 min). */
  notFoundTtlMs?: number;
  /** Largest response body read; larger is `bad_response`. Default 16384 bytes. */
  maxResponseBytes?: number;
  /** Longest name kept (in characters); longer names are cut. Default 128. */
  maxNameLength?: number;
  /** The undici dispatcher to send requests with (a Pool, Agent, MockAgent...): anything with `dispatch()`. Default: the client's own keep-alive Agent, closed by `close()`. */
  dispatcher?: Dispatcher;
  /** Time source for cache TTLs, the circuit breaker, Retry-After dates and deadlines. Default `Date.now`. */
  clock?: Clock;
  /** Random source in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** Receives structured entries; phone numbers in them are masked. */
  logger?: (entry: CallerLookupLogEntry) => void;
}

/**
 * Per-call options of `lookup`.
 *
 * @example
 * ```ts
 * import type { LookupOptions } from '@ctr-stream/caller-lookup';
 * const options: LookupOptions = { signal: AbortSignal.timeout(1000), deadline: Date.now() + 800 };
 * ```
 */
export interface LookupOptions {
  /** Abort this lookup (the result becomes `{ status: 'error', reason: 'aborted' }`). */
  signal?: AbortSignal;
  /** Absolute time (ms since epoch on the client's clock, or a Date) after which the lookup gives up. */
  deadline?: number | Date;
}

/**
 * Per-call options of `lookupMany`.
 *
 * @example
 * ```ts
 * import type { LookupManyOptions } from '@ctr-stream/caller-lookup';
 * declare const context: { getRemainingTimeInMillis(): number };
 * const options: LookupManyOptions = { deadline: Date.now() + context.getRemainingTimeInMillis() - 5000 };
 * ```
 */
export interface LookupManyOptions {
  /** Absolute time (ms since epoch on the client's clock, or a Date) by which every result is settled. */
  deadline?: number | Date;
  /** Abort every lookup still pending. */
  signal?: AbortSignal;
}

/**
 * A snapshot of the client's counters. Contains no phone number except masked ones.
 *
 * @example
 * ```ts
 * import { createCallerLookup, type CallerLookupStats } from '@ctr-stream/caller-lookup';
 * const callers = createCallerLookup({ baseUrl: 'https://directory.example.com/api/user/' });
 * const stats: CallerLookupStats = callers.stats();
 * console.log(stats.cache.hitRate, stats.latencyMs.p99, stats.results.error);
 * ```
 */
export interface CallerLookupStats {
  /** Results returned, per status: one per `lookup()` call and one per distinct input of `lookupMany()`. */
  results: Record<CallerLookupStatus, number>;
  /** Error results per reason. */
  errors: Record<CallerLookupErrorReason, number>;
  cache: { hits: number; misses: number; size: number; hitRate: number };
  requests: {
    /** HTTP requests sent (retries included). */
    sent: number;
    /** Retries scheduled. */
    retries: number;
    /** Lookups that joined a request already in flight for the same number. */
    deduplicated: number;
    inFlight: number;
    queued: number;
  };
  circuit: { state: CircuitState; opens: number };
  /** Latency of the HTTP requests actually sent (cache hits excluded), in ms; null before the first. */
  latencyMs: { count: number; p50: number | null; p95: number | null; p99: number | null };
  /** The last error result, with its phone number masked. */
  lastError: { phone: string; reason: CallerLookupErrorReason; statusCode?: number; at: number } | null;
}

/**
 * The client returned by `createCallerLookup`.
 *
 * @example
 * ```ts
 * import { createCallerLookup, type CallerLookup } from '@ctr-stream/caller-lookup';
 * const callers: CallerLookup = createCallerLookup({ baseUrl: 'https://directory.example.com/api/user/' });
 * const result = await callers.lookup('+61299999854');
 * ```
 */
export interface CallerLookup {
  /** Looks up one number. Resolves to a tagged result; rejects only when the client is closed. */
  lookup(phone: string, options?: LookupOptions): Promise<CallerLookupResult>;
  /** Looks up many numbers at once (deduplicated); resolves to a Map from each distinct input to its result, in input order. */
  lookupMany(phones: Iterable<string>, options?: LookupManyOptions): Promise<Map<string, CallerLookupResult>>;
  /** Counters, cache, circuit state and latency percentiles. */
  stats(): CallerLookupStats;
  /** Aborts pending lookups and closes the client's own dispatcher (not an injected one). */
  close(): Promise<void>;
}
