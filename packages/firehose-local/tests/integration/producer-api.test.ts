import {
  DescribeDeliveryStreamCommand,
  type FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FirehoseLocal, startFirehoseLocal } from '../../src/index.js';
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
const indexName = uniqueIndexName('producer');

let firehose: FirehoseLocal;
let client: FirehoseClient;
let backupDirectory: string;

beforeAll(async () => {
  backupDirectory = await temporaryDirectory();
  const destination = {
    url: elasticsearchUrl,
    indexName,
    indexRotationPeriod: 'NoRotation' as const,
    bufferingHints: { intervalInSeconds: 0 },
  };
  firehose = await startFirehoseLocal({
    streams: [
      { name: 'plain', elasticsearch: destination, backup: { directory: backupDirectory } },
      {
        name: 'throttled',
        elasticsearch: destination,
        backup: { directory: backupDirectory },
        faults: { throttleFirstRequests: 2, failEveryNthRecord: 3 },
      },
    ],
  });
  client = firehoseClient(firehose.url);
});

afterAll(async () => {
  client?.destroy();
  await firehose?.close();
  await deleteIndices(elasticsearchUrl, indexName);
  await removeDirectory(backupDirectory);
});

const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number }; $fault: string };
  }
  throw new Error('expected the call to fail');
};

