import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { type BulkTransport, HttpBulkTransport } from '../../src/bulk-transport.js';
import { DeliveryStream } from '../../src/delivery-stream.js';
import {
  type DeliveryStreamConfig,
  FirehoseLocalListenError,
  type FirehoseTransformationEvent,
  ProcessorLoadError,
  parseFirehoseLocalConfig,
  startFirehoseLocal,
} from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import {
  backupLines,
  createIndex,
  deleteIndices,
  firehoseClient,
  fixture,
  json,
  removeDirectory,
  searchAll,
  startBulkFaultProxy,
  temporaryDirectory,
  uniqueIndexName,
} from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const indexPrefix = uniqueIndexName('shutdown');
const directories: string[] = [];
const MEBIBYTE = 1024 * 1024;

async function backupDirectory(): Promise<string> {
  const directory = await temporaryDirectory();
  directories.push(directory);
  return directory;
}

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, `${indexPrefix}*`);
  await Promise.all(directories.map(removeDirectory));
});

/** A DeliveryStream built directly, to inject what startFirehoseLocal keeps internal. */
function directStream(
  stream: DeliveryStreamConfig,
  transport: BulkTransport,
  directory: string,
  options: { now?: number; backupRetry?: { attempts: number; backoffMs: (attempt: number) => number } } = {},
): DeliveryStream {
  const [config] = parseFirehoseLocalConfig({ streams: [stream] }).streams;
  return new DeliveryStream({
    config: config!,
    processorRuntime: undefined,
    transport,
    backupDirectory: directory,
    clock: { now: () => options.now ?? Date.now() },
    logger: silentLogger,
    ...(options.backupRetry === undefined ? {} : { backupRetry: options.backupRetry }),
  });
}

describe('an AllDocuments backup that cannot be written', () => {
  it('still settles the Elasticsearch outcome: indexed documents count, rejected ones go to elasticsearch-failed/', async () => {
    const index = `${indexPrefix}-alldocs`;
    const directory = await backupDirectory();
    await createIndex(elasticsearchUrl, index, { properties: { n: { type: 'integer' } } });
    // AllDocuments keys start with 2030/...: a file named 2030 makes every AllDocuments write fail, while the
    // elasticsearch-failed/ prefix stays writable.
    await writeFile(join(directory, '2030'), 'not a directory');
    // Two 429 answers keep the bulk request retrying (~300 ms) after the backup has failed for good (~20 ms).
    const proxy = await startBulkFaultProxy(elasticsearchUrl, { failBulkRequests: 2, status: 429 });
    const transport = new HttpBulkTransport({ url: proxy.url });
    let backupAttempts = 0;
    try {
      const stream = directStream(
        {
          name: 'alldocs',
          elasticsearch: {
            url: proxy.url,
            indexName: index,
            indexRotationPeriod: 'NoRotation',
            bufferingHints: { sizeInMBs: 1, intervalInSeconds: 60 },
          },
          backup: { directory, mode: 'AllDocuments' },
        },
        transport,
        directory,
        {
          now: Date.parse('2030-01-01T00:00:00Z'),
          backupRetry: {
            attempts: 3,
            backoffMs: () => {
              backupAttempts += 1;
              return 10;
            },
          },
        },
      );
      const results = stream.put([Buffer.from('{"n":1}'), Buffer.from('{"n":"abc"}')], 'PutRecordBatch');
      expect(results).toHaveLength(2);
      await stream.close();
      expect(backupAttempts).toBe(2); // 3 attempts, 2 pauses
      const { cloudWatch, local } = stream.metrics();
      expect(proxy.bulkRequests()).toBe(3);
      expect(cloudWatch['DeliveryToElasticsearch.Records']).toBe(1);
      expect(local).toMatchObject({
        elasticsearchFailedRecords: 1,
        allDocumentsBackupFailedRecords: 2,
        backedUpRecords: 0,
        pendingRecords: 0,
        pendingBytes: 0,
      });
      expect(cloudWatch.IncomingRecords).toBe(
        cloudWatch['DeliveryToElasticsearch.Records'] +
          local.droppedRecords +
          local.processingFailedRecords +
          local.elasticsearchFailedRecords +
          local.pendingRecords,
      );
      expect(cloudWatch['DeliveryToElasticsearch.DataFreshness']).toBe(0);
      const failed = await backupLines(directory, 'elasticsearch-failed/');
      expect(failed.map((line) => Buffer.from(line.rawData as string, 'base64').toString())).toEqual([
        '{"n":"abc"}',
      ]);
      expect(await searchAll(elasticsearchUrl, index)).toEqual([{ n: 1 }]);
    } finally {
      await transport.close();
      await proxy.close();
    }
  });
});

