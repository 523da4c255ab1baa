import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  type DeliveryStreamMetrics,
  FirehoseLocalClosedError,
  type FirehoseTransformationEvent,
  type LambdaContext,
  ProcessorLoadError,
  startFirehoseLocal,
} from '../../src/index.js';
import {
  backupLines,
  createIndex,
  deleteIndices,
  firehoseClient,
  fixture,
  json,
  readBackup,
  removeDirectory,
  searchAll,
  searchServer,
  temporaryDirectory,
  uniqueIndexName,
} from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const indexPrefix = uniqueIndexName('delivery');
const directories: string[] = [];

async function backupDirectory(): Promise<string> {
  const directory = await temporaryDirectory();
  directories.push(directory);
  return directory;
}

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, `${indexPrefix}*`);
  await Promise.all(directories.map(removeDirectory));
});

/** The books balance: every accepted record is delivered, dropped, or in a failed prefix. */
function expectBalancedBooks(metrics: DeliveryStreamMetrics) {
  const { cloudWatch, local } = metrics;
  expect(local.pendingRecords).toBe(0);
  expect(local.pendingBytes).toBe(0);
  expect(cloudWatch.IncomingRecords).toBe(
    cloudWatch['DeliveryToElasticsearch.Records'] +
      local.droppedRecords +
      local.processingFailedRecords +
      local.elasticsearchFailedRecords,
  );
}

describe('a mixed batch through the processor into Elasticsearch', () => {
  const index = `${indexPrefix}-mixed`;
  let directory: string;
  let metrics: DeliveryStreamMetrics;
  const documents = [
    ...Array.from({ length: 10 }, (_, n) => ({ ContactId: `ok-${n}`, Count: n })),
    { ContactId: 'drop-1', action: 'drop' },
    { ContactId: 'drop-2', action: 'drop' },
    { ContactId: 'fail-1', action: 'fail' },
    { ContactId: 'fail-2', action: 'fail' },
    { ContactId: 'conflict', Count: 'not-a-number' },
  ];

  beforeAll(async () => {
    directory = await backupDirectory();
    await createIndex(elasticsearchUrl, index, { properties: { Count: { type: 'long' } } });
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'mixed',
          processor: { modulePath: fixture('transform.mjs'), bufferIntervalInSeconds: 60 },
          elasticsearch: { url: elasticsearchUrl, indexName: index, indexRotationPeriod: 'NoRotation' },
          backup: { directory, mode: 'AllDocuments' },
        },
      ],
    });
    const client = firehoseClient(firehose.url);
    const records = [
      ...documents.map((document) => ({ Data: json(document) })),
      { Data: Buffer.from('not json{') },
    ];
    const response = await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'mixed', Records: records }),
    );
    expect(response.FailedPutCount).toBe(0);
    client.destroy();
    // Buffers are 60 s / 300 s: only close() gets these records out.
    expect(firehose.metrics('mixed').local.pendingRecords).toBe(16);
    await firehose.close();
    metrics = firehose.metrics('mixed');
  });

  it('indexes the transformed Ok records', async () => {
    const indexed = await searchAll(elasticsearchUrl, index);
    expect(indexed.map((document) => document.ContactId).sort()).toEqual(
      Array.from({ length: 10 }, (_, n) => `ok-${n}`).sort(),
    );
    expect(indexed.every((document) => document.Transformed === true)).toBe(true);
  });

  it('writes ProcessingFailed records under processing-failed/ in Firehose format', async () => {
    const failed = await backupLines(directory, 'processing-failed/');
    expect(failed).toHaveLength(3);
    for (const line of failed) {
      expect(Object.keys(line).sort()).toEqual(
        [
          'attemptsMade',
          'arrivalTimestamp',
          'errorCode',
          'errorMessage',
          'attemptEndingTimestamp',
          'rawData',
          'lambdaArn',
        ].sort(),
      );
      expect(line).toMatchObject({
        attemptsMade: 1,
        errorCode: 'Lambda.ProcessingFailedStatus',
        lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:firehose-local-processor',
      });
    }
    const raw = failed.map((line) => Buffer.from(line.rawData as string, 'base64').toString()).sort();
    expect(raw).toEqual([JSON.stringify(documents[12]), JSON.stringify(documents[13]), 'not json{'].sort());
  });

  it('writes the document Elasticsearch rejects under elasticsearch-failed/ with the reason', async () => {
    const failed = await backupLines(directory, 'elasticsearch-failed/');
    expect(failed).toHaveLength(1);
    const [line] = failed;
    expect(line).toMatchObject({ errorCode: '400', attemptsMade: 1, esIndexName: index, esTypeName: '' });
    expect(String(line?.errorMessage)).toMatch(/document_parsing_exception|mapper_parsing_exception/);
    expect(String(line?.errorMessage)).toMatch(/Count/);
    const rawDocument = JSON.parse(Buffer.from(line?.rawData as string, 'base64').toString());
    expect(rawDocument).toMatchObject({ ContactId: 'conflict', Transformed: true });
    expect(typeof line?.esDocumentId).toBe('string');
  });

  it('backs up all transformed documents (AllDocuments) with S3 key layout', async () => {
    const objects = await readBackup(directory);
    const allDocumentKeys = [...objects.keys()].filter((key) =>
      /^\d{4}\/\d{2}\/\d{2}\/\d{2}\/mixed-1-/.test(key),
    );
    expect(allDocumentKeys.length).toBeGreaterThan(0);
    const lines = allDocumentKeys.flatMap((key) => objects.get(key) ?? []);
    expect(lines).toHaveLength(11);
    expect(metrics.local.backedUpRecords).toBe(11);
  });

  it('counts like CloudWatch and the books balance', () => {
    expect(metrics.cloudWatch).toMatchObject({
      IncomingRecords: 16,
      'PutRecordBatch.Requests': 1,
      'ExecuteProcessing.Success': 1,
      'SucceedProcessing.Records': 13,
      'DeliveryToElasticsearch.Records': 10,
      'DeliveryToS3.Records': 11 + 3 + 1,
    });
    expect(metrics.cloudWatch['DeliveryToElasticsearch.Success']).toBeCloseTo(10 / 11);
    expect(metrics.local).toMatchObject({
      droppedRecords: 2,
      processingFailedRecords: 3,
      elasticsearchFailedRecords: 1,
      processorInvocations: 1,
    });
    expectBalancedBooks(metrics);
  });
});

