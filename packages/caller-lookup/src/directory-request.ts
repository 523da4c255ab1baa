import type { Dispatcher } from 'undici';
import type { ResolvedOptions } from './resolve-options.js';
import { badResponse, parseNameResponse } from './response-parser.js';
import { parseRetryAfter } from './retry-delay.js';
import type { CallerLookupResult } from './types.js';

/** What one HTTP attempt ended with, and what the retry loop and the circuit breaker make of it. */
export interface AttemptOutcome {
  result: CallerLookupResult;
  retryable: boolean;
  /**
   * Counts against the circuit breaker: network, timeout, 408, 429, 5xx, a refusal of our credentials (401, 403,
   * 407), an answer that is no directory's (HTML, not UTF-8, not JSON, too large).
   */
  failure: boolean;
  /**
   * Cut short by the caller's deadline before its own timeout: whether it counts against the circuit depends on
   * whether the directory answered anything meanwhile (the caller decides).
   */
  deadlineCut?: boolean;
  retryAfterMs?: number | undefined;
  aborted?: boolean;
}

/** Largest body of a not-found or error answer drained to keep the connection; beyond it the socket is dropped. */
const DRAIN_LIMIT = 65_536;
const NOT_FOUND: CallerLookupResult = Object.freeze({ status: 'not_found' });
const ABORTED: CallerLookupResult = Object.freeze({ status: 'error', reason: 'aborted' });
const TIMEOUT: CallerLookupResult = Object.freeze({ status: 'error', reason: 'timeout' });
const DEADLINE_EXCEEDED: CallerLookupResult = Object.freeze({ status: 'error', reason: 'deadline_exceeded' });
const NOT_FOUND_OUTCOME: AttemptOutcome = Object.freeze({
  result: NOT_FOUND,
  retryable: false,
  failure: false,
});
const ABORTED_OUTCOME: AttemptOutcome = Object.freeze({
  result: ABORTED,
  retryable: false,
  failure: false,
  aborted: true,
});
const TIMEOUT_OUTCOME: AttemptOutcome = Object.freeze({ result: TIMEOUT, retryable: false, failure: true });
const DEADLINE_OUTCOME: AttemptOutcome = Object.freeze({
  result: DEADLINE_EXCEEDED,
  retryable: false,
  failure: false,
  deadlineCut: true,
});
/** Statuses that refuse our credentials: every lookup will get them until someone fixes the key. */
const CREDENTIALS_REFUSED = new Set([401, 403, 407]);
/** `bad_response` details that mean the answer is not the directory's (a proxy's page, a wrong URL). */
const NOT_THE_DIRECTORY = new Set(['HTML response', 'response is not UTF-8', 'response is not JSON']);
/** The reason handed to undici's abort callback; its text never reaches a result. */
const GIVE_UP = new Error('caller-lookup gave up on the request');

enum Phase {
  /** Waiting for the status line and headers. */
  Headers = 0,
  /** A 2xx: the body is the name, collected up to `maxResponseBytes`. */
  Collect = 1,
  /** Any other answer: the outcome is known, the body is drained (up to DRAIN_LIMIT) to keep the socket. */
  Drain = 2,
  /** The attempt has settled; later callbacks from undici are ignored. */
  Done = 3,
}

/** The attempt's owner: told once, with the outcome, when the attempt settles. */
export interface AttemptOwner {
  /** Set when every waiter gave up: the attempt then settles as `aborted`. */
  readonly aborted: boolean;
}

function tooLarge(limit: number): AttemptOutcome {
  return { result: badResponse(`response over ${limit} bytes`), retryable: false, failure: true };
}

function networkOutcome(error: unknown): AttemptOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'connection failed';
  return { result: { status: 'error', reason: 'network', detail }, retryable: true, failure: true };
}

function onTimer(request: DirectoryRequest): void {
  request.timeOut();
}

/**
 * One HTTP GET to the directory, driven through undici's `dispatch()` with this object as the handler
 * (the handler interface undici's own `request()` uses in v7). Compared with `dispatcher.request()`, it
 * skips the response `Readable` stream, the parsed header object, the abort-signal wiring and two promise
 * layers: the body arrives as raw chunks, counted against `maxResponseBytes`, and the three headers we need
 * are read straight from the raw header list. The timeout is one timer, the abort a plain callback.
 */
export class DirectoryRequest implements Dispatcher.DispatchHandler {
  readonly #options: ResolvedOptions;
  readonly #owner: AttemptOwner;
  #cutByDeadline: boolean;
  readonly #finish: (outcome: AttemptOutcome) => void;
  #timer: NodeJS.Timeout | undefined;
  #abortRequest: ((error?: Error) => void) | undefined;
  #phase = Phase.Headers;
  #bytes = 0;
  #firstChunk: Buffer | undefined;
  #moreChunks: Buffer[] | undefined;
  #contentType: string | undefined;
  /** The outcome of a non-2xx answer, reported once its body is drained. */
  #known: AttemptOutcome | undefined;

  constructor(
    options: ResolvedOptions,
    owner: AttemptOwner,
    timeoutMs: number,
    cutByDeadline: boolean,
    finish: (outcome: AttemptOutcome) => void,
  ) {
    this.#options = options;
    this.#owner = owner;
    this.#cutByDeadline = cutByDeadline;
    this.#finish = finish;
    this.#timer = setTimeout(onTimer, timeoutMs, this);
  }

