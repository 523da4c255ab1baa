import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-firehose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli-main.js';
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

  it('exits 2 with a clear message on bad usage or a bad config', async () => {
    const stderr = capture();
    const never = new AbortController().signal;
    expect(await runCli([], { stdout: capture().stream, stderr: stderr.stream }, never)).toBe(2);
    expect(stderr.text()).toMatch(/--config is required/);

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
});
