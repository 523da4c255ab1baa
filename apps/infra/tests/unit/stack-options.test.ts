import { describe, expect, it } from 'vitest';
import { CtrStreamInfraError, InvalidStackOptionsError } from '../../src/errors.js';
import {
  DEFAULT_STACK_OPTIONS,
  defaultDeliveryStreamName,
  EXAMPLE_CONTEXT,
  parseStackOptions,
  STACK_OPTION_NAMES,
} from '../../src/stack-options.js';

const LOOKUP = 'https://directory.example.com/api/user/';
const DOMAIN = 'arn:aws:es:ap-southeast-2:111122223333:domain/ctr-analytics';
const ELASTIC = 'https://ctr.es.ap-southeast-2.aws.elastic-cloud.com';

/** The issues parseStackOptions reports for a context, as `option: message` lines. */
function issuesOf(context: Record<string, unknown>): { option: string; message: string }[] {
  try {
    parseStackOptions(context);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStackOptionsError);
    return [...(error as InvalidStackOptionsError).issues];
  }
  throw new Error('expected InvalidStackOptionsError');
}

function optionsWithIssues(context: Record<string, unknown>): string[] {
  return issuesOf(context).map((issue) => issue.option);
}

describe('parseStackOptions: defaults', () => {
  it('applies the tutorial settings and the safer retry default for a domain', () => {
    const { options, placement } = parseStackOptions({ callerLookupUrl: LOOKUP, domainArn: DOMAIN });
    expect(placement).toEqual({ stackName: 'CtrStream', example: false });
    expect(options).toEqual({
      deliveryStreamName: 'CTRFHStream',
      callerLookupUrl: LOOKUP,
      lambdaEnvironment: {},
      metricsNamespace: 'CtrStream',
      lambdaMemoryMb: 512,
      lambdaArchitecture: 'arm64',
      logRetentionDays: 30,
      destination: {
        kind: 'domain',
        domainArn: DOMAIN,
        api: 'opensearch',
        indexName: 'connect',
        indexRotation: 'NoRotation',
        retryDurationSeconds: 300,
        documentIdFormat: 'FIREHOSE_DEFAULT',
      },
      processorBufferSizeMb: 1,
      processorBufferIntervalSeconds: 60,
      processingRetries: 3,
      destinationBufferSizeMb: 1,
      destinationBufferIntervalSeconds: 60,
      backupEncryption: 's3',
      backupExpirationDays: 90,
      dataFreshnessThresholdSeconds: 900,
    });
  });

  it('keeps CTRFHStream for the default stack name, given or not', () => {
    const base = { callerLookupUrl: LOOKUP, domainArn: DOMAIN };
    expect(parseStackOptions(base).options.deliveryStreamName).toBe('CTRFHStream');
    expect(parseStackOptions({ ...base, stackName: 'CtrStream' }).options.deliveryStreamName).toBe(
      'CTRFHStream',
    );
    expect(defaultDeliveryStreamName('CtrStream')).toBe('CTRFHStream');
  });

  it('derives the delivery stream name from any other stack name, so that a second stack gets its own', () => {
    const base = { callerLookupUrl: LOOKUP, domainArn: DOMAIN };
    const { options, placement } = parseStackOptions({ ...base, stackName: 'CtrStreamStaging' });
    expect(placement.stackName).toBe('CtrStreamStaging');
    expect(options.deliveryStreamName).toBe('CtrStreamStaging-CTRFHStream');
    // Only the exact default keeps CTRFHStream: stack names are case-sensitive, so this is another stack.
    expect(parseStackOptions({ ...base, stackName: 'ctrstream' }).options.deliveryStreamName).toBe(
      'ctrstream-CTRFHStream',
    );
  });

  it('uses a given deliveryStreamName whatever the stack name', () => {
    const base = { callerLookupUrl: LOOKUP, domainArn: DOMAIN, stackName: 'CtrStreamStaging' };
    expect(parseStackOptions({ ...base, deliveryStreamName: 'staging.ctr' }).options.deliveryStreamName).toBe(
      'staging.ctr',
    );
    expect(parseStackOptions({ ...base, deliveryStreamName: 'CTRFHStream' }).options.deliveryStreamName).toBe(
      'CTRFHStream',
    );
    expect(optionsWithIssues({ ...base, deliveryStreamName: 'x'.repeat(65) })).toEqual([
      'deliveryStreamName',
    ]);
  });

  it('derives a valid Firehose name of at most 64 characters from stack names up to 128, distinct for distinct names', () => {
    const firehoseName = /^[a-zA-Z0-9._-]{1,64}$/;
    const fits = 'S'.repeat(52);
    expect(defaultDeliveryStreamName(fits)).toBe(`${fits}-CTRFHStream`);
    expect(defaultDeliveryStreamName(fits)).toHaveLength(64);
    const longNames = ['S'.repeat(53), `${'S'.repeat(127)}A`, `${'S'.repeat(127)}B`, `A${'S'.repeat(127)}`];
    const derived = longNames.map(defaultDeliveryStreamName);
    for (const name of derived) {
      expect(name).toMatch(firehoseName);
      expect(name).toHaveLength(64);
      expect(name).toMatch(/^S*A?S*-[0-9a-f]{8}-CTRFHStream$/);
    }
    expect(new Set([...derived, defaultDeliveryStreamName(fits)]).size).toBe(longNames.length + 1);
    // Deterministic: the same stack keeps its stream across deployments.
    expect(longNames.map(defaultDeliveryStreamName)).toEqual(derived);
    const { options } = parseStackOptions({
      callerLookupUrl: LOOKUP,
      domainArn: DOMAIN,
      stackName: `A${'b-'.repeat(63)}c`,
    });
    expect(options.deliveryStreamName).toMatch(firehoseName);
  });

  it('reads typed values from cdk.json as well as strings from -c', () => {
    const { options, placement } = parseStackOptions({
      callerLookupUrl: LOOKUP,
      domainArn: DOMAIN,
      lambdaMemoryMb: 2048,
      processorBufferSizeMb: '0.5',
      lambdaEnvironment: { CALLER_LOOKUP_TIMEOUT_MS: 800 },
      region: 'ap-southeast-2',
      account: '111122223333',
      example: false,
    });
    expect(options.lambdaMemoryMb).toBe(2048);
    expect(options.processorBufferSizeMb).toBe(0.5);
    expect(options.lambdaEnvironment).toEqual({ CALLER_LOOKUP_TIMEOUT_MS: '800' });
    expect(placement).toMatchObject({ region: 'ap-southeast-2', account: '111122223333' });
  });

  it('builds an Elastic Cloud destination without a secret ARN (the stack creates one)', () => {
    const { options } = parseStackOptions({ callerLookupUrl: LOOKUP, elasticEndpointUrl: ELASTIC });
    expect(options.destination).toEqual({
      kind: 'elastic-cloud',
      endpointUrl: ELASTIC,
      dataStreamName: 'connect',
      retryDurationSeconds: 300,
    });
  });

  it('fills example values with example=true, keeping explicit values', () => {
    const { options, placement } = parseStackOptions({ example: 'true', elasticEndpointUrl: ELASTIC });
    expect(placement.example).toBe(true);
    expect(options.callerLookupUrl).toBe(EXAMPLE_CONTEXT.callerLookupUrl);
    expect(options.destination.kind).toBe('elastic-cloud');
    const onlyExample = parseStackOptions({ example: true }).options;
    expect(onlyExample.destination).toMatchObject({ kind: 'domain', domainArn: EXAMPLE_CONTEXT.domainArn });
    expect(onlyExample.connectInstanceArn).toBe(EXAMPLE_CONTEXT.connectInstanceArn);
  });

  it('documents every option in the README table', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of STACK_OPTION_NAMES) expect(readme, name).toContain(`| \`${name}\``);
    expect(DEFAULT_STACK_OPTIONS.retryDurationSeconds).toBe(300);
  });
});

