import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-firehose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listenFailureLine, runCli } from '../../src/cli-main.js';
import { FirehoseLocalListenError } from '../../src/index.js';
import {
  deleteIndices,
  firehoseClient,
  json,
  removeDirectory,
  searchAll,
  temporaryDirectory,
  uniqueIndexName,
} from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const indexName = uniqueIndexName('cli');
const directories: string[] = [];

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, indexName);
  await Promise.all(directories.map(removeDirectory));
});

function capture() {
  let text = '';
  return { stream: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

async function configFile(content: unknown): Promise<string> {
  const directory = await temporaryDirectory();
  directories.push(directory);
  const path = join(directory, 'firehose.json');
  await writeFile(path, JSON.stringify(content));
  return path;
}

describe('ctr-firehose-local', () => {
  it('serves the config file, prints the endpoint, and flushes and prints metrics on shutdown', async () => {
    const config = await configFile({
      streams: [
        {
          name: 'ctr-stream',
          elasticsearch: { url: elasticsearchUrl, indexName, indexRotationPeriod: 'NoRotation' },
          backup: { directory: 'backup' },
        },
      ],
    });
    const stdout = capture();
    const stderr = capture();
    const shutdown = new AbortController();
    const exit = runCli(
      ['--config', config, '--port', '0'],
      { stdout: stdout.stream, stderr: stderr.stream },
      shutdown.signal,
    );
    const deadline = Date.now() + 10_000;
    while (!stdout.text().includes('Firehose endpoint:') && Date.now() < deadline) {
      await new Promise((wake) => setTimeout(wake, 20));
    }
    const url = /Firehose endpoint: (\S+)/.exec(stdout.text())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = firehoseClient(url!);
    await client.send(
      new PutRecordCommand({
        DeliveryStreamName: 'ctr-stream',
        Record: { Data: json({ ContactId: 'cli' }) },
      }),
    );
    client.destroy();
    shutdown.abort();
    expect(await exit).toBe(0);
    expect(stdout.text()).toMatch(/IncomingRecords\s+1\n/);
    expect(stdout.text()).toMatch(/DeliveryToElasticsearch\.Records\s+1\n/);
    expect(await searchAll(elasticsearchUrl, indexName)).toEqual([{ ContactId: 'cli' }]);
  });

  it("prints the package's version and a newline for --version, exit 0, starting nothing", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const config = await configFile({
      streams: [{ name: 'ctr-stream', elasticsearch: { url: elasticsearchUrl, indexName } }],
    });
    // Never aborted: a run that started a server would not end.
    const never = new AbortController().signal;
    for (const argv of [['--version'], ['--config', config, '--port', '0', '--version']]) {
      const stdout = capture();
      const stderr = capture();
      expect(await runCli(argv, { stdout: stdout.stream, stderr: stderr.stream }, never)).toBe(0);
      expect({ stdout: stdout.text(), stderr: stderr.text() }).toEqual({
        stdout: `${version}\n`,
        stderr: '',
      });
    }
    const help = capture();
    expect(await runCli(['--help'], { stdout: help.stream, stderr: capture().stream }, never)).toBe(0);
    expect(help.text()).toContain('\n       ctr-firehose-local --help | --version\n');
    const both = capture();
    expect(
      await runCli(['--version', '--help'], { stdout: both.stream, stderr: capture().stream }, never),
    ).toBe(0);
    expect(both.text()).toBe(help.text());
    const bad = capture();
    expect(
      await runCli(['--version', '--bogus'], { stdout: capture().stream, stderr: bad.stream }, never),
    ).toBe(2);
    expect(bad.text()).toMatch(/^Unknown option '--bogus'\.\nUsage: ctr-firehose-local/);
  });

  it('exits 2 with a clear message on bad usage or a bad config', async () => {
    const stderr = capture();
    const never = new AbortController().signal;
    expect(await runCli([], { stdout: capture().stream, stderr: stderr.stream }, never)).toBe(2);
    expect(stderr.text()).toMatch(/--config is required/);

    const unknown = capture();
    expect(await runCli(['--bogus'], { stdout: capture().stream, stderr: unknown.stream }, never)).toBe(2);
    expect(unknown.text()).toMatch(/^Unknown option '--bogus'\.\nUsage: ctr-firehose-local/);

    const badPort = capture();
    expect(
      await runCli(
        ['--config', 'x.json', '--port', 'abc'],
        { stdout: capture().stream, stderr: badPort.stream },
        never,
      ),
    ).toBe(2);

    const invalid = capture();
    const config = await configFile({ streams: [{ name: 'bad name!' }] });
    expect(
      await runCli(['--config', config], { stdout: capture().stream, stderr: invalid.stream }, never),
    ).toBe(2);
    expect(invalid.text()).toMatch(/streams\.0\.name/);
    expect(invalid.text()).toMatch(/streams\.0\.elasticsearch/);

    const missing = capture();
    expect(
      await runCli(
        ['--config', '/nonexistent/firehose.json'],
        { stdout: capture().stream, stderr: missing.stream },
        never,
      ),
    ).toBe(2);
    expect(missing.text()).toMatch(/Cannot read the config file/);
  });

  it('says where a config file is not valid JSON, never quoting its text (it holds secrets)', async () => {
    const directory = await temporaryDirectory();
    directories.push(directory);
    const never = new AbortController().signal;
    const cases: [string, string][] = [
      // No position in the message: JSON.parse quotes the text around the token instead.
      [
        '{"streams": [{"processor": {"environment": {"CALLER_LOOKUP_API_KEY": CANARY-KEY}}}]}',
        'it is not valid JSON.',
      ],
      [
        '{\n  "streams": [\n    {\n      "elasticsearch": {\n        "url": "http://elastic:CANARY-PASS@127.0.0.1:9200",\n      }\n    }\n  ]\n}\n',
        'it is not valid JSON: syntax error at line 6, column 7.',
      ],
      [
        '{\r\n"streams": [{"processor": {"environment": {"CALLER_LOOKUP_API_KEY": "CANARY-KEY',
        'it is not valid JSON: syntax error at line 2, column 80.',
      ],
      [
        '{"streams": [{"processor": {"environment": {"CALLER_LOOKUP_API_KEY": "CANARY',
        'it is not valid JSON: syntax error at line 1, column 77.',
      ],
      ['', 'it is not valid JSON: it ends before the JSON is complete.'],
    ];
    for (const [index, [text, expected]] of cases.entries()) {
      const path = join(directory, `bad${index}.json`);
      await writeFile(path, text);
      const stdout = capture();
      const stderr = capture();
      expect(await runCli(['--config', path], { stdout: stdout.stream, stderr: stderr.stream }, never)).toBe(
        2,
      );
      expect(stdout.text()).toBe('');
      expect(stderr.text()).toContain(`Cannot read the config file ${path}: ${expected}`);
      expect(stderr.text()).not.toContain('CANARY');
      expect(stderr.text()).not.toContain('API_KEY');
      expect(stderr.text().trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('exits 2 naming elasticsearch.url when its password has a malformed percent escape, never showing it', async () => {
    const config = await configFile({
      streams: [
        {
          name: 'ctr-stream',
          elasticsearch: { url: 'http://user:pa%zzCANARY@127.0.0.1:9', indexName },
          backup: { directory: 'backup' },
        },
      ],
    });
    const stdout = capture();
    const stderr = capture();
    // Already aborted: a config that were accepted would start, stop at once and exit 0.
    expect(
      await runCli(
        ['--config', config, '--port', '0'],
        { stdout: stdout.stream, stderr: stderr.stream },
        AbortSignal.abort(),
      ),
    ).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toBe(
      'Invalid firehose-local configuration: streams.0.elasticsearch.url: the user name or password in it has a malformed percent escape (a % not followed by two hexadecimal digits, or escapes that are not UTF-8): write a % in them as %25\n',
    );
  });

  it('takes only a decimal --port from 0 to 65535: anything else is bad usage (exit 2), never a port', async () => {
    const config = await configFile({
      streams: [
        {
          name: 'ctr-stream',
          elasticsearch: { url: elasticsearchUrl, indexName, indexRotationPeriod: 'NoRotation' },
          backup: { directory: 'backup' },
        },
      ],
    });
    // Already aborted: a port that were accepted would start, stop at once and exit 0 (or fail to listen).
    const stopAtOnce = AbortSignal.abort();
    // "" was read as 0 (a random port), "1e3" as 1000, "0x50" as 80, " 80" as 80.
    for (const port of ['', '1e3', '0x50', ' 80', '80.0', '-1', '65536', 'abc']) {
      const stdout = capture();
      const stderr = capture();
      expect(
        await runCli(
          ['--config', config, `--port=${port}`],
          { stdout: stdout.stream, stderr: stderr.stream },
          stopAtOnce,
        ),
      ).toBe(2);
      expect(stdout.text()).toBe('');
      expect(stderr.text()).toBe(
        `--port must be an integer between 0 and 65535 (0 picks a free port), got ${JSON.stringify(port)}.\n`,
      );
    }
    const accepted = capture();
    expect(
      await runCli(
        ['--config', config, '--port', '0'],
        { stdout: accepted.stream, stderr: capture().stream },
        stopAtOnce,
      ),
    ).toBe(0);
    expect(accepted.text()).toMatch(/^Firehose endpoint: http:\/\/127\.0\.0\.1:\d+\n/);
  });

  it('rejects a misspelled key in the config file, naming it and the key it is close to', async () => {
    const config = await configFile({
      streams: [
        {
          name: 'ctr-stream',
          procesor: { modulePath: 'lambda.mjs' },
          elasticsearch: { url: elasticsearchUrl, indexName, bufferingHints: { intervalInSecond: 1 } },
          backup: { directory: 'backup' },
        },
      ],
      prot: 4573,
    });
    const stdout = capture();
    const stderr = capture();
    // Already aborted: a config that were accepted would start, stop at once and exit 0 instead of hanging.
    const stopAtOnce = AbortSignal.abort();
    expect(
      await runCli(
        ['--config', config, '--port', '0'],
        { stdout: stdout.stream, stderr: stderr.stream },
        stopAtOnce,
      ),
    ).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toContain('streams.0.procesor: unknown key (did you mean processor?)');
    expect(stderr.text()).toContain(
      'streams.0.elasticsearch.bufferingHints.intervalInSecond: unknown key (did you mean intervalInSeconds?)',
    );
    expect(stderr.text()).toContain('prot: unknown key (did you mean port?)');
    expect(stderr.text().trimEnd().split('\n')).toHaveLength(1);
  });

  describe('a host and port it cannot listen on: one line saying what to pass, exit 2', () => {
    let occupied: Server;
    let occupiedPort: number;
    const streamConfig = () =>
      configFile({
        streams: [
          {
            name: 'ctr-stream',
            elasticsearch: { url: elasticsearchUrl, indexName },
            backup: { directory: 'backup' },
          },
        ],
      });
    const run = async (argv: string[]) => {
      const stdout = capture();
      const stderr = capture();
      const exitCode = await runCli(
        argv,
        { stdout: stdout.stream, stderr: stderr.stream },
        new AbortController().signal,
      );
      return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
    };

    beforeAll(async () => {
      occupied = createServer();
      await new Promise<void>((listening) => occupied.listen(0, '127.0.0.1', listening));
      occupiedPort = (occupied.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((closed) => occupied.close(() => closed())));

    it('a port in use (from --port or the config file)', async () => {
      const fromFlag = await run(['--config', await streamConfig(), '--port', String(occupiedPort)]);
      expect(fromFlag).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: `Port ${occupiedPort} on 127.0.0.1 is in use: pass --port N (0 picks a free port).\n`,
      });
      const config = await configFile({
        port: occupiedPort,
        streams: [
          {
            name: 'ctr-stream',
            elasticsearch: { url: elasticsearchUrl, indexName },
            backup: { directory: 'b' },
          },
        ],
      });
      expect((await run(['--config', config])).stderr).toBe(
        `Port ${occupiedPort} on 127.0.0.1 is in use: pass --port N (0 picks a free port).\n`,
      );
    });

    it('a host that is not an address of this machine (EADDRNOTAVAIL)', async () => {
      // 192.0.2.1 is TEST-NET-1: documentation only, never a local address.
      const result = await run(['--config', await streamConfig(), '--host', '192.0.2.1', '--port', '0']);
      expect(result).toEqual({
        exitCode: 2,
        stdout: '',
        stderr:
          'Host 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL): pass --host 127.0.0.1, 0.0.0.0 (every interface) or another local address.\n',
      });
    });

    it('a host name that does not resolve', async () => {
      const result = await run(['--config', await streamConfig(), '--host', 'no-such-host.invalid']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        /^Host no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\): pass --host 127\.0\.0\.1 or another local address\.\n$/,
      );
    });

    it('a port that needs privileges (EACCES), and any other failure, still one line', () => {
      const failure = (code: string, message: string) =>
        new FirehoseLocalListenError('127.0.0.1', 80, Object.assign(new Error(message), { code }));
      expect(listenFailureLine(failure('EACCES', 'listen EACCES: permission denied 127.0.0.1:80'))).toBe(
        'Port 80 on 127.0.0.1 needs privileges (EACCES): pass --port N above 1023 (0 picks a free port).',
      );
      expect(listenFailureLine(failure('EMFILE', 'too many open files'))).toBe(
        'Cannot listen on 127.0.0.1:80: too many open files. Check --host and --port.',
      );
    });
  });
});
