import { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import {
  DeliveryStreamConfigSchema,
  FirehoseLocalConfigError,
  parseFirehoseLocalConfig,
  startFirehoseLocal,
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

  it('refuses a Lambda timeout Firehose would not wait for (over 5 minutes)', () => {
    const withTimeout = (timeoutSeconds: number) => ({
      streams: [{ ...minimal, processor: { modulePath: './x.mjs', timeoutSeconds } }],
    });
    expect(parseFirehoseLocalConfig(withTimeout(300)).streams[0]?.processor?.timeoutSeconds).toBe(300);
    expect(issuesOf(withTimeout(301))).toEqual([
      expect.objectContaining({
        path: 'streams.0.processor.timeoutSeconds',
        message: 'must be at most 300: Firehose waits at most 5 minutes for a transform',
      }),
    ]);
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

  it('refuses a URL whose password has a malformed percent escape, without showing it, from the file and the API', async () => {
    const MALFORMED = 'the user name or password in it has a malformed percent escape';
    for (const url of [
      'http://user:pa%zzCANARY@127.0.0.1:9200',
      'http://user:CANARY%@127.0.0.1:9200',
      'http://us%4user:CANARY@127.0.0.1:9200',
      'http://user:CANARY%C3%28@127.0.0.1:9200',
    ]) {
      const streams = [{ ...minimal, elasticsearch: { url, indexName: 'connect' } }];
      expect(issuesOf({ streams })).toEqual([
        { path: 'streams.0.elasticsearch.url', message: expect.stringContaining(MALFORMED) },
      ]);
      const rejection = startFirehoseLocal({ streams });
      await expect(rejection).rejects.toBeInstanceOf(FirehoseLocalConfigError);
      const error = (await rejection.catch((reason: unknown) => reason)) as FirehoseLocalConfigError;
      expect(error.message).toContain(`streams.0.elasticsearch.url: ${MALFORMED}`);
      expect(error.message).not.toContain('CANARY');
    }
    // Escapes that decode are fine: %25 is a %, %40 an @.
    expect(
      parseFirehoseLocalConfig({
        streams: [
          {
            ...minimal,
            elasticsearch: { url: 'http://user:p%25s%40s@127.0.0.1:9200', indexName: 'connect' },
          },
        ],
      }).streams[0]?.elasticsearch.url,
    ).toBe('http://user:p%25s%40s@127.0.0.1:9200');
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

describe('unknown keys', () => {
  const issuesOf = (input: unknown) => {
    try {
      parseFirehoseLocalConfig(input);
    } catch (error) {
      expect(error).toBeInstanceOf(FirehoseLocalConfigError);
      return (error as FirehoseLocalConfigError).issues;
    }
    throw new Error('expected a FirehoseLocalConfigError');
  };

  it('are rejected at every level, each with its path and the known key it is close to', () => {
    const issues = issuesOf({
      prot: 4573,
      streams: [
        {
          ...minimal,
          procesor: { modulePath: './lambda.mjs' },
          elasticsearch: {
            ...minimal.elasticsearch,
            IndexRotationPeriod: 'NoRotation',
            bufferingHints: { intervalInSecond: 1 },
            bulk: { maxDocument: 10 },
          },
          backup: { ...minimal.backup, mdoe: 'AllDocuments' },
          faults: { throttleFirstRequest: 1 },
        },
        {
          ...minimal,
          name: 'second',
          processor: { modulePath: './lambda.mjs', bufferIntervalInSecond: 1 },
        },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'prot', message: 'unknown key (did you mean port?)' },
        { path: 'streams.0.procesor', message: 'unknown key (did you mean processor?)' },
        {
          path: 'streams.0.elasticsearch.IndexRotationPeriod',
          message: 'unknown key (did you mean indexRotationPeriod?)',
        },
        {
          path: 'streams.0.elasticsearch.bufferingHints.intervalInSecond',
          message: 'unknown key (did you mean intervalInSeconds?)',
        },
        {
          path: 'streams.0.elasticsearch.bulk.maxDocument',
          message: 'unknown key (did you mean maxDocuments?)',
        },
        { path: 'streams.0.backup.mdoe', message: 'unknown key (did you mean mode?)' },
        {
          path: 'streams.0.faults.throttleFirstRequest',
          message: 'unknown key (did you mean throttleFirstRequests?)',
        },
        {
          path: 'streams.1.processor.bufferIntervalInSecond',
          message: 'unknown key (did you mean bufferIntervalInSeconds?)',
        },
      ]),
    );
    expect(issues).toHaveLength(8);
  });

  it('name every unknown key of one object, and list the known keys when none is close', () => {
    const issues = issuesOf({
      streams: [{ ...minimal, backup: { ...minimal.backup, bucket: 'b', zzz: 1 } }],
    });
    expect(issues).toEqual([
      {
        path: 'streams.0.backup.bucket',
        message: 'unknown key (remove it, or use one of directory, mode, prefix, appendNewline)',
      },
      {
        path: 'streams.0.backup.zzz',
        message: 'unknown key (remove it, or use one of directory, mode, prefix, appendNewline)',
      },
    ]);
  });

  it('are named in the error message, one line', () => {
    expect(() => parseFirehoseLocalConfig({ streams: [{ ...minimal, procesor: {} }] })).toThrow(
      /^Invalid firehose-local configuration: streams\.0\.procesor: unknown key \(did you mean processor\?\)$/,
    );
  });

  it('are rejected by the exported schemas too', () => {
    expect(DeliveryStreamConfigSchema.safeParse({ ...minimal, procesor: {} }).success).toBe(false);
  });

  it('are rejected in the options of startFirehoseLocal, before anything starts', async () => {
    const rejection = startFirehoseLocal({
      prot: 4573,
      baseDirectry: '.',
      streams: [{ ...minimal, procesor: { modulePath: './lambda.mjs' } }],
    } as unknown as Parameters<typeof startFirehoseLocal>[0]);
    await expect(rejection).rejects.toBeInstanceOf(FirehoseLocalConfigError);
    const { issues } = (await rejection.catch((error: unknown) => error)) as FirehoseLocalConfigError;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'prot', message: 'unknown key (did you mean port?)' },
        { path: 'baseDirectry', message: 'unknown key (did you mean baseDirectory?)' },
        { path: 'streams.0.procesor', message: 'unknown key (did you mean processor?)' },
      ]),
    );
  });

  it('still accept every declared key, including the code-only options', () => {
    const full = {
      host: '127.0.0.1',
      port: 0,
      streams: [
        {
          name: 'full',
          region: 'ap-southeast-2',
          accountId: '123456789012',
          processor: {
            modulePath: './lambda.mjs',
            exportName: 'handler',
            functionName: 'AddName',
            timeoutSeconds: 60,
            memorySizeInMB: 256,
            numberOfRetries: 1,
            bufferSizeInMBs: 1,
            bufferIntervalInSeconds: 1,
            concurrency: 2,
            isolation: 'worker',
            environment: { CALLER_LOOKUP_URL: 'http://127.0.0.1:1/' },
          },
          elasticsearch: {
            url: 'http://127.0.0.1:9200',
            indexName: 'connect',
            typeName: '_doc',
            indexRotationPeriod: 'NoRotation',
            retryDurationInSeconds: 60,
            bufferingHints: { sizeInMBs: 5, intervalInSeconds: 1 },
            bulk: { maxBytes: 1024 * 1024, maxDocuments: 100, concurrency: 1 },
            documentIdFormat: 'NO_DOCUMENT_ID',
          },
          backup: { directory: './backup', mode: 'AllDocuments', prefix: 'ctr/', appendNewline: false },
          faults: { throttleFirstRequests: 1, failEveryNthRecord: 3 },
          maxPendingBytes: 64 * 1024 * 1024,
        },
      ],
    };
    expect(parseFirehoseLocalConfig(full).streams[0]?.processor?.functionName).toBe('AddName');
    // What parsing returns (every default filled in) parses again, as the bin passes it to startFirehoseLocal.
    const parsed = parseFirehoseLocalConfig({ streams: [minimal] });
    expect(parseFirehoseLocalConfig(parsed)).toEqual(parsed);
  });
});
