import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error plain ESM script shared with the npm scripts
import {
  addedModules,
  moduleDescriptor,
  modulePom,
  TESTED_OPENSEARCH_VERSION,
  TESTED_OPENSEARCH3_VERSION,
} from '../elasticsearch.mjs';

const script = new URL('../es.mjs', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;
let scratch: string;

function esStart(env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, [script, 'start'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ELASTICSEARCH_URL: undefined,
      ES_VERSION: undefined,
      OPENSEARCH_VERSION: undefined,
      ES_PORT: undefined,
      // A start that should fail but does not never unpacks or runs a node in the default runtime dir.
      CTR_STREAM_RUNTIME_DIR: join(scratch, 'runtime-default'),
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
        OPENSEARCH_VERSION: undefined,
        ES_PORT: undefined,
        CTR_STREAM_RUNTIME_DIR: join(scratch, 'runtime-default'),
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

  test('an ES_START_TIMEOUT_MS that is not a number of milliseconds', () => {
    const result = esStart({ ES_START_TIMEOUT_MS: 'abc', CTR_STREAM_CACHE_DIR: join(scratch, 'timeout') });
    expect(result.status).toBe(1);
    expect(result.lastError).toBe(
      'es:start: ES_START_TIMEOUT_MS must be a whole number of milliseconds such as 240000 (got "abc"): fix it, or unset it',
    );
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

  test('without ES_VERSION, the version follows ES_JAVA_HOME: Java 17 runs the 8.x line even with a newer JDK installed', () => {
    const java17 = '/usr/lib/jvm/java-17-openjdk-amd64';
    const env: Record<string, string | undefined> = { ...process.env, ES_JAVA_HOME: java17 };
    for (const name of ['ES_VERSION', 'OPENSEARCH_VERSION', 'JAVA_HOME']) delete env[name];
    const chosen = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { chooseVersion } from ${JSON.stringify(new URL('../elasticsearch.mjs', import.meta.url).href)};
         console.log(JSON.stringify(chooseVersion()));`,
      ],
      { encoding: 'utf8', env },
    );
    expect(chosen.stderr).toBe('');
    expect(JSON.parse(chosen.stdout)).toMatchObject({
      distribution: 'elasticsearch',
      version: '8.19.21',
      javaHome: java17,
      javaMajor: 17,
    });
  });

  test('a version that needs a newer Java than the one given', () => {
    const java17 = '/usr/lib/jvm/java-17-openjdk-amd64';
    const result = esStart({
      ES_JAVA_HOME: java17,
      ES_VERSION: '9.5.4',
      CTR_STREAM_CACHE_DIR: join(scratch, 'c'),
    });
    expect(result.status).toBe(1);
    expect(result.lastError).toMatch(
      /Elasticsearch 9\.5\.4 needs Java 21\+, but ES_JAVA_HOME=\/usr\/lib\/jvm\/java-17-openjdk-amd64 is Java 17/,
    );
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

/** Runs `es.mjs <command>` (status, stop) with a clean environment plus `env`. */
function esCommand(command: 'status' | 'stop', env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, [script, command], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ELASTICSEARCH_URL: undefined,
      ES_VERSION: undefined,
      OPENSEARCH_VERSION: undefined,
      ...env,
    } as NodeJS.ProcessEnv,
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Puts `<name>-<version>.zip` where mvn would have downloaded it in `cache`, holding `bin/<name>` = `launcher`
 * (a shell script) and `bin/fake-node.cjs`: a stand-in node that answers the health check on -Ehttp.port.
 */
function cacheFakeDistribution(
  cache: string,
  {
    groupPath,
    name,
    version,
    launcher,
  }: { groupPath: string; name: string; version: string; launcher: string },
) {
  const dist = join(scratch, `dist-${name}-${version}`);
  const bin = join(dist, `${name}-${version}`, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, name), launcher, { mode: 0o755 });
  writeFileSync(
    join(bin, 'fake-node.cjs'),
    [
      "const setting = (name) => process.argv.find((arg) => arg.startsWith('-E' + name + '='))?.split('=')[1];",
      "const port = Number(setting('http.port'));",
      "const health = JSON.stringify({ status: 'green', cluster_name: setting('cluster.name') });",
      "require('node:http').createServer((request, response) => {",
      "  response.writeHead(200, { 'content-type': 'application/json' });",
      "  response.end(request.url.startsWith('/_cluster/health') ? health : '{}');",
      "}).listen(port, '127.0.0.1');",
    ].join('\n'),
    { mode: 0o644 },
  );
  const repo = join(cache, 'm2', groupPath, name, version);
  mkdirSync(repo, { recursive: true });
  execFileSync('zip', ['-q', '-r', join(repo, `${name}-${version}.zip`), `${name}-${version}`], {
    cwd: dist,
  });
}

const OPENSEARCH_GROUP = 'org/opensearch/distribution/integ-test-zip';
const JAVA_17 = '/usr/lib/jvm/java-17-openjdk-amd64';
const JAVA_25 = '/usr/lib/jvm/temurin-25-jdk-amd64';

describe('OpenSearch (OPENSEARCH_VERSION): fetched, started, reused and stopped like Elasticsearch', () => {
  test('OPENSEARCH_VERSION with ES_VERSION, or not a version: one line naming the fix', () => {
    const cache = join(scratch, 'os-a');
    const both = esStart({ ES_VERSION: '9.5.4', OPENSEARCH_VERSION: '2.19.6', CTR_STREAM_CACHE_DIR: cache });
    expect(both.status).toBe(1);
    expect(both.lastError).toBe(
      'es:start: ES_VERSION=9.5.4 and OPENSEARCH_VERSION=2.19.6 are both set: unset ES_VERSION to run OpenSearch, or OPENSEARCH_VERSION to run Elasticsearch',
    );
    const malformed = esStart({ OPENSEARCH_VERSION: '2.19/../../x', CTR_STREAM_CACHE_DIR: cache });
    expect(malformed.status).toBe(1);
    expect(malformed.lastError).toBe(
      'es:start: OPENSEARCH_VERSION must be a version such as 2.19.6 (got "2.19/../../x"): fix it, or unset OPENSEARCH_VERSION to run Elasticsearch',
    );
  });

  test('a JDK that cannot run the OpenSearch version: 2.x needs the Security Manager (< Java 24), 3.x Java 21+', () => {
    const cache = join(scratch, 'os-b');
    const tooNew = esStart({
      OPENSEARCH_VERSION: '2.19.6',
      ES_JAVA_HOME: JAVA_25,
      CTR_STREAM_CACHE_DIR: cache,
    });
    expect(tooNew.status).toBe(1);
    expect(tooNew.lastError).toBe(
      'es:start: OpenSearch 2.19.6 needs Java 11 to 23 (it runs under the Security Manager, which Java 24 removed), but ES_JAVA_HOME is Java 25: install a JDK 17 or 21 (apt-get install openjdk-17-jdk-headless) and set ES_JAVA_HOME to it, or pick OPENSEARCH_VERSION=3.8.0 (Java 21+)',
    );
    const tooOld = esStart({
      OPENSEARCH_VERSION: '3.0.0',
      ES_JAVA_HOME: JAVA_17,
      CTR_STREAM_CACHE_DIR: cache,
    });
    expect(tooOld.lastError).toBe(
      'es:start: OpenSearch 3.0.0 needs Java 21+, but ES_JAVA_HOME is Java 17: install one, set ES_JAVA_HOME, or pick OPENSEARCH_VERSION=2.19.6',
    );
  });

  test('downloads org.opensearch.distribution.integ-test-zip:opensearch:<version>:zip with mvn into the cache', () => {
    // A stand-in mvn that records its arguments and fails, as an unreachable Maven Central would.
    const bin = join(scratch, 'bin-fake-mvn');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['sh', 'chown', 'chmod', 'unzip']) {
      const path = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      execFileSync('ln', ['-sf', path, join(bin, tool)]);
    }
    const recorded = join(scratch, 'mvn-arguments.txt');
    writeFileSync(join(bin, 'mvn'), `#!/bin/sh\necho "$@" > ${recorded}\necho "no network" >&2\nexit 1\n`, {
      mode: 0o755,
    });
    const cache = join(scratch, 'os-c');
    const result = esStart({ PATH: bin, OPENSEARCH_VERSION: '2.19.6', CTR_STREAM_CACHE_DIR: cache });
    expect(result.status).toBe(1);
    expect(result.lastError).toBe(
      `es:start: Download of OpenSearch 2.19.6 from Maven Central failed (mvn exit 1): check the network or OPENSEARCH_VERSION (log: ${join(cache, 'mvn-opensearch-2.19.6.log')})`,
    );
    expect(readFileSync(recorded, 'utf8').trim()).toBe(
      `-B -q -Dmaven.repo.local=${join(cache, 'm2')} dependency:get -Dartifact=org.opensearch.distribution.integ-test-zip:opensearch:2.19.6:zip -Dtransitive=false`,
    );
    expect(readFileSync(join(cache, 'mvn-opensearch-2.19.6.log'), 'utf8')).toContain('no network');
  });

  describe('with a node already running', () => {
    let health: HttpServer;
    let url: string;
    const nodes: ChildProcess[] = [];
    beforeAll(async () => {
      health = createHttpServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":"green"}');
      });
      await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(health.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      for (const node of nodes) node.kill('SIGKILL');
      await new Promise<void>((resolve) => health.close(() => resolve()));
    });

    /** A cache whose state file records a live node (a process whose command line names its home). */
    function cacheWithRunningNode(label: string, recorded: { distribution?: string; version: string }) {
      const home = join(
        scratch,
        `${label}-home`,
        `${recorded.distribution ?? 'elasticsearch'}-${recorded.version}`,
      );
      const node = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)', home], {
        stdio: 'ignore',
      });
      nodes.push(node);
      const cache = join(scratch, label);
      mkdirSync(cache, { recursive: true });
      writeFileSync(
        join(cache, 'elasticsearch-node.json'),
        JSON.stringify({ pid: node.pid, home, url, logPath: '/tmp/x.log', ...recorded }),
      );
      return { cache, pid: node.pid };
    }

    test('a running Elasticsearch (a state file of before OpenSearch, no distribution) is refused for OPENSEARCH_VERSION', async () => {
      const { cache } = cacheWithRunningNode('os-d', { version: '9.5.4' });
      const result = await esStartAsync({
        OPENSEARCH_VERSION: '2.19.6',
        CTR_STREAM_CACHE_DIR: cache,
        PATH: '/nonexistent',
      });
      expect(result.status).toBe(1);
      expect(result.lastError).toBe(
        'es:start: Elasticsearch 9.5.4 is running but OPENSEARCH_VERSION=2.19.6: stop it first (npm run es:stop) or unset OPENSEARCH_VERSION (log: /tmp/x.log)',
      );
    });

    test('a running OpenSearch is refused for Elasticsearch and for another OPENSEARCH_VERSION, reused for its own', async () => {
      const { cache, pid } = cacheWithRunningNode('os-e', { distribution: 'opensearch', version: '2.19.6' });
      const env = { CTR_STREAM_CACHE_DIR: cache, PATH: '/nonexistent' };
      expect((await esStartAsync(env)).lastError).toBe(
        'es:start: OpenSearch 2.19.6 is running but OPENSEARCH_VERSION is not set (Elasticsearch wanted): stop it first (npm run es:stop) or set OPENSEARCH_VERSION=2.19.6 (log: /tmp/x.log)',
      );
      expect((await esStartAsync({ ...env, ES_VERSION: '8.19.21' })).lastError).toBe(
        'es:start: OpenSearch 2.19.6 is running but ES_VERSION=8.19.21: stop it first (npm run es:stop) or unset ES_VERSION and set OPENSEARCH_VERSION=2.19.6 (log: /tmp/x.log)',
      );
      const other = await esStartAsync({ ...env, OPENSEARCH_VERSION: '3.0.0' });
      expect(other.status).toBe(1);
      expect(other.lastError).toBe(
        'es:start: OpenSearch 2.19.6 is running but OPENSEARCH_VERSION=3.0.0: stop it first (npm run es:stop) or set OPENSEARCH_VERSION=2.19.6 (log: /tmp/x.log)',
      );
      const same = await esStartAsync({ ...env, OPENSEARCH_VERSION: '2.19.6' });
      expect(same.status).toBe(0);
      expect(same.lastError).toBe(`Reusing OpenSearch 2.19.6 (pid ${pid}).`);
    });
  });

  test('starts OpenSearch with its own launcher variables and settings, reports it, and stops it', async () => {
    // A fake distribution: bin/opensearch prints what it was given, then runs a stand-in node (no JVM).
    const cache = join(scratch, 'os-f');
    const runtime = join(scratch, 'runtime-os-f');
    const version = '0.0.1';
    cacheFakeDistribution(cache, {
      groupPath: OPENSEARCH_GROUP,
      name: 'opensearch',
      version,
      launcher: [
        '#!/bin/sh',
        'echo "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME"',
        'echo "OPENSEARCH_JAVA_OPTS=$OPENSEARCH_JAVA_OPTS"',
        'echo "OPENSEARCH_TMPDIR=$OPENSEARCH_TMPDIR"',
        'echo "user=$(id -un) args=$*"',
        `exec ${process.execPath} "$(dirname "$0")/fake-node.cjs" "$0" "$@"`,
        '',
      ].join('\n'),
    });
    const port = await freeTcpPort();
    const env = {
      OPENSEARCH_VERSION: version,
      ES_PORT: String(port),
      ES_HEAP: '256m',
      CTR_STREAM_CACHE_DIR: cache,
      CTR_STREAM_RUNTIME_DIR: runtime,
    };
    try {
      const started = esStart(env);
      expect(started.status).toBe(0);
      expect(started.stdout.trim()).toBe(`http://127.0.0.1:${port}`);
      expect(started.lastError).toMatch(
        /^OpenSearch 0\.0\.1 is up in \d+\.\ds \(log: .*logs-opensearch-0\.0\.1\/console\.log\)\.$/,
      );
      const state = JSON.parse(readFileSync(join(cache, 'elasticsearch-node.json'), 'utf8'));
      expect(state).toMatchObject({
        distribution: 'opensearch',
        version,
        url: `http://127.0.0.1:${port}`,
        home: join(runtime, 'opensearch-0.0.1'),
        dataDir: join(runtime, 'data-opensearch-0.0.1'),
      });
      const launched = readFileSync(state.logPath, 'utf8').split('\n');
      // The oldest JDK that runs OpenSearch 0.x (11 to 23): a Java 17 here.
      const javaHome = launched[0]?.replace('OPENSEARCH_JAVA_HOME=', '') ?? '';
      const javaVersion = spawnSync(join(javaHome, 'bin', 'java'), ['-version'], { encoding: 'utf8' }).stderr;
      expect(javaVersion).toMatch(/version "17\./);
      expect(launched.slice(1, 3)).toEqual([
        'OPENSEARCH_JAVA_OPTS=-Xms256m -Xmx256m',
        `OPENSEARCH_TMPDIR=${join(runtime, 'tmp-opensearch-0.0.1')}`,
      ]);
      const args = launched[3] ?? '';
      expect(args).toMatch(process.getuid?.() === 0 ? /^user=nobody / : /^user=\S+ /);
      for (const setting of [
        '-Ediscovery.type=single-node',
        '-Ehttp.host=127.0.0.1',
        `-Ehttp.port=${port}`,
        `-Epath.data=${join(runtime, 'data-opensearch-0.0.1')}`,
      ])
        expect(args).toContain(setting);
      expect(args).not.toContain('xpack'); // OpenSearch stops on settings it does not know

      expect(esCommand('status', env).stdout).toBe(
        `running OpenSearch 0.0.1 at http://127.0.0.1:${port} (pid ${state.pid}, data ${state.dataDir}, log ${state.logPath})`,
      );
      const stopped = esCommand('stop', env);
      expect(stopped.stderr).toBe(`Stopped OpenSearch 0.0.1 (pid ${state.pid}).`);
      expect(() => process.kill(state.pid, 0)).toThrow();
      expect(esCommand('status', env)).toMatchObject({ status: 3, stdout: 'stopped' });
    } finally {
      esCommand('stop', env);
    }
  });

  test('another server that takes the port during the start is not taken for the node', async () => {
    // The launcher puts a foreign server on the port (green, another cluster name), then exits as a node that
    // cannot bind it would.
    const cache = join(scratch, 'port-taken');
    const runtime = join(scratch, 'runtime-port-taken');
    // Written to by the launcher, which runs as nobody when the tests run as root.
    const shared = join(scratch, 'port-taken-shared');
    mkdirSync(shared, { recursive: true });
    chmodSync(shared, 0o777);
    const pidFile = join(shared, 'foreign.pid');
    const foreign = join(shared, 'foreign-server.cjs');
    writeFileSync(
      foreign,
      [
        'const port = Number(process.argv[2]);',
        "require('node:fs').writeFileSync(process.argv[3], String(process.pid));",
        "require('node:http').createServer((request, response) => {",
        "  response.writeHead(200, { 'content-type': 'application/json' });",
        '  response.end(\'{"status":"green","cluster_name":"someone-elses"}\');',
        "}).listen(port, '127.0.0.1');",
      ].join('\n'),
    );
    const port = await freeTcpPort();
    cacheFakeDistribution(cache, {
      groupPath: 'org/elasticsearch/distribution/integ-test-zip',
      name: 'elasticsearch',
      version: '0.0.3',
      launcher: [
        '#!/bin/sh',
        `nohup ${process.execPath} ${foreign} ${port} ${pidFile} >/dev/null 2>&1 &`,
        'sleep 2',
        'echo "BindException: Address already in use" >&2',
        'exit 1',
        '',
      ].join('\n'),
    });
    const env = {
      ES_VERSION: '0.0.3',
      ES_PORT: String(port),
      CTR_STREAM_CACHE_DIR: cache,
      CTR_STREAM_RUNTIME_DIR: runtime,
    };
    try {
      const started = await esStartAsync(env);
      // The foreign server did answer on the port (green) while the start waited.
      expect(existsSync(pidFile)).toBe(true);
      expect(started.status).toBe(1);
      expect(started.lastError).toMatch(
        /^es:start: Elasticsearch 0\.0\.3 exited during start-up \(code 1\): read the log/,
      );
      expect(esCommand('status', env)).toMatchObject({ status: 3, stdout: 'stopped' });
    } finally {
      const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : 0);
      if (pid > 0) process.kill(pid, 'SIGKILL');
    }
  });

  test('replaces a damaged node home (its launcher gone) instead of failing every start', async () => {
    const cache = join(scratch, 'damaged');
    const runtime = join(scratch, 'runtime-damaged');
    cacheFakeDistribution(cache, {
      groupPath: 'org/elasticsearch/distribution/integ-test-zip',
      name: 'elasticsearch',
      version: '0.0.4',
      launcher: ['#!/bin/sh', `exec ${process.execPath} "$(dirname "$0")/fake-node.cjs" "$@"`, ''].join('\n'),
    });
    // What a cleaner of old files under /var/tmp leaves of an unpacked node.
    mkdirSync(join(runtime, 'elasticsearch-0.0.4', 'lib'), { recursive: true });
    writeFileSync(join(runtime, 'elasticsearch-0.0.4', 'lib', 'x.jar'), '');
    chmodSync(runtime, 0o755);
    const port = await freeTcpPort();
    const env = {
      ES_VERSION: '0.0.4',
      ES_PORT: String(port),
      CTR_STREAM_CACHE_DIR: cache,
      CTR_STREAM_RUNTIME_DIR: runtime,
    };
    try {
      const started = esStart(env);
      expect(started.lastError).toMatch(/^Elasticsearch 0\.0\.4 is up in /);
      expect(started.status).toBe(0);
      expect(existsSync(join(runtime, 'elasticsearch-0.0.4', 'bin', 'elasticsearch'))).toBe(true);
      expect(existsSync(join(runtime, 'elasticsearch-0.0.4', 'lib', 'x.jar'))).toBe(false);
    } finally {
      esCommand('stop', env);
    }
  });

  test('starts OpenSearch 3.x with a JDK 21+, never the Java 17 that 2.x gets', async () => {
    // The same fake distribution as above, as a 3.x version: its launcher records the JDK it was given.
    const cache = join(scratch, 'os-h');
    const runtime = join(scratch, 'runtime-os-h');
    const version = '3.99.0';
    cacheFakeDistribution(cache, {
      groupPath: OPENSEARCH_GROUP,
      name: 'opensearch',
      version,
      launcher: [
        '#!/bin/sh',
        'echo "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME"',
        `exec ${process.execPath} "$(dirname "$0")/fake-node.cjs" "$0" "$@"`,
        '',
      ].join('\n'),
    });
    const env = {
      OPENSEARCH_VERSION: version,
      ES_PORT: String(await freeTcpPort()),
      CTR_STREAM_CACHE_DIR: cache,
      CTR_STREAM_RUNTIME_DIR: runtime,
    };
    try {
      const started = esStart(env);
      expect(started.status).toBe(0);
      expect(started.lastError).toMatch(/^OpenSearch 3\.99\.0 is up in /);
      const state = JSON.parse(readFileSync(join(cache, 'elasticsearch-node.json'), 'utf8'));
      const javaHome = readFileSync(state.logPath, 'utf8')
        .split('\n')[0]
        ?.replace('OPENSEARCH_JAVA_HOME=', '');
      const javaVersion = spawnSync(join(javaHome ?? '', 'bin', 'java'), ['-version'], { encoding: 'utf8' });
      const major = Number(/version "(\d+)/.exec(javaVersion.stderr)?.[1]);
      expect(major).toBeGreaterThanOrEqual(21);
    } finally {
      esCommand('stop', env);
    }
  });

  test('an OpenSearch node that does not come up names its log', () => {
    const cache = join(scratch, 'os-g');
    cacheFakeDistribution(cache, {
      groupPath: OPENSEARCH_GROUP,
      name: 'opensearch',
      version: '0.0.2',
      launcher: '#!/bin/sh\necho "fatal: simulated boot failure" >&2\nexit 78\n',
    });
    const result = esStart({
      OPENSEARCH_VERSION: '0.0.2',
      CTR_STREAM_CACHE_DIR: cache,
      CTR_STREAM_RUNTIME_DIR: join(scratch, 'runtime-os-g'),
    });
    expect(result.status).toBe(1);
    expect(result.lastError).toMatch(
      /^es:start: OpenSearch 0\.0\.2 exited during start-up \(code 78\): read the log \(log: .*logs-opensearch-0\.0\.2\/console\.log\)$/,
    );
  });
});