describe('the processor contract', () => {
  it('invokes the handler with the exact Firehose event and a Lambda context', async () => {
    const seen: { event: FirehoseTransformationEvent; context: LambdaContext; remaining: number }[] = [];
    const handler = async (event: FirehoseTransformationEvent, context: LambdaContext) => {
      seen.push({ event: structuredClone(event), context, remaining: context.getRemainingTimeInMillis() });
      return {
        records: event.records.map((record) => ({
          recordId: record.recordId,
          result: 'Ok',
          data: record.data,
        })),
      };
    };
    const index = `${indexPrefix}-contract`;
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'contract',
          region: 'eu-west-2',
          accountId: '123456789012',
          processor: { handler, functionName: 'ctr-enrich', timeoutSeconds: 30, bufferIntervalInSeconds: 0 },
          elasticsearch: { url: elasticsearchUrl, indexName: index, indexRotationPeriod: 'NoRotation' },
          backup: { directory: await backupDirectory() },
        },
      ],
    });
    const client = firehoseClient(firehose.url);
    const sent = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'contract',
        Records: [{ Data: json({ ContactId: 'a' }) }, { Data: json({ ContactId: 'b' }) }],
      }),
    );
    client.destroy();
    await firehose.close();
    expect(seen).toHaveLength(1);
    const [{ event, context, remaining }] = seen as [(typeof seen)[number]];
    expect(Object.keys(event).sort()).toEqual(['deliveryStreamArn', 'invocationId', 'records', 'region']);
    expect(event.deliveryStreamArn).toBe('arn:aws:firehose:eu-west-2:123456789012:deliverystream/contract');
    expect(event.region).toBe('eu-west-2');
    expect(event.records.map((record) => record.recordId)).toEqual(
      sent.RequestResponses?.map((entry) => entry.RecordId),
    );
    for (const record of event.records) {
      expect(Object.keys(record).sort()).toEqual(['approximateArrivalTimestamp', 'data', 'recordId']);
      expect(typeof record.approximateArrivalTimestamp).toBe('number');
      expect(Math.abs(record.approximateArrivalTimestamp - Date.now())).toBeLessThan(60_000);
    }
    expect(JSON.parse(Buffer.from(event.records[0]!.data, 'base64').toString())).toEqual({ ContactId: 'a' });
    expect(context.functionName).toBe('ctr-enrich');
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:eu-west-2:123456789012:function:ctr-enrich');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(remaining).toBeGreaterThan(25_000);
    expect(remaining).toBeLessThanOrEqual(30_000);
    expect(await searchAll(elasticsearchUrl, index)).toHaveLength(2);
  });

  it('supports callback-style handlers', async () => {
    const index = `${indexPrefix}-callback`;
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'callback',
          processor: {
            modulePath: fixture('transform.mjs'),
            exportName: 'callbackHandler',
            bufferIntervalInSeconds: 0,
          },
          elasticsearch: { url: elasticsearchUrl, indexName: index, indexRotationPeriod: 'NoRotation' },
          backup: { directory: await backupDirectory() },
        },
      ],
    });
    const client = firehoseClient(firehose.url);
    await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'callback', Records: [{ Data: json({ a: 1 }) }] }),
    );
    client.destroy();
    await firehose.close();
    expect(firehose.metrics('callback').cloudWatch['DeliveryToElasticsearch.Records']).toBe(1);
  });

  it('refuses to start with a processor module that does not load or export a function', async () => {
    const base = {
      name: 'broken',
      elasticsearch: { url: elasticsearchUrl, indexName: `${indexPrefix}-broken` },
      backup: { directory: await backupDirectory() },
    };
    await expect(
      startFirehoseLocal({ streams: [{ ...base, processor: { modulePath: fixture('missing.mjs') } }] }),
    ).rejects.toBeInstanceOf(ProcessorLoadError);
    await expect(
      startFirehoseLocal({
        streams: [
          { ...base, processor: { modulePath: fixture('transform.mjs'), exportName: 'notAFunction' } },
        ],
      }),
    ).rejects.toThrow(/notAFunction.*not a function/);
  });
});

