import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type DirectoryFault,
  runDirectoryCli,
  startDirectoryServer,
} from '../../src/directory-server/index.js';
import { CallerLookupOptionsError, DirectoryFileError } from '../../src/index.js';

const events = (name: string) => fileURLToPath(new URL(`../events/${name}`, import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'caller-directory-'));
const file = (name: string, content: string) => {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
};
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function get(url: string) {
  const { statusCode, headers, body } = await request(url);
  return { statusCode, contentType: headers['content-type'], text: await body.text() };
}

describe('startDirectoryServer', () => {
  it.each(['callers.csv', 'callers.json'])(
    'serves names from %s with the tutorial contract',
    async (name) => {
      const server = await startDirectoryServer({ file: events(name) });
      try {
        expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/user\/$/);
        expect(await get(`${server.baseUrl}+61299999854`)).toEqual({
          statusCode: 200,
          contentType: 'text/plain; charset=utf-8',
          text: 'Jane Citizen',
        });
        expect((await get(`${server.baseUrl}%2B61299990001`)).text).toBe('Smith, John');
        expect((await get(`${server.baseUrl}0412345678`)).text).toBe('Émilie Nguyễn');
        expect((await get(`${server.baseUrl}0299990000`)).statusCode).toBe(404);
        expect((await get(`${server.baseUrl}..%2Fadmin`)).statusCode).toBe(400);
        expect((await get(`${server.url}/elsewhere`)).statusCode).toBe(404);
        expect(server.requests().map((entry) => entry.phone)).toEqual([
          '+61299999854',
          '+61299990001',
          '0412345678',
          '0299990000',
          '../admin',
          undefined,
        ]);
      } finally {
        await server.close();
      }
    },
  );

  it('reads quoted CSV fields with commas and doubled quotes', async () => {
    const server = await startDirectoryServer({ file: events('callers.csv') });
    try {
      expect((await get(`${server.baseUrl}%2B15550109999`)).text).toBe('Zoë "Zed" O\'Brien');
      expect(server.size).toBe(4);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['a missing header', 'missing.csv', '+61299999854,Jane\n', /header with the columns phone,name.*/, 1],
    [
      'a bad phone number',
      'bad-phone.csv',
      'phone,name\n+61299999854,Jane\n../admin,Eve\n',
      /invalid phone number \[invalid phone number\]/,
      3,
    ],
    [
      'a duplicate',
      'dup.csv',
      'phone,name\n+61299999854,Jane\n+61 2 9999 9854,June\n',
      /duplicate phone number \+61\*\*\*\*\*\*854/,
      3,
    ],
    [
      'a wrong field count',
      'fields.csv',
      'phone,name\n+61299999854,Jane,extra\n',
      /expected 2 fields, found 3/,
      2,
    ],
    ['an unclosed quote', 'quote.csv', 'phone,name\n+61299999854,"Jane\n', /quoted field is not closed/, 2],
    ['an empty name', 'empty.csv', 'phone,name\n+61299999854, \n', /empty or non-string name/, 2],
  ])(
    'rejects a CSV with %s, naming the line and masking numbers',
    async (_label, name, content, message, line) => {
      const error = await startDirectoryServer({ file: file(name, content) }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DirectoryFileError);
      expect(error).toMatchObject({ line, code: 'DIRECTORY_FILE' });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('61299999854');
    },
  );

  it.each([
    ['invalid JSON', 'bad.json', '{"+61299999854": ', /not valid JSON/],
    ['a JSON array', 'array.json', '[["+61299999854", "Jane"]]', /expected a JSON object/],
    ['a non-string name', 'number.json', '{"+61299999854": 42}', /empty or non-string name/],
  ])('rejects %s', async (_label, name, content, message) => {
    await expect(startDirectoryServer({ file: file(name, content) })).rejects.toThrow(message);
  });

  it('refuses a file with a name no client would accept, or a JSON number given twice, naming neither value', async () => {
    for (const [name, content, message] of [
      ['multi-line.csv', 'phone,name\n+61299999854,"Jane\nCitizen"\n', /:2: .*multi-line response/],
      ['markup.csv', 'phone,name\n+61299999854,<b>Jane</b>\n', /markup in response/],
      ['no-letters.json', '{"+61299999854":"12345"}', /has no letters/],
      [
        'twice.json',
        '{\n"+61299999854":"Alice",\n"+61299999854":"Mallory"\n}',
        /:3: duplicate phone number \+61\*+854/,
      ],
    ] as const) {
      const error = await startDirectoryServer({ file: file(name, content) }).catch(
        (caught: unknown) => caught,
      );
      expect(error, name).toBeInstanceOf(DirectoryFileError);
      expect((error as Error).message, name).toMatch(message);
      expect((error as Error).message, name).not.toMatch(/Jane|Alice|Mallory|12345/);
    }
  });

  it('serves a name as a client reads it: control characters stripped', async () => {
    const server = await startDirectoryServer({
      file: file('bell.csv', 'phone,name\n+61299999854,Jane\u0007\u0007\n'),
    });
    expect((await get(`${server.baseUrl}%2B61299999854`)).text).toBe('Jane');
    await server.close();
  });

  it('rejects a missing file', async () => {
    await expect(startDirectoryServer({ file: join(work, 'nope.csv') })).rejects.toThrow(
      /cannot read the file \(ENOENT\)/,
    );
  });

  it('records method, path and phone but no credential headers unless asked for by name', async () => {
    const headers = {
      'x-api-key': 'sekret-123',
      authorization: 'Bearer sekret-456',
      cookie: 'session=sekret-789',
      'x-auth-token': 'sekret-000',
      'x-request-id': 'req-1',
    };
    const server = await startDirectoryServer({ entries: { '+61299999854': 'Jane' } });
    const opted = await startDirectoryServer({ recordSecretHeaders: ['X-Api-Key'] });
    try {
      await (await request(`${server.baseUrl}%2B61299999854`, { headers })).body.text();
      await (await request(`${opted.baseUrl}%2B61299999854`, { headers })).body.text();
      const [seen] = server.requests();
      expect(seen).toMatchObject({ method: 'GET', path: '/api/user/%2B61299999854', phone: '+61299999854' });
      expect(seen?.headers['x-request-id']).toBe('req-1');
      expect(JSON.stringify(server.requests())).not.toContain('sekret');
      const [optedIn] = opted.requests();
      expect(optedIn?.headers['x-api-key']).toBe('sekret-123');
      expect(JSON.stringify({ ...optedIn?.headers, 'x-api-key': undefined })).not.toContain('sekret');
    } finally {
      await Promise.all([server.close(), opted.close()]);
    }
  });

  it('keeps only the latest recordRequests requests, oldest first, and counts them all', async () => {
    const server = await startDirectoryServer({ recordRequests: 3 });
    const silent = await startDirectoryServer({ recordRequests: 0 });
    try {
      for (let index = 0; index < 5; index++) {
        await get(`${server.baseUrl}029999000${index}`);
        await get(`${silent.baseUrl}029999000${index}`);
      }
      expect(server.requests().map((entry) => entry.phone)).toEqual([
        '0299990002',
        '0299990003',
        '0299990004',
      ]);
      expect(server.requestCount()).toBe(5);
      expect(silent.requests()).toEqual([]);
      expect(silent.requestCount()).toBe(5);
    } finally {
      await Promise.all([server.close(), silent.close()]);
    }
    for (const recordRequests of [-1, 1.5, Number.NaN]) {
      await expect(startDirectoryServer({ recordRequests })).rejects.toThrow(CallerLookupOptionsError);
    }
  });

  it('injects latency and faults by rule, and can change them at run time', async () => {
    const server = await startDirectoryServer({
      entries: { '+61299999854': 'Jane' },
      latencyMs: 30,
      faults: [{ fault: { type: 'status', status: 503, headers: { 'retry-after': '1' } }, times: 1 }],
    });
    try {
      const started = performance.now();
      const first = await request(`${server.baseUrl}%2B61299999854`);
      await first.body.text();
      expect(first.statusCode).toBe(503);
      expect(first.headers['retry-after']).toBe('1');
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
      expect((await get(`${server.baseUrl}%2B61299999854`)).text).toBe('Jane');
      server.setFaults([{ fault: { type: 'body', body: '<html>oops</html>', contentType: 'text/html' } }]);
      expect(await get(`${server.baseUrl}%2B61299999854`)).toMatchObject({
        statusCode: 200,
        text: '<html>oops</html>',
      });
      expect(server.requests().map((entry) => entry.fault)).toEqual(['status', undefined, 'body']);
    } finally {
      await server.close();
    }
  });

  it('reads the number from the path: query ignored, escapes decoded, a malformed escape is a 400', async () => {
    const server = await startDirectoryServer({ entries: { '+61299999854': 'Jane Citizen' } });
    try {
      expect((await get(`${server.baseUrl}+61299999854?source=ivr`)).text).toBe('Jane Citizen');
      expect((await get(`${server.baseUrl}%2B61299999854?a=%ZZ`)).text).toBe('Jane Citizen');
      expect((await get(`${server.baseUrl}+61%20299%20999%20854`)).text).toBe('Jane Citizen');
      expect((await get(`${server.baseUrl}%E0%A4%A`)).statusCode).toBe(400);
      expect((await get(`${server.baseUrl}?only=query`)).statusCode).toBe(400);
      expect(server.requests().map((entry) => entry.phone)).toEqual([
        '+61299999854',
        '+61299999854',
        '+61 299 999 854',
        '%E0%A4%A',
        '',
      ]);
    } finally {
      await server.close();
    }
  });

  it('holds every answer for the latency, in arrival order, and a lowered latency applies at once', async () => {
    const server = await startDirectoryServer({ entries: { '0299990000': 'Ada' }, latencyMs: 60 });
    try {
      const order: string[] = [];
      const timed = async (label: string) => {
        const started = performance.now();
        const answer = await get(`${server.baseUrl}0299990000`);
        order.push(label);
        return { ...answer, waitedMs: performance.now() - started };
      };
      const slow = [timed('slow-1'), timed('slow-2'), timed('slow-3')];
      while (server.requestCount() < 3) await new Promise((resolve) => setTimeout(resolve, 1));
      server.setLatencyMs(0);
      const fast = await timed('fast');
      const answers = await Promise.all(slow);
      expect(answers.map((answer) => answer.text)).toEqual(['Ada', 'Ada', 'Ada']);
      for (const answer of answers) expect(answer.waitedMs).toBeGreaterThanOrEqual(58);
      expect(fast.text).toBe('Ada');
      expect(order[0]).toBe('fast'); // not queued behind the answers still held
      server.setLatencyMs(20);
      const [later] = await Promise.all([timed('later')]);
      expect(later!.waitedMs).toBeGreaterThanOrEqual(18);
    } finally {
      await server.close();
    }
  });

  it('drops held answers on close: none is written afterwards', async () => {
    const server = await startDirectoryServer({ entries: { '0299990000': 'Ada' }, latencyMs: 200 });
    const pending = [1, 2, 3].map(() => get(`${server.baseUrl}0299990000`).catch((error: unknown) => error));
    while (server.requestCount() < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    await server.close();
    for (const outcome of await Promise.all(pending)) expect(outcome).toBeInstanceOf(Error);
  });

  it('leaves no timer behind on close while a slow body drips', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const server = await startDirectoryServer({
      entries: { '0299990000': 'Slow' },
      faults: [{ fault: { type: 'slow-body', chunkDelayMs: 150 } }],
    });
    const pending = request(`${server.baseUrl}0299990000`)
      .then(({ body }) => body.text())
      .catch((error: unknown) => error);
    // After two drips: each drip queues the next from inside the queue's own run.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await server.close();
    await pending;
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('closes even with hung requests open', async () => {
    const server = await startDirectoryServer({
      entries: { '0299990000': 'Hung' },
      faults: [{ fault: { type: 'hang' } }],
    });
    const pending = request(`${server.baseUrl}0299990000`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('rejects a duplicate between file and entries, and bad options', async () => {
    await expect(
      startDirectoryServer({ file: events('callers.json'), entries: { '+61 2 9999 9854': 'Other' } }),
    ).rejects.toThrow(/duplicate phone number \+61\*\*\*\*\*\*854/);
    await expect(startDirectoryServer({ basePath: 'api' })).rejects.toBeInstanceOf(CallerLookupOptionsError);
    await expect(startDirectoryServer({ latencyMs: -1 })).rejects.toBeInstanceOf(CallerLookupOptionsError);
    await expect(
      startDirectoryServer({ faults: [{ fault: { type: 'hang' }, probability: 2 }] }),
    ).rejects.toThrow(/probability/);
  });

  it.each([
    [70_000, 'got 70000'],
    [-1, 'got -1'],
    [80.5, 'got 80.5'],
    ['8080', 'got the string "8080"'],
  ])('rejects port %j as an option error, not a raw RangeError', async (port, got) => {
    const error = await startDirectoryServer({ port: port as number }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallerLookupOptionsError);
    expect(error).toMatchObject({ option: 'port', code: 'INVALID_OPTIONS' });
    expect((error as Error).message).toContain(
      `expected an integer from 0 to 65535 (0 picks a free port), ${got}`,
    );
  });

  it.each([
    [
      'status 0',
      { type: 'status', status: 0 },
      /faults\[0\]\.fault\.status: expected an integer HTTP status from 300 to 599 \(an error or a redirect; a 200 with a wrong body is a "body" fault\), got 0/,
    ],
    ['status 42', { type: 'status', status: 42 }, /status from 300 to 599 .*, got 42/],
    [
      'status 100, which never ends the request',
      { type: 'status', status: 100 },
      /from 300 to 599 .*, got 100/,
    ],
    ['status 200, which would serve a name', { type: 'status', status: 200 }, /from 300 to 599 .*, got 200/],
    ['status 299', { type: 'status', status: 299 }, /got 299/],
    [
      'a body fault with status 103',
      { type: 'body', body: 'x', status: 103 },
      /\.status: expected an integer HTTP status from 200 to 599 \(a 1xx is not a final answer\), got 103/,
    ],
    ['status 600', { type: 'status', status: 600 }, /got 600/],
    ['status 500.5', { type: 'status', status: 500.5 }, /got 500\.5/],
    ['a status string', { type: 'status', status: '500' }, /got the string "500"/],
    ['no status', { type: 'status' }, /got undefined/],
    ['a body fault with status 1000', { type: 'body', body: 'x', status: 1000 }, /\.status: .*got 1000/],
    [
      'a header with a newline',
      { type: 'status', status: 429, headers: { 'retry-after': '1\n' } },
      /\.headers: header "retry-after" has an invalid value/,
    ],
    [
      'a bad content type',
      { type: 'body', body: 'x', contentType: 'text/html\r\n' },
      /\.contentType: .*line break/,
    ],
    [
      'an unknown type',
      { type: 'stauts', status: 500 },
      /\.type: expected one of status, hang, reset, slow-body, body, huge-body, got the string "stauts"/,
    ],
    ['huge-body without bytes', { type: 'huge-body' }, /\.bytes: expected an integer >= 0, got undefined/],
  ])('rejects a fault with %s when the server starts and in setFaults', async (_label, fault, message) => {
    const faults = [{ fault: fault as unknown as DirectoryFault }];
    const error = await startDirectoryServer({ faults }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallerLookupOptionsError);
    expect(error).toMatchObject({ option: 'faults' });
    expect((error as Error).message).toMatch(message);
    const server = await startDirectoryServer({ entries: { '+61299999854': 'Jane' } });
    try {
      expect(() => server.setFaults(faults)).toThrow(message);
      // The rules in place are kept, and the server still answers.
      expect((await get(`${server.baseUrl}%2B61299999854`)).text).toBe('Jane');
    } finally {
      await server.close();
    }
  });

  it('accepts every status from 300 to 599 in a status fault, and from 200 in a body fault', async () => {
    const server = await startDirectoryServer({ entries: { '+61299999854': 'Jane' } });
    try {
      for (const status of [300, 302, 404, 418, 429, 599])
        expect(() => server.setFaults([{ fault: { type: 'status', status } }])).not.toThrow();
      for (const status of [200, 204, 301, 503])
        expect(() => server.setFaults([{ fault: { type: 'body', body: '<html>', status } }])).not.toThrow();
      server.setFaults([{ fault: { type: 'status', status: 599 } }]);
      expect((await get(`${server.baseUrl}%2B61299999854`)).statusCode).toBe(599);
    } finally {
      await server.close();
    }
  });

  it('rejects a latency a timer cannot hold, at start and in setLatencyMs', async () => {
    await expect(startDirectoryServer({ latencyMs: 2 ** 31 })).rejects.toThrow(
      /"latencyMs": expected a number from 0 to 2147483647, got 2147483648/,
    );
    const server = await startDirectoryServer();
    try {
      expect(() => server.setLatencyMs(Number.NaN)).toThrow(CallerLookupOptionsError);
      expect(() => server.setLatencyMs(-1)).toThrow(/got -1/);
    } finally {
      await server.close();
    }
  });
});

describe('ctr-caller-directory command line', () => {
  it('starts a server from flags and prints its base URL', async () => {
    const lines: string[] = [];
    const server = await runDirectoryCli(
      ['--file', events('callers.csv'), '--port', '0', '--latency-ms', '5', '--error-rate', '0'],
      (line) => lines.push(line),
    );
    try {
      expect(server).toBeDefined();
      expect(lines).toEqual([`ctr-caller-directory: 4 entries, listening on ${server!.baseUrl}`]);
      expect((await get(`${server!.baseUrl}0412345678`)).text).toBe('Émilie Nguyễn');
    } finally {
      await server?.close();
    }
  });

  it('keeps no requests when told to (the bin does: nothing outside its process can read them), but counts them', async () => {
    const server = await runDirectoryCli(['--file', events('callers.csv'), '--port', '0'], () => undefined, {
      recordRequests: 0,
    });
    try {
      expect((await get(`${server!.baseUrl}0412345678`)).text).toBe('Émilie Nguyễn');
      expect((await get(`${server!.baseUrl}%2B61299999854?x=1`)).statusCode).toBeLessThan(500);
      expect(server!.requests()).toEqual([]);
      expect(server!.requestCount()).toBe(2);
    } finally {
      await server?.close();
    }
  });

  it('injects faults from rate flags', async () => {
    const server = await runDirectoryCli(
      ['--file', events('callers.json'), '--port', '0', '--error-rate', '1', '--error-status', '502'],
      () => undefined,
    );
    try {
      expect((await get(`${server!.baseUrl}0412345678`)).statusCode).toBe(502);
    } finally {
      await server?.close();
    }
  });

  it('prints help and rejects bad flags', async () => {
    const lines: string[] = [];
    await expect(runDirectoryCli(['--help'], (line) => lines.push(line))).resolves.toBeUndefined();
    expect(lines[0]).toMatch(/^Usage: ctr-caller-directory --file/);
    await expect(runDirectoryCli([])).rejects.toThrow(/--file.*is required/);
    await expect(runDirectoryCli(['--file', 'x.csv', '--port', 'abc'])).rejects.toThrow(/--port/);
    await expect(runDirectoryCli(['--file', 'x.csv', '--hang-rate', '1.5'])).rejects.toThrow(/--hang-rate/);
    await expect(runDirectoryCli(['--file', 'x.csv', '--bogus'])).rejects.toThrow(/Unknown option '--bogus'/);
  });

  it("prints the package's version for --version and starts nothing; --help wins over it", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const printed = async (argv: string[]) => {
      let stdout = '';
      const server = await runDirectoryCli(argv, (line) => {
        stdout += `${line}\n`;
      });
      return { server, stdout };
    };
    for (const argv of [['--version'], ['--file', events('callers.csv'), '--port', '0', '--version']]) {
      expect(await printed(argv)).toEqual({ server: undefined, stdout: `${version}\n` });
    }
    const help = await printed(['--help']);
    expect(help.stdout).toContain('\n  --version               show the version\n');
    expect(await printed(['--version', '--help'])).toEqual(help);
    await expect(runDirectoryCli(['--version', '--bogus'])).rejects.toThrow(/Unknown option '--bogus'/);
  });

  // The bin runs this code from a chunk tsup puts in dist/, one level below the package.json instead of two.
  // Needs the build (`npm test` and nx's test target build first): the bin runs dist/, laid out unlike src/.
  const bin = fileURLToPath(new URL('../../bin/ctr-caller-directory.js', import.meta.url));
  it("the built bin prints the package's version and a newline for --version", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    // execFile rejects on an exit code other than 0, and kills a bin that started a server and never ends.
    const run = (argv: string[]) =>
      promisify(execFile)(process.execPath, [bin, ...argv], { timeout: 10_000 });
    expect(await run(['--file', events('callers.csv'), '--port', '0', '--version'])).toEqual({
      stdout: `${version}\n`,
      stderr: '',
    });
    expect((await run(['--help'])).stdout).toContain('\n  --version               show the version\n');
  });

  it('the built bin says in one line, exit 2, what to change: a port in use, an unknown flag, a bad value', async () => {
    const taken = await startDirectoryServer({ entries: { '+61299999854': 'Jane' } });
    const port = new URL(taken.url).port;
    const fail = (argv: string[]) =>
      promisify(execFile)(process.execPath, [bin, ...argv], { timeout: 10_000 }).then(
        () => ({ code: 0, firstLine: '' }),
        (error: { code: number; stderr: string }) => ({
          code: error.code,
          firstLine: error.stderr.split('\n')[0],
        }),
      );
    try {
      expect(await fail(['--file', events('callers.csv'), '--port', port])).toEqual({
        code: 2,
        firstLine: `ctr-caller-directory: --port: ${port} on 127.0.0.1 is in use: pass another --port (0 picks a free one)`,
      });
    } finally {
      await taken.close();
    }
    expect((await fail(['--bogus'])).firstLine).toMatch(
      /^ctr-caller-directory: Unknown option '--bogus'\.?$/,
    );
    expect(await fail(['--file', events('callers.csv'), '--port', 'abc'])).toEqual({
      code: 2,
      firstLine: 'ctr-caller-directory: --port: expected an integer from 0 to 65535, got "abc"',
    });
  });

  it.each(['0', '42', '99', '100', '101', '200', '299', '600', '500.5', '5e2', '-500', ''])(
    'rejects --error-status %j before starting (no error: a crash, a hang or a name)',
    async (status) => {
      const error = await runDirectoryCli(
        ['--file', events('callers.csv'), '--port', '0', '--error-rate', '1', `--error-status=${status}`],
        () => undefined,
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CallerLookupOptionsError);
      expect(error).toMatchObject({ option: '--error-status' });
      expect((error as Error).message).toContain(`expected an integer from 300 to 599, got "${status}"`);
    },
  );

  it.each(['65536', '80.5', '-1'])('rejects --port %j', async (port) => {
    await expect(runDirectoryCli(['--file', events('callers.csv'), `--port=${port}`])).rejects.toThrow(
      `"--port": expected an integer from 0 to 65535, got "${port}"`,
    );
  });
});
