import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { DeliveryStreamConfig, FirehoseLocal } from '../../src/index.js';
import { LOCAL_CREDENTIAL_PLACEHOLDERS } from '../../src/reserved-environment-variables.js';
import {
  deleteIndices,
  fixture,
  json,
  removeDirectory,
  searchAll,
  startTestStream,
  uniqueIndexName,
} from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const indexPrefix = uniqueIndexName('reserved');
const directories: string[] = [];
const nodeMajor = process.versions.node.split('.')[0];
const LOG_STREAM_NAME = /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/;

/** Variables of firehose-local's own environment that these tests set or clear. */
const PARENT_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL_FIREHOSE',
  'AWS_ENDPOINT_URL',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_LAMBDA_FUNCTION_NAME',
  'FROM_PARENT',
  'OVERRIDDEN',
];

beforeEach(() => {
  for (const name of PARENT_VARIABLES) vi.stubEnv(name, undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, `${indexPrefix}*`);
  await Promise.all(directories.map(removeDirectory));
});

const start = (
  label: string,
  stream: Partial<DeliveryStreamConfig> & { processor: NonNullable<DeliveryStreamConfig['processor']> },
) =>
  startTestStream({
    elasticsearchUrl,
    indexPrefix,
    directories,
    label,
    stream: { ...stream, processor: { bufferIntervalInSeconds: 0, ...stream.processor } },
  });

const put = (client: FirehoseClient, stream: string, documents: Record<string, unknown>[]) =>
  client.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: stream,
      Records: documents.map((document) => ({ Data: json(document) })),
    }),
  );

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

interface Reported {
  ContactId: string;
  Environment: Record<string, string | null>;
  CredentialDigests: Record<string, string | null>;
  Context: Record<string, string>;
}

/** Sends each batch, one invocation after the other, and returns what the handler reported per record. */
async function reportedBy(
  label: string,
  stream: Parameters<typeof start>[1],
  batches: string[][],
): Promise<{ reports: Reported[]; firehose: FirehoseLocal }> {
  const { firehose, client, index } = await start(label, stream);
  try {
    for (const batch of batches) {
      expect(
        (
          await put(
            client,
            label,
            batch.map((contactId) => ({ ContactId: contactId })),
          )
        ).FailedPutCount,
      ).toBe(0);
      await firehose.flush(label);
    }
  } finally {
    client.destroy();
    await firehose.close();
  }
  const reports = (await searchAll(elasticsearchUrl, index)) as unknown as Reported[];
  expect(reports).toHaveLength(batches.flat().length);
  return { reports, firehose };
}