describe('the Firehose producer API with the real AWS SDK', () => {
  it('answers PutRecord and PutRecordBatch with record IDs and delivers the records', async () => {
    const single = await client.send(
      new PutRecordCommand({ DeliveryStreamName: 'plain', Record: { Data: json({ ContactId: 'single' }) } }),
    );
    expect(single.RecordId).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(single.Encrypted).toBe(false);

    const batch = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'plain',
        Records: Array.from({ length: 20 }, (_, index) => ({ Data: json({ ContactId: `batch-${index}` }) })),
      }),
    );
    expect(batch.FailedPutCount).toBe(0);
    expect(batch.Encrypted).toBe(false);
    const recordIds = batch.RequestResponses?.map((entry) => entry.RecordId) ?? [];
    expect(new Set([single.RecordId, ...recordIds]).size).toBe(21);

    await firehose.flush('plain');
    const documents = await searchAll(elasticsearchUrl, indexName);
    expect(documents.map((document) => document.ContactId).sort()).toEqual(
      ['single', ...Array.from({ length: 20 }, (_, index) => `batch-${index}`)].sort(),
    );
    const metrics = firehose.metrics('plain');
    expect(metrics.cloudWatch).toMatchObject({
      IncomingRecords: 21,
      'PutRecord.Requests': 1,
      'PutRecordBatch.Requests': 1,
      'PutRecordBatch.Records': 20,
      'DeliveryToElasticsearch.Records': 21,
      'DeliveryToElasticsearch.Success': 1,
    });
    expect(metrics.local.pendingRecords).toBe(0);
  });

  it('describes and lists delivery streams in the API shapes', async () => {
    const described = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'plain' }));
    const description = described.DeliveryStreamDescription!;
    expect(description).toMatchObject({
      DeliveryStreamName: 'plain',
      DeliveryStreamARN: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/plain',
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      HasMoreDestinations: false,
    });
    expect(description.CreateTimestamp).toBeInstanceOf(Date);
    expect(description.Destinations?.[0]?.ElasticsearchDestinationDescription).toMatchObject({
      IndexName: indexName,
      IndexRotationPeriod: 'NoRotation',
      RetryOptions: { DurationInSeconds: 300 },
      S3BackupMode: 'FailedDocumentsOnly',
      ProcessingConfiguration: { Enabled: false },
    });

    const listed = await client.send(new ListDeliveryStreamsCommand({}));
    expect(listed).toMatchObject({
      DeliveryStreamNames: ['plain', 'throttled'],
      HasMoreDeliveryStreams: false,
    });
    const paged = await client.send(new ListDeliveryStreamsCommand({ Limit: 1 }));
    expect(paged).toMatchObject({ DeliveryStreamNames: ['plain'], HasMoreDeliveryStreams: true });
  });

  it('never returns the credentials of the Elasticsearch URL in DescribeDeliveryStream', async () => {
    const endpoint = new URL(elasticsearchUrl);
    const withCredentials = `${endpoint.protocol}//elastic:s3cret-password@${endpoint.host}`;
    const local = await startFirehoseLocal({
      streams: [
        {
          name: 'secured',
          elasticsearch: { url: withCredentials, indexName },
          backup: { directory: backupDirectory },
        },
      ],
    });
    const securedClient = firehoseClient(local.url);
    try {
      const described = await securedClient.send(
        new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'secured' }),
      );
      const destination = described.DeliveryStreamDescription?.Destinations?.[0];
      expect(destination?.ElasticsearchDestinationDescription?.ClusterEndpoint).toBe(
        `${endpoint.protocol}//***:***@${endpoint.host}`,
      );
      expect(JSON.stringify(described)).not.toMatch(/s3cret|elastic:/);
    } finally {
      securedClient.destroy();
      await local.close();
    }
  });

  it('answers ResourceNotFoundException for an unknown stream', async () => {
    const error = await errorOf(
      client.send(new PutRecordCommand({ DeliveryStreamName: 'nope', Record: { Data: json({}) } })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toMatch(/nope/);
    expect(error.$metadata.httpStatusCode).toBe(400);
    const describeError = await errorOf(
      client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'nope' })),
    );
    expect(describeError.name).toBe('ResourceNotFoundException');
  });

  it('enforces 500 records, 1,000 KiB per record and 4 MiB per call, accepting nothing of a bad call', async () => {
    const before = firehose.metrics('plain').cloudWatch.IncomingRecords;
    // The model's constraints are ValidationException, worded as AWS words them (captured boto3 trace).
    const tooMany = await errorOf(
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'plain',
          Records: Array.from({ length: 501 }, () => ({ Data: json({ a: 1 }) })),
        }),
      ),
    );
    expect(tooMany.name).toBe('ValidationException');
    expect(tooMany.$fault).toBe('client');
    expect(tooMany.$metadata.httpStatusCode).toBe(400);
    expect(tooMany.message).toBe(
      "1 validation error detected: Value '[...]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
    );

    const tooLargeRecord = await errorOf(
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'plain',
          Records: [{ Data: json({ a: 1 }) }, { Data: Buffer.alloc(1_024_001, 0x61) }],
        }),
      ),
    );
    expect(tooLargeRecord.name).toBe('ValidationException');
    expect(tooLargeRecord.message).toBe(
      "1 validation error detected: Value at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000",
    );

    const empty = await errorOf(
      client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'plain', Records: [] })),
    );
    expect(empty.name).toBe('ValidationException');
    expect(empty.message).toBe(
      "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );

    const tooLargeSingle = await errorOf(
      client.send(
        new PutRecordCommand({
          DeliveryStreamName: 'plain',
          Record: { Data: Buffer.alloc(1_024_001, 0x61) },
        }),
      ),
    );
    expect(tooLargeSingle.name).toBe('ValidationException');
    expect(tooLargeSingle.message).toBe(
      "1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000",
    );

    // Over 4 MiB in all is the service's own limit, not the model's: InvalidArgumentException, as on AWS.
    const tooLargeBatch = await errorOf(
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'plain',
          Records: Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(1_000_000, 0x61) })),
        }),
      ),
    );
    expect(tooLargeBatch.name).toBe('InvalidArgumentException');
    expect(tooLargeBatch.message).toMatch(/4194304/);
    expect(firehose.metrics('plain').cloudWatch.IncomingRecords).toBe(before);
  });

  it('validates the request before it looks for the stream, and names every broken constraint', async () => {
    // An unknown stream: AWS validates first, so the call is a ValidationException, not ResourceNotFoundException.
    const unknownStream = await errorOf(
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'nope',
          Records: Array.from({ length: 501 }, () => ({ Data: json({ a: 1 }) })),
        }),
      ),
    );
    expect(unknownStream.name).toBe('ValidationException');
    expect(unknownStream.message).toMatch(/at 'records' failed to satisfy constraint/);

    const several = await errorOf(
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'not a name!',
          Records: [
            { Data: Buffer.alloc(1_024_001, 0x61) },
            { Data: json({ a: 1 }) },
            { Data: Buffer.alloc(1_024_001, 0x62) },
          ],
        }),
      ),
    );
    expect(several.name).toBe('ValidationException');
    expect(several.message).toBe(
      "3 validation errors detected: Value 'not a name!' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000; " +
        "Value at 'records.3.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000",
    );

    const longName = await errorOf(
      client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'a'.repeat(65) })),
    );
    expect(longName.name).toBe('ValidationException');
    expect(longName.message).toBe(
      `1 validation error detected: Value '${'a'.repeat(65)}' at 'deliveryStreamName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );

    const limit = await errorOf(client.send(new ListDeliveryStreamsCommand({ Limit: 0 })));
    expect(limit.name).toBe('ValidationException');
    expect(limit.message).toBe(
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('accepts a record of exactly 1,024,000 bytes (it then fails in Elasticsearch, not in the API)', async () => {
    const result = await client.send(
      new PutRecordCommand({ DeliveryStreamName: 'plain', Record: { Data: Buffer.alloc(1_024_000, 0x61) } }),
    );
    expect(result.RecordId).toBeDefined();
    await firehose.flush('plain');
    expect(firehose.metrics('plain').local.elasticsearchFailedRecords).toBe(1);
  });

  it('injects throttling: whole calls fail with ServiceUnavailableException, then entries fail partially', async () => {
    const put = () =>
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'throttled',
          Records: Array.from({ length: 6 }, (_, index) => ({ Data: json({ ContactId: `t-${index}` }) })),
        }),
      );
    const first = await errorOf(put());
    expect(first.name).toBe('ServiceUnavailableException');
    expect(first.$fault).toBe('server');
    expect(first.$metadata.httpStatusCode).toBe(503);
    // The SDK's own retry treats it as retryable: with 3 attempts the second throttled call is retried.
    const retrying = firehoseClient(firehose.url, 3);
    const partial = await retrying.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'throttled',
        Records: Array.from({ length: 6 }, (_, index) => ({ Data: json({ ContactId: `t-${index}` }) })),
      }),
    );
    retrying.destroy();
    expect(partial.FailedPutCount).toBe(2);
    expect(partial.RequestResponses?.map((entry) => entry.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ServiceUnavailableException',
      'ok',
      'ok',
      'ServiceUnavailableException',
    ]);
    expect(firehose.metrics('throttled').cloudWatch).toMatchObject({
      IncomingRecords: 4,
      ThrottledRecords: 6 + 6 + 2,
      'PutRecordBatch.Records': 4,
    });
  });
});

describe('raw HTTP', () => {
  it('answers malformed JSON and unknown operations with AWS error shapes', async () => {
    const malformed = await fetch(firehose.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'Firehose_20150804.PutRecord',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{"DeliveryStreamName":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-amzn-errortype')).toBe('SerializationException');
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });

    const badData = await fetch(firehose.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'Firehose_20150804.PutRecord',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify({ DeliveryStreamName: 'plain', Record: { Data: 'not base64!' } }),
    });
    expect(badData.status).toBe(400);
    expect(await badData.json()).toMatchObject({ __type: 'SerializationException' });

    const missing = await fetch(firehose.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'Firehose_20150804.PutRecordBatch',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify({ Records: [{}] }),
    });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(await missing.json()).toEqual({
      __type: 'ValidationException',
      message:
        "2 validation errors detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'records.1.member.data' failed to satisfy constraint: Member must not be null",
    });

    const unknown = await fetch(firehose.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'Firehose_20150804.CreateDeliveryStream' },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('serves GET /metrics for all streams and for one', async () => {
    const all = (await (await fetch(`${firehose.url}/metrics`)).json()) as { streamName: string }[];
    expect(all.map((metrics) => metrics.streamName)).toEqual(['plain', 'throttled']);
    const one = await fetch(`${firehose.url}/metrics/plain`);
    expect(await one.json()).toEqual(firehose.metrics('plain'));
    expect((await fetch(`${firehose.url}/metrics/nope`)).status).toBe(404);
  });
});
