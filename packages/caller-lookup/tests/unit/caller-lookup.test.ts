import { inspect } from 'node:util';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CallerLookupClosedError,
  type CallerLookupLogEntry,
  type CallerLookupOptions,
  CallerLookupOptionsError,
  type CallerLookupResult,
  createCallerLookup,
} from '../../src/index.js';

const ORIGIN = 'http://directory.test';
const BASE_URL = `${ORIGIN}/api/user/`;
const JANE = '+61299999854';
const JANE_PATH = '/api/user/%2B61299999854';

let mockAgent: MockAgent;
let now: number;
const clock = { now: () => now };

beforeEach(() => {
  now = Date.parse('2025-01-01T00:00:00Z');
  mockAgent = new MockAgent();
  mockAgent.disableNetConnect();
});

afterEach(async () => {
  await mockAgent.close();
});

function client(options: Partial<CallerLookupOptions> = {}) {
  return createCallerLookup({
    baseUrl: BASE_URL,
    dispatcher: mockAgent,
    clock,
    random: () => 0,
    retryBaseDelayMs: 1,
    ...options,
  });
}

const directory = () => mockAgent.get(ORIGIN);

/** `count` distinct valid mobile numbers. */
const numbers = (count: number) =>
  Array.from({ length: count }, (_, index) => `+614${String(index).padStart(8, '0')}`);

