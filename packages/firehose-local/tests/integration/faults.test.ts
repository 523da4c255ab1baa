import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type DeliveryStreamConfig,
  type DeliveryStreamMetrics,
  startFirehoseLocal,
} from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import {
  backupLines,
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
const indexPrefix = uniqueIndexName('faults');
const directories: string[] = [];

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, `${indexPrefix}*`);
  await Promise.all(directories.map(removeDirectory));
});

/** Runs `count` records through one stream and returns its metrics and backup directory after close(). */
async function runStream(
  stream: Omit<DeliveryStreamConfig, 'name' | 'backup'>,
  count = 5,
): Promise<{ metrics: DeliveryStreamMetrics; directory: string }> {
  const directory = await temporaryDirectory();
  directories.push(directory);
  const firehose = await startFirehoseLocal({
    streams: [{ ...stream, name: 'faulty', backup: { directory } }],
  });
  const client = firehoseClient(firehose.url);
  const response = await client.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: 'faulty',
      Records: Array.from({ length: count }, (_, n) => ({ Data: json({ ContactId: `c-${n}` }) })),
    }),
  );
  expect(response.FailedPutCount).toBe(0);
  client.destroy();
  await firehose.close();
  const metrics = firehose.metrics('faulty');
  expect(metrics.local.pendingRecords).toBe(0);
  expect(metrics.cloudWatch.IncomingRecords).toBe(
    metrics.cloudWatch['DeliveryToElasticsearch.Records'] +
      metrics.local.droppedRecords +
      metrics.local.processingFailedRecords +
      metrics.local.elasticsearchFailedRecords,
  );
  return { metrics, directory };
}

const destination = (label: string) => ({
  url: elasticsearchUrl,
  indexName: `${indexPrefix}-${label}`,
  indexRotationPeriod: 'NoRotation' as const,
});

const CONTRACT_BREACHES: [string, string, RegExp][] = [
  ['throws', 'Lambda.FunctionError', /TypeError: lookup service unreachable/],
  ['rejectsWithoutPrototype', 'Lambda.FunctionError', /\[object Object\]/],
  ['wrongRecordId', 'Lambda.MissingRecordId', /record Ids were not returned/],
  ['missingRecord', 'Lambda.MissingRecordId', /record Ids were not returned/],
  ['duplicatedRecord', 'Lambda.DuplicatedRecordId', /same record Id/],
  ['badBase64', 'Lambda.JsonProcessingException', /not valid base64/],
  ['invalidResult', 'Lambda.JsonProcessingException', /TRANSFORMED_STATE_OK/],
  ['oversizedResponse', 'Lambda.FunctionError', /Function.ResponseSizeTooLarge/],
];

describe.each([
  ['worker', [...CONTRACT_BREACHES, ['exitsProcess', 'Lambda.FunctionError', /Runtime.ExitError/]]],
  ['in-process', CONTRACT_BREACHES],
] as const)('a processor that breaks the contract (isolation %s)', (isolation, breaches) => {
  it.each(breaches)(
    '%s: retried NumberOfRetries times, then every record lands in processing-failed/',
    async (exportName, errorCode, message) => {
      const { metrics, directory } = await runStream({
        processor: {
          modulePath: fixture('faulty.mjs'),
          exportName,
          isolation,
          numberOfRetries: 2,
          bufferIntervalInSeconds: 0,
        },
        elasticsearch: destination(`${isolation}-${exportName.toLowerCase()}`),
      });
      expect(metrics.local).toMatchObject({
        processorInvocations: 3,
        processorInvocationFailures: 3,
        processingFailedRecords: 5,
      });
      expect(metrics.cloudWatch['ExecuteProcessing.Success']).toBe(0);
      expect(metrics.cloudWatch['DeliveryToElasticsearch.Records']).toBe(0);
      const failed = await backupLines(directory, 'processing-failed/');
      expect(failed).toHaveLength(5);
      for (const line of failed) {
        expect(line).toMatchObject({ attemptsMade: 3, errorCode });
        expect(String(line.errorMessage)).toMatch(message);
        expect(line.attemptEndingTimestamp as number).toBeGreaterThanOrEqual(line.arrivalTimestamp as number);
      }
      const contactIds = failed.map(
        (line) => JSON.parse(Buffer.from(line.rawData as string, 'base64').toString()).ContactId,
      );
      expect(contactIds.sort()).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
    },
  );

  it('times out a processor that never answers (Lambda timeout), with NumberOfRetries default 3', async () => {
    const { metrics, directory } = await runStream({
      processor: {
        modulePath: fixture('faulty.mjs'),
        exportName: 'hangs',
        isolation,
        timeoutSeconds: 0.1,
        bufferIntervalInSeconds: 0,
      },
      elasticsearch: destination(`${isolation}-hangs`),
    });
    expect(metrics.local.processorInvocations).toBe(4);
    const failed = await backupLines(directory, 'processing-failed/');
    expect(failed).toHaveLength(5);
    expect(failed[0]).toMatchObject({ attemptsMade: 4, errorCode: 'Lambda.FunctionError' });
    expect(String(failed[0]?.errorMessage)).toMatch(/Task timed out after 0.10 seconds/);
  });

  it('recovers when a retry succeeds: nothing fails', async () => {
    const { metrics } = await runStream({
      processor: {
        modulePath: fixture('faulty.mjs'),
        exportName: 'flakyTwice',
        isolation,
        bufferIntervalInSeconds: 0,
      },
      elasticsearch: destination(`${isolation}-flaky`),
    });
    expect(metrics.local).toMatchObject({ processorInvocations: 3, processingFailedRecords: 0 });
    expect(metrics.cloudWatch['DeliveryToElasticsearch.Records']).toBe(5);
    expect(metrics.cloudWatch['ExecuteProcessing.Success']).toBeCloseTo(1 / 3);
  });
});