describe('buffering, rotation and shutdown', () => {
  it('flushes on the buffer interval without an explicit flush', async () => {
    const index = `${indexPrefix}-interval`;
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'interval',
          processor: { modulePath: fixture('transform.mjs'), bufferIntervalInSeconds: 0.2 },
          elasticsearch: {
            url: elasticsearchUrl,
            indexName: index,
            indexRotationPeriod: 'NoRotation',
            bufferingHints: { intervalInSeconds: 0.2 },
          },
          backup: { directory: await backupDirectory() },
        },
      ],
    });
    const client = firehoseClient(firehose.url);
    await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'interval', Records: [{ Data: json({ a: 1 }) }] }),
    );
    client.destroy();
    const deadline = Date.now() + 10_000;
    while (
      firehose.metrics('interval').cloudWatch['DeliveryToElasticsearch.Records'] < 1 &&
      Date.now() < deadline
    ) {
      await new Promise((wake) => setTimeout(wake, 50));
    }
    expect(firehose.metrics('interval').cloudWatch['DeliveryToElasticsearch.Records']).toBe(1);
    // The record waited for both buffer intervals: the delivery latency says so. Nothing is pending any
    // more, so DataFreshness (the age of the oldest undelivered record) is 0.
    const latency = firehose.metrics('interval').local.deliveryLatencyMs;
    expect(latency?.samples).toBe(1);
    expect(latency!.max).toBeGreaterThanOrEqual(200);
    expect(latency!.p50).toBe(latency!.max);
    expect(firehose.metrics('interval').cloudWatch['DeliveryToElasticsearch.DataFreshness']).toBe(0);
    await firehose.close();
    await expect(firehose.flush()).rejects.toBeInstanceOf(FirehoseLocalClosedError);
    await firehose.close(); // idempotent
  });

  it('reports DataFreshness as the age of the oldest record still held in a buffer', async () => {
    let now = Date.parse('2024-05-06T10:00:00Z');
    const firehose = await startFirehoseLocal({
      clock: { now: () => now },
      streams: [
        {
          name: 'freshness',
          processor: { modulePath: fixture('transform.mjs'), bufferIntervalInSeconds: 900 },
          elasticsearch: {
            url: elasticsearchUrl,
            indexName: `${indexPrefix}-freshness`,
            indexRotationPeriod: 'NoRotation',
            bufferingHints: { intervalInSeconds: 900 },
          },
          backup: { directory: await backupDirectory() },
        },
      ],
    });
    const freshness = () => firehose.metrics('freshness').cloudWatch['DeliveryToElasticsearch.DataFreshness'];
    expect(freshness()).toBeNull();
    const client = firehoseClient(firehose.url);
    const send = (contactId: string) =>
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'freshness',
          Records: [{ Data: json({ ContactId: contactId }) }],
        }),
      );
    await send('old');
    expect(freshness()).toBe(0);
    now += 90_000;
    await send('new');
    expect(freshness()).toBe(90); // the oldest held record, not the newest
    now += 30_000;
    expect(freshness()).toBe(120);
    await firehose.flush('freshness');
    expect(freshness()).toBe(0);
    expect(firehose.metrics('freshness').local.deliveryLatencyMs).toMatchObject({ max: 120_000, samples: 2 });
    client.destroy();
    await firehose.close();
  });

  it('rotates the index by arrival time in UTC and names backups by the clock', async () => {
    const index = `${indexPrefix}-rotated`;
    const directory = await backupDirectory();
    const clock = { now: () => Date.parse('2024-05-06T23:30:00Z') };
    const firehose = await startFirehoseLocal({
      clock,
      streams: [
        {
          name: 'rotated',
          elasticsearch: { url: elasticsearchUrl, indexName: index, indexRotationPeriod: 'OneDay' },
          backup: { directory, mode: 'AllDocuments', prefix: 'ctr/' },
        },
      ],
    });
    const client = firehoseClient(firehose.url);
    await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'rotated', Records: [{ Data: json({ a: 1 }) }] }),
    );
    client.destroy();
    await firehose.close();
    expect(await searchAll(elasticsearchUrl, `${index}-2024-05-06`)).toEqual([{ a: 1 }]);
    const keys = [...(await readBackup(directory)).keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^ctr\/2024\/05\/06\/23\/rotated-1-2024-05-06-23-30-00-[0-9a-f-]{36}$/);
  });
});

