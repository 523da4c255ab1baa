// Review of a9288ba: AWS_ENDPOINT_URL_FIREHOSE in execution environments.
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { startFirehoseLocal } from '../../src/index.js';
import { firehoseClient, json, removeDirectory, temporaryDirectory, uniqueIndexName } from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const sdkUrl = pathToFileURL(createRequire(import.meta.url).resolve('@aws-sdk/client-firehose')).href;
const directories: string[] = [];

beforeEach(() => {
  for (const name of ['AWS_ENDPOINT_URL_FIREHOSE', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_PROFILE'])
    vi.stubEnv(name, undefined);
});
afterEach(() => vi.unstubAllEnvs());
afterAll(async () => {
  await Promise.all(directories.map(removeDirectory));
});

const passThrough = `export const handler = async (event) => ({
  records: event.records.map((record) => ({ recordId: record.recordId, result: 'Ok', data: record.data })),
});`;

describe('AWS_ENDPOINT_URL_FIREHOSE', () => {
  it('a module that calls Firehose in its init phase (top-level await) loads: the startup check must not send it to AWS', async () => {
    const directory = await temporaryDirectory();
    directories.push(directory);
    // The request handler never touches the network: it reports where the SDK would send the call.
    const modulePath = join(directory, 'init-call.mjs');
    await writeFile(
      modulePath,
      `import { FirehoseClient, ListDeliveryStreamsCommand } from ${JSON.stringify(sdkUrl)};
const client = new FirehoseClient({
  maxAttempts: 1,
  requestHandler: {
    handle: async (request) => {
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(request.hostname))
        throw new Error('init call would go to ' + request.hostname);
      throw new Error('local');
    },
  },
});
await client.send(new ListDeliveryStreamsCommand({})).catch((error) => {
  if (error.message !== 'local') throw error;
});
${passThrough}`,
    );
    let problem = 'loaded';
    try {
      const firehose = await startFirehoseLocal({
        streams: [
          {
            name: 'init-call',
            region: 'ap-southeast-2',
            processor: { modulePath, exportName: 'handler' },
            elasticsearch: {
              url: elasticsearchUrl,
              indexName: uniqueIndexName('endpoint-init'),
              indexRotationPeriod: 'NoRotation',
            },
            backup: { directory },
          },
        ],
      });
      await firehose.close();
    } catch (error) {
      problem = (error as Error).message;
    }
    expect(problem).toBe('loaded');
  });

  it("an empty AWS_ENDPOINT_URL_FIREHOSE in firehose-local's environment (unset for the SDK) still gets the local endpoint", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_FIREHOSE', '');
    const directory = await temporaryDirectory();
    directories.push(directory);
    const modulePath = join(directory, 'report.mjs');
    const reportFile = join(directory, 'endpoint.txt');
    await writeFile(
      modulePath,
      `import { writeFileSync } from 'node:fs';
export const handler = async (event) => {
  writeFileSync(${JSON.stringify(reportFile)}, JSON.stringify(process.env.AWS_ENDPOINT_URL_FIREHOSE ?? null));
  return { records: event.records.map((record) => ({ recordId: record.recordId, result: 'Dropped' })) };
};`,
    );
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'empty',
          processor: { modulePath, exportName: 'handler', bufferIntervalInSeconds: 0 },
          elasticsearch: {
            url: elasticsearchUrl,
            indexName: uniqueIndexName('endpoint-empty'),
            indexRotationPeriod: 'NoRotation',
          },
          backup: { directory },
        },
      ],
    });
    const client = firehoseClient(firehose.url);
    try {
      await client.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'empty', Records: [{ Data: json({ a: 1 }) }] }),
      );
      await firehose.flush('empty');
    } finally {
      client.destroy();
      await firehose.close();
    }
    // '' makes the AWS SDK use the real service endpoint (firehose.<region>.amazonaws.com).
    expect(JSON.parse(await readFile(reportFile, 'utf8'))).toBe(firehose.processorEndpointUrl);
  });
});