/**
 * One record through a stream whose processor is an export of the faulty fixture, without retries; the stream is
 * closed when it resolves. Returns it (for its metrics), what it logged as warnings, and its backup directory.
 */
async function failOnce(
  exportName: string,
  isolation: 'worker' | 'in-process',
  indexLabel: string,
  data: Uint8Array,
) {
  const directory = await temporaryDirectory();
  directories.push(directory);
  const warnings: Record<string, unknown>[] = [];
  const firehose = await startFirehoseLocal({
    logger: { ...silentLogger, warn: (message, details) => warnings.push({ message, ...details }) },
    streams: [
      {
        name: 'faulty',
        processor: {
          modulePath: fixture('faulty.mjs'),
          exportName,
          isolation,
          numberOfRetries: 0,
          bufferIntervalInSeconds: 0,
        },
        elasticsearch: destination(indexLabel),
        backup: { directory },
      },
    ],
  });
  const client = firehoseClient(firehose.url);
  await client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'faulty', Records: [{ Data: data }] }));
  client.destroy();
  await firehose.close();
  return { firehose, warnings, directory };
}

describe('what firehose-local logs of a failed invocation', () => {
  it.each(['worker', 'in-process'] as const)(
    'masks the record data its error quotes (a phone number), and keeps the message whole in processing-failed/ (isolation %s)',
    async (isolation) => {
      const { warnings, directory } = await failOnce(
        'parsesRecordAsJson',
        isolation,
        `${isolation}-quotes`,
        Buffer.from('+61412345678 called, no JSON'),
      );
      expect(warnings).toEqual([
        expect.objectContaining({
          message: 'processor invocation failed',
          errorCode: 'Lambda.FunctionError',
          errorMessage: expect.stringContaining('is not valid JSON'),
        }),
      ]);
      expect(JSON.stringify(warnings)).not.toMatch(/412345/);
      const [failed] = await backupLines(directory, 'processing-failed/');
      expect(String(failed?.errorMessage)).toContain('"+614123456"');
    },
  );
});

describe('what firehose-local logs of a failed invocation: no URL secrets', () => {
  it.each([
    ['throwsWithUrl', 'worker'],
    ['throwsWithUrl', 'in-process'],
    ['crashesWithUrl', 'worker'],
  ] as const)(
    'masks the user info of a URL in the error of %s (isolation %s), drops its query and keeps its host',
    async (exportName, isolation) => {
      const { firehose, warnings } = await failOnce(
        exportName,
        isolation,
        `${isolation}-url-secrets`,
        json({ ContactId: 'c-1' }),
      );
      expect(firehose.metrics('faulty').local.processingFailedRecords).toBe(1);
      const logged = JSON.stringify(warnings);
      expect(warnings).toContainEqual(
        expect.objectContaining({
          message: 'processor invocation failed',
          errorMessage: expect.stringContaining(
            'lookup failed: GET http://***:***@127.0.0.1:9/api/user/+*********90 (status 500)',
          ),
        }),
      );
      if (exportName === 'crashesWithUrl') {
        expect(warnings).toContainEqual(
          expect.objectContaining({
            message: 'processor execution environment exited during an invocation',
            reason: 'Error: lookup failed: GET http://***:***@127.0.0.1:9/api/user/+*********90 (status 500)',
          }),
        );
      }
      expect(logged).not.toContain('CANARY');
      expect(logged).not.toContain('api_key');
      expect(logged).not.toContain('61411222');
    },
  );
});