describe('parseStackOptions: invalid options', () => {
  it('requires callerLookupUrl and a destination, reporting both at once', () => {
    const issues = issuesOf({});
    expect(issues.map((issue) => issue.option)).toEqual(['callerLookupUrl', 'domainArn']);
    expect(issues[1]?.message).toMatch(/domainArn=arn:aws:es:.*or elasticEndpointUrl=https/);
  });

  it('names every problem in the error message', () => {
    expect(() => parseStackOptions({ callerLookupUrl: LOOKUP })).toThrow(
      /Invalid ctr-stream stack options \(1 problem\):\n {2}- domainArn: a destination is required/,
    );
  });

  it('rejects both destinations at once', () => {
    expect(issuesOf({ callerLookupUrl: LOOKUP, domainArn: DOMAIN, elasticEndpointUrl: ELASTIC })).toEqual([
      {
        option: 'domainArn',
        message: expect.stringMatching(/either domainArn .* or elasticEndpointUrl .* not both/),
      },
    ]);
  });

  it('rejects options of the other destination', () => {
    expect(
      optionsWithIssues({ callerLookupUrl: LOOKUP, domainArn: DOMAIN, elasticDataStreamName: 'x' }),
    ).toEqual(['elasticDataStreamName']);
    expect(
      optionsWithIssues({
        callerLookupUrl: LOOKUP,
        elasticEndpointUrl: ELASTIC,
        indexName: 'connect',
        typeName: 'CTR',
      }),
    ).toEqual(['indexName', 'typeName']);
  });

  it.each([
    ['not a URL', /absolute http\(s\) URL/],
    ['ftp://directory.example.com/', /must use https/],
    ['https://user:secret@directory.example.com/api/user/', /must not contain credentials/],
    ['https://directory.example.com/api/user', /must end in \//],
    ['https://directory.example.com/api/user/?key=1', /no query/],
  ])('rejects callerLookupUrl %s', (callerLookupUrl, message) => {
    const issues = issuesOf({ callerLookupUrl, domainArn: DOMAIN });
    expect(issues).toEqual([{ option: 'callerLookupUrl', message: expect.stringMatching(message) }]);
    expect(issues[0]?.message).not.toContain('secret@');
  });

  it.each([
    ['domainArn', 'arn:aws:es:ap-southeast-2:111122223333:collection/ctr'],
    ['domainArn', 'ctr-analytics'],
    ['connectInstanceArn', 'arn:aws:connect:ap-southeast-2:111122223333:instance/not-an-id'],
    ['alarmTopicArn', 'arn:aws:sqs:ap-southeast-2:111122223333:queue'],
    ['alarmEmail', 'ops at example.com'],
    ['indexRotation', 'Daily'],
    ['domainApi', 'solr'],
    ['documentIdFormat', 'CONTACT_ID'],
    ['lambdaArchitecture', 'arm'],
    ['lambdaMemoryMb', '64'],
    ['lambdaMemoryMb', '512MB'],
    ['lambdaReservedConcurrency', '0'],
    ['logRetentionDays', '45'],
    ['retryDurationSeconds', '7201'],
    ['retryDurationSeconds', '-1'],
    ['processorBufferSizeMb', '4'],
    ['processorBufferIntervalSeconds', '901'],
    ['processingRetries', '1.5'],
    ['destinationBufferSizeMb', '0'],
    ['backupEncryption', 'none'],
    ['backupExpirationDays', '0'],
    ['dataFreshnessThresholdSeconds', '30'],
    ['deliveryStreamName', 'CTR FH Stream'],
    ['stackName', '1stack'],
    ['region', 'Sydney'],
    ['account', '1234'],
    ['indexName', 'Connect'],
    ['example', 'yes'],
    ['metricsNamespace', 'AWS/Lambda'],
    ['metricsNamespace', 'Ctr:Stream'],
    ['metricsNamespace', 'CtrStréam'],
    ['metricsNamespace', 'Ctr\tStream'],
    ['metricsNamespace', 'C'.repeat(256)],
  ])('rejects %s=%s with a message naming it', (option, value) => {
    const issues = issuesOf({ callerLookupUrl: LOOKUP, domainArn: DOMAIN, [option]: value });
    expect(issues.map((issue) => issue.option)).toEqual([option]);
    expect(issues[0]?.message).toMatch(/^must be /);
  });

  it('requires the 1 MiB destination buffer Elastic requires, and allows up to 100 MB for a domain', () => {
    expect(
      issuesOf({ callerLookupUrl: LOOKUP, elasticEndpointUrl: ELASTIC, destinationBufferSizeMb: '2' }),
    ).toEqual([{ option: 'destinationBufferSizeMb', message: expect.stringMatching(/^must be /) }]);
    expect(
      parseStackOptions({
        callerLookupUrl: LOOKUP,
        elasticEndpointUrl: ELASTIC,
        destinationBufferSizeMb: '1',
      }).options.destinationBufferSizeMb,
    ).toBe(1);
    expect(
      parseStackOptions({ callerLookupUrl: LOOKUP, domainArn: DOMAIN, destinationBufferSizeMb: '100' })
        .options.destinationBufferSizeMb,
    ).toBe(100);
  });

  it('rejects a partial secret ARN and an http or credentialed Elastic endpoint', () => {
    expect(
      issuesOf({
        callerLookupUrl: LOOKUP,
        elasticEndpointUrl: ELASTIC,
        elasticApiKeySecretArn:
          'arn:aws:secretsmanager:ap-southeast-2:111122223333:secret:ctr-stream/elastic',
      }),
    ).toEqual([{ option: 'elasticApiKeySecretArn', message: expect.stringMatching(/6 characters/) }]);
    expect(
      issuesOf({ callerLookupUrl: LOOKUP, elasticEndpointUrl: 'http://elastic.example.com' })[0]?.message,
    ).toMatch(/https/);
    expect(
      issuesOf({ callerLookupUrl: LOOKUP, elasticEndpointUrl: 'https://elastic.example.com/?api_key=abc' })[0]
        ?.message,
    ).toMatch(/Secrets Manager/);
  });

  it('refuses a secret passed as context', () => {
    const issues = issuesOf({
      callerLookupUrl: LOOKUP,
      elasticEndpointUrl: ELASTIC,
      elasticApiKey: 'abc123',
    });
    expect(issues).toEqual([
      { option: 'elasticApiKey', message: expect.stringMatching(/never pass a secret/) },
    ]);
    expect(JSON.stringify(issues)).not.toContain('abc123');
  });

  it('reports unknown options, suggesting the right spelling', () => {
    expect(issuesOf({ callerLookupUrl: LOOKUP, domainArn: DOMAIN, domainARN: DOMAIN, retries: '3' })).toEqual(
      [
        { option: 'domainARN', message: 'unknown option; did you mean domainArn?' },
        { option: 'retries', message: expect.stringMatching(/unknown option; see the options table/) },
      ],
    );
    // Another case, dashes or underscores: still a mistake, never silently ignored.
    expect(
      issuesOf({
        callerLookupUrl: LOOKUP,
        domainArn: DOMAIN,
        MetricsNamespace: 'X',
        'alarm-email': 'a@example.com',
        log_retention_days: '7',
        Retries: '3',
      }),
    ).toEqual([
      { option: 'MetricsNamespace', message: 'unknown option; did you mean metricsNamespace?' },
      { option: 'alarm-email', message: 'unknown option; did you mean alarmEmail?' },
      { option: 'log_retention_days', message: 'unknown option; did you mean logRetentionDays?' },
      { option: 'Retries', message: expect.stringMatching(/unknown option; see the options table/) },
    ]);
  });

  it('ignores CDK keys (feature flags, CLI settings)', () => {
    expect(() =>
      parseStackOptions({
        callerLookupUrl: LOOKUP,
        domainArn: DOMAIN,
        '@aws-cdk/core:newStyleStackSynthesis': true,
        'aws:cdk:enable-path-metadata': true,
        'cli-telemetry': false,
      }),
    ).not.toThrow();
  });

  it('validates lambdaEnvironment names, reserved names and size', () => {
    const base = { callerLookupUrl: LOOKUP, domainArn: DOMAIN };
    expect(issuesOf({ ...base, lambdaEnvironment: '{not json' })[0]?.message).toMatch(/JSON object/);
    expect(issuesOf({ ...base, lambdaEnvironment: '["A"]' })[0]?.message).toMatch(/JSON object/);
    const messages = issuesOf({
      ...base,
      lambdaEnvironment: {
        AWS_REGION: 'x',
        '1BAD': 'x',
        CALLER_LOOKUP_URL: 'x',
        DELIVERY_STREAM_NAME: 'x',
        NESTED: { a: 1 },
      },
    }).map((issue) => issue.message);
    expect(messages).toEqual([
      expect.stringMatching(/AWS_REGION is reserved/),
      expect.stringMatching(/"1BAD" is not a valid/),
      expect.stringMatching(/callerLookupUrl option/),
      expect.stringMatching(/deliveryStreamName option/),
      expect.stringMatching(/NESTED must be a string/),
    ]);
    expect(issuesOf({ ...base, lambdaEnvironment: { BIG: 'x'.repeat(5000) } })[0]?.message).toMatch(/4 KB/);
  });

  it('takes the API key as a secret ARN in the stack region and account, never next to a plain CALLER_LOOKUP_API_KEY', () => {
    const base = { callerLookupUrl: LOOKUP, domainArn: DOMAIN };
    const secret = `arn:aws:secretsmanager:${DOMAIN.split(':')[3]}:${DOMAIN.split(':')[4]}:secret:directory-key-AbCdEf`;
    expect(
      parseStackOptions({ ...base, callerLookupApiKeySecretArn: secret }).options.callerLookupApiKeySecretArn,
    ).toBe(secret);
    expect(
      issuesOf({
        ...base,
        callerLookupApiKeySecretArn: secret,
        lambdaEnvironment: { CALLER_LOOKUP_API_KEY: 'plain' },
      }).map((issue) => issue.option),
    ).toEqual(['callerLookupApiKeySecretArn']);
    expect(
      issuesOf({ ...base, lambdaEnvironment: { CALLER_LOOKUP_API_KEY_SECRET_ID: secret } })[0]?.message,
    ).toMatch(/callerLookupApiKeySecretArn option/);
    expect(issuesOf({ ...base, callerLookupApiKeySecretArn: 'directory-key' })[0]?.option).toBe(
      'callerLookupApiKeySecretArn',
    );
    const elsewhere = secret.replace(DOMAIN.split(':')[3]!, 'eu-west-1');
    expect(issuesOf({ ...base, callerLookupApiKeySecretArn: elsewhere })[0]?.message).toMatch(
      /region eu-west-1/,
    );
  });

  it('accepts CloudWatch namespaces with slashes, spaces and symbols, up to 255 characters', () => {
    const base = { callerLookupUrl: LOOKUP, domainArn: DOMAIN };
    for (const metricsNamespace of [
      'ContactCenter/CtrStream',
      'Ctr Stream #1',
      'AWSCustom',
      'C'.repeat(255),
    ]) {
      expect(parseStackOptions({ ...base, metricsNamespace }).options.metricsNamespace).toBe(
        metricsNamespace,
      );
    }
    expect(issuesOf({ ...base, metricsNamespace: 'AWS/Firehose' })[0]?.message).toMatch(
      /not starting with AWS\/ \(reserved for AWS services\), got "AWS\/Firehose"/,
    );
  });

  it('refuses METRICS_NAMESPACE and METRICS in lambdaEnvironment, pointing at metricsNamespace', () => {
    const base = { callerLookupUrl: LOOKUP, domainArn: DOMAIN };
    expect(issuesOf({ ...base, lambdaEnvironment: { METRICS_NAMESPACE: 'Other' } })).toEqual([
      {
        option: 'lambdaEnvironment',
        message:
          'METRICS_NAMESPACE is set from the metricsNamespace option, which the alarms read too; pass it there.',
      },
    ]);
    for (const value of ['off', 'on']) {
      expect(issuesOf({ ...base, lambdaEnvironment: JSON.stringify({ METRICS: value }) })).toEqual([
        {
          option: 'lambdaEnvironment',
          message: expect.stringMatching(
            /^METRICS cannot be set: the RecordsProcessingFailed and CallerLookupErrors alarms read these metrics.*metricsNamespace option\.$/,
          ),
        },
      ]);
    }
  });

  it('counts the variables the stack sets (URL, stream name, namespace) in the 4 KB environment limit', () => {
    const base = { callerLookupUrl: LOOKUP, domainArn: DOMAIN };
    // BIG + 4000 bytes, plus CALLER_LOOKUP_URL (56), DELIVERY_STREAM_NAME (31) and METRICS_NAMESPACE (26): 4116.
    expect(issuesOf({ ...base, lambdaEnvironment: { BIG: 'x'.repeat(4000) } })).toEqual([
      {
        option: 'lambdaEnvironment',
        message: 'the Lambda environment would be 4116 bytes; Lambda allows 4 KB.',
      },
    ]);
    expect(() => parseStackOptions({ ...base, lambdaEnvironment: { BIG: 'x'.repeat(3980) } })).not.toThrow();
    expect(
      optionsWithIssues({
        ...base,
        metricsNamespace: 'C'.repeat(255),
        lambdaEnvironment: { BIG: 'x'.repeat(3800) },
      }),
    ).toEqual(['lambdaEnvironment']);
  });

  it('keeps the stream, domain, Connect instance and topic in one region and account', () => {
    const connect = 'arn:aws:connect:us-east-1:111122223333:instance/5a2f3b68-24d7-46c5-ba70-b70cd6918286';
    expect(issuesOf({ callerLookupUrl: LOOKUP, domainArn: DOMAIN, connectInstanceArn: connect })).toEqual([
      {
        option: 'connectInstanceArn',
        message: expect.stringMatching(/region us-east-1 but domainArn is ap-southeast-2/),
      },
    ]);
    expect(issuesOf({ callerLookupUrl: LOOKUP, domainArn: DOMAIN, region: 'eu-west-1' })).toEqual([
      {
        option: 'domainArn',
        message: expect.stringMatching(/the stack region \(region option\) is eu-west-1/),
      },
    ]);
    expect(issuesOf({ callerLookupUrl: LOOKUP, domainArn: DOMAIN, account: '444455556666' })).toEqual([
      { option: 'domainArn', message: expect.stringMatching(/account 111122223333 .* cross-account/) },
    ]);
  });

  it('accepts either an alarm topic or an alarm email, not both', () => {
    expect(
      optionsWithIssues({
        callerLookupUrl: LOOKUP,
        domainArn: DOMAIN,
        alarmEmail: 'ops@example.com',
        alarmTopicArn: 'arn:aws:sns:ap-southeast-2:111122223333:ops',
      }),
    ).toEqual(['alarmEmail']);
  });

  it('is a named, non-retryable CtrStreamInfraError', () => {
    const error = (() => {
      try {
        parseStackOptions({});
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(CtrStreamInfraError);
    expect(error).toMatchObject({ name: 'InvalidStackOptionsError', isRetryable: false });
  });
});
