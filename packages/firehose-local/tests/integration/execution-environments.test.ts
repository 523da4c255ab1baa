import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeDeliveryStreamCommand,
  type FirehoseClient,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DeliveryStreamConfig } from '../../src/index.js';
import {
  deleteIndices,
  fixture,
  json,
  removeDirectory,
  searchAll,
  startTestStream,
  temporaryDirectory,
  uniqueIndexName,
} from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const indexPrefix = uniqueIndexName('environments');
const directories: string[] = [];

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, `${indexPrefix}*`);
  await Promise.all(directories.map(removeDirectory));
});

const start = (label: string, processor: NonNullable<DeliveryStreamConfig['processor']>) =>
  startTestStream({ elasticsearchUrl, indexPrefix, directories, label, stream: { processor } });

const put = (client: FirehoseClient, stream: string, contactIds: string[]) =>
  client.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: stream,
      Records: contactIds.map((contactId) => ({ Data: json({ ContactId: contactId }) })),
    }),
  );

/** Threads of this process (Linux): a worker-thread environment is one more. */
const threadCount = () => readdirSync('/proc/self/task').length;

async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((wake) => setTimeout(wake, 20));
  }
}

describe('worker-thread execution environments (the default for a module)', () => {
  it('cold-starts one environment, reuses it warm, and gives it the configured environment variables', async () => {
    const { firehose, client, index } = await start('warm', {
      modulePath: fixture('environment.mjs'),
      exportName: 'describeEnvironment',
      environment: { GREETING: 'hello from the function configuration' },
      concurrency: 2,
      bufferIntervalInSeconds: 0,
    });
    for (const batch of [['a'], ['b'], ['c']]) {
      expect((await put(client, 'warm', batch)).FailedPutCount).toBe(0);
      await firehose.flush('warm');
    }
    expect(firehose.metrics('warm').local).toMatchObject({
      processorInvocations: 3,
      processorColdStarts: 1,
      processorEnvironments: 1,
    });
    client.destroy();
    await firehose.close();
    expect(firehose.metrics('warm').local.processorEnvironments).toBe(0);
    const documents = await searchAll(elasticsearchUrl, index);
    expect(documents).toHaveLength(3);
    expect(new Set(documents.map((document) => document.ThreadId)).size).toBe(1);
    for (const document of documents) {
      expect(document).toMatchObject({
        MainThread: false,
        Greeting: 'hello from the function configuration',
      });
    }
    // The function's variables are its own: firehose-local's process.env is untouched.
    expect(process.env.GREETING).toBeUndefined();
  });

  it('keeps answering the producer API while a handler blocks its thread; the timeout discards that environment and the retry cold-starts a new one', async () => {
    const markerDirectory = await temporaryDirectory();
    directories.push(markerDirectory);
    const marker = join(markerDirectory, 'blocked');
    const { firehose, client, index } = await start('blocking', {
      modulePath: fixture('environment.mjs'),
      exportName: 'blocksOnce',
      environment: { BLOCK_MARKER: marker },
      timeoutSeconds: 2,
      numberOfRetries: 1,
      bufferIntervalInSeconds: 0,
    });
    await put(client, 'blocking', ['first']);
    await eventually(() => existsSync(marker));
    // The handler is blocked in its worker; the endpoint still answers puts and describes.
    const answered = await put(client, 'blocking', ['second']);
    expect(answered.FailedPutCount).toBe(0);
    const description = await client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'blocking' }),
    );
    expect(description.DeliveryStreamDescription?.DeliveryStreamStatus).toBe('ACTIVE');
    expect(firehose.metrics('blocking').local.processorInvocations).toBe(0); // still blocked
    await firehose.flush('blocking');
    const metrics = firehose.metrics('blocking');
    expect(metrics.local).toMatchObject({ processorInvocationFailures: 1, processingFailedRecords: 0 });
    expect(metrics.local.processorColdStarts).toBeGreaterThanOrEqual(2);
    expect(metrics.cloudWatch['DeliveryToElasticsearch.Records']).toBe(2);
    client.destroy();
    await firehose.close();
    const blockedThread = Number(readFileSync(marker, 'utf8'));
    const documents = await searchAll(elasticsearchUrl, index);
    expect(documents.map((document) => document.ContactId).sort()).toEqual(['first', 'second']);
    for (const document of documents) expect(document.ThreadId).not.toBe(blockedThread);
  });

  it('runs concurrent invocations in separate environments and close() terminates every one of them', async () => {
    const threadsBefore = threadCount();
    const { firehose, client } = await start('concurrent', {
      modulePath: fixture('environment.mjs'),
      exportName: 'slow',
      concurrency: 3,
      bufferIntervalInSeconds: 0,
    });
    await Promise.all(['x', 'y', 'z'].map((contactId) => put(client, 'concurrent', [contactId])));
    await eventually(() => firehose.metrics('concurrent').local.processorEnvironments >= 2);
    expect(threadCount()).toBeGreaterThan(threadsBefore);
    client.destroy();
    await firehose.close();
    const { local, cloudWatch } = firehose.metrics('concurrent');
    expect(cloudWatch['DeliveryToElasticsearch.Records']).toBe(3);
    expect(local.processorColdStarts).toBeLessThanOrEqual(3);
    expect(local.processorEnvironments).toBe(0);
    await eventually(() => threadCount() <= threadsBefore, 2000);
  });

  it('runs a module on the main thread with isolation in-process', async () => {
    const { firehose, client, index } = await start('inprocess', {
      modulePath: fixture('environment.mjs'),
      exportName: 'describeEnvironment',
      isolation: 'in-process',
      bufferIntervalInSeconds: 0,
    });
    await put(client, 'inprocess', ['main']);
    client.destroy();
    await firehose.close();
    expect(firehose.metrics('inprocess').local).toMatchObject({
      processorColdStarts: 0,
      processorEnvironments: 0,
    });
    expect(await searchAll(elasticsearchUrl, index)).toEqual([
      expect.objectContaining({ ContactId: 'main', MainThread: true }),
    ]);
  });
});
