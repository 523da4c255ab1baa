import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeValue } from '../describe-value.js';
import { CallerLookupOptionsError, DirectoryFileError } from '../errors.js';
import { checkHeaders } from '../http-headers.js';
import { maskPhoneNumber, normalizePhoneNumber } from '../phone-number.js';
import { MAX_TIMER_MS } from '../resolve-options.js';
import { buildDirectory, type DirectoryEntries, loadDirectoryFile } from './directory-file.js';
import { type DirectoryFault, type DirectoryFaultRule, seededRandom } from './faults.js';

/**
 * Options of `startDirectoryServer`.
 *
 * @example
 * ```ts
 * import type { DirectoryServerOptions } from '@ctr-stream/caller-lookup/directory-server';
 * const options: DirectoryServerOptions = { file: 'callers.csv', port: 8080, latencyMs: 20 };
 * ```
 */
export interface DirectoryServerOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port, an integer from 0 to 65535; 0 (default) picks a free one. */
  port?: number;
  /** A directory file: CSV with a `phone,name` header, or JSON `{ "<phone>": "<name>" }`. */
  file?: string;
  /** Entries in code (merged after `file`; a duplicate number is an error). */
  entries?: DirectoryEntries;
  /** Path the numbers are appended to. Default `/api/user/` (the tutorial's). */
  basePath?: string;
  /** Delay before every answer, in ms. Default 0. */
  latencyMs?: number;
  /** Fault injection rules, checked in order for each request (and checked for errors at start and in `setFaults`). */
  faults?: readonly DirectoryFaultRule[];
  /** Seed of the fault draws. Default 1. */
  seed?: number;
  /**
   * How many of the latest requests `requests()` keeps (older ones are dropped, so a long run stays bounded).
   * Default 10,000; 0 keeps none.
   */
  recordRequests?: number;
  /**
   * Credential headers to record as well, e.g. `['x-api-key']` to assert that a client sends its key. By
   * default a recorded request has no `authorization`, `proxy-authorization`, `cookie`, nor any header whose
   * name contains `key`, `token`, `secret`, `passw`, `session`, `signature`, `credential` or `auth`.
   */
  recordSecretHeaders?: readonly string[];
}

/** The default of `recordRequests`. */
const DEFAULT_RECORDED_REQUESTS = 10_000;

/** Header names that carry credentials: never recorded unless asked for by name. */
const SECRET_HEADER =
  /^(?:authorization|proxy-authorization|cookie)$|key|token|secret|passw|session|signature|credential|auth/i;

/**
 * One request the server received (for test assertions). Kept in memory only, never logged: `path` and
 * `phone` are raw (the number as the client sent it); credential headers are left out unless
 * `recordSecretHeaders` names them.
 *
 * @example
 * ```ts
 * import { startDirectoryServer, type DirectoryRequest } from '@ctr-stream/caller-lookup/directory-server';
 * const directory = await startDirectoryServer();
 * const seen: DirectoryRequest[] = directory.requests();
 * ```
 */
export interface DirectoryRequest {
  method: string;
  /** The raw request target, e.g. `/api/user/%2B61299999854`. */
  path: string;
  /** The decoded path segment after `basePath`, when there is one. */
  phone: string | undefined;
  /** The request headers (lower-case names) without credential headers, unless `recordSecretHeaders` names them. */
  headers: Record<string, string | string[] | undefined>;
  /** The fault injected, if any. */
  fault: DirectoryFault['type'] | undefined;
  receivedAt: number;
}

/**
 * A running directory server.
 *
 * @example
 * ```ts
 * import { startDirectoryServer, type DirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
 * const directory: DirectoryServer = await startDirectoryServer({ entries: { '0412345678': 'Émilie' } });
 * console.log(directory.baseUrl); // http://127.0.0.1:<port>/api/user/
 * await directory.close();
 * ```
 */
export interface DirectoryServer {
  /** `http://host:port` without a trailing slash. */
  url: string;
  /** The tutorial's base URL form, ending in `/`: `GET <baseUrl><phone>` answers the name. */
  baseUrl: string;
  /** Stops the server, destroying open (also hung) connections. */
  close(): Promise<void>;
  /** A copy of the latest requests received (at most `recordRequests`, oldest first). */
  requests(): DirectoryRequest[];
  /** How many requests were received since the start, also those `requests()` no longer keeps. */
  requestCount(): number;
  /** Replaces the fault rules (e.g. to let a failing directory recover in a test). */
  setFaults(faults: readonly DirectoryFaultRule[]): void;
  /** Changes the injected latency. */
  setLatencyMs(latencyMs: number): void;
  /** Number of entries served. */
  size: number;
}

interface ActiveRule {
  rule: DirectoryFaultRule;
  phones: Set<string> | undefined;
  used: number;
}

