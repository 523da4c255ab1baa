// The README's first config file, as written (read from README.md), run by the real command line with the README's
// pass-through transform: records reach Elasticsearch within seconds, and the backup holds them all. Only the node
// URL, the index name and the port are swapped for the test's.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterAll, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli-main.js';
import {
  backupLines,
  deleteIndices,
  firehoseClient,
  json,
  removeDirectory,
  searchAll,
  temporaryDirectory,
  uniqueIndexName,
} from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const indexName = uniqueIndexName('readme-config');
const directories: string[] = [];

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, indexName);
  await Promise.all(directories.map(removeDirectory));
});

/** The ```json block after "A first config" in README.md. */
async function readmeConfig(): Promise<Record<string, unknown>> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.indexOf('A first config');
  const start = readme.indexOf('```json\n', section);
  expect(section, 'README.md has "A first config"').toBeGreaterThan(0);
  return JSON.parse(readme.slice(start + '```json\n'.length, readme.indexOf('\n```', start)));
}

/** The pass-through handler of the README's Usage example, as a module. */
const TRANSFORM = `export const handler = async (event) => ({
  records: event.records.map(({ recordId, data }) => ({ recordId, result: 'Ok', data })),
});
`;

it("the README's first config file delivers within seconds and backs every record up", async () => {
  const config = (await readmeConfig()) as {
    port: number;
    streams: { processor: { modulePath: string }; elasticsearch: { url: string; indexName: string } }[];
  };
  expect(config.port).toBe(4573);
  expect(config.streams[0]!.elasticsearch).toMatchObject({
    url: 'http://127.0.0.1:9200',
    indexName: 'connect',
  });
  config.streams[0]!.elasticsearch.url = elasticsearchUrl;
  config.streams[0]!.elasticsearch.indexName = indexName;
  const directory = await temporaryDirectory();
  directories.push(directory);
  await writeFile(join(directory, 'firehose.json'), JSON.stringify(config));
  await writeFile(join(directory, config.streams[0]!.processor.modulePath), TRANSFORM);

  let output = '';
  const shutdown = new AbortController();
  const exit = runCli(
    ['--config', join(directory, 'firehose.json'), '--port', '0'],
    { stdout: { write: (chunk: string) => (output += chunk) }, stderr: { write: () => true } },
    shutdown.signal,
  );
  try {
    const deadline = Date.now() + 10_000;
    while (!output.includes('Firehose endpoint:') && Date.now() < deadline) {
      await new Promise((wake) => setTimeout(wake, 20));
    }
    const client = firehoseClient(/Firehose endpoint: (\S+)/.exec(output)![1]!);
    const records = Array.from({ length: 20 }, (_, index) => ({ ContactId: `readme-${index}` }));
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'CTRFHStream',
        Records: records.map((record) => ({ Data: json(record) })),
      }),
    );
    client.destroy();
    const sent = Date.now();
    let documents: Record<string, unknown>[] = [];
    while (documents.length < records.length && Date.now() - sent < 30_000) {
      await new Promise((wake) => setTimeout(wake, 200));
      documents = await searchAll(elasticsearchUrl, indexName).catch(() => []);
    }
    // One second in each buffer (Firehose's defaults would hold them 60 s, then 300 s): all there within 30 s.
    expect(documents).toHaveLength(records.length);
  } finally {
    shutdown.abort();
  }
  expect(await exit).toBe(0);
  expect(await backupLines(join(directory, 'backup'), '')).toHaveLength(20);
});