  /** Sends the request; the outcome goes to `finish`, exactly once. */
  send(dispatcher: Dispatcher, path: string): void {
    const options = this.#options;
    try {
      dispatcher.dispatch({ origin: options.origin, path, method: 'GET', headers: options.headers }, this);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  /** The owner gave up: settle as aborted now and drop the request (at once, or as soon as it is sent). */
  abort(): void {
    if (this.#phase === Phase.Done) return;
    this.#settle(ABORTED_OUTCOME, true);
  }

  /**
   * The flight's deadline passed before this request's own timer fired (the two race by a millisecond):
   * settle exactly as that timer would have for a request cut by the deadline.
   */
  cutAtDeadline(): void {
    if (this.#phase === Phase.Done) return;
    this.#settle(this.#known ?? DEADLINE_OUTCOME, true);
  }

  /**
   * A caller with a later deadline joined the flight while this request, cut by the earlier one, was in the air:
   * its timer now ends `timeoutMs` from now (cut by the new deadline or by the request timeout).
   */
  reschedule(timeoutMs: number, cutByDeadline: boolean): void {
    if (this.#phase === Phase.Done) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#cutByDeadline = cutByDeadline;
    this.#timer = setTimeout(onTimer, timeoutMs, this);
  }

  /** The request timer fired. */
  timeOut(): void {
    this.#timer = undefined;
    if (this.#phase === Phase.Done) return;
    this.#settle(this.#known ?? (this.#cutByDeadline ? DEADLINE_OUTCOME : TIMEOUT_OUTCOME), true);
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.#phase === Phase.Done) abort(GIVE_UP);
    else this.#abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, _resume: () => void): boolean {
    if (this.#phase !== Phase.Headers || statusCode < 200) return true; // 1xx: the real answer follows
    const options = this.#options;
    let contentLength: string | undefined;
    let retryAfter: string | undefined;
    if (rawHeaders !== null) {
      for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
        const rawName = rawHeaders[index]!;
        const length = rawName.length;
        // Only three headers matter: compare names of their lengths (14, 12, 11) and skip the rest.
        if (length !== 14 && length !== 12 && length !== 11) continue;
        const name = rawName.toString('latin1').toLowerCase();
        if (name === 'content-length') contentLength ??= rawHeaders[index + 1]!.toString('latin1');
        else if (name === 'content-type') this.#contentType ??= rawHeaders[index + 1]!.toString('latin1');
        else if (name === 'retry-after') retryAfter ??= rawHeaders[index + 1]!.toString('latin1');
      }
    }
    if (options.notFoundStatuses.has(statusCode)) {
      this.#known = NOT_FOUND_OUTCOME;
      this.#phase = Phase.Drain;
      return true;
    }
    if (statusCode >= 200 && statusCode < 300) {
      if (contentLength !== undefined && Number(contentLength) > options.maxResponseBytes) {
        this.#settle(tooLarge(options.maxResponseBytes), true); // not read: the connection is dropped
        return true;
      }
      this.#phase = Phase.Collect;
      return true;
    }
    const retryable = statusCode === 408 || statusCode === 429 || statusCode >= 500;
    this.#known = {
      result: { status: 'error', reason: 'http_status', statusCode },
      retryable,
      failure: retryable || CREDENTIALS_REFUSED.has(statusCode),
      retryAfterMs:
        statusCode === 429 || statusCode === 503
          ? parseRetryAfter(retryAfter, options.clock.now())
          : undefined,
    };
    this.#phase = Phase.Drain;
    return true;
  }

  onData(chunk: Buffer): boolean {
    const phase = this.#phase;
    if (phase === Phase.Collect) {
      this.#bytes += chunk.length;
      const limit = this.#options.maxResponseBytes;
      if (this.#bytes > limit) {
        this.#settle(tooLarge(limit), true);
      } else if (this.#firstChunk === undefined) {
        this.#firstChunk = chunk;
      } else {
        if (this.#moreChunks === undefined) this.#moreChunks = [chunk];
        else this.#moreChunks.push(chunk);
      }
    } else if (phase === Phase.Drain) {
      this.#bytes += chunk.length;
      if (this.#bytes > DRAIN_LIMIT) this.#settle(this.#known!, true);
    }
    return true;
  }

  onComplete(_trailers: unknown): void {
    const phase = this.#phase;
    if (phase === Phase.Drain) {
      this.#settle(this.#known!, false);
    } else if (phase === Phase.Collect) {
      const first = this.#firstChunk;
      const body =
        first === undefined
          ? new Uint8Array(0)
          : this.#moreChunks === undefined
            ? first
            : Buffer.concat([first, ...this.#moreChunks]);
      const result = parseNameResponse(body, this.#contentType, this.#options);
      const failure =
        result.status === 'error' && result.detail !== undefined && NOT_THE_DIRECTORY.has(result.detail);
      this.#settle({ result, retryable: false, failure }, false);
    } else if (phase === Phase.Headers) {
      this.#settle(networkOutcome(undefined), false); // completed without a final status: cannot happen over HTTP
    }
  }

  onError(error: Error): void {
    if (this.#phase === Phase.Done) return;
    this.#abortRequest = undefined; // undici has already failed the request
    if (this.#owner.aborted) this.#settle(ABORTED_OUTCOME, false);
    else if (this.#known !== undefined) this.#settle(this.#known, false);
    else this.#settle(networkOutcome(error), false);
  }

  /** Settles once: stops the timer and, for an unfinished answer, drops the connection. */
  #settle(outcome: AttemptOutcome, dropConnection: boolean): void {
    this.#phase = Phase.Done;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#firstChunk = undefined;
    this.#moreChunks = undefined;
    const abortRequest = this.#abortRequest;
    this.#abortRequest = undefined;
    if (dropConnection && abortRequest !== undefined) abortRequest(GIVE_UP);
    this.#finish(outcome);
  }
}
