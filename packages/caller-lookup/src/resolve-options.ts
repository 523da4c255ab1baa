import type { Dispatcher } from 'undici';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { describeValue } from './describe-value.js';
import { CallerLookupOptionsError } from './errors.js';
import { checkHeaders } from './http-headers.js';
import type { CallerLookupLogEntry, CallerLookupOptions } from './types.js';

/**
 * The defaults of every numeric and behavioural option of `createCallerLookup`.
 *
 * @example
 * ```ts
 * import { CALLER_LOOKUP_DEFAULTS } from '@ctr-stream/caller-lookup';
 * console.log(CALLER_LOOKUP_DEFAULTS.requestTimeoutMs); // 2000
 * ```
 */
export const CALLER_LOOKUP_DEFAULTS = Object.freeze({
  responseFormat: 'text' as const,
  namePath: 'name',
  notFoundStatuses: Object.freeze([404]) as readonly number[],
  emptyBodyIsNotFound: true,
  requestTimeoutMs: 2000,
  maxConcurrency: 64,
  maxRetries: 2,
  retryBaseDelayMs: 50,
  retryMaxDelayMs: 1000,
  maxRetryAfterMs: 5000,
  circuitFailureThreshold: 5,
  circuitOpenMs: 10_000,
  cacheMaxEntries: 10_000,
  foundTtlMs: 600_000,
  notFoundTtlMs: 60_000,
  maxResponseBytes: 16_384,
  maxNameLength: 128,
});

export interface ResolvedOptions {
  origin: string;
  pathPrefix: string;
  pathSuffix: string;
  headers: Record<string, string>;
  responseFormat: 'text' | 'json';
  namePath: readonly string[];
  notFoundStatuses: ReadonlySet<number>;
  emptyBodyIsNotFound: boolean;
  requestTimeoutMs: number;
  maxConcurrency: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  maxRetryAfterMs: number;
  circuitFailureThreshold: number;
  circuitOpenMs: number;
  cacheMaxEntries: number;
  foundTtlMs: number;
  notFoundTtlMs: number;
  maxResponseBytes: number;
  maxNameLength: number;
  dispatcher: Dispatcher | undefined;
  clock: Clock;
  random: () => number;
  logger: ((entry: CallerLookupLogEntry) => void) | undefined;
}

const PLACEHOLDER = 'ctrstreamphoneplaceholder';

/**
 * The longest delay a Node.js timer takes (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms
 * with a TimeoutOverflowWarning, so every millisecond option is capped here.
 */
export const MAX_TIMER_MS = 2_147_483_647;

function integer(
  name: keyof CallerLookupOptions,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new CallerLookupOptionsError(name, `expected an integer ${range}, got ${describeValue(value)}`);
  }
  return value;
}

/** A millisecond option: an integer from `min` to 2^31 - 1 (a Node.js timer's longest delay). */
function milliseconds(
  name: keyof CallerLookupOptions,
  value: unknown,
  fallback: number,
  min: number,
): number {
  return integer(name, value, fallback, min, MAX_TIMER_MS);
}

/** An optional function option (`random`, `logger`). */
function optionalFunction<Fn>(
  name: keyof CallerLookupOptions,
  value: unknown,
  expected: string,
): Fn | undefined {
  if (value === undefined || typeof value === 'function') return value as Fn | undefined;
  throw new CallerLookupOptionsError(name, `expected ${expected}, got ${describeValue(value)}`);
}