describe("Lambda's reserved environment variables in worker execution environments", () => {
  it('sets each one as the Lambda runtime does, the context agrees with them, and firehose-local keeps its own process.env', async () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1'); // firehose-local's region: the function runs in the stream's
    const { reports, firehose } = await reportedBy(
      'values',
      {
        region: 'ap-southeast-2',
        processor: {
          modulePath: fixture('environment.mjs'),
          exportName: 'reportEnvironment',
          functionName: 'AddName',
          memorySizeInMB: 256,
          concurrency: 1,
        },
      },
      [['first'], ['second']],
    );
    const [first, second] = reports.sort((a, b) => a.ContactId.localeCompare(b.ContactId));
    expect(first!.Environment).toEqual({
      AWS_REGION: 'ap-southeast-2',
      AWS_DEFAULT_REGION: 'ap-southeast-2',
      AWS_LAMBDA_FUNCTION_NAME: 'AddName',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/AddName',
      AWS_LAMBDA_LOG_STREAM_NAME: expect.stringMatching(LOG_STREAM_NAME),
      AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${nodeMajor}.x`,
      LAMBDA_TASK_ROOT: dirname(fixture('environment.mjs')),
      _HANDLER: 'environment.reportEnvironment',
      TZ: ':UTC',
      AWS_ENDPOINT_URL_FIREHOSE: firehose.processorEndpointUrl,
      FROM_PARENT: null,
      OVERRIDDEN: null,
    });
    // No credentials in firehose-local's environment: harmless placeholders, never the values in a report.
    expect(first!.CredentialDigests).toEqual({
      AWS_ACCESS_KEY_ID: digest(LOCAL_CREDENTIAL_PLACEHOLDERS.AWS_ACCESS_KEY_ID!),
      AWS_SECRET_ACCESS_KEY: digest(LOCAL_CREDENTIAL_PLACEHOLDERS.AWS_SECRET_ACCESS_KEY!),
      AWS_SESSION_TOKEN: digest(LOCAL_CREDENTIAL_PLACEHOLDERS.AWS_SESSION_TOKEN!),
    });
    expect(first!.Context).toEqual({
      functionName: 'AddName',
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      logGroupName: first!.Environment.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: first!.Environment.AWS_LAMBDA_LOG_STREAM_NAME,
    });
    // Both invocations ran warm in one environment: one log stream, as on Lambda.
    expect(firehose.metrics('values').local.processorColdStarts).toBe(1);
    expect(second!.Environment).toEqual(first!.Environment);
    expect(second!.Context.logStreamName).toBe(first!.Context.logStreamName);
    // Nothing was written to firehose-local's own environment.
    expect(process.env.AWS_REGION).toBe('eu-west-1');
    for (const name of [
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_ENDPOINT_URL_FIREHOSE',
      'AWS_ACCESS_KEY_ID',
      '_HANDLER',
    ]) {
      expect(process.env[name]).toBeUndefined();
    }
  });

  it('layers process.env < reserved variables < processor.environment, passes the parent credentials through, and keeps its own endpoint', async () => {
    vi.stubEnv('FROM_PARENT', 'parent');
    vi.stubEnv('OVERRIDDEN', 'parent');
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'set-by-the-parent');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDPARENTTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'parent-secret');
    vi.stubEnv('AWS_ENDPOINT_URL_FIREHOSE', 'http://127.0.0.1:1');
    vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'true');
    const { reports, firehose } = await reportedBy(
      'precedence',
      {
        processor: {
          modulePath: fixture('environment.mjs'),
          exportName: 'reportEnvironment',
          environment: { OVERRIDDEN: 'function', AWS_DEFAULT_REGION: 'us-west-2' },
        },
      },
      [['only']],
    );
    const [report] = reports;
    expect(report!.Environment).toMatchObject({
      FROM_PARENT: 'parent',
      OVERRIDDEN: 'function',
      AWS_LAMBDA_FUNCTION_NAME: 'firehose-local-processor', // reserved beats the parent
      AWS_REGION: 'us-east-1', // the stream's default region
      AWS_DEFAULT_REGION: 'us-west-2', // the function's configuration beats reserved (locally only)
      // The shell's endpoint would send re-ingested records away from this stream: firehose-local's wins.
      AWS_ENDPOINT_URL_FIREHOSE: firehose.processorEndpointUrl,
    });
    expect(report!.Environment).not.toHaveProperty('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS');
    expect(report!.CredentialDigests).toEqual({
      AWS_ACCESS_KEY_ID: digest('AKIDPARENTTEST'),
      AWS_SECRET_ACCESS_KEY: digest('parent-secret'),
      AWS_SESSION_TOKEN: null, // no placeholder token next to real long-term keys
    });
    expect(process.env.OVERRIDDEN).toBe('parent');
  });

  it('lets processor.environment set AWS_ENDPOINT_URL_FIREHOSE', async () => {
    const { reports } = await reportedBy(
      'endpoint',
      {
        processor: {
          modulePath: fixture('environment.mjs'),
          exportName: 'reportEnvironment',
          environment: { AWS_ENDPOINT_URL_FIREHOSE: 'http://127.0.0.1:2' },
        },
      },
      [['only']],
    );
    expect(reports[0]!.Environment.AWS_ENDPOINT_URL_FIREHOSE).toBe('http://127.0.0.1:2');
  });

  it('gives an in-process handler the configured memory size and one log stream in its context', async () => {
    const { reports } = await reportedBy(
      'inprocess',
      {
        processor: {
          modulePath: fixture('environment.mjs'),
          exportName: 'reportEnvironment',
          isolation: 'in-process',
          memorySizeInMB: 1024,
        },
      },
      [['one'], ['two']],
    );
    const [one, two] = reports;
    expect(one!.Context).toMatchObject({
      memoryLimitInMB: '1024',
      logGroupName: '/aws/lambda/firehose-local-processor',
    });
    expect(one!.Context.logStreamName).toMatch(LOG_STREAM_NAME);
    expect(two!.Context.logStreamName).toBe(one!.Context.logStreamName);
    // In-process, the handler shares firehose-local's process.env: nothing is set in it.
    expect(one!.Environment.AWS_LAMBDA_FUNCTION_NAME).toBeNull();
  });
});

describe('a processor that re-ingests records with the AWS SDK', () => {
  it('reaches this firehose-local with no endpoint configured, and the records come back through the stream', async () => {
    const { firehose, client, index } = await start('reingest', {
      processor: { modulePath: fixture('reingest.mjs') },
    });
    const sent = await put(client, 'reingest', [
      { ContactId: 'kept' },
      { ContactId: 'again-1', Reingest: true },
      { ContactId: 'again-2', Reingest: true },
    ]);
    expect(sent.FailedPutCount).toBe(0);
    client.destroy();
    await firehose.close(); // drains the processor stage while still accepting the re-ingested records
    const { local, cloudWatch } = firehose.metrics('reingest');
    expect(cloudWatch.IncomingRecords).toBe(5);
    expect(local.processorInvocationFailures).toBe(0);
    expect(cloudWatch['DeliveryToElasticsearch.Records']).toBe(3);
    const documents = await searchAll(elasticsearchUrl, index);
    expect(documents.map(({ ContactId, Reingested }) => [ContactId, Reingested ?? false]).sort()).toEqual([
      ['again-1', true],
      ['again-2', true],
      ['kept', false],
    ]);
  });
});