/** Counts results by `status` (and `reason` for errors). */
function countResults(results: Iterable<CallerLookupResult>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const label = result.status === 'error' ? `error:${result.reason}` : result.status;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

describe('createCallerLookup with MockAgent', () => {
  it('finds a name, percent-encoding the normalised number into the path', async () => {
    directory().intercept({ path: JANE_PATH, method: 'GET' }).reply(200, 'Jane Citizen');
    const callers = client();
    await expect(callers.lookup('+61 (2) 9999-9854')).resolves.toEqual({
      status: 'found',
      name: 'Jane Citizen',
    });
    mockAgent.assertNoPendingInterceptors();
  });

  it('answers not_found for 404 and for an empty body', async () => {
    directory().intercept({ path: JANE_PATH }).reply(404, 'no such user');
    directory().intercept({ path: '/api/user/0299990000' }).reply(200, '');
    const callers = client();
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'not_found' });
    await expect(callers.lookup('0299990000')).resolves.toEqual({ status: 'not_found' });
  });

  it('uses a URL template, extra headers, a JSON name path and custom not-found statuses', async () => {
    directory()
      .intercept({
        path: '/v2/lookup?number=%2B61299999854&format=json',
        headers: { 'x-api-key': 'k-123' },
      })
      .reply(200, { result: { displayName: 'Jane' } });
    directory().intercept({ path: '/v2/lookup?number=0299990000&format=json' }).reply(204, '');
    directory().intercept({ path: '/v2/lookup?number=0299990001&format=json' }).reply(410, '');
    const callers = createCallerLookup({
      urlTemplate: `${ORIGIN}/v2/lookup?number={phone}&format=json`,
      headers: { 'X-Api-Key': 'k-123' },
      responseFormat: 'json',
      namePath: 'result.displayName',
      notFoundStatuses: [404, 410],
      dispatcher: mockAgent,
    });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
    await expect(callers.lookup('0299990000')).resolves.toEqual({ status: 'not_found' });
    await expect(callers.lookup('0299990001')).resolves.toEqual({ status: 'not_found' });
  });

  it('returns invalid_number without a request for hostile input', async () => {
    const callers = client();
    for (const hostile of ['../admin?x=1', '%2F', '١٢٣٤٥', 'x'.repeat(10_240), '']) {
      await expect(callers.lookup(hostile)).resolves.toEqual({ status: 'invalid_number' });
    }
    // No interceptor is registered and net connect is disabled: any request would have been an error.
    expect(callers.stats().requests.sent).toBe(0);
    expect(callers.stats().results.invalid_number).toBe(5);
  });

  it('rejects a declared Content-Length over maxResponseBytes without reading it', async () => {
    directory()
      .intercept({ path: JANE_PATH })
      .reply(200, 'Jane', { headers: { 'content-length': '999999' } });
    const callers = client({ maxResponseBytes: 1000 });
    await expect(callers.lookup(JANE)).resolves.toEqual({
      status: 'error',
      reason: 'bad_response',
      detail: 'response over 1000 bytes',
    });
  });

  it('never writes an HTML error page as a name', async () => {
    directory().intercept({ path: JANE_PATH }).reply(200, '<html><h1>Service Unavailable</h1></html>');
    await expect(client().lookup(JANE)).resolves.toMatchObject({ status: 'error', reason: 'bad_response' });
  });

  it('retries a 500 and succeeds', async () => {
    directory().intercept({ path: JANE_PATH }).reply(500, 'oops');
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane');
    const callers = client();
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
    expect(callers.stats().requests).toMatchObject({ sent: 2, retries: 1 });
  });

  it('gives up after maxRetries and reports the status code', async () => {
    directory().intercept({ path: JANE_PATH }).reply(503, 'down').times(3);
    const callers = client({ maxRetries: 2 });
    await expect(callers.lookup(JANE)).resolves.toEqual({
      status: 'error',
      reason: 'http_status',
      statusCode: 503,
    });
    expect(callers.stats().requests).toMatchObject({ sent: 3, retries: 2 });
    mockAgent.assertNoPendingInterceptors();
  });

  it('does not retry a 400 and does not count it against the circuit (a question about one number)', async () => {
    directory().intercept({ path: JANE_PATH }).reply(400, 'bad number').times(6);
    const callers = client({ circuitFailureThreshold: 2 });
    for (let i = 0; i < 6; i++) {
      await expect(callers.lookup(JANE)).resolves.toMatchObject({ reason: 'http_status', statusCode: 400 });
    }
    expect(callers.stats()).toMatchObject({
      requests: { sent: 6, retries: 0 },
      circuit: { state: 'closed' },
    });
  });

  it.each([401, 403, 407])(
    'does not retry a %i (credentials refused) but counts it: an expired key does not cost a request per number',
    async (statusCode) => {
      directory()
        .intercept({ path: (path) => path.startsWith('/api/user/') })
        .reply(statusCode, 'refused')
        .persist();
      // One request at a time: the answers are counted as they come.
      const callers = client({ circuitFailureThreshold: 3, maxConcurrency: 1 });
      const results = await callers.lookupMany(numbers(20));
      expect(countResults(results.values())).toEqual({ 'error:http_status': 3, 'error:circuit_open': 17 });
      expect(callers.stats()).toMatchObject({
        requests: { sent: 3, retries: 0 },
        circuit: { state: 'open' },
      });
      await callers.close();
    },
  );

  it('counts an answer that is no directory’s (an HTML page, not JSON) against the circuit, but not an odd name', async () => {
    directory()
      .intercept({ path: (path) => path.startsWith('/api/user/') })
      .reply(200, '<html>502 Bad Gateway</html>', { headers: { 'content-type': 'text/html' } })
      .persist();
    const html = client({ circuitFailureThreshold: 3, maxConcurrency: 1 });
    const results = await html.lookupMany(numbers(10));
    expect(countResults(results.values())).toEqual({ 'error:bad_response': 3, 'error:circuit_open': 7 });
    await html.close();
    await mockAgent.close();
    mockAgent = new MockAgent();
    mockAgent.disableNetConnect();
    // A directory whose entries have no letters answers; it is working.
    directory()
      .intercept({ path: (path) => path.startsWith('/api/user/') })
      .reply(200, '12345')
      .persist();
    const odd = client({ circuitFailureThreshold: 3, maxConcurrency: 1 });
    const oddResults = await odd.lookupMany(numbers(10));
    expect(countResults(oddResults.values())).toEqual({ 'error:bad_response': 10 });
    expect(odd.stats().circuit.state).toBe('closed');
    await odd.close();
  });

  it('honours a 429 Retry-After HTTP date from the injected clock', async () => {
    const retryAt = new Date(now + 30).toUTCString(); // whole seconds: in the past or now, so 0 ms
    directory()
      .intercept({ path: JANE_PATH })
      .reply(429, '', { headers: { 'retry-after': retryAt } });
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane');
    const logs: CallerLookupLogEntry[] = [];
    const callers = client({ logger: (entry) => logs.push(entry), retryBaseDelayMs: 10_000 });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
    expect(logs).toContainEqual(
      expect.objectContaining({ event: 'retry_scheduled', statusCode: 429, delayMs: 0 }),
    );
  });

  it('does not wait for a Retry-After longer than maxRetryAfterMs', async () => {
    directory()
      .intercept({ path: JANE_PATH })
      .reply(429, '', { headers: { 'retry-after': '120' } });
    const callers = client({ maxRetryAfterMs: 5000 });
    await expect(callers.lookup(JANE)).resolves.toEqual({
      status: 'error',
      reason: 'http_status',
      statusCode: 429,
    });
    expect(callers.stats().requests.retries).toBe(0);
  });

  it('caches found and not-found answers for their own TTLs (injected clock)', async () => {
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane').times(2);
    directory().intercept({ path: '/api/user/0299990000' }).reply(404, '').times(2);
    const callers = client({ foundTtlMs: 10_000, notFoundTtlMs: 1000 });
    await callers.lookup(JANE);
    await callers.lookup('0299990000');
    now += 999;
    await callers.lookup(JANE);
    await callers.lookup('0299990000');
    expect(callers.stats().requests.sent).toBe(2);
    now += 1;
    await expect(callers.lookup('0299990000')).resolves.toEqual({ status: 'not_found' });
    expect(callers.stats().requests.sent).toBe(3);
    now += 9000;
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
    expect(callers.stats()).toMatchObject({ requests: { sent: 4 }, cache: { hits: 2, misses: 4 } });
    mockAgent.assertNoPendingInterceptors();
  });

  it('does not cache errors', async () => {
    directory().intercept({ path: JANE_PATH }).reply(500, '');
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane');
    const callers = client({ maxRetries: 0 });
    await expect(callers.lookup(JANE)).resolves.toMatchObject({ status: 'error' });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
  });

  it('opens the circuit after consecutive failures and closes it after a successful probe', async () => {
    directory().intercept({ path: JANE_PATH }).reply(500, '').times(3);
    const callers = client({ maxRetries: 0, circuitFailureThreshold: 3, circuitOpenMs: 5000 });
    for (let i = 0; i < 3; i++) await callers.lookup(JANE);
    expect(callers.stats().circuit).toEqual({ state: 'open', opens: 1 });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'error', reason: 'circuit_open' });
    expect(callers.stats().requests.sent).toBe(3);
    now += 5000;
    expect(callers.stats().circuit.state).toBe('half_open');
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane');
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
    expect(callers.stats().circuit).toEqual({ state: 'closed', opens: 1 });
  });

  it('shares one request between duplicate numbers in one call and across concurrent calls', async () => {
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane').delay(20);
    const callers = client();
    const inputs = [JANE, '+61 2 9999 9854', '+61-2-9999-9854', JANE];
    const [many, single, again] = await Promise.all([
      callers.lookupMany(inputs),
      callers.lookup(JANE),
      callers.lookup('(+61) 299999854'),
    ]);
    expect([...many.keys()]).toEqual([JANE, '+61 2 9999 9854', '+61-2-9999-9854']);
    for (const result of [...many.values(), single, again])
      expect(result).toEqual({ status: 'found', name: 'Jane' });
    expect(callers.stats().requests).toMatchObject({ sent: 1, deduplicated: 2 });
  });

  it('keeps input order in lookupMany and mixes cache hits, invalid numbers and requests', async () => {
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane');
    directory().intercept({ path: '/api/user/0299990000' }).reply(404, '');
    const callers = client();
    await callers.lookup(JANE);
    const results = await callers.lookupMany(['0299990000', 'not a number', JANE]);
    expect([...results]).toEqual([
      ['0299990000', { status: 'not_found' }],
      ['not a number', { status: 'invalid_number' }],
      [JANE, { status: 'found', name: 'Jane' }],
    ]);
  });

  it('masks every phone number in logs and stats', async () => {
    directory().intercept({ path: JANE_PATH }).reply(500, 'boom').times(3);
    const logs: CallerLookupLogEntry[] = [];
    const callers = client({ logger: (entry) => logs.push(entry) });
    await callers.lookup('+61 2 9999 9854');
    const stats = callers.stats();
    expect(stats.lastError).toMatchObject({ phone: '+61******854', reason: 'http_status', statusCode: 500 });
    expect(logs.map((entry) => entry.event)).toEqual(['retry_scheduled', 'retry_scheduled', 'lookup_failed']);
    const everything = JSON.stringify({ logs, stats });
    expect(everything).toContain('+61******854');
    expect(everything).not.toMatch(/2999|9999 9854|99999854/);
  });

  it('survives a logger that throws', async () => {
    directory().intercept({ path: JANE_PATH }).reply(500, '');
    const callers = client({
      maxRetries: 0,
      logger: () => {
        throw new Error('logger down');
      },
    });
    await expect(callers.lookup(JANE)).resolves.toMatchObject({ status: 'error', reason: 'http_status' });
  });

  it('reports an unmatched request (network failure) as a retried network error', async () => {
    const callers = client({ maxRetries: 1 });
    await expect(callers.lookup(JANE)).resolves.toMatchObject({ status: 'error', reason: 'network' });
    expect(callers.stats().requests).toMatchObject({ sent: 2, retries: 1 });
  });

  it('aborts a lookup through its signal', async () => {
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane').delay(5000);
    const callers = client();
    const controller = new AbortController();
    const pending = callers.lookup(JANE, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).resolves.toEqual({ status: 'error', reason: 'aborted' });
    await callers.close();
  });

  it('answers deadline_exceeded at once for a deadline already past', async () => {
    const callers = client();
    await expect(callers.lookup(JANE, { deadline: now - 1 })).resolves.toEqual({
      status: 'error',
      reason: 'deadline_exceeded',
    });
    const many = await callers.lookupMany([JANE, 'bad'], { deadline: new Date(now) });
    expect([...many.values()]).toEqual([
      { status: 'error', reason: 'deadline_exceeded' },
      { status: 'invalid_number' },
    ]);
    expect(callers.stats().requests.sent).toBe(0);
  });

  it('drops queued numbers when the caller aborts, without ever sending them', async () => {
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane').delay(5000);
    const callers = client({ maxConcurrency: 1 });
    const controller = new AbortController();
    const pending = callers.lookupMany([JANE, '0299990000', '0299990001'], { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(callers.stats().requests).toMatchObject({ sent: 1, inFlight: 1, queued: 2 });
    controller.abort();
    const many = await pending;
    expect([...many.values()]).toEqual([
      { status: 'error', reason: 'aborted' },
      { status: 'error', reason: 'aborted' },
      { status: 'error', reason: 'aborted' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(callers.stats().requests).toMatchObject({ sent: 1, inFlight: 0, queued: 0 });
    await callers.close();
  });

  it('settles a long queue as circuit_open when the circuit opens, and frees every slot', async () => {
    directory()
      .intercept({ path: (path) => path.startsWith('/api/user/') })
      .reply(500, '')
      .persist();
    const callers = client({ maxConcurrency: 1, circuitFailureThreshold: 1, maxRetries: 0 });
    const phones = numbers(20_000);
    const results = await callers.lookupMany(phones);
    expect(countResults(results.values())).toEqual({ 'error:http_status': 1, 'error:circuit_open': 19_999 });
    expect(callers.stats().requests).toMatchObject({ sent: 1, inFlight: 0, queued: 0 });
    expect(callers.stats().circuit.opens).toBe(1);
    await callers.close();
  });

  it('returns the real failure, not circuit_open, when the circuit that failure opened refuses the retry', async () => {
    directory().intercept({ path: JANE_PATH }).reply(500, 'oops');
    directory().intercept({ path: JANE_PATH }).reply(200, 'never sent');
    const logs: CallerLookupLogEntry[] = [];
    const callers = client({
      circuitFailureThreshold: 1,
      maxRetries: 2,
      logger: (entry) => logs.push(entry),
    });
    await expect(callers.lookup('+61 2 9999 9854')).resolves.toEqual({
      status: 'error',
      reason: 'http_status',
      statusCode: 500,
    });
    expect(callers.stats()).toMatchObject({
      requests: { sent: 1, retries: 1 },
      errors: { http_status: 1, circuit_open: 0 },
      lastError: { phone: '+61******854', reason: 'http_status', statusCode: 500 },
      circuit: { state: 'open', opens: 1 },
    });
    // The entry that opened the circuit says why; the failed lookup names the request that failed (attempt 0).
    expect(logs.filter((entry) => entry.event !== 'retry_scheduled')).toEqual([
      {
        level: 'warn',
        event: 'circuit_opened',
        phone: '+61******854',
        reason: 'http_status',
        statusCode: 500,
        attempt: 0,
      },
      {
        level: 'warn',
        event: 'lookup_failed',
        phone: '+61******854',
        reason: 'http_status',
        statusCode: 500,
        attempt: 0,
      },
    ]);
    expect(JSON.stringify(logs)).not.toMatch(/2999|99999854/);
    // A lookup for which no request is sent is circuit_open.
    await expect(callers.lookup('0299990000')).resolves.toEqual({ status: 'error', reason: 'circuit_open' });
  });

  it('returns the network error (with its code) when the opened circuit refuses the retry', async () => {
    directory()
      .intercept({ path: JANE_PATH })
      .replyWithError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    const logs: CallerLookupLogEntry[] = [];
    const callers = client({
      circuitFailureThreshold: 1,
      maxRetries: 1,
      logger: (entry) => logs.push(entry),
    });
    await expect(callers.lookup(JANE)).resolves.toEqual({
      status: 'error',
      reason: 'network',
      detail: 'ECONNREFUSED',
    });
    expect(logs.find((entry) => entry.event === 'circuit_opened')).toEqual({
      level: 'warn',
      event: 'circuit_opened',
      phone: '+61******854',
      reason: 'network',
      detail: 'ECONNREFUSED',
      attempt: 0,
    });
    expect(callers.stats().requests.sent).toBe(1);
  });

  it('records a failure before handing its slot on: no queued lookup is sent once the circuit opens', async () => {
    directory()
      .intercept({ path: (path) => path.startsWith('/api/user/') })
      .reply(500, '')
      .persist();
    const callers = client({ maxConcurrency: 1, circuitFailureThreshold: 1, maxRetries: 0 });
    const results = await callers.lookupMany(numbers(4));
    expect([...results.values()]).toEqual([
      { status: 'error', reason: 'http_status', statusCode: 500 },
      { status: 'error', reason: 'circuit_open' },
      { status: 'error', reason: 'circuit_open' },
      { status: 'error', reason: 'circuit_open' },
    ]);
    expect(callers.stats().requests).toMatchObject({ sent: 1, inFlight: 0, queued: 0 });
  });

  it('settles every queued lookup when a half-open probe fails, and still lets the next probe through', async () => {
    directory().intercept({ path: '/api/user/0299990000' }).reply(500, '');
    const callers = client({
      maxConcurrency: 1,
      circuitFailureThreshold: 1,
      circuitOpenMs: 1000,
      maxRetries: 0,
    });
    await callers.lookup('0299990000'); // opens the circuit
    now += 1000;
    directory().intercept({ path: JANE_PATH }).reply(500, '').delay(20);
    const probe = callers.lookup(JANE); // the half-open probe holds the only slot
    const queued = callers.lookupMany(numbers(20_000));
    expect(callers.stats().requests.queued).toBe(20_000);
    await expect(probe).resolves.toMatchObject({ status: 'error', reason: 'http_status' });
    expect(countResults((await queued).values())).toEqual({ 'error:circuit_open': 20_000 }); // none sent
    expect(callers.stats().requests).toMatchObject({ sent: 2, inFlight: 0, queued: 0 });
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane');
    now += 1000; // the next probe still gets a slot
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
    expect(callers.stats().requests).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('fails queued lookups as soon as the circuit opens: new ones circuit_open, retrying ones with their last failure', async () => {
    const slowFailure = (phone: string, delayMs: number) =>
      directory()
        .intercept({ path: `/api/user/${phone}` })
        .reply(500, '')
        .delay(delayMs);
    slowFailure('0299990001', 50); // B: its failure opens the circuit
    directory().intercept({ path: '/api/user/0299990002' }).reply(500, ''); // A: fails, waits to retry
    directory().intercept({ path: '/api/user/0299990002' }).reply(200, 'never sent');
    slowFailure('0299990003', 300); // C: gets A's slot
    // D: queued for B's slot, but B's failure opens the circuit before the slot is handed on.
    directory().intercept({ path: '/api/user/0299990004' }).reply(200, 'never sent').delay(300);
    const callers = client({ maxConcurrency: 2, circuitFailureThreshold: 2, maxRetries: 1 });
    const settled: string[] = [];
    const track = (phone: string) =>
      callers.lookup(phone).then((result) => {
        settled.push(phone);
        return result;
      });
    const [b, a, c, d, e] = [
      track('0299990001'),
      track('0299990002'),
      track('0299990003'),
      track('0299990004'),
      track('0299990005'), // E: queued behind D, never sent
    ];
    const http500 = { status: 'error', reason: 'http_status', statusCode: 500 };
    // A's retry was refused: its own failure (the 500), not circuit_open, which would hide it.
    await expect(a).resolves.toEqual(http500);
    await expect(d).resolves.toEqual({ status: 'error', reason: 'circuit_open' }); // never sent
    await expect(e).resolves.toEqual({ status: 'error', reason: 'circuit_open' }); // never sent
    // Shed when B's failure opened the circuit: before B itself (which waits to retry) and C.
    expect(settled.slice(0, 3).sort()).toEqual(['0299990002', '0299990004', '0299990005']);
    await expect(b).resolves.toEqual(http500); // its retry was refused
    await expect(c).resolves.toEqual(http500); // failed after the circuit opened; its retry was refused
    expect(settled.slice(3)).toEqual(['0299990001', '0299990003']);
    expect(callers.stats().requests).toMatchObject({ sent: 3, retries: 3, inFlight: 0, queued: 0 });
    expect(callers.stats().errors).toMatchObject({ http_status: 3, circuit_open: 2 });
    expect(mockAgent.pendingInterceptors().map((pending) => pending.path)).toEqual([
      '/api/user/0299990002',
      '/api/user/0299990004',
    ]);
  });

  describe('a hanging directory and a deadline', () => {
    const HANGING = numbers(5);
    /**
     * Advances 1 ms on every read, as a real clock does between the request's deadline timer and the
     * waiter's: the waiter's timer is then the shorter one and fires first, the race this suite pins.
     */
    const tickingClock = { now: () => now++ };
    const hang = () =>
      directory()
        .intercept({ path: (path) => path.startsWith('/api/user/') })
        .reply(200, 'late')
        .delay(60_000)
        .persist();
    const hangingClient = () =>
      client({ clock: tickingClock, maxRetries: 0, circuitFailureThreshold: HANGING.length });

    it('opens the circuit every time when lookup() deadlines hit the threshold', async () => {
      for (let run = 0; run < 20; run++) {
        hang();
        const callers = hangingClient();
        const deadline = now + 30;
        const results = await Promise.all(HANGING.map((phone) => callers.lookup(phone, { deadline })));
        expect(countResults(results), `run ${run}`).toEqual({ 'error:deadline_exceeded': HANGING.length });
        const stats = callers.stats();
        expect(stats.circuit, `run ${run}`).toEqual({ state: 'open', opens: 1 });
        expect(stats.errors).toMatchObject({ deadline_exceeded: HANGING.length, aborted: 0 });
        await expect(callers.lookup('0299990000')).resolves.toEqual({
          status: 'error',
          reason: 'circuit_open',
        });
        expect(callers.stats().requests).toMatchObject({ sent: HANGING.length, inFlight: 0 });
        await callers.close();
      }
    });

    it('opens the circuit every time when a lookupMany() deadline hits the threshold', async () => {
      for (let run = 0; run < 20; run++) {
        hang();
        const callers = hangingClient();
        const results = await callers.lookupMany(HANGING, { deadline: now + 30 });
        expect(countResults(results.values()), `run ${run}`).toEqual({
          'error:deadline_exceeded': HANGING.length,
        });
        expect(callers.stats().circuit, `run ${run}`).toEqual({ state: 'open', opens: 1 });
        await expect(callers.lookup('0299990000')).resolves.toEqual({
          status: 'error',
          reason: 'circuit_open',
        });
        await callers.close();
      }
    });

    it('re-opens a half-open circuit when the probe hits the deadline', async () => {
      hang();
      const callers = client({
        clock: tickingClock,
        maxRetries: 0,
        circuitFailureThreshold: 1,
        circuitOpenMs: 1000,
      });
      await expect(callers.lookup(JANE, { deadline: now + 30 })).resolves.toMatchObject({
        reason: 'deadline_exceeded',
      });
      expect(callers.stats().circuit).toEqual({ state: 'open', opens: 1 });
      now += 1000;
      await expect(callers.lookup(JANE, { deadline: now + 30 })).resolves.toMatchObject({
        reason: 'deadline_exceeded',
      });
      expect(callers.stats().circuit).toEqual({ state: 'open', opens: 2 });
      await callers.close();
    });

    it('does not count requests the deadline cut short against the circuit while the directory keeps answering (slow, not failing)', async () => {
      // Half the numbers answer after 5 ms, the other half after 10 s: a deadline of 200 ms cuts the slow ones
      // while the fast ones' answers arrive.
      const all = numbers(20);
      const slow = new Set(
        all.filter((_, index) => index % 2 === 1).map((phone) => `/api/user/${encodeURIComponent(phone)}`),
      );
      directory()
        .intercept({ path: (path) => slow.has(path) })
        .reply(200, 'Late Caller')
        .delay(10_000)
        .persist();
      directory()
        .intercept({ path: (path) => path.startsWith('/api/user/') && !slow.has(path) })
        .reply(200, 'Quick Caller')
        .delay(5)
        .persist();
      const callers = client({ clock: { now: () => Date.now() }, maxRetries: 0, circuitFailureThreshold: 2 });
      // Slow requests are sent first, then the fast ones answer while they wait.
      const ordered = [
        ...all.filter((phone) => slow.has(`/api/user/${encodeURIComponent(phone)}`)),
        ...all.filter((phone) => !slow.has(`/api/user/${encodeURIComponent(phone)}`)),
      ];
      const results = await callers.lookupMany(ordered, { deadline: Date.now() + 200 });
      expect(countResults(results.values())).toEqual({ found: 10, 'error:deadline_exceeded': 10 });
      expect(callers.stats().circuit).toEqual({ state: 'closed', opens: 0 });
      await callers.close();
    });

    it('does not count a lookup its caller aborted against the circuit', async () => {
      hang();
      const callers = client({ clock: tickingClock, maxRetries: 0, circuitFailureThreshold: 1 });
      const controller = new AbortController();
      const pending = callers.lookup(JANE, { signal: controller.signal, deadline: now + 60_000 });
      setTimeout(() => controller.abort(), 10);
      await expect(pending).resolves.toEqual({ status: 'error', reason: 'aborted' });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(callers.stats().circuit).toEqual({ state: 'closed', opens: 0 });
      await callers.close();
    });

    it('does not count a deadline short of the flight deadline (another waiter left earlier) against the circuit', async () => {
      hang();
      const callers = client({ clock: tickingClock, maxRetries: 0, circuitFailureThreshold: 1 });
      const controller = new AbortController();
      // The first waiter sets the flight's deadline far out, then its caller aborts; the second gives up at 30 ms.
      const far = callers.lookup(JANE, { signal: controller.signal, deadline: now + 60_000 });
      const near = callers.lookup(JANE, { deadline: now + 30 });
      controller.abort();
      await expect(far).resolves.toEqual({ status: 'error', reason: 'aborted' });
      await expect(near).resolves.toEqual({ status: 'error', reason: 'deadline_exceeded' });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(callers.stats().circuit).toEqual({ state: 'closed', opens: 0 });
      await callers.close();
    });
  });

  it('rejects use after close and leaves an injected dispatcher open', async () => {
    const callers = client();
    await callers.close();
    await expect(callers.lookup(JANE)).rejects.toBeInstanceOf(CallerLookupClosedError);
    await expect(callers.lookupMany([JANE])).rejects.toBeInstanceOf(CallerLookupClosedError);
    directory().intercept({ path: JANE_PATH }).reply(200, 'Jane');
    await expect(client().lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
  });
});

describe('createCallerLookup options', () => {
  it.each([
    [{}, 'baseUrl'],
    [{ baseUrl: 'https://directory.example.com/api/user' }, 'baseUrl'],
    [{ baseUrl: 'ftp://directory.example.com/' }, 'baseUrl'],
    [{ baseUrl: 'https://user:secret@directory.example.com/' }, 'baseUrl'],
    [{ baseUrl: 'not a url/' }, 'baseUrl'],
    [{ baseUrl: 'https://a.example/', urlTemplate: 'https://a.example/{phone}' }, 'baseUrl'],
    [{ urlTemplate: 'https://directory.example.com/lookup' }, 'urlTemplate'],
    [{ urlTemplate: 'https://{phone}.example.com/' }, 'urlTemplate'],
    [{ urlTemplate: 'https://a.example/{phone}/{phone}' }, 'urlTemplate'],
    [{ urlTemplate: 'https://a.example/{phone}#x' }, 'urlTemplate'],
    [{ baseUrl: BASE_URL, maxConcurrency: 0 }, 'maxConcurrency'],
    [{ baseUrl: BASE_URL, requestTimeoutMs: 1.5 }, 'requestTimeoutMs'],
    [{ baseUrl: BASE_URL, maxRetries: -1 }, 'maxRetries'],
    [{ baseUrl: BASE_URL, namePath: 'a..b' }, 'namePath'],
    [{ baseUrl: BASE_URL, notFoundStatuses: [99] }, 'notFoundStatuses'],
    [{ baseUrl: BASE_URL, responseFormat: 'xml' }, 'responseFormat'],
    [{ baseUrl: BASE_URL, headers: { 'x-api-key': 42 } }, 'headers'],
    [{ baseUrl: BASE_URL, headers: 'x-api-key: k' }, 'headers'],
    [{ baseUrl: BASE_URL, namePath: 42 }, 'namePath'],
    [{ baseUrl: BASE_URL, emptyBodyIsNotFound: 'false' }, 'emptyBodyIsNotFound'],
    [{ baseUrl: BASE_URL, emptyBodyIsNotFound: 0 }, 'emptyBodyIsNotFound'],
    [{ baseUrl: BASE_URL, logger: 'console' }, 'logger'],
    [{ baseUrl: BASE_URL, logger: console }, 'logger'],
    [{ baseUrl: BASE_URL, random: 0.5 }, 'random'],
    [{ baseUrl: BASE_URL, dispatcher: {} }, 'dispatcher'],
    [{ baseUrl: BASE_URL, dispatcher: 'agent' }, 'dispatcher'],
    [{ baseUrl: BASE_URL, dispatcher: null }, 'dispatcher'],
    [{ baseUrl: BASE_URL, requestTimeoutMs: 2 ** 31 }, 'requestTimeoutMs'],
    [{ baseUrl: BASE_URL, requestTimeoutMs: '2000' }, 'requestTimeoutMs'],
    [{ baseUrl: BASE_URL, retryBaseDelayMs: 2 ** 31 }, 'retryBaseDelayMs'],
    [{ baseUrl: BASE_URL, retryMaxDelayMs: 2 ** 31 }, 'retryMaxDelayMs'],
    [{ baseUrl: BASE_URL, maxRetryAfterMs: 2 ** 31 }, 'maxRetryAfterMs'],
    [{ baseUrl: BASE_URL, circuitOpenMs: 2 ** 31 }, 'circuitOpenMs'],
    [{ baseUrl: BASE_URL, foundTtlMs: 2 ** 31 }, 'foundTtlMs'],
    [{ baseUrl: BASE_URL, notFoundTtlMs: Number.POSITIVE_INFINITY }, 'notFoundTtlMs'],
    [{ baseUrl: BASE_URL, maxConcurrency: Number.NaN }, 'maxConcurrency'],
  ])('rejects %j naming option %s', (options, option) => {
    let thrown: unknown;
    try {
      createCallerLookup(options as CallerLookupOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CallerLookupOptionsError);
    expect(thrown).toMatchObject({ option, code: 'INVALID_OPTIONS', name: 'CallerLookupOptionsError' });
  });

  it('accepts every millisecond option up to 2^31 - 1 ms, the longest Node.js timer', () => {
    const max = 2 ** 31 - 1;
    expect(() =>
      client({
        requestTimeoutMs: max,
        retryBaseDelayMs: max,
        retryMaxDelayMs: max,
        maxRetryAfterMs: max,
        circuitOpenMs: max,
        foundTtlMs: max,
        notFoundTtlMs: max,
        emptyBodyIsNotFound: false,
        logger: () => undefined,
      }),
    ).not.toThrow();
  });

  it('shows the type of a value that is not a number, and the range of a millisecond option', () => {
    const message = (options: Record<string, unknown>) => {
      try {
        createCallerLookup({ baseUrl: BASE_URL, ...options } as CallerLookupOptions);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message({ requestTimeoutMs: '2000' })).toBe(
      'Invalid caller-lookup option "requestTimeoutMs": expected an integer from 1 to 2147483647, got the string "2000"',
    );
    expect(message({ requestTimeoutMs: 2 ** 31 })).toMatch(/from 1 to 2147483647, got 2147483648$/);
    expect(message({ maxRetries: true })).toMatch(/expected an integer >= 0, got the boolean true$/);
    expect(message({ emptyBodyIsNotFound: 'false' })).toMatch(
      /expected true or false, got the string "false"$/,
    );
    expect(message({ dispatcher: {} })).toMatch(/expected an undici Dispatcher .*got an object/);
    expect(message({ random: 0.5 })).toMatch(/expected a function returning a number in \[0, 1\), got 0\.5$/);
  });

  it.each([
    ['a trailing newline', { 'x-api-key': 's3cr3t-key\n' }, /"x-api-key" has an invalid value .*line break/],
    ['a CR LF (header injection)', { 'x-api-key': 's3cr3t\r\nx-admin: 1' }, /"x-api-key" .*line break/],
    ['a NUL', { 'x-api-key': 's3cr3t\u0000' }, /"x-api-key" .*NUL/],
    ['a control character', { 'x-api-key': 's3c\u001br3t' }, /"x-api-key" .*control character/],
    ['DEL', { 'x-api-key': 's3cr3t\u007f' }, /"x-api-key" .*control character/],
    ['a character above U+00FF', { 'x-api-key': 's3cr3t€' }, /"x-api-key" .*above U\+00FF/],
    ['a space in the name', { 'bad header': 's3cr3t' }, /header name "bad header" is not a valid HTTP token/],
    ['a colon in the name', { 'x-api-key:': 's3cr3t' }, /"x-api-key:" is not a valid HTTP token/],
    ['a newline in the name', { 'x-api-key\n': 's3cr3t' }, /"x-api-key\\n" is not a valid HTTP token/],
    ['an empty name', { '': 's3cr3t' }, /header name cannot be empty/],
    [
      'a header the client sets',
      { 'Transfer-Encoding': 'chunked' },
      /"Transfer-Encoding" is set by the HTTP client/,
    ],
    ['an unset variable', { 'x-api-key': undefined }, /"x-api-key" must have a string value, got undefined/],
    ['a name given twice', { 'X-Api-Key': 's3cr3t', 'x-api-key': 's3cr3t' }, /"x-api-key" is given twice/],
  ])(
    'rejects a header with %s at creation, naming the header but never its value',
    (_label, headers, message) => {
      let thrown: unknown;
      try {
        createCallerLookup({ baseUrl: BASE_URL, headers } as unknown as CallerLookupOptions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CallerLookupOptionsError);
      expect(thrown).toMatchObject({ option: 'headers', code: 'INVALID_OPTIONS' });
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toMatch(/s3cr3t|r3t/);
      expect((thrown as Error).cause).toBeUndefined();
    },
  );

  it('accepts header values with spaces, tabs and obs-text, and sends them', async () => {
    const headers = { 'x-api-key': 'k 1\t2', 'x-latin1': 'caf\u00e9', Host: 'directory.test' };
    directory()
      .intercept({ path: JANE_PATH, headers: { 'x-api-key': 'k 1\t2', 'x-latin1': 'caf\u00e9' } })
      .reply(200, 'Jane');
    await expect(client({ headers }).lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane' });
  });

  it('never echoes credentials from a rejected URL', () => {
    expect(() => createCallerLookup({ baseUrl: 'https://user:s3cr3t@directory.example.com/' })).toThrow(
      /^(?!.*s3cr3t).*credentials in the URL are not allowed/,
    );
  });

  it('never carries a URL that does not parse, secrets included, in the error or its cause', () => {
    for (const baseUrl of [
      'https://dir.example.com:99999/api/user/?api_key=S3CRET&phone=',
      'https://user:S3CRET@dir example.com/api/user/',
    ]) {
      let thrown: unknown;
      try {
        createCallerLookup({ baseUrl });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).message).toContain('not a valid absolute URL');
      expect((thrown as Error).cause).toBeUndefined();
      expect(inspect(thrown, { depth: 5 })).not.toContain('S3CRET');
    }
  });
});