function parseUrlTemplate(option: 'baseUrl' | 'urlTemplate', template: string) {
  if (typeof template !== 'string' || template.split('{phone}').length !== 2) {
    throw new CallerLookupOptionsError(option, 'expected a URL string with exactly one {phone} placeholder');
  }
  let url: URL;
  try {
    url = new URL(template.replace('{phone}', PLACEHOLDER));
  } catch {
    // No cause: URL's TypeError carries the whole input (`input: 'https://user:secret@...'`), credentials included.
    throw new CallerLookupOptionsError(
      option,
      'not a valid absolute URL (the URL is not shown: it may hold a secret)',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CallerLookupOptionsError(option, `expected an http: or https: URL, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new CallerLookupOptionsError(
      option,
      'credentials in the URL are not allowed: pass them in `headers`',
    );
  }
  if (url.hash !== '') throw new CallerLookupOptionsError(option, 'a URL fragment (#...) is not allowed');
  if (url.host.includes(PLACEHOLDER)) {
    throw new CallerLookupOptionsError(option, 'the {phone} placeholder must be in the path or the query');
  }
  const href = url.href;
  const at = href.indexOf(PLACEHOLDER);
  return {
    origin: url.origin,
    pathPrefix: href.slice(url.origin.length, at),
    pathSuffix: href.slice(at + PLACEHOLDER.length),
  };
}

export function resolveOptions(options: CallerLookupOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new CallerLookupOptionsError('options', 'expected an object with baseUrl or urlTemplate');
  }
  const defaults = CALLER_LOOKUP_DEFAULTS;
  let target: { origin: string; pathPrefix: string; pathSuffix: string };
  if (options.baseUrl !== undefined && options.urlTemplate !== undefined) {
    throw new CallerLookupOptionsError('baseUrl', 'give either baseUrl or urlTemplate, not both');
  } else if (options.baseUrl !== undefined) {
    if (
      typeof options.baseUrl !== 'string' ||
      !/[/=]$/.test(options.baseUrl) ||
      options.baseUrl.includes('{')
    ) {
      throw new CallerLookupOptionsError(
        'baseUrl',
        "expected a URL ending in '/' (the tutorial's form, e.g. https://directory.example.com/api/user/) or '='; use urlTemplate for other shapes",
      );
    }
    target = parseUrlTemplate('baseUrl', `${options.baseUrl}{phone}`);
  } else if (options.urlTemplate !== undefined) {
    target = parseUrlTemplate('urlTemplate', options.urlTemplate);
  } else {
    throw new CallerLookupOptionsError('baseUrl', 'one of baseUrl or urlTemplate is required');
  }

  // Checked here, once: undici would otherwise reject every request (a network error that opens the circuit).
  const checkedHeaders = checkHeaders(options.headers ?? {}, true);
  if ('problem' in checkedHeaders) throw new CallerLookupOptionsError('headers', checkedHeaders.problem);
  const { headers } = checkedHeaders;
  const responseFormat = options.responseFormat ?? defaults.responseFormat;
  if (responseFormat !== 'text' && responseFormat !== 'json') {
    throw new CallerLookupOptionsError('responseFormat', "expected 'text' or 'json'");
  }
  const rawPath: unknown = options.namePath ?? defaults.namePath;
  const namePath =
    typeof rawPath === 'string' ? rawPath.split('.') : Array.isArray(rawPath) ? [...rawPath] : [];
  if (namePath.length === 0 || namePath.some((key) => typeof key !== 'string' || key === '')) {
    throw new CallerLookupOptionsError(
      'namePath',
      "expected a dotted path like 'data.name' or an array of keys",
    );
  }
  const notFoundStatuses = options.notFoundStatuses ?? defaults.notFoundStatuses;
  if (
    !Array.isArray(notFoundStatuses) ||
    notFoundStatuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599)
  ) {
    throw new CallerLookupOptionsError('notFoundStatuses', 'expected an array of HTTP status codes');
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
    throw new CallerLookupOptionsError('clock', 'expected an object with a now() method');
  }
  const emptyBodyIsNotFound: unknown = options.emptyBodyIsNotFound ?? defaults.emptyBodyIsNotFound;
  if (typeof emptyBodyIsNotFound !== 'boolean') {
    throw new CallerLookupOptionsError(
      'emptyBodyIsNotFound',
      `expected true or false, got ${describeValue(emptyBodyIsNotFound)}`,
    );
  }
  const dispatcher: unknown = options.dispatcher;
  if (
    dispatcher !== undefined &&
    (dispatcher === null ||
      typeof dispatcher !== 'object' ||
      typeof (dispatcher as Partial<Dispatcher>).dispatch !== 'function')
  ) {
    throw new CallerLookupOptionsError(
      'dispatcher',
      `expected an undici Dispatcher (Agent, Pool, MockAgent...) with a dispatch() method, got ${describeValue(dispatcher)}; leave it out to use the client's own Agent`,
    );
  }

  return {
    ...target,
    headers,
    responseFormat,
    namePath,
    notFoundStatuses: new Set(notFoundStatuses),
    emptyBodyIsNotFound,
    requestTimeoutMs: milliseconds(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      defaults.requestTimeoutMs,
      1,
    ),
    maxConcurrency: integer('maxConcurrency', options.maxConcurrency, defaults.maxConcurrency, 1),
    maxRetries: integer('maxRetries', options.maxRetries, defaults.maxRetries, 0),
    retryBaseDelayMs: milliseconds(
      'retryBaseDelayMs',
      options.retryBaseDelayMs,
      defaults.retryBaseDelayMs,
      0,
    ),
    retryMaxDelayMs: milliseconds('retryMaxDelayMs', options.retryMaxDelayMs, defaults.retryMaxDelayMs, 0),
    maxRetryAfterMs: milliseconds('maxRetryAfterMs', options.maxRetryAfterMs, defaults.maxRetryAfterMs, 0),
    circuitFailureThreshold: integer(
      'circuitFailureThreshold',
      options.circuitFailureThreshold,
      defaults.circuitFailureThreshold,
      0,
    ),
    circuitOpenMs: milliseconds('circuitOpenMs', options.circuitOpenMs, defaults.circuitOpenMs, 0),
    cacheMaxEntries: integer('cacheMaxEntries', options.cacheMaxEntries, defaults.cacheMaxEntries, 0),
    foundTtlMs: milliseconds('foundTtlMs', options.foundTtlMs, defaults.foundTtlMs, 0),
    notFoundTtlMs: milliseconds('notFoundTtlMs', options.notFoundTtlMs, defaults.notFoundTtlMs, 0),
    maxResponseBytes: integer('maxResponseBytes', options.maxResponseBytes, defaults.maxResponseBytes, 1),
    maxNameLength: integer('maxNameLength', options.maxNameLength, defaults.maxNameLength, 1),
    dispatcher: options.dispatcher,
    clock: options.clock ?? systemClock,
    random:
      optionalFunction<() => number>('random', options.random, 'a function returning a number in [0, 1)') ??
      Math.random,
    logger: optionalFunction<(entry: CallerLookupLogEntry) => void>(
      'logger',
      options.logger,
      'a function that takes a log entry, e.g. (entry) => console.log(JSON.stringify(entry))',
    ),
  };
}
