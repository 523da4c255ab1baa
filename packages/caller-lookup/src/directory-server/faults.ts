/**
 * A failure the directory server can inject instead of (or into) its normal answer.
 *
 * @example
 * ```ts
 * import type { DirectoryFault } from '@ctr-stream/caller-lookup/directory-server';
 * const throttled: DirectoryFault = { type: 'status', status: 429, headers: { 'retry-after': '1' } };
 * ```
 */
export type DirectoryFault =
  /** Answer with this HTTP status, an integer from 300 to 599 (e.g. 500, or 429 with `headers: { 'retry-after': '1' }`). */
  | { type: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Accept the request and never answer (until the client gives up or the server closes). */
  | { type: 'hang' }
  /** Destroy the connection without an answer (the client sees a reset). */
  | { type: 'reset' }
  /** Send the headers, then the real answer one byte every `chunkDelayMs` (default 100). */
  | { type: 'slow-body'; chunkDelayMs?: number }
  /** Answer 200 (or `status`, from 200 to 599) with this body instead of the name, e.g. an HTML error page. */
  | { type: 'body'; body: string | Uint8Array; contentType?: string; status?: number }
  /** Answer 200 with `bytes` bytes of text, streamed without a Content-Length. */
  | { type: 'huge-body'; bytes: number };

/**
 * When to inject a fault: the rules are tried in order, and the first that matches (`times` not used up, the
 * number in `phones`) and wins its seeded draw (`probability`) applies; one that loses its draw lets the next
 * rule try.
 *
 * @example
 * ```ts
 * import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
 * await startDirectoryServer({ faults: [{ fault: { type: 'hang' }, probability: 0.01 }, { fault: { type: 'reset' }, times: 1 }] });
 * ```
 */
export interface DirectoryFaultRule {
  fault: DirectoryFault;
  /** Probability in [0, 1] (seeded draw). Default 1. */
  probability?: number;
  /** Apply to at most this many requests, then stop. Default: no limit. */
  times?: number;
  /** Apply only to these numbers (any accepted format). Default: every number. */
  phones?: readonly string[];
}

/** mulberry32: a small seeded generator so fault draws are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