const FAULT_TYPES: ReadonlySet<string> = new Set<DirectoryFault['type']>([
  'status',
  'hang',
  'reset',
  'slow-body',
  'body',
  'huge-body',
]);

/**
 * Checks one fault where it is given, not when a request draws it: node:http throws (and the server process
 * dies) on a status outside 100-999 or a header value with a line break, in the middle of an answer.
 */
function checkFault(fault: unknown, where: string): void {
  const bad = (problem: string) => new CallerLookupOptionsError('faults', `${where}${problem}`);
  if (fault === null || typeof fault !== 'object')
    throw bad(`: expected an object, got ${describeValue(fault)}`);
  const { type } = fault as { type?: unknown };
  if (typeof type !== 'string' || !FAULT_TYPES.has(type)) {
    throw bad(`.type: expected one of ${[...FAULT_TYPES].join(', ')}, got ${describeValue(type)}`);
  }
  const given = fault as Partial<Record<string, unknown>>;
  const status = given.status;
  if (type === 'status' || (type === 'body' && status !== undefined)) {
    // A 1xx is not a final answer: the client waits for one that never comes (or loses the socket). A 2xx
    // status fault would serve "injected 200" as the caller's name: a wrong body is a `body` fault.
    const [min, why] =
      type === 'status'
        ? [300, ' (an error or a redirect; a 200 with a wrong body is a "body" fault)']
        : [200, ' (a 1xx is not a final answer)'];
    if (!(typeof status === 'number' && Number.isInteger(status) && status >= min && status <= 599)) {
      throw bad(
        `.status: expected an integer HTTP status from ${min} to 599${why}, got ${describeValue(status)}`,
      );
    }
  }
  if (type === 'status' && given.headers !== undefined) {
    const checked = checkHeaders(given.headers, false);
    if ('problem' in checked) throw bad(`.headers: ${checked.problem}`);
  }
  if (type === 'status' && given.body !== undefined && typeof given.body !== 'string') {
    throw bad(`.body: expected a string, got ${describeValue(given.body)}`);
  }
  if (type === 'body') {
    if (typeof given.body !== 'string' && !(given.body instanceof Uint8Array)) {
      throw bad(`.body: expected a string or a Uint8Array, got ${describeValue(given.body)}`);
    }
    if (given.contentType !== undefined) {
      const checked = checkHeaders({ 'content-type': given.contentType }, false);
      if ('problem' in checked) throw bad(`.contentType: ${checked.problem}`);
    }
  }
  if (type === 'huge-body' && !(Number.isSafeInteger(given.bytes) && (given.bytes as number) >= 0)) {
    throw bad(`.bytes: expected an integer >= 0, got ${describeValue(given.bytes)}`);
  }
  const delay = given.chunkDelayMs;
  if (
    type === 'slow-body' &&
    delay !== undefined &&
    !(typeof delay === 'number' && delay >= 0 && delay <= MAX_TIMER_MS)
  ) {
    throw bad(`.chunkDelayMs: expected a number from 0 to ${MAX_TIMER_MS}, got ${describeValue(delay)}`);
  }
}

function activate(faults: readonly DirectoryFaultRule[]): ActiveRule[] {
  if (!Array.isArray(faults)) {
    throw new CallerLookupOptionsError('faults', `expected an array of rules, got ${describeValue(faults)}`);
  }
  return faults.map((rule: DirectoryFaultRule, index: number): ActiveRule => {
    if (rule === null || typeof rule !== 'object') {
      throw new CallerLookupOptionsError(
        'faults',
        `faults[${index}]: expected a rule { fault, probability?, times?, phones? }, got ${describeValue(rule)}`,
      );
    }
    checkFault(rule.fault, `faults[${index}].fault`);
    const probability = rule.probability ?? 1;
    if (!(probability >= 0 && probability <= 1)) {
      throw new CallerLookupOptionsError(
        'faults',
        `faults[${index}].probability must be in [0, 1], got ${describeValue(probability)}`,
      );
    }
    return {
      rule,
      used: 0,
      phones:
        rule.phones === undefined
          ? undefined
          : new Set(rule.phones.map((phone) => normalizePhoneNumber(phone) ?? phone)),
    };
  });
}

/**
 * Starts the reference caller directory: `GET <baseUrl><phone>` answers the name as text/plain (404 when
 * unknown, 400 when the number is invalid), with optional latency and injected faults (errors, hangs,
 * resets, slow or garbage bodies) for tests, benchmarks and the local pipeline.
 *
 * @example
 * ```ts
 * import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
 *
 * const directory = await startDirectoryServer({ entries: { '+61299999854': 'Jane Citizen' }, latencyMs: 20 });
 * const response = await fetch(`${directory.baseUrl}%2B61299999854`);
 * console.log(await response.text()); // 'Jane Citizen'
 * await directory.close();
 * ```
 */
