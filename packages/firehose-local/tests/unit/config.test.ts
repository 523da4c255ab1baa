import { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import {
  DeliveryStreamConfigSchema,
  FirehoseLocalConfigError,
  parseFirehoseLocalConfig,
} from '../../src/index.js';

const minimal = {
  name: 'ctr-stream',
  elasticsearch: { url: 'http://127.0.0.1:9200', indexName: 'connect' },
  backup: { directory: './backup' },
};

describe('DeliveryStreamConfigSchema', () => {
  it('fills in Firehose defaults', () => {
    const config = DeliveryStreamConfigSchema.parse({
      ...minimal,
      processor: { modulePath: './lambda.mjs' },
    });
    expect(config.processor).toMatchObject({
      exportName: 'handler',
      numberOfRetries: 3,
      bufferSizeInMBs: 1,
      bufferIntervalInSeconds: 60,
      timeoutSeconds: 60,
    });
    expect(config.elasticsearch).toMatchObject({
      indexRotationPeriod: 'OneDay',
      retryDurationInSeconds: 300,
      bufferingHints: { sizeInMBs: 5, intervalInSeconds: 300 },
      documentIdFormat: 'FIREHOSE_DEFAULT',
    });
    expect(config.backup).toEqual({
      directory: './backup',
      mode: 'FailedDocumentsOnly',
      prefix: '',
      appendNewline: true,
    });
    expect(config.region).toBe('us-east-1');
  });

  it('accepts a handler function and an injected client', () => {
    const client = new Client({ node: 'http://127.0.0.1:9' });
    const handler = async () => ({ records: [] });
    const config = DeliveryStreamConfigSchema.parse({
      ...minimal,
      processor: { handler },
      elasticsearch: { client, indexName: 'connect' },
    });
    expect(config.processor?.handler).toBe(handler);
    expect(config.elasticsearch.client).toBe(client);
  });
});

describe('parseFirehoseLocalConfig', () => {
  const issuesOf = (input: unknown) => {
    try {
      parseFirehoseLocalConfig(input);
    } catch (error) {
      expect(error).toBeInstanceOf(FirehoseLocalConfigError);
      return (error as FirehoseLocalConfigError).issues;
    }
    throw new Error('expected a FirehoseLocalConfigError');
  };

  it('lists every problem with its path', () => {
    const issues = issuesOf({
      streams: [
        {
          ...minimal,
          processor: { modulePath: './x.mjs', bufferSizeInMBs: 5, numberOfRetries: -1 },
          elasticsearch: { indexName: 'Connect', indexRotationPeriod: 'Daily' },
        },
      ],
    });
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'streams.0.processor.bufferSizeInMBs',
        'streams.0.processor.numberOfRetries',
        'streams.0.elasticsearch.indexName',
        'streams.0.elasticsearch.indexRotationPeriod',
      ]),
    );
  });

  it('requires exactly one of url/client and of handler/modulePath', () => {
    expect(
      issuesOf({ streams: [{ ...minimal, elasticsearch: { indexName: 'connect' } }] })[0]?.message,
    ).toMatch(/exactly one of url or client/);
    expect(
      issuesOf({
        streams: [
          { ...minimal, processor: { modulePath: './a.mjs', handler: async () => ({ records: [] }) } },
        ],
      })[0]?.message,
    ).toMatch(/exactly one of handler or modulePath/);
  });

  it('rejects no streams, duplicate names, a missing backup and a non-http URL', () => {
    expect(issuesOf({ streams: [] })[0]?.message).toMatch(/at least one/);
    expect(issuesOf({ streams: [minimal, minimal] })[0]?.message).toMatch(/duplicate delivery stream name/);
    expect(issuesOf({ streams: [{ ...minimal, backup: undefined }] })[0]?.path).toBe('streams.0.backup');
    expect(
      issuesOf({ streams: [{ ...minimal, elasticsearch: { url: 'ftp://x', indexName: 'connect' } }] })[0]
        ?.path,
    ).toBe('streams.0.elasticsearch.url');
  });

  it('requires maxPendingBytes to hold a full 4 MiB PutRecordBatch call plus a margin', () => {
    const [issue] = issuesOf({ streams: [{ ...minimal, maxPendingBytes: 1024 * 1024 }] });
    expect(issue?.path).toBe('streams.0.maxPendingBytes');
    expect(issue?.message).toMatch(/at least 5242880 \(5 MiB\).*4 MiB/);
    expect(issuesOf({ streams: [{ ...minimal, maxPendingBytes: 4 * 1024 * 1024 }] })[0]?.path).toBe(
      'streams.0.maxPendingBytes',
    );
    expect(
      parseFirehoseLocalConfig({ streams: [{ ...minimal, maxPendingBytes: 5 * 1024 * 1024 }] }).streams[0]
        ?.maxPendingBytes,
    ).toBe(5 * 1024 * 1024);
  });
});