describe('admission control', () => {
  it('always admits a request into an empty stream, even one larger than maxPendingBytes', async () => {
    const directory = await backupDirectory();
    const transport = new HttpBulkTransport({ url: elasticsearchUrl });
    try {
      const stream = directStream(
        {
          name: 'admission',
          elasticsearch: {
            url: elasticsearchUrl,
            indexName: `${indexPrefix}-admission`,
            indexRotationPeriod: 'NoRotation',
            bufferingHints: { sizeInMBs: 100, intervalInSeconds: 900 },
          },
          backup: { directory },
        },
        transport,
        directory,
      );
      // The schema requires >= 5 MiB; force a smaller limit to prove the empty-stream rule on its own.
      (stream.config as { maxPendingBytes: number }).maxPendingBytes = MEBIBYTE;
      const big = [Buffer.from(JSON.stringify({ padding: 'x'.repeat(2 * MEBIBYTE) }))];
      expect(stream.put(big, 'PutRecordBatch')).not.toBe('throttled');
      expect(stream.put([Buffer.from('{"a":1}')], 'PutRecord')).toBe('throttled');
      expect(stream.metrics().cloudWatch.ThrottledRecords).toBe(1);
      await stream.close();
      expect(stream.metrics().local.pendingRecords).toBe(0);
      expect(stream.put([Buffer.from('{"a":1}')], 'PutRecord')).toBe('throttled'); // closed
    } finally {
      await transport.close();
    }
  });
});

describe('close() and records the processor re-ingests', () => {
  it('keeps accepting puts while the processor stage drains and delivers them before close() resolves', async () => {
    const index = `${indexPrefix}-reingest`;
    let endpoint = '';
    const handler = async (event: FirehoseTransformationEvent) => {
      const producer = firehoseClient(endpoint);
      try {
        const records = [];
        for (const record of event.records) {
          const document = JSON.parse(Buffer.from(record.data, 'base64').toString()) as {
            ContactId: string;
            overflow?: boolean;
          };
          if (document.overflow === true) {
            // Like a Lambda that splits an oversize record: the overflow goes back into the stream.
            await producer.send(
              new PutRecordBatchCommand({
                DeliveryStreamName: 'reingest',
                Records: [{ Data: json({ ContactId: `${document.ContactId}-overflow` }) }],
              }),
            );
          }
          records.push({
            recordId: record.recordId,
            result: 'Ok',
            data: Buffer.from(JSON.stringify({ ContactId: document.ContactId })).toString('base64'),
          });
        }
        return { records };
      } finally {
        producer.destroy();
      }
    };
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'reingest',
          processor: { handler, numberOfRetries: 0, bufferIntervalInSeconds: 60 },
          elasticsearch: { url: elasticsearchUrl, indexName: index, indexRotationPeriod: 'NoRotation' },
          backup: { directory: await backupDirectory() },
        },
      ],
    });
    // An in-process handler re-ingests through the processors' endpoint, as execution environments do.
    endpoint = firehose.processorEndpointUrl;
    expect(endpoint.startsWith(`${firehose.url}/processors/`)).toBe(true);
    const client = firehoseClient(firehose.url);
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'reingest',
        Records: [{ Data: json({ ContactId: 'c-1', overflow: true }) }, { Data: json({ ContactId: 'c-2' }) }],
      }),
    );
    client.destroy();
    await firehose.close();
    const { cloudWatch, local } = firehose.metrics('reingest');
    expect(cloudWatch.ThrottledRecords).toBe(0);
    expect(local.processingFailedRecords).toBe(0);
    expect(cloudWatch.IncomingRecords).toBe(3);
    expect(cloudWatch['DeliveryToElasticsearch.Records']).toBe(3);
    expect(local.pendingRecords).toBe(0);
    expect((await searchAll(elasticsearchUrl, index)).map((document) => document.ContactId).sort()).toEqual([
      'c-1',
      'c-1-overflow',
      'c-2',
    ]);
    // Once closed, the endpoint refuses connections.
    await expect(fetch(firehose.url)).rejects.toThrow();
  });
});

