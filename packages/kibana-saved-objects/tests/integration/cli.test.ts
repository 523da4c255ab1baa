import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildSavedObjects,
  importSavedObjects,
  KibanaRequestError,
  runCli,
  SavedObjectImportError,
  toNdjson,
} from '../../src/index.js';
import {
  type ContractServer,
  type ContractServerOptions,
  startKibanaContractServer,
} from '../support/kibana-contract-server.js';
import { installCtrIndex, removeCtrIndex, searchNodeUnderTest } from '../support/search-node.js';

const elasticsearchUrl = inject('elasticsearchUrl');
// Elasticsearch 8/9, or OpenSearch (OPENSEARCH_VERSION): the same checks on each, expecting each one's answers.
const node = await searchNodeUnderTest(elasticsearchUrl);
const servers: ContractServer[] = [];
async function start(options: ContractServerOptions): Promise<ContractServer> {
  const server = await startKibanaContractServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function run(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

const directory = mkdtempSync(join(tmpdir(), 'ctr-kibana-setup-'));
const unmappedIndex = `kso-cli-${process.pid}-${Date.now().toString(36)}`;
const mappedIndex = `${unmappedIndex}-mapped`;
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  await removeCtrIndex(node, mappedIndex);
  await (
    await request(`${elasticsearchUrl}/${unmappedIndex}?ignore_unavailable=true`, { method: 'DELETE' })
  ).body.dump();
});