describe('the two ways to reach the destination', () => {
  it('elasticsearch.url delivers over plain HTTP to every server: Elasticsearch and OpenSearch alike', async () => {
    const index = `${indexPrefix}-over-http`;
    const firehose = await startFirehoseLocal({
      streams: [
        {
          name: 'over-http',
          elasticsearch: { url: elasticsearchUrl, indexName: index, indexRotationPeriod: 'NoRotation' },
          backup: { directory: await backupDirectory() },
        },
      ],
    });
    const client = firehoseClient(firehose.url);
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'over-http',
        Records: [{ Data: json({ ContactId: 'h-1' }) }, { Data: json({ ContactId: 'h-2' }) }],
      }),
    );
    client.destroy();
    await firehose.close();
    expect(firehose.metrics('over-http').local).toMatchObject({ bulkRequests: 1, bulkRequestFailures: 0 });
    expect((await searchAll(elasticsearchUrl, index)).map((document) => document.ContactId).sort()).toEqual([
      'h-1',
      'h-2',
    ]);
  });

  it('elasticsearch.client sends through the injected Client, which only Elasticsearch 8 and 9 accept', async () => {
    const server = await searchServer(elasticsearchUrl);
    const index = `${indexPrefix}-injected`;
    const directory = await backupDirectory();
    const elasticsearch = new Client({ node: elasticsearchUrl });
    try {
      const firehose = await startFirehoseLocal({
        streams: [
          {
            name: 'injected',
            elasticsearch: {
              client: elasticsearch,
              indexName: index,
              indexRotationPeriod: 'NoRotation',
              retryDurationInSeconds: 0,
            },
            backup: { directory },
          },
        ],
      });
      const client = firehoseClient(firehose.url);
      await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'injected',
          Records: [{ Data: json({ ContactId: 'i-1' }) }, { Data: json({ ContactId: 'i-2' }) }],
        }),
      );
      client.destroy();
      const closeClient = vi.spyOn(elasticsearch, 'close');
      await firehose.close();
      // The injected client is the caller's: firehose-local never closes it.
      expect(closeClient).not.toHaveBeenCalled();
      closeClient.mockRestore();
      const metrics = firehose.metrics('injected');
      expectBalancedBooks(metrics);
      if (server.distribution === 'elasticsearch' && server.major >= 8) {
        expect(metrics.cloudWatch['DeliveryToElasticsearch.Records']).toBe(2);
        expect(await searchAll(elasticsearchUrl, index)).toHaveLength(2);
      } else {
        // The 8.x client's media type (compatible-with=8) is refused (OpenSearch: 406), or its product check
        // fails: the documents are kept, with the reason, never lost.
        expect(metrics.local.elasticsearchFailedRecords).toBe(2);
        const failed = await backupLines(directory, 'elasticsearch-failed/');
        expect(failed).toHaveLength(2);
        if (server.distribution === 'opensearch') {
          expect(failed[0]).toMatchObject({ errorCode: '406', attemptsMade: 1 });
          expect(String(failed[0]?.errorMessage)).toMatch(/compatible-with=8/);
        }
      }
    } finally {
      await elasticsearch.close();
    }
  });
});
