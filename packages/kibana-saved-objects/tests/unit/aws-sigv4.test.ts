import { readdirSync, readFileSync } from 'node:fs';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkFields,
  InvalidOptionError,
  installSavedObjects,
  resolveConnection,
  runCli,
} from '../../src/index.js';
import { USAGE } from '../../src/run-cli.js';
import { emptyAwsEnvironment } from '../support/aws-domain.js';

// Nothing here reaches a network: options are refused before any request, and the one install goes to a MockAgent.
const NOWHERE = 'http://127.0.0.1:1';

afterEach(() => {
  vi.unstubAllEnvs();
});

async function run(
  argv: string[],
  env: Record<string, string> = {},
  dispatcher?: MockAgent,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    dispatcher,
  });
  return { code, stdout, stderr };
}

/** The InvalidOptionError a call throws (sync or async); fails when it throws none. */
async function refusal(attempt: () => unknown): Promise<InvalidOptionError> {
  try {
    await attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return error as InvalidOptionError;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('awsSigV4 options (library)', () => {
  const awsSigV4 = { region: 'eu-west-1' };

  it('refuses SigV4 beside an API key or basic auth, naming the options, never the values', async () => {
    const withKey = await refusal(() =>
      resolveConnection({ kibanaUrl: NOWHERE, apiKey: 'c2VjcmV0LWtleQ==', awsSigV4 }),
    );
    expect(withKey.option).toBe('awsSigV4');
    expect(withKey.message).toBe(
      'Sign the Kibana requests with AWS SigV4 (awsSigV4) or send an API key (apiKey), not both: a domain with IAM authorisation takes the signature alone.',
    );
    const withUser = await refusal(() =>
      resolveConnection({ kibanaUrl: NOWHERE, username: 'admin', password: 'hunter2', awsSigV4 }),
    );
    expect(withUser.message).toContain('a username and password (username, password), not both');
    expect(withUser.message).not.toContain('hunter2');
    // Empty credentials count as not given, as everywhere else.
    expect(
      resolveConnection({ kibanaUrl: NOWHERE, apiKey: '', username: '', password: '', awsSigV4 }).signing,
    ).toMatchObject({ region: 'eu-west-1', service: 'es' });
  });

  it('refuses a malformed region or service before anything is sent', async () => {
    const region = await refusal(() =>
      installSavedObjects({ kibanaUrl: NOWHERE, awsSigV4: { region: 'Ireland' } }),
    );
    expect(region.option).toBe('awsSigV4');
    expect(region.message).toContain('The AWS region must look like eu-west-1 or us-east-1 (got "Ireland")');
    const service = await refusal(() =>
      resolveConnection({
        kibanaUrl: NOWHERE,
        awsSigV4: { region: 'eu-west-1', service: 'opensearch' as 'es' },
      }),
    );
    expect(service.message).toContain('The AWS service must be es');
  });

  it('signs the field check too, so it refuses Elasticsearch credentials beside awsSigV4', async () => {
    const inherited = await refusal(() =>
      installSavedObjects({
        kibanaUrl: NOWHERE,
        awsSigV4,
        elasticsearch: { elasticsearchUrl: NOWHERE, elasticsearchApiKey: 'c2VjcmV0LWtleQ==' },
      }),
    );
    expect(inherited.option).toBe('awsSigV4');
    expect(inherited.message).toBe(
      'Sign the Elasticsearch requests with AWS SigV4 (awsSigV4) or send an API key (elasticsearchApiKey), not both: a domain with IAM authorisation takes the signature alone.',
    );
    const direct = await refusal(() =>
      checkFields({
        elasticsearchUrl: NOWHERE,
        elasticsearchUsername: 'admin',
        elasticsearchPassword: 'pw',
        awsSigV4,
      }),
    );
    expect(direct.message).toContain('(elasticsearchUsername, elasticsearchPassword)');
  });

  it('loads no AWS library itself: it signs with es-index-setup, which imports them lazily', () => {
    const sourceDirectory = new URL('../../src/', import.meta.url);
    for (const file of readdirSync(sourceDirectory)) {
      const source = readFileSync(new URL(file, sourceDirectory), 'utf8');
      expect([file, /from '@(smithy|aws-sdk)\//.test(source)]).toEqual([file, false]);
    }
  });
});

describe('ctr-kibana-setup --aws-sigv4 usage', () => {
  it('documents the flags in --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${USAGE}\n`);
    expect(USAGE).toContain('--aws-sigv4 REGION');
    expect(USAGE).toContain('--aws-service es|aoss');
  });

  it.each([
    [
      ['--kibana', NOWHERE, '--aws-sigv4'],
      "--aws-sigv4 needs the domain's region, e.g. --aws-sigv4 eu-west-1",
    ],
    [['--aws-sigv4', '--tenant', 'global', '--kibana', NOWHERE], "--aws-sigv4 needs the domain's region"],
    [['--kibana', NOWHERE, '--aws-sigv4', 'Ireland'], 'The AWS region must look like eu-west-1'],
    [['--kibana', NOWHERE, '--aws-sigv4', ''], 'The AWS region must look like eu-west-1'],
    [['--kibana', NOWHERE, '--aws-service', 'aoss'], '--aws-service needs --aws-sigv4 REGION'],
    [
      ['--kibana', NOWHERE, '--aws-sigv4', 'eu-west-1', '--aws-service', 'opensearch'],
      '--aws-service must be es (an OpenSearch Service domain) or aoss (OpenSearch Serverless), got "opensearch".',
    ],
    [
      ['--kibana', NOWHERE, '--aws-sigv4', 'eu-west-1', '--username', 'admin'],
      '--aws-sigv4 signs the requests with AWS credentials and cannot be combined with an API key or basic auth: drop --username.',
    ],
    [
      ['--kibana', NOWHERE, '--aws-sigv4', 'eu-west-1', '--api-key', 'c2VjcmV0LWtleQ=='],
      'cannot be combined with an API key or basic auth: drop --api-key.',
    ],
    [
      ['--kibana', NOWHERE, '--aws-sigv4', 'eu-west-1', '--elasticsearch', NOWHERE, '--es-password', 'pw'],
      'cannot be combined with an API key or basic auth: drop --es-password.',
    ],
  ])('exits 2 for %j with one line ending in a full stop', async (argv, expected) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(expected);
    expect(stderr).toMatch(/^InvalidOptionError: [^\n]+\.\n$/);
    expect(stderr).not.toContain('c2VjcmV0LWtleQ==');
  });

  it('names the variable that carries a credential, never its value', async () => {
    const kibana = await run(['--kibana', NOWHERE, '--aws-sigv4', 'eu-west-1'], {
      KIBANA_API_KEY: 'c2VjcmV0LWtleQ==',
    });
    expect(kibana.code).toBe(2);
    expect(kibana.stderr).toContain('unset KIBANA_API_KEY.');
    expect(kibana.stderr).not.toContain('c2VjcmV0LWtleQ==');
    const elasticsearch = await run(
      ['--kibana', NOWHERE, '--aws-sigv4', 'eu-west-1', '--elasticsearch', NOWHERE],
      { ELASTICSEARCH_PASSWORD: 'es-secret-pw' },
    );
    expect(elasticsearch.code).toBe(2);
    expect(elasticsearch.stderr).toContain('unset ELASTICSEARCH_PASSWORD.');
    expect(elasticsearch.stderr).not.toContain('es-secret-pw');
  });

  it('ignores Elasticsearch credentials in the environment when there is no --elasticsearch check', async () => {
    emptyAwsEnvironment();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDUNITTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'unit-test-secret');
    const agent = new MockAgent();
    agent.disableNetConnect();
    const seen: Record<string, string>[] = [];
    agent
      .get('http://dashboards.test')
      .intercept({ path: '/_dashboards/api/saved_objects/index-pattern/ctr-stream-connect', method: 'GET' })
      .reply(404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
    agent
      .get('http://dashboards.test')
      .intercept({ path: '/_dashboards/api/saved_objects/_import?overwrite=true', method: 'POST' })
      .reply((request) => {
        seen.push(request.headers as Record<string, string>);
        return {
          statusCode: 200,
          data: { success: true, successCount: 8, successResults: [] },
        };
      });
    const { code, stderr } = await run(
      [
        '--kibana',
        'http://dashboards.test/_dashboards',
        '--target',
        'opensearch-dashboards-2',
        '--aws-sigv4',
        'eu-west-1',
      ],
      { ELASTICSEARCH_PASSWORD: 'es-secret-pw' },
      agent,
    );
    await agent.close();
    // The answer confirms no object: the install fails, but after a signed request, not at the options.
    expect(code).toBe(1);
    expect(stderr).toContain('SavedObjectImportError');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDUNITTEST\/\d{8}\/eu-west-1\/es\/aws4_request, /,
    );
    expect(stderr).not.toContain('unit-test-secret');
  });

  it('ignores Kibana credentials in the environment for --out with --target, which asks Kibana nothing', async () => {
    emptyAwsEnvironment();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDUNITTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'unit-test-secret');
    const agent = new MockAgent();
    agent.disableNetConnect();
    const seen: Record<string, string>[] = [];
    agent
      .get('http://search.test')
      .intercept({ path: (path) => path.startsWith('/connect*/_field_caps?'), method: 'GET' })
      .reply((request) => {
        seen.push(request.headers as Record<string, string>);
        return { statusCode: 200, data: { indices: [], fields: {} } };
      });
    const out = ['--out', '-', '--target', 'opensearch-dashboards-2', '--aws-sigv4', 'eu-west-1'];
    const written = await run(
      [...out, '--elasticsearch', 'http://search.test'],
      { KIBANA_PASSWORD: 'kibana-secret-pw', KIBANA_USERNAME: 'admin' },
      agent,
    );
    await agent.close();
    // Past the options: the signed field check went out (and found no index, so no file is written).
    expect(written.code).toBe(1);
    expect(written.stderr).toMatch(/^FieldCheckError: /);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDUNITTEST\//);
    // The same credentials are refused when Kibana is asked (to detect the target).
    const detecting = await run(['--out', '-', '--kibana', NOWHERE, '--aws-sigv4', 'eu-west-1'], {
      KIBANA_PASSWORD: 'kibana-secret-pw',
    });
    expect(detecting.code).toBe(2);
    expect(detecting.stderr).toContain('unset KIBANA_PASSWORD.');
    for (const result of [written, detecting]) expect(result.stderr).not.toContain('kibana-secret-pw');
  });
});
