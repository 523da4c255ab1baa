import { describe, expect, it } from 'vitest';
import { FirehoseLocalConfigError, parseFirehoseLocalConfig } from '../../src/index.js';
import {
  executionEnvironmentVariables,
  LOCAL_CREDENTIAL_PLACEHOLDERS,
  lambdaExecutionEnv,
  lambdaHandlerSetting,
  lambdaReservedVariables,
  newLogStreamName,
} from '../../src/reserved-environment-variables.js';

const reserved = lambdaReservedVariables({
  functionName: 'AddName',
  region: 'ap-southeast-2',
  memorySizeInMB: 512,
  modulePath: '/srv/lambda/dist/index.mjs',
  exportName: 'handler',
  logStreamName: '2026/03/02/[$LATEST]0123456789abcdef0123456789abcdef',
});
const URL = 'http://127.0.0.1:4573';

describe('lambdaReservedVariables', () => {
  it("derives every variable from the function's configuration", () => {
    expect(reserved).toEqual({
      AWS_REGION: 'ap-southeast-2',
      AWS_DEFAULT_REGION: 'ap-southeast-2',
      AWS_LAMBDA_FUNCTION_NAME: 'AddName',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/AddName',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/03/02/[$LATEST]0123456789abcdef0123456789abcdef',
      AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
      LAMBDA_TASK_ROOT: '/srv/lambda/dist',
      _HANDLER: 'index.handler',
      TZ: ':UTC',
    });
  });

  it.each([
    ['/a/index.mjs', 'handler', 'index.handler'],
    ['/a/app.handler.cjs', 'main', 'app.handler.main'],
    ['/a/noextension', 'handler', 'noextension.handler'],
  ])('_HANDLER of %s#%s is %s', (modulePath, exportName, expected) => {
    expect(lambdaHandlerSetting(modulePath, exportName)).toBe(expected);
  });

  it('names the runtime after the major version of Node.js', () => {
    expect(lambdaExecutionEnv('20.20.2')).toBe('AWS_Lambda_nodejs20.x');
    expect(lambdaExecutionEnv('22.1.0')).toBe('AWS_Lambda_nodejs22.x');
  });

  it("names a new log stream like Lambda: the UTC day, the version, one environment's id", () => {
    const first = newLogStreamName(new Date('2026-03-02T23:59:59.999Z'));
    expect(first).toMatch(/^2026\/03\/02\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(newLogStreamName(new Date('2026-03-02T23:59:59.999Z'))).not.toBe(first);
  });
});

describe('executionEnvironmentVariables', () => {
  it('layers process.env < reserved < configured and never changes its inputs', () => {
    const parent = { PATH: '/bin', AWS_REGION: 'eu-west-1', SHARED: 'parent', AWS_PROFILE: 'dev' };
    const configured = { SHARED: 'function', AWS_LAMBDA_FUNCTION_NAME: 'Renamed' };
    const variables = executionEnvironmentVariables({
      parent,
      reserved,
      configured,
      firehoseEndpointUrl: URL,
    });
    expect(variables).toMatchObject({
      PATH: '/bin',
      AWS_REGION: 'ap-southeast-2',
      SHARED: 'function',
      AWS_LAMBDA_FUNCTION_NAME: 'Renamed',
      AWS_ENDPOINT_URL_FIREHOSE: URL,
    });
    expect(parent).toEqual({ PATH: '/bin', AWS_REGION: 'eu-west-1', SHARED: 'parent', AWS_PROFILE: 'dev' });
    expect(configured).toEqual({ SHARED: 'function', AWS_LAMBDA_FUNCTION_NAME: 'Renamed' });
  });

  it('points AWS_ENDPOINT_URL_FIREHOSE at firehose-local over process.env, unless the configuration sets it, once known', () => {
    const endpoint = (
      parent: Record<string, string>,
      configured: Record<string, string>,
      url: string | undefined,
    ) =>
      executionEnvironmentVariables({ parent, reserved, configured, firehoseEndpointUrl: url })
        .AWS_ENDPOINT_URL_FIREHOSE;
    expect(endpoint({}, {}, URL)).toBe(URL);
    // A shell's endpoint would send a re-ingesting processor's records away from this stream.
    expect(endpoint({ AWS_ENDPOINT_URL_FIREHOSE: 'http://parent' }, {}, URL)).toBe(URL);
    expect(endpoint({ AWS_ENDPOINT_URL_FIREHOSE: '' }, {}, URL)).toBe(URL);
    expect(endpoint({}, { AWS_ENDPOINT_URL_FIREHOSE: '' }, URL)).toBe(URL);
    expect(endpoint({ AWS_ENDPOINT_URL_FIREHOSE: 'http://parent' }, {}, undefined)).toBe('http://parent');
    expect(
      endpoint(
        { AWS_ENDPOINT_URL_FIREHOSE: 'http://parent' },
        { AWS_ENDPOINT_URL_FIREHOSE: 'http://fn' },
        URL,
      ),
    ).toBe('http://fn');
    expect(endpoint({}, {}, undefined)).toBeUndefined();
  });

  it('does not pass on AWS_IGNORE_CONFIGURED_ENDPOINT_URLS from process.env (the SDK would skip the endpoint)', () => {
    const variables = (parent: Record<string, string>, configured: Record<string, string> = {}) =>
      executionEnvironmentVariables({ parent, reserved, configured, firehoseEndpointUrl: URL });
    expect(variables({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).not.toHaveProperty(
      'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
    );
    expect(
      variables({}, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
    ).toBe('true');
  });

  it('uses placeholder credentials only when none are configured anywhere', () => {
    const credentials = (parent: Record<string, string>, configured: Record<string, string> = {}) => {
      const variables = executionEnvironmentVariables({
        parent,
        reserved,
        configured,
        firehoseEndpointUrl: URL,
      });
      return {
        AWS_ACCESS_KEY_ID: variables.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: variables.AWS_SECRET_ACCESS_KEY,
        AWS_SESSION_TOKEN: variables.AWS_SESSION_TOKEN,
      };
    };
    expect(credentials({})).toEqual(LOCAL_CREDENTIAL_PLACEHOLDERS);
    expect(credentials({ AWS_ACCESS_KEY_ID: '' })).toEqual(LOCAL_CREDENTIAL_PLACEHOLDERS);
    expect(credentials({ AWS_ACCESS_KEY_ID: 'AKIDPARENT', AWS_SECRET_ACCESS_KEY: 'secret' })).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIDPARENT',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: undefined,
    });
    expect(credentials({}, { AWS_ACCESS_KEY_ID: 'AKIDFUNCTION', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIDFUNCTION',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: undefined,
    });
    // A profile is the user's way to credentials: placeholders would shadow it.
    expect(credentials({ AWS_PROFILE: 'dev' })).toEqual({
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
    });
  });
});

describe('processor.memorySizeInMB', () => {
  const stream = (processor: Record<string, unknown>) => ({
    streams: [
      {
        name: 'ctr',
        processor: { modulePath: './lambda.mjs', ...processor },
        elasticsearch: { url: 'http://127.0.0.1:9200', indexName: 'connect' },
        backup: { directory: './backup' },
      },
    ],
  });

  it("defaults to Lambda's 128 MB and accepts 128-10,240", () => {
    expect(parseFirehoseLocalConfig(stream({})).streams[0]?.processor?.memorySizeInMB).toBe(128);
    expect(
      parseFirehoseLocalConfig(stream({ memorySizeInMB: 10_240 })).streams[0]?.processor?.memorySizeInMB,
    ).toBe(10_240);
  });

  it.each([64, 10_241, 200.5, '256'])('rejects %s with the path of the field', (memorySizeInMB) => {
    try {
      parseFirehoseLocalConfig(stream({ memorySizeInMB }));
      expect.unreachable('the configuration must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(FirehoseLocalConfigError);
      expect((error as FirehoseLocalConfigError).issues.map((issue) => issue.path)).toContain(
        'streams.0.processor.memorySizeInMB',
      );
    }
  });
});