type AddedModule = { name: string; extendedPlugins: string[]; securityPolicy?: string };
const moduleNames = (distribution: string, version: string) =>
  (addedModules(distribution, version) as AddedModule[]).map((module) => module.name);

describe('OpenSearch 2.x: the modules behind the script ingest processor, added to the integ-test zip', () => {
  test('2.x gets lang-painless, then ingest-common (which extends it); 3.x zips carry both, Elasticsearch gets none', () => {
    expect(moduleNames('opensearch', TESTED_OPENSEARCH_VERSION)).toEqual(['lang-painless', 'ingest-common']);
    expect(moduleNames('opensearch', '2.0.0')).toEqual(['lang-painless', 'ingest-common']);
    expect(moduleNames('opensearch', TESTED_OPENSEARCH3_VERSION)).toEqual([]);
    expect(moduleNames('opensearch', '1.3.20')).toEqual([]); // untested here: its classes may differ
    expect(moduleNames('opensearch', '0.0.1')).toEqual([]);
    expect(moduleNames('opensearch', '20.0.0')).toEqual([]);
    expect(moduleNames('elasticsearch', '2.4.6')).toEqual([]);
    expect(moduleNames('elasticsearch', '8.19.21')).toEqual([]);
  });

  test('descriptors as OpenSearch 2.19.6 writes them: its 2.x class names, Java 11, ingest-common extends lang-painless', () => {
    const [painless, ingest] = addedModules('opensearch', '2.19.6') as AddedModule[];
    const fields = (text: string) =>
      Object.fromEntries(
        text
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith('#'))
          .map((line) => line.split(/=(.*)/s).slice(0, 2)),
      );
    expect(fields(moduleDescriptor(painless, '2.19.6'))).toEqual({
      description: 'An easy, safe and fast scripting language for OpenSearch',
      version: '2.19.6',
      name: 'lang-painless',
      classname: 'org.opensearch.painless.PainlessPlugin',
      'java.version': '11',
      'opensearch.version': '2.19.6',
      'custom.foldername': '',
      'extended.plugins': '',
      'has.native.controller': 'false',
    });
    expect(fields(moduleDescriptor(ingest, '2.19.6'))).toEqual({
      description:
        'Module for ingest processors that do not require additional security permissions or have large dependencies and resources',
      version: '2.19.6',
      name: 'ingest-common',
      classname: 'org.opensearch.ingest.common.IngestCommonPlugin',
      'java.version': '11',
      'opensearch.version': '2.19.6',
      'custom.foldername': '',
      'extended.plugins': 'lang-painless',
      'has.native.controller': 'false',
    });
    // 2.x runs modules under the Security Manager: Painless defines the classes it compiles scripts into.
    expect(painless?.securityPolicy).toContain('permission java.lang.RuntimePermission "createClassLoader";');
    expect(painless?.securityPolicy).toContain('permission java.lang.RuntimePermission "getClassLoader";');
    expect(ingest?.securityPolicy).toBeUndefined();
  });

  test('the POM asks for the module of that version without the server, which lib/ already has', () => {
    const [painless] = addedModules('opensearch', '2.19.6') as AddedModule[];
    const pom = modulePom(painless, '2.19.6').replace(/\s+/g, '');
    expect(pom).toContain(
      '<dependency><groupId>org.opensearch.plugin</groupId><artifactId>lang-painless</artifactId><version>2.19.6</version><exclusions><exclusion><groupId>org.opensearch</groupId><artifactId>opensearch</artifactId></exclusion></exclusions></dependency>',
    );
    expect(pom.match(/<dependency>/g)).toHaveLength(1);
    expect(pom).toContain('<packaging>pom</packaging>');
  });

  test('fetched once with mvn, laid out in modules/, reused offline, also for a node unpacked without them', async () => {
    // A stand-in mvn: records its arguments and POM, and "downloads" the module's jar and one dependency.
    const cache = join(scratch, 'os-i');
    const runtime = join(scratch, 'runtime-os-i');
    const version = '2.99.0';
    cacheFakeDistribution(cache, {
      groupPath: OPENSEARCH_GROUP,
      name: 'opensearch',
      version,
      launcher: `#!/bin/sh\nexec ${process.execPath} "$(dirname "$0")/fake-node.cjs" "$0" "$@"\n`,
    });
    const bin = join(scratch, 'bin-fake-mvn-modules');
    mkdirSync(bin, { recursive: true });
    const recorded = join(scratch, 'mvn-modules-arguments.txt');
    const mvn = join(bin, 'mvn');
    writeFileSync(
      mvn,
      [
        '#!/bin/sh',
        `echo "$@" >> ${recorded}`,
        'for arg; do',
        '  case "$arg" in -DoutputDirectory=*) out=$(echo "$arg" | cut -d= -f2-);; esac',
        '  [ "$previous" = "-f" ] && grep -A1 "<groupId>org.opensearch.plugin</groupId>" "$arg" | grep -o "<artifactId>[a-z-]*</artifactId>" >> ' +
          recorded,
        '  previous="$arg"',
        'done',
        'mkdir -p "$out"',
        `echo jar > "$out/$(basename "$out")-${version}.jar"`,
        'echo jar > "$out/dependency-1.0.jar"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const env = {
      OPENSEARCH_VERSION: version,
      ES_PORT: String(await freeTcpPort()),
      CTR_STREAM_CACHE_DIR: cache,
      CTR_STREAM_RUNTIME_DIR: runtime,
      PATH: `${bin}:${process.env.PATH}`,
    };
    const modules = join(runtime, `opensearch-${version}`, 'modules');
    const [painless, ingest] = addedModules('opensearch', version) as AddedModule[];
    try {
      const started = esStart(env);
      expect(started.status).toBe(0);
      expect(readdirSync(modules).sort()).toEqual(['ingest-common', 'lang-painless']);
      expect(readdirSync(join(modules, 'lang-painless')).sort()).toEqual([
        'dependency-1.0.jar',
        `lang-painless-${version}.jar`,
        'plugin-descriptor.properties',
        'plugin-security.policy',
      ]);
      expect(readFileSync(join(modules, 'lang-painless', 'plugin-descriptor.properties'), 'utf8')).toBe(
        moduleDescriptor(painless, version),
      );
      expect(readFileSync(join(modules, 'lang-painless', 'plugin-security.policy'), 'utf8')).toBe(
        painless?.securityPolicy,
      );
      expect(readdirSync(join(modules, 'ingest-common')).sort()).toEqual([
        'dependency-1.0.jar',
        `ingest-common-${version}.jar`,
        'plugin-descriptor.properties',
      ]);
      expect(readFileSync(join(modules, 'ingest-common', 'plugin-descriptor.properties'), 'utf8')).toBe(
        moduleDescriptor(ingest, version),
      );
      const calls = readFileSync(recorded, 'utf8').trim().split('\n');
      expect(calls).toHaveLength(4);
      for (const [index, name] of ['lang-painless', 'ingest-common'].entries()) {
        expect(calls[index * 2]).toMatch(
          new RegExp(
            `^-B -q -Dmaven\\.repo\\.local=${join(cache, 'm2').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -f \\S+/pom\\.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=\\S+/${name}$`,
          ),
        );
        expect(calls[index * 2 + 1]).toBe(`<artifactId>${name}</artifactId>`);
      }
      // No staging directory is left where the node would take it for a module.
      expect(readdirSync(runtime).filter((entry) => entry.startsWith('.'))).toEqual([]);
      expect(esCommand('stop', env).status).toBe(0);

      // A node unpacked before the modules were added (or one that lost one): it gets them from the cache,
      // with Maven Central unreachable.
      rmSync(join(modules, 'ingest-common'), { recursive: true });
      writeFileSync(mvn, `#!/bin/sh\necho "$@" >> ${recorded}\nexit 1\n`, { mode: 0o755 });
      expect(esStart(env).status).toBe(0);
      expect(readdirSync(join(modules, 'ingest-common')).sort()).toEqual([
        'dependency-1.0.jar',
        `ingest-common-${version}.jar`,
        'plugin-descriptor.properties',
      ]);
      expect(readFileSync(recorded, 'utf8').trim().split('\n')).toHaveLength(4);
      expect(esCommand('stop', env).status).toBe(0);

      // Neither in the node nor in the cache, and mvn fails: one line naming the module and the log.
      rmSync(join(cache, 'opensearch-modules'), { recursive: true });
      rmSync(join(modules, 'lang-painless'), { recursive: true });
      const failed = esStart(env);
      expect(failed.status).toBe(1);
      const log = join(cache, `mvn-opensearch-${version}-lang-painless.log`);
      expect(failed.lastError).toBe(
        `es:start: Download of OpenSearch ${version} module lang-painless (org.opensearch.plugin:lang-painless:${version}) from Maven Central failed (mvn exit 1): check the network (log: ${log})`,
      );
      expect(existsSync(join(modules, 'lang-painless'))).toBe(false);
    } finally {
      esCommand('stop', env);
    }
  });
});

