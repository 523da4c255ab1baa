import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommandLine } from '../../src/command-line.js';
import { emptyAwsEnvironment, startAwsDomainServer } from './aws-domain-server.js';

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await runCommandLine(argv, {
    env,
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  });
  return { status, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('ctr-es-setup (offline)', () => {
  it('prints the JSON it would send for a given server without any node', async () => {
    const { status, stdout } = await run([
      '--dry-run',
      '--server',
      'opensearch@2.11.0',
      '--index',
      'ctr-logs',
      '--replicas',
      '1',
    ]);
    expect(status).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.node).toBe('offline');
    expect(document.server).toEqual({ distribution: 'opensearch', version: '2.11.0' });
    expect(document.requests.map((request: { path: string }) => request.path)).toEqual([
      '/_component_template/ctr-stream-ctr-logs-settings',
      '/_component_template/ctr-stream-ctr-logs-mappings',
      '/_index_template/ctr-stream-ctr-logs',
      '/ctr-logs',
    ]);
    expect(document.requests[1].body.template.mappings.properties.Attributes).toEqual({
      type: 'flat_object',
    });
    expect(document.requests[0].body.template.settings['index.number_of_replicas']).toBe(1);
  });

  it('shows the help', async () => {
    const { status, stdout } = await run(['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('--refresh-interval');
    expect(stdout).toContain('\n  --version                 show the version\n');
  });

  it("prints the package's version for --version, contacting no node; --help wins over it", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const env = { ELASTICSEARCH_URL: 'http://127.0.0.1:9' };
    for (const argv of [
      ['--version'],
      ['--version', '--dry-run'],
      ['--node', 'http://127.0.0.1:9', '--version'],
    ]) {
      expect(await run(argv, env)).toEqual({ status: 0, stdout: version, stderr: '' });
    }
    const help = await run(['--version', '--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ctr-es-setup/);
    const bad = await run(['--version', '--bogus'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--bogus'.");
  });

  it.each([
    [['--shards', 'two', '--dry-run']],
    [['--replicas', '-1', '--dry-run']],
    [['--dynamic', 'strict', '--dry-run']],
    [['--unknown']],
    [['--server', 'solr@9', '--dry-run']],
  ])('exits 2 for bad options %j', async (argv) => {
    const { status, stderr } = await run(argv);
    expect(status).toBe(2);
    expect(stderr.length).toBeGreaterThan(0);
  });

  it('exits 2 when there is no node and it is not an offline dry run', async () => {
    const { status, stderr } = await run([]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/ELASTICSEARCH_URL/);
  });

  it('plans offline for an empty cluster: every action would_create, one request each, --no-create-index honoured', async () => {
    const { status, stdout } = await run([
      '--dry-run',
      '--server',
      'elasticsearch@8.19.0',
      '--index',
      'ctr-logs',
      '--no-create-index',
    ]);
    expect(status).toBe(0);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual([
      'dryRun',
      'node',
      'server',
      'changed',
      'actions',
      'conflicts',
      'requests',
    ]);
    expect(document.changed).toBe(true);
    expect(document.actions.map((action: { status: string }) => action.status)).toEqual([
      'would_create',
      'would_create',
      'would_create',
    ]);
    expect(document.requests.map((request: { method: string; path: string }) => request.path)).toEqual([
      '/_component_template/ctr-stream-ctr-logs-settings',
      '/_component_template/ctr-stream-ctr-logs-mappings',
      '/_index_template/ctr-stream-ctr-logs',
    ]);
  });

  it('does not guess a server for a dry run without --server and without a node: it asks for one', async () => {
    const { status, stdout, stderr } = await run(['--dry-run'], { ELASTICSEARCH_URL: '' });
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--node URL or set ELASTICSEARCH_URL');
    expect(stderr).toContain('pass --server DIST@VERSION');
  });

  it('refuses --node with an offline --dry-run --server instead of silently not contacting it', async () => {
    const { status, stderr } = await run([
      '--dry-run',
      '--server',
      'elasticsearch@8.19.0',
      '--node',
      'http://search.test:9200',
    ]);
    expect(status).toBe(2);
    expect(stderr).toContain('drop --node to plan offline, or drop --server');
  });

  it.each([[['--refresh-interval', '-1']], [['--refresh-interval=-1']]])(
    'reads %j as the value -1 (refresh disabled)',
    async (argv) => {
      const { status, stdout, stderr } = await run([...argv, '--dry-run', '--server', '9.0.0']);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(JSON.parse(stdout).requests[0].body.template.settings['index.refresh_interval']).toBe('-1');
    },
  );

  it('says "must be a whole number" for --replicas -1 (not "ambiguous")', async () => {
    const { status, stderr } = await run(['--replicas', '-1', '--dry-run', '--server', '9.0.0']);
    expect(status).toBe(2);
    expect(stderr).toContain('--replicas must be a whole number (got "-1")');
  });

  it('echoes a node without a scheme and suggests http://, masking credentials', async () => {
    const bare = await run(['--node', '127.0.0.1:9200']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('(got "127.0.0.1:9200")');
    expect(bare.stderr).toContain('did you mean "http://127.0.0.1:9200"?');
    expect(bare.stderr).not.toContain('<invalid URL>');
    const host = await run(['--node', 'localhost:9200']);
    expect(host.status).toBe(2);
    expect(host.stderr).toContain('did you mean "http://localhost:9200"?');
    const secret = await run(['--node', 'elastic:s3cret-pw@127.0.0.1:9200']);
    expect(secret.status).toBe(2);
    expect(secret.stderr).toContain('"***@127.0.0.1:9200"');
    expect(secret.stderr).not.toContain('s3cret-pw');
  });
});

describe('ctr-es-setup --aws-sigv4 (a local stand-in for an IAM-only domain)', () => {
  let closeServer: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await closeServer?.();
    closeServer = undefined;
    vi.unstubAllEnvs();
  });

  async function signedDomain() {
    emptyAwsEnvironment();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIACLITEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'cli-secret-access-key');
    vi.stubEnv('AWS_SESSION_TOKEN', 'cli-session-token');
    const server = await startAwsDomainServer({
      ASIACLITEST: { secretAccessKey: 'cli-secret-access-key', sessionToken: 'cli-session-token' },
    });
    closeServer = server.close;
    return server;
  }

  it('plans a dry run with every request signed for the region (credentials from the AWS chain)', async () => {
    const server = await signedDomain();
    const { status, stdout, stderr } = await run([
      '--node',
      server.url,
      '--aws-sigv4',
      'eu-west-1',
      '--dry-run',
    ]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.server).toEqual({ distribution: 'opensearch', version: '2.19.6' });
    expect(server.received.length).toBeGreaterThan(2);
    expect(server.received.every(({ method }) => method === 'GET' || method === 'HEAD')).toBe(true);
    expect(server.received.map(({ refusal }) => refusal).filter(Boolean)).toEqual([]);
    for (const { headers } of server.received) {
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIACLITEST\/\d{8}\/eu-west-1\/es\/aws4_request, /,
      );
    }
    expect(stdout).not.toContain('cli-secret-access-key');
  });

  it('signs for OpenSearch Serverless with --aws-service aoss', async () => {
    const server = await signedDomain();
    const { status } = await run([
      '--node',
      server.url,
      '--aws-sigv4',
      'us-east-1',
      '--aws-service',
      'aoss',
      '--dry-run',
    ]);
    expect(status).toBe(0);
    expect(server.received[0]?.headers.authorization).toContain('/us-east-1/aoss/aws4_request,');
  });

  it('names what to set, on one line, when no AWS credentials are found (exit 1)', async () => {
    emptyAwsEnvironment();
    const server = await startAwsDomainServer({});
    closeServer = server.close;
    const { status, stderr } = await run(['--node', server.url, '--aws-sigv4', 'eu-west-1']);
    expect(status).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^AwsCredentialsError: No AWS credentials to sign the requests with .* Set AWS_PROFILE .*AWS_ACCESS_KEY_ID/,
    );
    expect(server.received).toHaveLength(0);
  });

  it.each([
    [['--aws-sigv4'], "--aws-sigv4 needs the domain's region"],
    [['--aws-sigv4', '--dry-run'], "--aws-sigv4 needs the domain's region"],
    [['--aws-sigv4', 'Ireland'], 'must look like eu-west-1'],
    [['--aws-service', 'aoss'], '--aws-service needs --aws-sigv4 REGION'],
    [['--aws-sigv4', 'eu-west-1', '--aws-service', 'opensearch'], '--aws-service must be es'],
    [
      ['--aws-sigv4', 'eu-west-1', '--username', 'admin'],
      'cannot be combined with an API key or basic auth: drop --username',
    ],
  ])('exits 2 for %j', async (argv, expected) => {
    const { status, stderr } = await run([...argv, '--node', 'http://127.0.0.1:1']);
    expect(status).toBe(2);
    expect(stderr).toContain(expected);
  });

  it('refuses --aws-sigv4 beside ELASTICSEARCH_API_KEY, naming the variable, never its value', async () => {
    const { status, stderr } = await run(['--node', 'http://127.0.0.1:1', '--aws-sigv4', 'eu-west-1'], {
      ELASTICSEARCH_API_KEY: 'c2VjcmV0LWtleQ==',
    });
    expect(status).toBe(2);
    expect(stderr).toContain('unset ELASTICSEARCH_API_KEY');
    expect(stderr).not.toContain('c2VjcmV0LWtleQ==');
  });
});