describe('ctr-kibana-setup --out', () => {
  it('writes the golden NDJSON of the target to stdout with --out -', async () => {
    const result = await run(['--out', '-', '--target', 'kibana@9.1.0']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(new URL('../golden/kibana-8.8.ndjson', import.meta.url), 'utf8'));
  });

  it('writes a file, detecting the target from --kibana', async () => {
    const server = await start({
      product: 'opensearch-dashboards',
      version: '2.11.0',
      basePath: '/_dashboards',
    });
    const file = join(directory, 'objects.ndjson');
    const result = await run(['--out', file, '--kibana', server.url, '--base-path', '/_dashboards']);
    expect(result.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(toNdjson(buildSavedObjects('opensearch-dashboards-2')));
    expect(result.stderr).toContain('Detected OpenSearch Dashboards 2.11.0');
    expect(server.requests.some((entry) => entry.path === '/api/saved_objects/_import')).toBe(false);
  });

  it('a path it cannot write is one line naming the path and what to do, exit 1, no stack trace', async () => {
    const file = join(directory, 'missing-directory', 'objects.ndjson');
    const result = await run(['--out', file, '--target', 'kibana-8.8']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `OutputFileError: Could not write ${file}: the directory does not exist (ENOENT). Check that the directory exists and is writable, or pass --out - to print the NDJSON.\n`,
    );
    expect(result.stdout).toBe('');
  });

  it('needs --target or --kibana', async () => {
    const result = await run(['--out', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out needs --target');
  });
});

describe('ctr-kibana-setup install', () => {
  it('installs with the API key from the environment and never prints it', async () => {
    const server = await start({
      product: 'kibana',
      version: '8.15.3',
      authorization: 'ApiKey dG9wLXNlY3JldA==',
    });
    const result = await run(['--kibana', server.url, '--space', 'ops'], {
      KIBANA_API_KEY: 'dG9wLXNlY3JldA==',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Detected Kibana 8.15.3: target kibana-8.8.');
    expect(result.stdout).toContain('Imported 8 objects');
    expect(result.stdout).toContain(
      `Dashboard: ${server.url}/s/ops/app/dashboards#/view/ctr-stream-contact-center`,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain('dG9wLXNlY3JldA==');
  });

  it('says which of your index pattern attributes it kept when it replaces the index pattern', async () => {
    const server = await start({
      product: 'opensearch-dashboards',
      version: '2.11.0',
      existing: [
        {
          space: 'default',
          type: 'index-pattern',
          id: 'ctr-stream-connect',
          title: 'connect*',
          attributes: {
            timeFieldName: 'ConnectedToSystemTimestamp',
            fieldFormatMap: '{"ContactId":{"id":"url"}}',
          },
          versions: { migrationVersion: { 'index-pattern': '7.6.0' } },
        },
      ],
    });
    const result = await run(['--kibana', server.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'index-pattern ctr-stream-connect "connect*" (replaced, keeping your fieldFormatMap)\n',
    );
    expect(result.stdout).toContain('visualization ctr-stream-calls-per-day "Calls per day"\n');
  });

  it('exits 1 with the server message when the target does not fit the server', async () => {
    const server = await start({ product: 'kibana', version: '8.6.2' });
    const result = await run(['--kibana', server.url, '--target', 'kibana-8.8']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('KibanaRequestError: Import into');
    expect(result.stderr).toContain('[request query.compatibilityMode]: definition for this key is missing');
  });

  it('exits 2 on bad usage without sending anything, and never echoes a password from the URL', async () => {
    expect((await run([])).code).toBe(2);
    const unknown = await run(['--kibana', 'http://127.0.0.1:1', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown option '--bogus'\.\n\nUsage: ctr-kibana-setup/);
    const withSecret = await run(['--kibana', 'http://admin:hunter2@127.0.0.1:1']);
    expect(withSecret.code).toBe(2);
    expect(withSecret.stderr).not.toContain('hunter2');
    expect((await run(['--kibana', 'http://127.0.0.1:1', '--target', 'kibana-5'])).code).toBe(2);
    expect((await run(['--kibana', 'http://127.0.0.1:1', '--timeout-ms', 'soon'])).code).toBe(2);
  });

  it('checks the fields first and stops before Kibana when the mapping is the tutorial one', async () => {
    const server = await start({ product: 'kibana', version: '9.1.0' });
    const indexed = await request(`${elasticsearchUrl}/${unmappedIndex}/_doc?refresh=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ContactId: 'x',
        Channel: 'VOICE',
        ConnectedToSystemTimestamp: '2024-03-04T09:15:02Z',
      }),
    });
    expect(indexed.statusCode).toBe(201);
    await indexed.body.dump();
    const result = await run([
      '--kibana',
      server.url,
      '--elasticsearch',
      elasticsearchUrl,
      '--index-pattern',
      `${unmappedIndex}*`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FieldCheckError');
    expect(result.stderr).toContain('ContactId: not aggregatable (mapped as text)');
    expect(result.stderr).toContain('LastUpdateTimestamp: missing');
    expect(result.stderr).toContain('ctr-es-setup');
    expect(server.requests).toHaveLength(0);
  });

  it('reports an unreachable Elasticsearch and sends nothing to Kibana', async () => {
    const server = await start({ product: 'kibana', version: '9.1.0' });
    const result = await run([
      '--kibana',
      server.url,
      '--elasticsearch',
      'http://127.0.0.1:1',
      '--timeout-ms',
      '2000',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ElasticsearchRequestError');
    expect(server.requests).toHaveLength(0);
  });

  it('lists each failed object and exits 1 on a 200-with-errors answer', async () => {
    const objects = buildSavedObjects('kibana-8.8');
    const answering = createServer((incoming, response) => {
      incoming.resume();
      incoming.on('end', () => {
        if (incoming.method === 'GET') {
          // No index pattern yet.
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end(
            '{"statusCode":404,"error":"Not Found","message":"Saved object [index-pattern/ctr-stream-connect] not found"}',
          );
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            success: false,
            successCount: 7,
            successResults: objects.slice(1).map((object) => ({
              type: object.type,
              id: object.id,
              meta: { title: object.attributes.title },
            })),
            errors: [
              {
                type: 'index-pattern',
                id: 'ctr-stream-connect',
                meta: { title: 'connect*' },
                error: {
                  type: 'unknown',
                  statusCode: 403,
                  error: 'Forbidden',
                  message: 'Unable to bulk_create index-pattern',
                },
              },
            ],
            warnings: [],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => answering.listen(0, '127.0.0.1', resolve));
    try {
      const result = await run([
        '--kibana',
        `http://127.0.0.1:${(answering.address() as AddressInfo).port}`,
        '--target',
        'kibana-8.8',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('1 saved object(s) did not import:');
      expect(result.stderr).toContain(
        'index-pattern ctr-stream-connect ("connect*"): unknown: Unable to bulk_create index-pattern',
      );
    } finally {
      answering.closeAllConnections();
      await new Promise((resolve) => answering.close(resolve));
    }
  });
});

describe('import answers that are not what Kibana documents', () => {
  let server: Server;
  let answer: { status: number; contentType: string; body: string; headers?: Record<string, string> };
  let url: string;
  beforeAll(async () => {
    server = createServer((incoming, response) => {
      incoming.resume();
      incoming.on('end', () => {
        response.writeHead(answer.status, { 'content-type': answer.contentType, ...answer.headers });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const importAll = () =>
    importSavedObjects({ kibanaUrl: url, target: 'kibana-8.8', objects: buildSavedObjects('kibana-8.8') });

  it('success:true with objects missing from successResults fails as not_confirmed', async () => {
    answer = {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ success: true, successCount: 0, warnings: [] }),
    };
    const error = await importAll().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SavedObjectImportError);
    expect((error as SavedObjectImportError).failures).toHaveLength(8);
    expect(
      (error as SavedObjectImportError).failures.every((failure) => failure.errorType === 'not_confirmed'),
    ).toBe(true);
  });

  it('an HTML 200 (a login page, a proxy) is not taken for success', async () => {
    answer = { status: 200, contentType: 'text/html', body: '<html>Sign in</html>' };
    await expect(importAll()).rejects.toThrow(/without a saved objects import result/);
  });

  it('a 500 is retryable, a 413 explains the size cap, a 415 the multipart', async () => {
    answer = {
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'An internal server error occurred.',
      }),
    };
    const failed = (await importAll().catch((caught: unknown) => caught)) as KibanaRequestError;
    expect(failed.isRetryable).toBe(true);
    expect(failed.message).toContain(
      'failed with HTTP 500: An internal server error occurred. The server failed',
    );
    expect(failed.message).not.toContain('..');
    answer = {
      status: 413,
      contentType: 'application/json',
      body: JSON.stringify({
        statusCode: 413,
        error: 'Request Entity Too Large',
        message: 'Payload content length greater than maximum allowed: 26214400',
      }),
    };
    await expect(importAll()).rejects.toThrow(/maxImportPayloadBytes/);
    answer = {
      status: 415,
      contentType: 'application/json',
      body: JSON.stringify({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: 'Unsupported Media Type',
      }),
    };
    await expect(importAll()).rejects.toThrow(/multipart/);
  });

  it('a redirect on _import (target given, no detection) explains the browser login, naming only the host', async () => {
    answer = {
      status: 302,
      contentType: 'text/html',
      body: '',
      headers: { location: 'https://login.example.com/oauth2/authorize?state=s3cret-state' },
    };
    const error = (await importAll().catch((caught: unknown) => caught)) as KibanaRequestError;
    expect(error).toBeInstanceOf(KibanaRequestError);
    expect(error.statusCode).toBe(302);
    expect(error.message).toContain('was redirected (302) to login.example.com');
    expect(error.message).toContain('browser login (Cognito/SAML)');
    expect(error.message).toContain('--out FILE');
    expect(error.message).not.toContain('no body');
    expect(error.message).not.toContain('s3cret-state');
  });

  it('a redirect to the same host over https says to use https', async () => {
    answer = {
      status: 301,
      contentType: 'text/html',
      body: '',
      headers: { location: `${url.replace('http://', 'https://')}/api/saved_objects/_import` },
    };
    await expect(importAll()).rejects.toThrow(
      /redirected \(301\) to https:\/\/127\.0\.0\.1:\d+: use https:\/\/ in --kibana\./,
    );
  });

  it('a 409 on _import is retryable and says that running again is safe', async () => {
    answer = {
      status: 409,
      contentType: 'application/json',
      body: JSON.stringify({
        statusCode: 409,
        error: 'Conflict',
        message: 'version conflict, document already exists',
      }),
    };
    const error = (await importAll().catch((caught: unknown) => caught)) as KibanaRequestError;
    expect(error.statusCode).toBe(409);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain(
      'failed with HTTP 409: version conflict, document already exists. Another write',
    );
    expect(error.message).toContain('run the installer again');
  });
});

describe(`--kibana pointing at the search node (the real ${node.label})`, () => {
  it('detection says it looks like the search engine, not Kibana, instead of "pass --target"', async () => {
    const result = await run(['--kibana', elasticsearchUrl]);
    expect(result.code).toBe(1);
    // Elasticsearch 9 and OpenSearch have no handler for the path; Elasticsearch 8.x knows it only for POST.
    expect(result.stderr).toMatch(
      node.distribution === 'elasticsearch' && node.major === 8
        ? /answered 405 \(Incorrect HTTP method for uri \[\/api\/status\] and method \[GET\]/
        : /answered 400 \(no handler found for uri \[\/api\/status\] and method \[GET\]\)/,
    );
    // Elasticsearch names itself (X-Elastic-Product); OpenSearch answers as Elasticsearch 7.10 did, unnamed.
    expect(result.stderr).toContain(`This looks like ${node.notKibanaName}, not Kibana`);
    expect(result.stderr).toContain('port 5601');
    expect(result.stderr).not.toContain('pass --target');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an import with --target says it looks like the search engine, and is not retryable', async () => {
    const error = (await importSavedObjects({
      kibanaUrl: elasticsearchUrl,
      target: 'kibana-8.8',
      objects: buildSavedObjects('kibana-8.8'),
    }).catch((caught: unknown) => caught)) as KibanaRequestError;
    expect(error.statusCode).toBe(400);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain(`This looks like ${node.notKibanaName}, not Kibana`);
  });
});

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
// The bin is built by `nx run @ctr-stream/kibana-saved-objects:build`; the library tests above cover the same code from src.
describe('the built bin (dist/cli.js, built before the tests: nx test depends on build)', () => {
  it(`checks the fields on the real ${node.label}, then installs into Kibana 7.10 under /_plugin/kibana with basic auth`, async () => {
    // The index as ctr-es-setup makes it (its template, built for the detected server).
    await installCtrIndex(node, mappedIndex);
    const server = await start({
      product: 'kibana',
      version: '7.10.2',
      basePath: '/_plugin/kibana',
      authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}`,
    });
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        cli,
        '--kibana',
        `${server.url}/_plugin/kibana`,
        '--username',
        'admin',
        '--elasticsearch',
        elasticsearchUrl,
        '--index-pattern',
        `${mappedIndex}*`,
      ],
      { env: { ...process.env, KIBANA_PASSWORD: 'pw' } },
    );
    expect(stderr).toBe('');
    expect(stdout).toContain(`Checked 9 fields on ${mappedIndex}* (1 indices)`);
    expect(stdout).toContain('Detected Kibana 7.10.2: target kibana-7.10.');
    expect(stdout).toContain('Imported 8 objects');
    expect(stdout).not.toContain('pw');
    const imported = server.requests.find((entry) => entry.path === '/api/saved_objects/_import')!;
    expect(imported.lines[0]).toMatchObject({
      type: 'index-pattern',
      attributes: { title: `${mappedIndex}*` },
    });
  });
  it("prints the package's version and a newline for --version, and lists it in --help", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    // execFile rejects on an exit code other than 0.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, '--version']);
    expect({ stdout, stderr }).toEqual({ stdout: `${version}\n`, stderr: '' });
    const help = await promisify(execFile)(process.execPath, [cli, '--help']);
    expect(help.stdout).toContain('\n  --version               show the version\n');
  });
  it('answers an unexpected internal error with one line and exit 1, the stack only with DEBUG', async () => {
    // A preload makes the first stdout write throw, as a bug in the CLI would: not one of the package's errors.
    // (A file, not a data: URL, so that the stack does not quote the source and its URL.)
    const breakStdout = join(directory, 'break-stdout.mjs');
    writeFileSync(
      breakStdout,
      "process.stdout.write = () => { throw new TypeError('write to http://admin:s3cr3t@127.0.0.1:9/ failed'); };\n",
    );
    const runBroken = (env: Record<string, string>) =>
      promisify(execFile)(
        process.execPath,
        ['--import', pathToFileURL(breakStdout).href, cli, '--out', '-', '--target', 'kibana-8.8'],
        { env: { PATH: process.env.PATH ?? '', ...env } },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    const quiet = await runBroken({});
    expect(quiet).toEqual({
      code: 1,
      stderr: 'ctr-kibana-setup: unexpected error: TypeError: write to http://***@127.0.0.1:9/ failed\n',
    });
    const debug = await runBroken({ CTR_STREAM_DEBUG: '1' });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('    at ');
    expect(debug.stderr).not.toContain('s3cr3t');
  });
});