describe('the OpenSearch versions the repo tests: npm scripts and CI', () => {
  const projects =
    '--project es-index-setup --project firehose-local --project local-pipeline --project kibana-saved-objects --project ctr-schema';

  test('test:opensearch runs TESTED_OPENSEARCH_VERSION (2.x), test:opensearch3 TESTED_OPENSEARCH3_VERSION (3.x), the same projects', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    expect(TESTED_OPENSEARCH_VERSION).toMatch(/^2\./);
    expect(TESTED_OPENSEARCH3_VERSION).toMatch(/^3\./);
    expect(scripts['test:opensearch']).toBe(
      `OPENSEARCH_VERSION=${TESTED_OPENSEARCH_VERSION} vitest run ${projects}`,
    );
    expect(scripts['test:opensearch3']).toBe(
      `OPENSEARCH_VERSION=${TESTED_OPENSEARCH3_VERSION} vitest run ${projects}`,
    );
  });

  test('CI runs both, each after es:stop (one local node at a time)', () => {
    const commands = readFileSync(join(root, '.ci/run'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    const first = commands.indexOf('npm run test:opensearch');
    expect(commands.slice(first - 1, first + 3)).toEqual([
      'npm run es:stop',
      'npm run test:opensearch',
      'npm run es:stop',
      'npm run test:opensearch3',
    ]);
  });
});

describe('two test runs at once (two terminals or checkouts) share the node, and the last to end stops it', () => {
  const moduleUrl = new URL('../elasticsearch.mjs', import.meta.url).href;
  let env: Record<string, string>;
  const runs: ChildProcess[] = [];

  beforeAll(async () => {
    const cache = join(scratch, 'leases');
    cacheFakeDistribution(cache, {
      groupPath: 'org/elasticsearch/distribution/integ-test-zip',
      name: 'elasticsearch',
      version: '0.0.6',
      launcher: ['#!/bin/sh', `exec ${process.execPath} "$(dirname "$0")/fake-node.cjs" "$@"`, ''].join('\n'),
    });
    env = {
      ES_VERSION: '0.0.6',
      ES_PORT: String(await freeTcpPort()),
      CTR_STREAM_CACHE_DIR: cache,
      CTR_STREAM_RUNTIME_DIR: join(scratch, 'runtime-leases'),
    };
  });
  afterAll(() => {
    for (const run of runs) run.kill('SIGKILL');
    esCommand('stop', env);
  });

  /**
   * What the vitest global setup does, in a process of its own: startElasticsearch({ lease: true }) at once,
   * releaseElasticsearch when told to on stdin (as a run's teardown). `said` collects its stderr lines.
   */
  async function testRun() {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          `import { startElasticsearch, releaseElasticsearch } from ${JSON.stringify(moduleUrl)};`,
          'const node = await startElasticsearch({ lease: true });',
          'console.log(JSON.stringify({ started: node.started }));',
          "process.stdin.once('data', async () => {",
          '  console.log(JSON.stringify({ stopped: await releaseElasticsearch(node) }));',
          '  process.exit(0);',
          '});',
        ].join('\n'),
      ],
      { env: { ...process.env, ELASTICSEARCH_URL: undefined, ...env } as NodeJS.ProcessEnv },
    );
    runs.push(child);
    const said: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => said.push(...chunk.toString('utf8').trim().split('\n')));
    const answers: Record<string, boolean>[] = [];
    let waiting: (() => void) | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').trim().split('\n')) answers.push(JSON.parse(line));
      waiting?.();
    });
    const next = async () => {
      while (answers.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
      return answers.shift() ?? {};
    };
    const { started } = await next();
    return {
      pid: child.pid ?? 0,
      started,
      said,
      end: async () => {
        child.stdin?.write('release\n');
        const { stopped } = await next();
        await new Promise((resolve) => child.once('exit', resolve));
        return stopped;
      },
    };
  }

  const status = () => esCommand('status', env).stdout;

  test('the run that started it ends first: the node stays up for the other run, which stops it', async () => {
    const first = await testRun();
    const second = await testRun();
    expect([first.started, second.started]).toEqual([true, false]);
    expect(await first.end()).toBe(false);
    expect(first.said.at(-1)).toBe(
      `Leaving Elasticsearch 0.0.6 running: pid ${second.pid} still uses it, and the last to end stops it.`,
    );
    expect(status()).toMatch(/^running Elasticsearch 0\.0\.6 /);
    expect(await second.end()).toBe(true);
    expect(second.said.at(-1)).toMatch(/^Stopped Elasticsearch 0\.0\.6 \(pid \d+\)\.$/);
    expect(status()).toBe('stopped');
  });

  test('the run that reused it ends first: the node stays up until the run that started it ends', async () => {
    const first = await testRun();
    const second = await testRun();
    expect(await second.end()).toBe(false);
    expect(status()).toMatch(/^running /);
    expect(await first.end()).toBe(true);
    expect(status()).toBe('stopped');
  });

  test('a run killed before its end does not keep the node up', async () => {
    const first = await testRun();
    const killed = await testRun();
    const victim = runs.find((run) => run.pid === killed.pid);
    victim?.kill('SIGKILL');
    await new Promise((resolve) => victim?.once('exit', resolve));
    expect(await first.end()).toBe(true);
    expect(status()).toBe('stopped');
  });

  test('a node es:start reused meanwhile is left running for its user', async () => {
    const run = await testRun();
    expect(esStart(env)).toMatchObject({
      status: 0,
      lastError: expect.stringMatching(/^Reusing Elasticsearch 0\.0\.6/),
    });
    expect(await run.end()).toBe(false);
    expect(status()).toMatch(/^running /);
    expect(esCommand('stop', env).stderr).toMatch(/^Stopped Elasticsearch 0\.0\.6/);
  });
});

