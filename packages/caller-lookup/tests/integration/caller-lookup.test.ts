import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DirectoryServer, startDirectoryServer } from '../../src/directory-server/index.js';
import {
  type CallerLookup,
  type CallerLookupLogEntry,
  type CallerLookupOptions,
  createCallerLookup,
} from '../../src/index.js';

const JANE = '+61299999854';
const UNKNOWN = '0299990000';
const ENTRIES = { [JANE]: 'Jane Citizen', '0412345678': 'Émilie Nguyễn' };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function setup(
  server: Parameters<typeof startDirectoryServer>[0] = {},
  options: Partial<CallerLookupOptions> = {},
): Promise<{ directory: DirectoryServer; callers: CallerLookup }> {
  const directory = await startDirectoryServer({ entries: ENTRIES, ...server });
  cleanup.push(() => directory.close());
  const callers = createCallerLookup({ baseUrl: directory.baseUrl, retryBaseDelayMs: 5, ...options });
  cleanup.push(() => callers.close());
  return { directory, callers };
}

const phones = (directory: DirectoryServer) => directory.requests().map((entry) => entry.phone);

describe('caller lookup against a real directory server', () => {
  it('finds names (UTF-8 included), reports unknown numbers, and rejects invalid ones without a request', async () => {
    const { directory, callers } = await setup();
    const results = await callers.lookupMany([JANE, '0412 345 678', UNKNOWN, '12']);
    expect(Object.fromEntries(results)).toEqual({
      [JANE]: { status: 'found', name: 'Jane Citizen' },
      '0412 345 678': { status: 'found', name: 'Émilie Nguyễn' },
      [UNKNOWN]: { status: 'not_found' },
      '12': { status: 'invalid_number' },
    });
    expect(phones(directory).sort()).toEqual([JANE, UNKNOWN, '0412345678'].sort());
    expect(directory.requests().find((entry) => entry.phone === JANE)?.path).toBe('/api/user/%2B61299999854');
  });

  it('sends no request for hostile input', async () => {
    const { directory, callers } = await setup();
    const hostile = [
      '../admin?x=1',
      '%2F',
      '+61%2F..%2Fadmin',
      '١٢٣٤٥٦٧٨',
      '𝟎𝟏𝟐𝟑𝟒𝟓',
      '1'.repeat(10_240),
      'a'.repeat(10_240),
    ];
    const results = await callers.lookupMany(hostile);
    for (const result of results.values()) expect(result).toEqual({ status: 'invalid_number' });
    for (const phone of hostile)
      await expect(callers.lookup(phone)).resolves.toEqual({ status: 'invalid_number' });
    expect(directory.requests()).toHaveLength(0);
  });

  it('times out a hung request and does not retry it', async () => {
    const { directory, callers } = await setup(
      { faults: [{ fault: { type: 'hang' } }] },
      { requestTimeoutMs: 100 },
    );
    const started = performance.now();
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'error', reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(directory.requests()).toHaveLength(1);
  });

  it('times out a body that trickles in', async () => {
    const { callers } = await setup(
      { faults: [{ fault: { type: 'slow-body', chunkDelayMs: 100 } }] },
      { requestTimeoutMs: 250 },
    );
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'error', reason: 'timeout' });
  });

  it('retries 500s and answers once the directory recovers', async () => {
    const { directory, callers } = await setup({
      faults: [{ fault: { type: 'status', status: 500 }, times: 2 }],
    });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane Citizen' });
    expect(directory.requests().map((entry) => entry.fault)).toEqual(['status', 'status', undefined]);
    expect(callers.stats().requests).toMatchObject({ sent: 3, retries: 2 });
  });

  it('reports a persistent 500 as http_status after maxRetries', async () => {
    const { directory, callers } = await setup(
      { faults: [{ fault: { type: 'status', status: 500 } }] },
      { maxRetries: 1 },
    );
    await expect(callers.lookup(JANE)).resolves.toEqual({
      status: 'error',
      reason: 'http_status',
      statusCode: 500,
    });
    expect(directory.requests()).toHaveLength(2);
  });

  it('waits for a 429 Retry-After before retrying', async () => {
    const { directory, callers } = await setup({
      faults: [{ fault: { type: 'status', status: 429, headers: { 'retry-after': '1' } }, times: 1 }],
    });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane Citizen' });
    const [first, second] = directory.requests();
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a 429 whose Retry-After is past the deadline', async () => {
    const { directory, callers } = await setup({
      faults: [{ fault: { type: 'status', status: 429, headers: { 'retry-after': '2' } } }],
    });
    const started = performance.now();
    await expect(callers.lookup(JANE, { deadline: Date.now() + 1000 })).resolves.toEqual({
      status: 'error',
      reason: 'http_status',
      statusCode: 429,
    });
    expect(performance.now() - started).toBeLessThan(900);
    expect(directory.requests()).toHaveLength(1);
  });

  it('retries a connection reset', async () => {
    const { directory, callers } = await setup({ faults: [{ fault: { type: 'reset' }, times: 1 }] });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane Citizen' });
    expect(directory.requests()).toHaveLength(2);
  });

  it('reports resets as network errors when they persist', async () => {
    const { callers } = await setup({ faults: [{ fault: { type: 'reset' } }] }, { maxRetries: 1 });
    await expect(callers.lookup(JANE)).resolves.toMatchObject({ status: 'error', reason: 'network' });
  });

  it('reports a refused connection as a network error', async () => {
    const directory = await startDirectoryServer();
    await directory.close();
    const callers = createCallerLookup({ baseUrl: directory.baseUrl, maxRetries: 0 });
    cleanup.push(() => callers.close());
    await expect(callers.lookup(JANE)).resolves.toEqual({
      status: 'error',
      reason: 'network',
      detail: 'ECONNREFUSED',
    });
  });

  it.each([
    [
      'an HTML error page',
      { type: 'body', body: '<html><body>Bad Gateway</body></html>', contentType: 'text/html' },
    ],
    ['a stack trace', { type: 'body', body: 'Traceback (most recent call last):\n  File "app.py"' }],
    ['binary garbage', { type: 'body', body: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) }],
    ['a huge body', { type: 'huge-body', bytes: 5_000_000 }],
  ] as const)('never returns %s as a name', async (_label, fault) => {
    const { callers } = await setup({ faults: [{ fault }] });
    await expect(callers.lookup(JANE)).resolves.toMatchObject({ status: 'error', reason: 'bad_response' });
    expect(callers.stats().results.found).toBe(0);
  });

  it('settles lookupMany by its deadline while the directory hangs', async () => {
    const { callers } = await setup(
      { faults: [{ fault: { type: 'hang' }, phones: [JANE] }] },
      { requestTimeoutMs: 10_000 },
    );
    const started = performance.now();
    const results = await callers.lookupMany([JANE, '0412345678', 'x'], { deadline: Date.now() + 200 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1500);
    expect(Object.fromEntries(results)).toEqual({
      [JANE]: { status: 'error', reason: 'deadline_exceeded' },
      '0412345678': { status: 'found', name: 'Émilie Nguyễn' },
      x: { status: 'invalid_number' },
    });
    // The abandoned request is aborted, freeing its slot.
    await vi.waitFor(() => expect(callers.stats().requests.inFlight).toBe(0), { timeout: 500 });
  });

  it('opens the circuit every time hanging lookups hit the threshold by their deadline', async () => {
    const hanging = ['0412345678', '0412345679', '0412345670', '0412345671', '0412345672'];
    const { directory } = await setup({ faults: [{ fault: { type: 'hang' } }] });
    for (let run = 0; run < 20; run++) {
      const callers = createCallerLookup({
        baseUrl: directory.baseUrl,
        maxRetries: 0,
        circuitFailureThreshold: hanging.length,
        requestTimeoutMs: 10_000,
      });
      cleanup.push(() => callers.close());
      const deadline = Date.now() + 40;
      const results = await Promise.all(hanging.map((phone) => callers.lookup(phone, { deadline })));
      for (const result of results)
        expect(result, `run ${run}`).toEqual({ status: 'error', reason: 'deadline_exceeded' });
      expect(callers.stats().circuit, `run ${run}`).toEqual({ state: 'open', opens: 1 });
      expect(callers.stats().errors.aborted).toBe(0);
      await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'error', reason: 'circuit_open' });
      await callers.close();
    }
  });

  it('never retries past the deadline', async () => {
    const { directory, callers } = await setup(
      { latencyMs: 100, faults: [{ fault: { type: 'status', status: 503 } }] },
      { maxRetries: 10, retryBaseDelayMs: 200 },
    );
    const results = await callers.lookupMany([JANE], { deadline: Date.now() + 250 });
    expect(results.get(JANE)).toMatchObject({ status: 'error' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(directory.requests().length).toBeLessThanOrEqual(2);
  });

  it('opens the circuit on a failing directory, then probes and closes it', async () => {
    const { directory, callers } = await setup(
      { faults: [{ fault: { type: 'status', status: 500 } }] },
      { maxRetries: 0, circuitFailureThreshold: 3, circuitOpenMs: 200 },
    );
    for (let i = 0; i < 3; i++) await callers.lookup(JANE);
    const opened = await callers.lookupMany(['0412345678', UNKNOWN]);
    expect([...opened.values()]).toEqual([
      { status: 'error', reason: 'circuit_open' },
      { status: 'error', reason: 'circuit_open' },
    ]);
    expect(directory.requests()).toHaveLength(3);
    directory.setFaults([]);
    await new Promise((resolve) => setTimeout(resolve, 220));
    await expect(callers.lookup('0412345678')).resolves.toEqual({ status: 'found', name: 'Émilie Nguyễn' });
    expect(callers.stats().circuit).toEqual({ state: 'closed', opens: 1 });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'found', name: 'Jane Citizen' });
  });

  it('reports the 500 that opened the circuit, not circuit_open, on every lookup of the first batch', async () => {
    const logs: CallerLookupLogEntry[] = [];
    const { directory, callers } = await setup(
      { faults: [{ fault: { type: 'status', status: 500 } }] },
      { maxConcurrency: 1, circuitFailureThreshold: 1, logger: (entry) => logs.push(entry) },
    );
    const results = await callers.lookupMany([JANE, '0412345678', UNKNOWN, '0412345679']);
    // The first number's request failed and its retry was refused; the others were never sent.
    expect([...results.values()]).toEqual([
      { status: 'error', reason: 'http_status', statusCode: 500 },
      { status: 'error', reason: 'circuit_open' },
      { status: 'error', reason: 'circuit_open' },
      { status: 'error', reason: 'circuit_open' },
    ]);
    expect(directory.requests()).toHaveLength(1);
    const warnings = logs.filter((entry) => entry.level === 'warn');
    expect(warnings[0]).toEqual({
      level: 'warn',
      event: 'circuit_opened',
      phone: '+61******854',
      reason: 'http_status',
      statusCode: 500,
      attempt: 0,
    });
    expect(
      warnings.find((entry) => entry.phone === '+61******854' && entry.event === 'lookup_failed'),
    ).toMatchObject({
      reason: 'http_status',
      statusCode: 500,
    });
    expect(JSON.stringify(logs)).not.toMatch(/61299999854|412345678|299990000/);
  });

  it('reports the refused connection that opened the circuit, not circuit_open', async () => {
    const directory = await startDirectoryServer();
    await directory.close();
    const logs: CallerLookupLogEntry[] = [];
    const callers = createCallerLookup({
      baseUrl: directory.baseUrl,
      maxRetries: 2,
      retryBaseDelayMs: 1,
      circuitFailureThreshold: 1,
      logger: (entry) => logs.push(entry),
    });
    cleanup.push(() => callers.close());
    await expect(callers.lookup(JANE)).resolves.toEqual({
      status: 'error',
      reason: 'network',
      detail: 'ECONNREFUSED',
    });
    expect(logs.find((entry) => entry.event === 'circuit_opened')).toMatchObject({
      reason: 'network',
      detail: 'ECONNREFUSED',
    });
    expect(callers.stats().requests.sent).toBe(1);
  });

  it('re-opens the circuit when the probe fails', async () => {
    const { directory, callers } = await setup(
      { faults: [{ fault: { type: 'status', status: 502 } }] },
      { maxRetries: 0, circuitFailureThreshold: 2, circuitOpenMs: 100 },
    );
    await callers.lookup(JANE);
    await callers.lookup(JANE);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await expect(callers.lookup(JANE)).resolves.toMatchObject({ reason: 'http_status', statusCode: 502 });
    await expect(callers.lookup(JANE)).resolves.toEqual({ status: 'error', reason: 'circuit_open' });
    expect(callers.stats().circuit).toEqual({ state: 'open', opens: 2 });
    expect(directory.requests()).toHaveLength(3);
  });

  it('expires cached answers with the injected clock', async () => {
    let now = 1_000_000;
    const { directory, callers } = await setup(
      {},
      { clock: { now: () => now }, foundTtlMs: 1000, notFoundTtlMs: 100 },
    );
    await callers.lookupMany([JANE, UNKNOWN]);
    await callers.lookupMany([JANE, UNKNOWN]);
    expect(directory.requests()).toHaveLength(2);
    now += 100;
    await callers.lookupMany([JANE, UNKNOWN]);
    expect(phones(directory).slice(2)).toEqual([UNKNOWN]);
    now += 900;
    await callers.lookupMany([JANE, UNKNOWN]);
    expect(phones(directory).slice(3).sort()).toEqual([JANE, UNKNOWN].sort());
    expect(callers.stats().cache).toMatchObject({ hits: 3, misses: 5 });
  });

  it('makes one request for N identical numbers, in one call and across concurrent calls', async () => {
    const { directory, callers } = await setup({ latencyMs: 30 });
    const same = Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? JANE : '+61 2 9999 9854'));
    const [many, ...singles] = await Promise.all([
      callers.lookupMany(same),
      ...Array.from({ length: 20 }, () => callers.lookup('(+61) 2-9999-9854')),
    ]);
    expect(many.size).toBe(2);
    for (const result of [...many!.values(), ...singles])
      expect(result).toEqual({ status: 'found', name: 'Jane Citizen' });
    expect(directory.requests()).toHaveLength(1);
  });

  it("does not cut off a shared request at the first caller's deadline when a later caller joins", async () => {
    const { directory, callers } = await setup({ latencyMs: 300 });
    const early = callers.lookup(JANE, { deadline: Date.now() + 100 });
    const later = callers.lookup(JANE); // no deadline: joins the request in the air
    const laterWithDeadline = callers.lookupMany([JANE], { deadline: Date.now() + 5000 });
    await expect(early).resolves.toEqual({ status: 'error', reason: 'deadline_exceeded' });
    await expect(later).resolves.toEqual({ status: 'found', name: 'Jane Citizen' });
    expect((await laterWithDeadline).get(JANE)).toEqual({ status: 'found', name: 'Jane Citizen' });
    expect(directory.requests()).toHaveLength(1);
    expect(callers.stats().circuit).toMatchObject({ state: 'closed' });
  });

  it('still cuts a shared request at the latest deadline of its callers', async () => {
    const { callers } = await setup({ latencyMs: 400 });
    const started = Date.now();
    const results = await Promise.all([
      callers.lookup(JANE, { deadline: started + 50 }),
      callers.lookup(JANE, { deadline: started + 150 }),
    ]);
    expect(results).toEqual([
      { status: 'error', reason: 'deadline_exceeded' },
      { status: 'error', reason: 'deadline_exceeded' },
    ]);
    expect(Date.now() - started).toBeLessThan(380);
  });

  it('caps the requests in flight', async () => {
    const entries = Object.fromEntries(
      Array.from({ length: 40 }, (_, index) => [`04000000${10 + index}`, `Caller ${index}`]),
    );
    const directory = await startDirectoryServer({ entries, latencyMs: 40 });
    cleanup.push(() => directory.close());
    const callers = createCallerLookup({ baseUrl: directory.baseUrl, maxConcurrency: 4 });
    cleanup.push(() => callers.close());
    const pending = callers.lookupMany(Object.keys(entries));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(callers.stats().requests).toMatchObject({ inFlight: 4, queued: 36 });
    const results = await pending;
    expect([...results.values()].every((result) => result.status === 'found')).toBe(true);
    expect(callers.stats().latencyMs.count).toBe(40);
    expect(callers.stats().latencyMs.p50).toBeGreaterThanOrEqual(35);
  });

  it('close() aborts pending lookups and closes its own connections', async () => {
    const { callers } = await setup({ faults: [{ fault: { type: 'hang' } }] });
    const pending = callers.lookup(JANE);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await callers.close();
    await expect(pending).resolves.toEqual({ status: 'error', reason: 'aborted' });
  });
});
