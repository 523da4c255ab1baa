import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const script = new URL('../es.mjs', import.meta.url).pathname;
let scratch: string;

function esStart(env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, [script, 'start'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ELASTICSEARCH_URL: undefined,
      ES_VERSION: undefined,
      ES_PORT: undefined,
      ...env,
    } as NodeJS.ProcessEnv,
    timeout: 120_000,
  });
  const lines = result.stderr.trim().split('\n').filter(Boolean);
  return { status: result.status, lastError: lines.at(-1) ?? '', stdout: result.stdout };
}

/** Like esStart, without blocking this process's event loop (the test serves HTTP while it runs). */
function esStartAsync(env: Record<string, string | undefined>) {
  return new Promise<{ status: number | null; lastError: string }>((resolve) => {
    const child = spawn(process.execPath, [script, 'start'], {
      env: {
        ...process.env,
        ELASTICSEARCH_URL: undefined,
        ES_VERSION: undefined,
        ES_PORT: undefined,
        ...env,
      } as NodeJS.ProcessEnv,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('close', (status) =>
      resolve({ status, lastError: stderr.trim().split('\n').filter(Boolean).at(-1) ?? '' }),
    );
  });
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'es-script-'));
  chmodSync(scratch, 0o755); // as root the node runs as nobody, who must reach its runtime dir
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('es:start failure paths: one line naming the fix', () => {
  test('ELASTICSEARCH_URL that does not answer', () => {
    const result = esStart({
      ELASTICSEARCH_URL: 'http://user:secret@127.0.0.1:9',
      CTR_STREAM_CACHE_DIR: join(scratch, 'a'),
    });
    expect(result.status).toBe(1);
    expect(result.lastError).toBe(
      'es:start: ELASTICSEARCH_URL=http://***@127.0.0.1:9: GET /_cluster/health no answer. Start that cluster, fix the URL, or unset ELASTICSEARCH_URL',
    );
    expect(result.lastError).not.toContain('secret');
  });

  test('ELASTICSEARCH_URL without its scheme, and an ES_PORT that is not a port', () => {
    const bare = esStart({ ELASTICSEARCH_URL: '127.0.0.1:9200', CTR_STREAM_CACHE_DIR: join(scratch, 'i') });
    expect(bare.status).toBe(1);
    expect(bare.lastError).toBe(
      'es:start: ELASTICSEARCH_URL is not a URL: write it with its scheme, e.g. http://127.0.0.1:9200',
    );
    const host = esStart({ ELASTICSEARCH_URL: 'localhost:9200', CTR_STREAM_CACHE_DIR: join(scratch, 'i') });
    expect(host.lastError).toBe(
      'es:start: ELASTICSEARCH_URL must be an http:// or https:// URL, e.g. http://localhost:9200',
    );
    const secret = esStart({
      ELASTICSEARCH_URL: 'elastic:s3cret@localhost:9200',
      CTR_STREAM_CACHE_DIR: join(scratch, 'i'),
    });
    expect(secret.lastError).toBe(
      'es:start: ELASTICSEARCH_URL must be an http:// or https:// URL, e.g. http://***@localhost:9200',
    );
    const port = esStart({ ES_PORT: 'abc', CTR_STREAM_CACHE_DIR: join(scratch, 'i') });
    expect(port.status).toBe(1);
    expect(port.lastError).toBe(
      'es:start: ES_PORT must be a port number from 1 to 65535 (got "abc"): fix it, or unset ES_PORT to use 9200 or a free port',
    );
    expect(esStart({ ES_PORT: '99999', CTR_STREAM_CACHE_DIR: join(scratch, 'i') }).lastError).toContain(
      'ES_PORT must be a port number from 1 to 65535 (got "99999")',
    );
  });

  test('ELASTICSEARCH_URL with a user and password: sent as Basic auth, never printed', async () => {
    const seen: (string | undefined)[] = [];
    const cluster = createHttpServer((request, response) => {
      seen.push(request.headers.authorization);
      const ok =
        request.headers.authorization === `Basic ${Buffer.from('elastic:s3cr@t').toString('base64')}`;
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      response.end(ok ? '{"status":"yellow"}' : '{"error":"unauthorized"}');
    });
    await new Promise<void>((resolve) => cluster.listen(0, '127.0.0.1', resolve));
    const { port } = cluster.address() as { port: number };
    try {
      const good = await esStartAsync({
        ELASTICSEARCH_URL: `http://elastic:s3cr%40t@127.0.0.1:${port}`,
        CTR_STREAM_CACHE_DIR: join(scratch, 'j'),
      });
      expect(good.status).toBe(0);
      expect(good.lastError).not.toContain('s3cr');
      const bad = await esStartAsync({
        ELASTICSEARCH_URL: `http://elastic:wrong@127.0.0.1:${port}`,
        CTR_STREAM_CACHE_DIR: join(scratch, 'j'),
      });
      expect(bad.status).toBe(1);
      expect(bad.lastError).toBe(
        `es:start: ELASTICSEARCH_URL=http://***@127.0.0.1:${port}: GET /_cluster/health answers 401: check the user and password in the URL. Start that cluster, fix the URL, or unset ELASTICSEARCH_URL`,
      );
      expect(seen.every((header) => header?.startsWith('Basic '))).toBe(true);
    } finally {
      await new Promise<void>((resolve) => cluster.close(() => resolve()));
    }
  });

  test('a JDK home that is not a JDK', () => {
    const result = esStart({
      ES_JAVA_HOME: join(scratch, 'no-jdk'),
      CTR_STREAM_CACHE_DIR: join(scratch, 'b'),
    });
    expect(result.status).toBe(1);
    expect(result.lastError).toMatch(
      /ES_JAVA_HOME=.*no-jdk holds no working JDK: point it at a JDK 17\+ home/,
    );
  });

  test('a version that needs a newer Java than the one given', () => {
    const java17 = '/usr/lib/jvm/java-17-openjdk-amd64';
    const result = esStart({
      ES_JAVA_HOME: java17,
      ES_VERSION: '9.5.4',
      CTR_STREAM_CACHE_DIR: join(scratch, 'c'),
    });
    expect(result.status).toBe(1);
    expect(result.lastError).toMatch(/Elasticsearch 9\.5\.4 needs Java 21\+/);
  });

  describe('with the port taken', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('ES_PORT in use', () => {
      const result = esStart({ ES_PORT: String(port), CTR_STREAM_CACHE_DIR: join(scratch, 'd') });
      expect(result.status).toBe(1);
      expect(result.lastError).toBe(
        `es:start: Port ${port} (ES_PORT) is in use on 127.0.0.1: free it, or unset ES_PORT to use a free port`,
      );
    });
  });

  /** A stand-in node: a live process whose command line names `home`, as the real node's does. */
  function fakeNodeProcess(home: string) {
    return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)', home], { stdio: 'ignore' });
  }

  test('an ES_VERSION other than the running node', async () => {
    // A running "node": a process of ours and an HTTP server that answers the health check.
    const health = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"green"}');
    });
    await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
    const { port } = health.address() as { port: number };
    const home = join(scratch, 'g-home', 'elasticsearch-9.5.4');
    const node = fakeNodeProcess(home);
    const cache = join(scratch, 'g');
    mkdirSync(cache, { recursive: true });
    writeFileSync(
      join(cache, 'elasticsearch-node.json'),
      JSON.stringify({
        pid: node.pid,
        home,
        url: `http://127.0.0.1:${port}`,
        version: '9.5.4',
        logPath: '/tmp/x.log',
      }),
    );
    try {
      const result = await esStartAsync({
        ES_VERSION: '8.19.21',
        CTR_STREAM_CACHE_DIR: cache,
        PATH: '/nonexistent',
      });
      expect(result.status).toBe(1);
      expect(result.lastError).toBe(
        'es:start: Elasticsearch 9.5.4 is running but ES_VERSION=8.19.21: stop it first (npm run es:stop) or unset ES_VERSION (log: /tmp/x.log)',
      );
    } finally {
      node.kill('SIGKILL');
      await new Promise<void>((resolve) => health.close(() => resolve()));
    }
  });

  test('es:stop leaves alone a process that reuses the recorded pid', async () => {
    const stranger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)'], { stdio: 'ignore' });
    const cache = join(scratch, 'h');
    mkdirSync(cache, { recursive: true });
    writeFileSync(
      join(cache, 'elasticsearch-node.json'),
      JSON.stringify({
        pid: stranger.pid,
        home: join(scratch, 'h-home'),
        url: 'http://127.0.0.1:9',
        version: '9.5.4',
      }),
    );
    try {
      const result = spawnSync(process.execPath, [script, 'stop'], {
        encoding: 'utf8',
        env: {
          ...process.env,
          ELASTICSEARCH_URL: undefined,
          CTR_STREAM_CACHE_DIR: cache,
        } as NodeJS.ProcessEnv,
      });
      expect(result.stderr.trim()).toBe('No local Elasticsearch is running.');
      expect(stranger.exitCode).toBeNull();
      expect(() => process.kill(stranger.pid!, 0)).not.toThrow();
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  test('no Maven on the PATH', () => {
    const bin = join(scratch, 'bin-without-mvn');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['sh', 'chown', 'chmod', 'unzip']) {
      const path = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      execFileSync('ln', ['-sf', path, join(bin, tool)]);
    }
    const result = esStart({ PATH: bin, ES_VERSION: '8.19.21', CTR_STREAM_CACHE_DIR: join(scratch, 'e') });
    expect(result.status).toBe(1);
    expect(result.lastError).toBe(
      'es:start: Maven (mvn) not found: install it (apt-get install maven) or set ELASTICSEARCH_URL to an existing cluster',
    );
  });

  test('a node that does not come up names its log', () => {
    // A fake distribution in the cache whose bin/elasticsearch fails at once, as a broken node would.
    const cache = join(scratch, 'f');
    const version = '0.0.1';
    const dist = join(scratch, 'dist', `elasticsearch-${version}`, 'bin');
    mkdirSync(dist, { recursive: true });
    writeFileSync(
      join(dist, 'elasticsearch'),
      '#!/bin/sh\necho "fatal: simulated boot failure" >&2\nexit 78\n',
      { mode: 0o755 },
    );
    const repo = join(cache, 'm2/org/elasticsearch/distribution/integ-test-zip/elasticsearch', version);
    mkdirSync(repo, { recursive: true });
    execFileSync(
      'zip',
      ['-q', '-r', join(repo, `elasticsearch-${version}.zip`), `elasticsearch-${version}`],
      { cwd: join(scratch, 'dist') },
    );
    const result = esStart({
      ES_VERSION: version,
      CTR_STREAM_CACHE_DIR: cache,
      CTR_STREAM_RUNTIME_DIR: join(scratch, 'runtime-f'),
    });
    expect(result.status).toBe(1);
    expect(result.lastError).toMatch(
      /^es:start: Elasticsearch 0\.0\.1 exited during start-up \(code 78\): read the log \(log: .*console\.log\)$/,
    );
  });
});
