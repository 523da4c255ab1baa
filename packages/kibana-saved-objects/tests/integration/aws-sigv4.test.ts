// Signed installs against a local stand-in for an Amazon OpenSearch Service domain with IAM authorisation
// (tests/support/aws-domain.ts): every request's SigV4 signature is verified independently before Dashboards'
// contract server sees it. No Elasticsearch and no real AWS are needed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AwsCredentialsError as SignerCredentialsError } from '@ctr-stream/es-index-setup';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  AwsCredentialsError,
  buildSavedObjects,
  detectTarget,
  ElasticsearchRequestError,
  IMPORT_FILE_NAME,
  importSavedObjects,
  installSavedObjects,
  KibanaRequestError,
  runCli,
  toNdjson,
} from '../../src/index.js';
import {
  type AwsDomain,
  type AwsDomainOptions,
  emptyAwsEnvironment,
  type ReceivedRequest,
  recomputeSignature,
  SIGNATURE_MISMATCH,
  sha256Hex,
  startAwsDomain,
} from '../support/aws-domain.js';

// The AWS documentation's example key pair, a fixed clock, and temporary credentials' session token.
const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE-session-token//+=';
const CLOCK = () => new Date('2026-11-05T10:20:30.000Z');
const CREDENTIALS = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
const SECRETS = { [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } };

const domains: AwsDomain[] = [];
async function start(options: AwsDomainOptions): Promise<AwsDomain> {
  const domain = await startAwsDomain(options);
  domains.push(domain);
  return domain;
}
afterEach(async () => {
  await Promise.all(domains.splice(0).map((domain) => domain.close()));
  vi.unstubAllEnvs();
});
const directory = mkdtempSync(join(tmpdir(), 'ctr-kibana-setup-sigv4-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Asserts the request verified, and that an independent recomputation gives the signature it carries. */
function expectVerified(request: ReceivedRequest, secretAccessKey: string): void {
  expect(request.refusal).toBeUndefined();
  expect(request.headers['x-amz-content-sha256']).toBe(sha256Hex(request.body));
  const signature = /Signature=([0-9a-f]{64})$/.exec(String(request.headers.authorization))?.[1];
  expect(recomputeSignature(request, secretAccessKey)).toBe(signature);
}

describe('installSavedObjects with awsSigV4 (Amazon OpenSearch Service, Dashboards under /_dashboards)', () => {
  it('elasticsearch.awsSigV4: false sends the field check unsigned, with its own API key, while Dashboards is signed', async () => {
    const domain = await start({ secrets: SECRETS });
    const error = await installSavedObjects({
      kibanaUrl: `${domain.url}/_dashboards`,
      awsSigV4: { region: 'eu-west-1', credentials: CREDENTIALS, clock: CLOCK },
      elasticsearch: {
        elasticsearchUrl: domain.url,
        elasticsearchApiKey: 'separate-cluster-key',
        awsSigV4: false,
      },
    }).catch((caught: unknown) => caught);
    // The stand-in domain takes signed requests only, so the unsigned field check is refused, and nothing follows it.
    expect(domain.received.map(({ method, target }) => `${method} ${target.split('?')[0]}`)).toEqual([
      'GET /connect*/_field_caps',
    ]);
    expect(domain.received[0]?.headers.authorization).toBe('ApiKey separate-cluster-key');
    expect(domain.received[0]?.headers['x-amz-date']).toBeUndefined();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('403');
    expect((error as Error).message).not.toContain('separate-cluster-key');
  });

  it('signs every request over its method, base path, query and exact body: field check, status, read of the index pattern, multipart import', async () => {
    const domain = await start({ secrets: SECRETS });
    const result = await installSavedObjects({
      kibanaUrl: `${domain.url}/_dashboards`,
      awsSigV4: { region: 'eu-west-1', credentials: CREDENTIALS, clock: CLOCK },
      elasticsearch: { elasticsearchUrl: domain.url },
    });
    expect(result.fieldCheck?.fields.every((field) => field.ok)).toBe(true);
    expect(result.detected).toMatchObject({ product: 'opensearch-dashboards', version: '2.11.0' });
    expect(result.imported).toHaveLength(8);
    expect(result.dashboardUrl).toBe(
      `${domain.url}/_dashboards/app/dashboards#/view/ctr-stream-contact-center`,
    );

    const [fieldCaps, status, , upload] = domain.received as [
      ReceivedRequest,
      ReceivedRequest,
      ReceivedRequest,
      ReceivedRequest,
    ];
    expect(domain.received.map(({ method, target }) => `${method} ${target.split('?')[0]}`)).toEqual([
      'GET /connect*/_field_caps',
      'GET /_dashboards/api/status',
      'GET /_dashboards/api/saved_objects/index-pattern/ctr-stream-connect',
      'POST /_dashboards/api/saved_objects/_import',
    ]);
    expect(fieldCaps.target).toContain('?fields=ConnectedToSystemTimestamp%2C');
    expect(upload.target).toBe('/_dashboards/api/saved_objects/_import?overwrite=true');
    for (const request of domain.received) {
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261105\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
      expect(request.headers['x-amz-date']).toBe('20261105T102030Z');
      expectVerified(request, SECRET_ACCESS_KEY);
    }
    expect(status.headers['x-amz-content-sha256']).toBe(sha256Hex(''));

    // The multipart body: the hash is of the bytes received, and the content type (its boundary) and osd-xsrf are signed.
    expect(String(upload.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=\S+$/);
    expect(upload.headers.authorization).toContain(
      'SignedHeaders=accept;content-type;host;osd-xsrf;x-amz-content-sha256;x-amz-date,',
    );
    expect(Number(upload.headers['content-length'])).toBe(upload.body.length);
    const text = upload.body.toString('utf8');
    expect(text).toContain(`name="file"; filename="${IMPORT_FILE_NAME}"`);
    expect(text).toContain(toNdjson(buildSavedObjects('opensearch-dashboards-2')));
    // Dashboards' contract server (osd-xsrf, multipart, .ndjson) accepted what the front end verified.
    const imported = domain.dashboards.requests.find((entry) => entry.path === '/api/saved_objects/_import');
    expect(imported).toMatchObject({ statusCode: 200, fileName: IMPORT_FILE_NAME });
    expect(imported?.lines).toHaveLength(8);
  });

  it('carries and signs the session token of temporary credentials and the tenant header, credentials resolved per request', async () => {
    const domain = await start({
      secrets: { ASIATEMPORARY: { secretAccessKey: 'temporary-secret', sessionToken: SESSION_TOKEN } },
      region: 'ap-southeast-2',
    });
    let resolved = 0;
    const result = await installSavedObjects({
      kibanaUrl: domain.url,
      basePath: '/_dashboards',
      tenant: 'global',
      awsSigV4: {
        region: 'ap-southeast-2',
        credentials: async () => {
          resolved++;
          return {
            accessKeyId: 'ASIATEMPORARY',
            secretAccessKey: 'temporary-secret',
            sessionToken: SESSION_TOKEN,
          };
        },
      },
    });
    expect(result.imported).toHaveLength(8);
    expect(resolved).toBe(3);
    expect(domain.received).toHaveLength(3);
    for (const request of domain.received) {
      expectVerified(request, 'temporary-secret');
      expect(request.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
      expect(request.headers.authorization).toMatch(/SignedHeaders=[^,]*;x-amz-security-token[,;]/);
    }
    // The read of the existing index pattern and the import, both in the tenant.
    for (const request of domain.received.slice(1)) {
      expect(request.headers.securitytenant).toBe('global');
      expect(request.headers.authorization).toMatch(/SignedHeaders=[^,]*;securitytenant;/);
    }
  });

  it('signs an import with the target given (importSavedObjects), for the service aoss too', async () => {
    const domain = await start({ secrets: SECRETS, region: 'us-east-1', service: 'aoss' });
    const result = await importSavedObjects({
      kibanaUrl: `${domain.url}/_dashboards`,
      target: 'opensearch-dashboards-2',
      objects: buildSavedObjects('opensearch-dashboards-2'),
      awsSigV4: { region: 'us-east-1', service: 'aoss', credentials: CREDENTIALS },
    });
    expect(result.imported).toHaveLength(8);
    expect(domain.received).toHaveLength(1);
    expectVerified(domain.received[0]!, SECRET_ACCESS_KEY);
    expect(domain.received[0]?.headers.authorization).toContain('/us-east-1/aoss/aws4_request,');
  });
});

describe('a signed request the domain refuses', () => {
  it('a wrong secret: the service reason and what to check, no secret in the message, nothing reaches Dashboards', async () => {
    const domain = await start({ secrets: SECRETS });
    const error = (await installSavedObjects({
      kibanaUrl: `${domain.url}/_dashboards`,
      awsSigV4: {
        region: 'eu-west-1',
        credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'not-the-secret-key' },
      },
    }).catch((caught: unknown) => caught)) as KibanaRequestError;
    expect(error).toBeInstanceOf(KibanaRequestError);
    expect(error.statusCode).toBe(403);
    // The stand-in's answer goes on, as AWS's does, with the canonical request: none of that is kept.
    expect(error.serverMessage).toBe(SIGNATURE_MISMATCH);
    expect(error.message).toBe(
      `GET ${domain.url}/_dashboards/api/status answered 403: ${SIGNATURE_MISMATCH} The domain refused the signed request: check that the domain's access policy allows this IAM identity (the role or user of your AWS credentials) es:ESHttpGet and es:ESHttpPost on domain/<name>/_dashboards/*, that the region (eu-west-1) is the domain's, and, with fine-grained access control, that the identity's ARN is mapped to a role that may write saved objects in the tenant (the domain's master user, or OpenSearch Dashboards > Security > Roles > Mapped users).`,
    );
    expect(error.message).not.toContain('not-the-secret-key');
    expect(domain.received).toHaveLength(1);
    expect(domain.dashboards.requests).toHaveLength(0);
  });

  it("a signature for another region: the service's reason names the region to check", async () => {
    const domain = await start({ secrets: SECRETS, region: 'eu-west-1' });
    const error = (await importSavedObjects({
      kibanaUrl: `${domain.url}/_dashboards`,
      target: 'opensearch-dashboards-2',
      objects: buildSavedObjects('opensearch-dashboards-2'),
      awsSigV4: { region: 'us-east-1', credentials: CREDENTIALS },
    }).catch((caught: unknown) => caught)) as KibanaRequestError;
    expect(error).toBeInstanceOf(KibanaRequestError);
    expect(error.message).toContain('failed with HTTP 403: Credential should be scoped to a valid region.');
    expect(error.message).toContain("that the region (us-east-1) is the domain's");
    expect(error.isRetryable).toBe(false);
  });

  it("the access policy denies the import's POST: the reason, the actions and the role mapping to check", async () => {
    const reason =
      'User: arn:aws:sts::123456789012:assumed-role/ctr-ci/session is not authorized to perform: es:ESHttpPost because no identity-based policy allows the es:ESHttpPost action';
    const domain = await start({ secrets: SECRETS, forbid: { method: 'POST', message: reason } });
    const error = (await installSavedObjects({
      kibanaUrl: `${domain.url}/_dashboards`,
      awsSigV4: {
        region: 'eu-west-1',
        credentials: { ...CREDENTIALS, sessionToken: SESSION_TOKEN },
      },
    }).catch((caught: unknown) => caught)) as KibanaRequestError;
    expect(error).toBeInstanceOf(KibanaRequestError);
    expect(error).toMatchObject({ statusCode: 403, serverMessage: reason });
    expect(error.message).toContain(`failed with HTTP 403: ${reason}. The domain refused the signed request`);
    expect(error.message).toContain('es:ESHttpGet and es:ESHttpPost on domain/<name>/_dashboards/*');
    expect(error.message).toContain('Mapped users');
    for (const secret of [SECRET_ACCESS_KEY, SESSION_TOKEN]) expect(error.message).not.toContain(secret);
  });

  it('a refused field check says what the identity needs on the indices', async () => {
    const domain = await start({ secrets: SECRETS, region: 'eu-west-1' });
    const error = (await installSavedObjects({
      kibanaUrl: `${domain.url}/_dashboards`,
      awsSigV4: { region: 'eu-central-1', credentials: CREDENTIALS },
      elasticsearch: { elasticsearchUrl: domain.url },
    }).catch((caught: unknown) => caught)) as ElasticsearchRequestError;
    expect(error).toBeInstanceOf(ElasticsearchRequestError);
    expect(error.message).toContain(
      'Elasticsearch answered 403 to _field_caps on "connect*": Credential should be scoped to a valid region.',
    );
    expect(error.message).toContain(
      "es:ESHttpGet on the indices, that the region (eu-central-1) is the domain's",
    );
    expect(domain.dashboards.requests).toHaveLength(0);
  });

  it('an unsigned request refused by an IAM access policy says to sign with --aws-sigv4', async () => {
    const policy = createServer((incoming, response) => {
      incoming.resume();
      incoming.on('end', () => {
        response.writeHead(403, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            Message:
              'User: anonymous is not authorized to perform: es:ESHttpGet because no resource-based policy allows the es:ESHttpGet action',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => policy.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(policy.address() as AddressInfo).port}/_dashboards`;
      const error = (await detectTarget({ kibanaUrl: url }).catch(
        (caught: unknown) => caught,
      )) as KibanaRequestError;
      expect(error.serverMessage).toContain('User: anonymous is not authorized');
      expect(error.message).toContain(
        'The domain authorises IAM identities: sign the requests with --aws-sigv4 REGION (awsSigV4 in the library).',
      );
    } finally {
      policy.closeAllConnections();
      await new Promise((resolve) => policy.close(resolve));
    }
  });
});

describe('no AWS credentials', () => {
  it('AwsCredentialsError names what to set on one line, echoes no secret, and nothing is sent', async () => {
    emptyAwsEnvironment();
    // Half of a key pair: the chain cannot use it, and the message must not repeat it.
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'half-given-secret-value');
    const domain = await start({ secrets: SECRETS });
    const error = (await installSavedObjects({
      kibanaUrl: `${domain.url}/_dashboards`,
      awsSigV4: { region: 'eu-west-1' },
    }).catch((caught: unknown) => caught)) as AwsCredentialsError;
    expect(error).toBeInstanceOf(AwsCredentialsError);
    expect(error.cause).toBeInstanceOf(SignerCredentialsError);
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/^No AWS credentials to sign the requests with \(.+\)\. Set AWS_PROFILE /);
    expect(error.message).not.toContain('half-given-secret-value');
    expect(domain.received).toHaveLength(0);
  });
});

describe('ctr-kibana-setup --aws-sigv4', () => {
  async function run(argv: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      env,
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    });
    return { code, stdout, stderr };
  }
  function awsEnvironment(secretAccessKey: string) {
    emptyAwsEnvironment();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIACLITEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', 'cli-session-token');
  }
  const cliSecrets = {
    ASIACLITEST: { secretAccessKey: 'cli-secret-access-key', sessionToken: 'cli-session-token' },
  };

  it('checks the fields and installs with every request signed, credentials from the AWS chain, none printed', async () => {
    awsEnvironment('cli-secret-access-key');
    const domain = await start({ secrets: cliSecrets });
    const { code, stdout, stderr } = await run([
      '--kibana',
      `${domain.url}/_dashboards`,
      '--tenant',
      'global',
      '--aws-sigv4',
      'eu-west-1',
      '--elasticsearch',
      domain.url,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Checked 9 fields on connect* (1 indices): all present and usable.');
    expect(stdout).toContain('Detected OpenSearch Dashboards 2.11.0: target opensearch-dashboards-2.');
    expect(stdout).toContain('Imported 8 objects');
    expect(domain.received).toHaveLength(4);
    for (const request of domain.received) expectVerified(request, 'cli-secret-access-key');
    for (const secret of ['cli-secret-access-key', 'cli-session-token']) expect(stdout).not.toContain(secret);
  });

  it("a wrong secret exits 1 with the service's reason and what to check, echoing no secret", async () => {
    awsEnvironment('cli-wrong-secret');
    const domain = await start({ secrets: cliSecrets });
    const { code, stdout, stderr } = await run([
      '--kibana',
      `${domain.url}/_dashboards`,
      '--aws-sigv4',
      'eu-west-1',
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^KibanaRequestError: GET http:\/\/127\.0\.0\.1:\d+\/_dashboards\/api\/status answered 403: The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\. The domain refused the signed request: .*\n$/,
    );
    // AWS's answer spelled the session token out in the canonical request it expected: stderr does not.
    expect(domain.received[0]?.refusal).toContain('x-amz-security-token:cli-session-token');
    for (const secret of ['cli-wrong-secret', 'cli-session-token']) expect(stderr).not.toContain(secret);
  });

  it('no credentials: one line naming what to set, exit 1, nothing sent', async () => {
    emptyAwsEnvironment();
    const domain = await start({ secrets: cliSecrets });
    const { code, stderr } = await run(['--kibana', `${domain.url}/_dashboards`, '--aws-sigv4', 'eu-west-1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^AwsCredentialsError: No AWS credentials to sign the requests with .* Set AWS_PROFILE [^\n]*AWS_ACCESS_KEY_ID[^\n]*\n$/,
    );
    expect(domain.received).toHaveLength(0);
  });

  it('the built bin (dist/cli.js) signs with the AWS libraries it loads through es-index-setup', async () => {
    const domain = await start({ secrets: cliSecrets, region: 'ap-southeast-2' });
    writeFileSync(join(directory, 'config'), '');
    writeFileSync(join(directory, 'credentials'), '');
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [cli, '--kibana', `${domain.url}/_dashboards`, '--aws-sigv4', 'ap-southeast-2'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: directory,
          AWS_CONFIG_FILE: join(directory, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(directory, 'credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ACCESS_KEY_ID: 'ASIACLITEST',
          AWS_SECRET_ACCESS_KEY: 'cli-secret-access-key',
          AWS_SESSION_TOKEN: 'cli-session-token',
        },
      },
    );
    expect(stderr).toBe('');
    expect(stdout).toContain('Imported 8 objects');
    expect(domain.received).toHaveLength(3);
    for (const request of domain.received) {
      expectVerified(request, 'cli-secret-access-key');
      expect(request.headers.authorization).toContain('/ap-southeast-2/es/aws4_request,');
    }
    expect(stdout).not.toContain('cli-secret-access-key');
  });
});