describe('close() and a producer that keeps sending', () => {
  it('refuses the producer at once, so the shutdown ends, and delivers every record it accepted', async () => {
    const index = `${indexPrefix}-steady`;
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'steady',
          processor: {
            handler: async (event) => {
              // Slow enough that the buffer refills while each invocation runs.
              await new Promise((resolve) => setTimeout(resolve, 50));
              return {
                records: event.records.map(({ recordId, data }) => ({ recordId, result: 'Ok', data })),
              };
            },
            bufferIntervalInSeconds: 0,
          },
          elasticsearch: { url: elasticsearchUrl, indexName: index, indexRotationPeriod: 'NoRotation' },
          backup: { directory: await backupDirectory() },
        },
      ],
    });
    // Like ctr-simulate --live: one record every 10 ms, until the endpoint is gone.
    const client = firehoseClient(firehose.url);
    let accepted = 0;
    const refusals: string[] = [];
    let closed = false;
    const producer = (async () => {
      for (let n = 0; !closed; n++) {
        try {
          const answer = await client.send(
            new PutRecordBatchCommand({
              DeliveryStreamName: 'steady',
              Records: [{ Data: json({ ContactId: `c-${n}` }) }],
            }),
          );
          accepted += 1 - (answer.FailedPutCount ?? 0);
        } catch (error) {
          refusals.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await vi.waitFor(() => expect(firehose.metrics('steady').local.processorInvocations).toBeGreaterThan(2), {
      timeout: 10_000,
    });
    // close() resolves although the producer never stops by itself (before, it drained for as long as records came).
    await firehose.close();
    closed = true;
    await producer;
    client.destroy();
    expect(refusals[0]).toBe('ServiceUnavailableException: The local Firehose endpoint is shutting down.');
    const { cloudWatch, local } = firehose.metrics('steady');
    expect(cloudWatch.IncomingRecords).toBe(accepted);
    expect(cloudWatch['DeliveryToElasticsearch.Records']).toBe(accepted);
    expect(local.pendingRecords).toBe(0);
    expect(await searchAll(elasticsearchUrl, index)).toHaveLength(accepted);
  });
});

describe('startFirehoseLocal failing part-way', () => {
  const streamWithUrl = (name: string, directory: string): DeliveryStreamConfig => ({
    name,
    elasticsearch: { url: elasticsearchUrl, indexName: `${indexPrefix}-${name}` },
    backup: { directory },
  });

  it('closes the Elasticsearch connections it opened when a later processor does not load', async () => {
    const close = vi.spyOn(HttpBulkTransport.prototype, 'close');
    const directory = await backupDirectory();
    await expect(
      startFirehoseLocal({
        streams: [
          streamWithUrl('first', directory),
          streamWithUrl('second', directory),
          { ...streamWithUrl('third', directory), processor: { modulePath: fixture('missing.mjs') } },
        ],
      }),
    ).rejects.toBeInstanceOf(ProcessorLoadError);
    // Modules are checked once the server listens, so all three streams' transports exist by then: all are closed.
    expect(close).toHaveBeenCalledTimes(3);
  });

  it('closes the Elasticsearch connections it opened when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
    const { port } = blocker.address() as AddressInfo;
    const close = vi.spyOn(HttpBulkTransport.prototype, 'close');
    const directory = await backupDirectory();
    await mkdir(directory, { recursive: true });
    try {
      await expect(
        startFirehoseLocal({ port, streams: [streamWithUrl('taken', directory)] }),
      ).rejects.toThrow(/EADDRINUSE/);
      expect(close).toHaveBeenCalledTimes(1);
    } finally {
      await new Promise<void>((closed) => blocker.close(() => closed()));
    }
  });

  it('says which host and port it cannot listen on, and what to pass instead', async () => {
    const blocker = createServer();
    await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
    const { port } = blocker.address() as AddressInfo;
    const directory = await backupDirectory();
    try {
      const error = await startFirehoseLocal({ port, streams: [streamWithUrl('in-use', directory)] }).catch(
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(FirehoseLocalListenError);
      expect(error).toMatchObject({
        code: 'LISTEN_FAILED',
        systemCode: 'EADDRINUSE',
        host: '127.0.0.1',
        port,
        isRetryable: true,
        message: `Cannot listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE). Pass another port, or port 0 to pick a free one.`,
      });
    } finally {
      await new Promise<void>((closed) => blocker.close(() => closed()));
    }
    const notLocal = await startFirehoseLocal({
      host: '192.0.2.1',
      streams: [streamWithUrl('not-local', directory)],
    }).catch((rejection: unknown) => rejection);
    expect(notLocal).toMatchObject({ systemCode: 'EADDRNOTAVAIL', host: '192.0.2.1', isRetryable: false });
    expect((notLocal as Error).message).toMatch(
      /^Cannot listen on 192\.0\.2\.1:\d+: 192\.0\.2\.1 is not an address/,
    );
  });
});