export async function startDirectoryServer(options: DirectoryServerOptions = {}): Promise<DirectoryServer> {
  const host = options.host ?? '127.0.0.1';
  const basePath = options.basePath ?? '/api/user/';
  if (!basePath.startsWith('/') || !basePath.endsWith('/')) {
    throw new CallerLookupOptionsError('basePath', "expected a path that starts and ends with '/'");
  }
  const port = options.port ?? 0;
  if (!(typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new CallerLookupOptionsError(
      'port',
      `expected an integer from 0 to 65535 (0 picks a free port), got ${describeValue(port)}`,
    );
  }
  let latencyMs = checkLatency(options.latencyMs ?? 0);
  const directory =
    options.file === undefined ? new Map<string, string>() : await loadDirectoryFile(options.file);
  if (options.entries !== undefined) {
    for (const [phone, name] of buildDirectory(options.entries)) {
      if (directory.has(phone)) {
        throw new DirectoryFileError(
          'entries',
          `duplicate phone number ${maskPhoneNumber(phone)} (also in ${options.file})`,
        );
      }
      directory.set(phone, name);
    }
  }
  const recordLimit = options.recordRequests ?? DEFAULT_RECORDED_REQUESTS;
  if (!(Number.isSafeInteger(recordLimit) && recordLimit >= 0)) {
    throw new CallerLookupOptionsError(
      'recordRequests',
      `expected an integer >= 0, got ${String(recordLimit)}`,
    );
  }
  const secretHeadersToRecord = new Set(
    (options.recordSecretHeaders ?? []).map((header) => header.toLowerCase()),
  );
  const recordHeaders = (headers: IncomingMessage['headers']): DirectoryRequest['headers'] => {
    const recorded: DirectoryRequest['headers'] = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!SECRET_HEADER.test(name) || secretHeadersToRecord.has(name)) recorded[name] = value;
    }
    return recorded;
  };
  let rules = activate(options.faults ?? []);
  const random = seededRandom(options.seed ?? 1);
  const received = new RequestLog(recordLimit);
  const delayed = new DelayQueue();
  const later = (ms: number, action: () => void) => {
    if (ms <= 0) action();
    else delayed.add(ms, action);
  };

  const chooseFault = (phone: string | undefined): DirectoryFault | undefined => {
    if (rules.length === 0) return undefined; // the common case: no number to normalise, no draw
    const normalised = normalizePhoneNumber(phone) ?? phone;
    for (const active of rules) {
      if (active.rule.times !== undefined && active.used >= active.rule.times) continue;
      if (active.phones !== undefined && (normalised === undefined || !active.phones.has(normalised)))
        continue;
      if (random() >= (active.rule.probability ?? 1)) continue;
      active.used++;
      return active.rule.fault;
    }
    return undefined;
  };

  const answer = (response: ServerResponse, status: number, body: string) => {
    // Raw header pairs: no header object for node:http to walk.
    response.writeHead(status, [
      'content-type',
      'text/plain; charset=utf-8',
      'content-length',
      String(Buffer.byteLength(body)),
    ]);
    response.end(body);
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const target = request.url ?? '/';
    let phone: string | undefined;
    let valid = true;
    if (target.startsWith(basePath)) {
      const query = target.indexOf('?', basePath.length);
      const segment = query === -1 ? target.slice(basePath.length) : target.slice(basePath.length, query);
      if (!segment.includes('%'))
        phone = segment; // nothing to decode
      else {
        try {
          phone = decodeURIComponent(segment);
        } catch {
          valid = false;
          phone = segment;
        }
      }
    }
    const fault = phone === undefined ? undefined : chooseFault(phone);
    // The request's header object is only built when the request is kept.
    if (received.keeps) {
      received.add({
        method: request.method ?? 'GET',
        path: target,
        phone,
        headers: recordHeaders(request.headers),
        fault: fault?.type,
        receivedAt: Date.now(),
      });
    } else received.count++;
    if (fault?.type === 'hang') return;
    later(latencyMs, () => {
      if (fault?.type === 'reset') {
        request.socket.destroy();
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return answer(response, 405, 'method not allowed');
      if (phone === undefined) {
        return target === '/healthz' ? answer(response, 200, 'ok') : answer(response, 404, 'not found');
      }
      if (fault?.type === 'status') {
        response.writeHead(fault.status, { 'content-type': 'text/plain; charset=utf-8', ...fault.headers });
        return response.end(fault.body ?? `injected ${fault.status}`);
      }
      if (fault?.type === 'body') {
        response.writeHead(fault.status ?? 200, {
          'content-type': fault.contentType ?? 'text/plain; charset=utf-8',
        });
        return response.end(fault.body);
      }
      if (fault?.type === 'huge-body') {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        const chunk = 'A'.repeat(16_384);
        let left = fault.bytes;
        const pump = () => {
          while (left > 0) {
            const piece = left >= chunk.length ? chunk : chunk.slice(0, left);
            left -= piece.length;
            if (!response.write(piece)) return void response.once('drain', pump);
          }
          response.end();
        };
        response.on('error', () => undefined);
        return pump();
      }
      const normalised = valid ? normalizePhoneNumber(phone) : undefined;
      if (normalised === undefined || phone.includes('/'))
        return answer(response, 400, 'invalid phone number');
      const name = directory.get(normalised);
      if (name === undefined) return answer(response, 404, 'not found');
      if (fault?.type === 'slow-body') {
        const bytes = Buffer.from(name, 'utf8');
        response.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': bytes.length,
        });
        let sent = 0;
        const drip = () => {
          if (response.destroyed) return;
          response.write(bytes.subarray(sent, sent + 1));
          sent++;
          if (sent >= bytes.length) response.end();
          else later(fault.chunkDelayMs ?? 100, drip);
        };
        return drip();
      }
      answer(response, 200, name);
    });
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    baseUrl: `${url}${basePath}`,
    size: directory.size,
    requests: () => received.entries().map((entry) => ({ ...entry, headers: { ...entry.headers } })),
    requestCount: () => received.count,
    setFaults: (faults) => {
      rules = activate(faults);
    },
    setLatencyMs: (value) => {
      latencyMs = checkLatency(value);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        delayed.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A latency in ms: a number from 0 to 2^31 - 1 (a longer Node.js timer would fire after 1 ms). */
function checkLatency(latencyMs: unknown): number {
  if (!(typeof latencyMs === 'number' && latencyMs >= 0 && latencyMs <= MAX_TIMER_MS)) {
    throw new CallerLookupOptionsError(
      'latencyMs',
      `expected a number from 0 to ${MAX_TIMER_MS}, got ${describeValue(latencyMs)}`,
    );
  }
  return latencyMs;
}

/** The latest `limit` requests in a ring buffer (oldest overwritten), and how many there were in all. */
class RequestLog {
  readonly #limit: number;
  readonly #slots: DirectoryRequest[] = [];
  #next = 0;
  count = 0;
  /** False when nothing is kept: the caller then only counts (`count++`) and describes nothing. */
  readonly keeps: boolean;

  constructor(limit: number) {
    this.#limit = limit;
    this.keeps = limit > 0;
  }

  /** Records one request (only call it when `keeps`). */
  add(entry: DirectoryRequest): void {
    this.count++;
    if (this.#slots.length < this.#limit) this.#slots.push(entry);
    else this.#slots[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#limit;
  }

  /** The kept requests, oldest first. */
  entries(): DirectoryRequest[] {
    if (this.#slots.length < this.#limit) return [...this.#slots];
    return [...this.#slots.slice(this.#next), ...this.#slots.slice(0, this.#next)];
  }
}

interface Delayed {
  readonly dueAt: number;
  readonly action: () => void;
}

/**
 * Delayed answers in one first-in, first-out queue behind one timer. With a fixed latency every answer is
 * due in arrival order, so a burst of requests costs one timer instead of one each. An action due before the
 * last queued one (the latency was lowered, or a shorter delay) gets a timer of its own.
 */
class DelayQueue {
  readonly #queue: Delayed[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #own = new Set<NodeJS.Timeout>();
  readonly #run = () => this.#runDue();

  add(delayMs: number, action: () => void): void {
    const dueAt = performance.now() + delayMs;
    const last = this.#queue.length > this.#head ? this.#queue[this.#queue.length - 1] : undefined;
    if (last !== undefined && dueAt < last.dueAt) {
      const timer = setTimeout(() => {
        this.#own.delete(timer);
        action();
      }, delayMs);
      this.#own.add(timer);
      return;
    }
    this.#queue.push({ dueAt, action });
    this.#timer ??= setTimeout(this.#run, delayMs);
  }

  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#head = 0;
    for (const timer of this.#own) clearTimeout(timer);
    this.#own.clear();
  }

  #runDue(): void {
    this.#timer = undefined;
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.dueAt <= now) {
      const { action } = queue[this.#head]!;
      this.#head++;
      action();
    }
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else {
      if (this.#head > 1024) {
        queue.splice(0, this.#head);
        this.#head = 0;
      }
      // An action run above may have added one more and started the timer: one timer only, or clear() misses it.
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = setTimeout(this.#run, Math.max(1, Math.ceil(queue[this.#head]!.dueAt - now)));
    }
  }
}