test('each cache gets a runtime dir of its own (as root under /var/tmp): two caches never share a node data dir', async () => {
  const cache = join(scratch, 'own-runtime');
  cacheFakeDistribution(cache, {
    groupPath: 'org/elasticsearch/distribution/integ-test-zip',
    name: 'elasticsearch',
    version: '0.0.7',
    launcher: ['#!/bin/sh', `exec ${process.execPath} "$(dirname "$0")/fake-node.cjs" "$@"`, ''].join('\n'),
  });
  const env = {
    ES_VERSION: '0.0.7',
    ES_PORT: String(await freeTcpPort()),
    CTR_STREAM_CACHE_DIR: cache,
    CTR_STREAM_RUNTIME_DIR: undefined,
  };
  const expected =
    process.getuid?.() === 0
      ? `/var/tmp/ctr-stream-elasticsearch-${createHash('sha256').update(cache).digest('hex').slice(0, 12)}`
      : join(cache, 'elasticsearch');
  try {
    expect(esStart(env)).toMatchObject({ status: 0, lastError: expect.stringMatching(/is up in/) });
    const state = JSON.parse(readFileSync(join(cache, 'elasticsearch-node.json'), 'utf8'));
    expect(state).toMatchObject({
      home: join(expected, 'elasticsearch-0.0.7'),
      dataDir: join(expected, 'data-0.0.7'),
    });
  } finally {
    esCommand('stop', env);
    if (expected.startsWith('/var/tmp/')) rmSync(expected, { recursive: true, force: true });
  }
});