describe("a processor's memory (worker environments sized like the Lambda function)", () => {
  it('a function that runs out of its heap fails the invocation like Lambda, and the records land in processing-failed/', async () => {
    const { metrics, directory } = await runStream({
      processor: {
        modulePath: fixture('faulty.mjs'),
        exportName: 'exhaustsMemory',
        memorySizeInMB: 128,
        numberOfRetries: 0,
        bufferIntervalInSeconds: 0,
      },
      elasticsearch: destination('out-of-memory'),
    });
    expect(metrics.local).toMatchObject({ processorInvocationFailures: 1, processingFailedRecords: 5 });
    const failed = await backupLines(directory, 'processing-failed/');
    expect(failed).toHaveLength(5);
    expect(failed[0]).toMatchObject({ errorCode: 'Lambda.FunctionError' });
    expect(String(failed[0]?.errorMessage)).toMatch(
      /Runtime\.ExitError: the function ran out of memory: its JavaScript heap reached the 116 MB that Lambda's Node\.js runtime gives a 128 MB function/,
    );
  });

  it.each([
    [128, 0, 5],
    [512, 5, 0],
  ])(
    'a batch that needs 150 MB of heap, with memorySizeInMB %i: %i delivered, %i failed',
    async (memorySizeInMB, delivered, failed) => {
      const { metrics } = await runStream({
        processor: {
          modulePath: fixture('faulty.mjs'),
          exportName: 'holds150MB',
          memorySizeInMB,
          numberOfRetries: 0,
          bufferIntervalInSeconds: 0,
        },
        elasticsearch: destination(`holds-${memorySizeInMB}`),
      });
      expect(metrics.cloudWatch['DeliveryToElasticsearch.Records']).toBe(delivered);
      expect(metrics.local.processingFailedRecords).toBe(failed);
    },
  );
});

describe('Elasticsearch answering 429 and 5xx', () => {
  it('retries bulk requests answered 429 within the retry duration and loses nothing', async () => {
    const proxy = await startBulkFaultProxy(elasticsearchUrl, { failBulkRequests: 3, status: 429 });
    try {
      const { metrics } = await runStream(
        { elasticsearch: { ...destination('throttled'), url: proxy.url, retryDurationInSeconds: 30 } },
        20,
      );
      expect(proxy.bulkRequests()).toBe(4);
      expect(metrics.local).toMatchObject({ bulkRequests: 4, bulkRequestFailures: 3, retriedDocuments: 60 });
      expect(metrics.cloudWatch['DeliveryToElasticsearch.Records']).toBe(20);
      // FIREHOSE_DEFAULT document IDs: retries overwrite, never duplicate.
      expect(await searchAll(elasticsearchUrl, `${indexPrefix}-throttled`)).toHaveLength(20);
    } finally {
      await proxy.close();
    }
  });

  it('writes documents to elasticsearch-failed/ when the retry duration runs out', async () => {
    const proxy = await startBulkFaultProxy(elasticsearchUrl, { failBulkRequests: 1000, status: 503 });
    try {
      const { metrics, directory } = await runStream(
        { elasticsearch: { ...destination('unavailable'), url: proxy.url, retryDurationInSeconds: 1 } },
        3,
      );
      expect(metrics.local.elasticsearchFailedRecords).toBe(3);
      expect(metrics.cloudWatch['DeliveryToElasticsearch.Success']).toBe(0);
      const failed = await backupLines(directory, 'elasticsearch-failed/');
      expect(failed).toHaveLength(3);
      expect(failed[0]).toMatchObject({ errorCode: '503', esIndexName: `${indexPrefix}-unavailable` });
      expect(failed[0]?.attemptsMade as number).toBeGreaterThan(1);
      expect(String(failed[0]?.errorMessage)).toMatch(/injected by the test proxy/);
    } finally {
      await proxy.close();
    }
  });

  it('does not retry at all with a retry duration of 0', async () => {
    const proxy = await startBulkFaultProxy(elasticsearchUrl, { failBulkRequests: 1, status: 429 });
    try {
      const { metrics } = await runStream(
        { elasticsearch: { ...destination('noretry'), url: proxy.url, retryDurationInSeconds: 0 } },
        2,
      );
      expect(proxy.bulkRequests()).toBe(1);
      expect(metrics.local.elasticsearchFailedRecords).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('splits a buffer into bulk requests by bulk.maxDocuments', async () => {
    const proxy = await startBulkFaultProxy(elasticsearchUrl, { failBulkRequests: 0, status: 429 });
    try {
      const { metrics } = await runStream(
        { elasticsearch: { ...destination('split'), url: proxy.url, bulk: { maxDocuments: 10 } } },
        25,
      );
      expect(proxy.bulkRequests()).toBe(3);
      expect(metrics.cloudWatch['DeliveryToElasticsearch.Records']).toBe(25);
    } finally {
      await proxy.close();
    }
  });
});
