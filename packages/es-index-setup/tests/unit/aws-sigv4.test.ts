import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpConnection } from '../../src/connection.js';
import { AwsCredentialsError, ElasticsearchRequestError, InvalidOptionError } from '../../src/errors.js';
import {
  awsSigV4FromCommandLine,
  createAwsSigV4Signer,
  MISSING_AWS_CREDENTIALS_HINT,
  validateAwsSigV4Options,
  withoutSigningDetails,
} from '../../src/index.js';
import {
  emptyAwsEnvironment,
  recomputeSignature,
  SIGNATURE_MISMATCH,
  sha256Hex,
  startAwsDomainServer,
} from './aws-domain-server.js';

// Fixed credentials and clock: the AWS documentation's example key pair, a date in November 2026.
const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE-session-token//+=';
const CLOCK = () => new Date('2026-11-05T10:20:30.000Z');

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
  vi.unstubAllEnvs();
});

async function domain(...args: Parameters<typeof startAwsDomainServer>) {
  const server = await startAwsDomainServer(...args);
  closeServer = server.close;
  return server;
}

describe('createHttpConnection with awsSigV4', () => {
  it('signs method, path, query, host and payload hash so that an independent SigV4 computation agrees', async () => {
    const server = await domain({ [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } });
    const connection = createHttpConnection({
      node: server.url,
      awsSigV4: {
        region: 'eu-west-1',
        credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
        clock: CLOCK,
      },
    });
    const read = await connection.request(
      'GET',
      '/connect-2026.11,connect-*/_mapping?filter_path=*.mappings.properties.ContactId&expand_wildcards=open',
    );
    expect(read.statusCode).toBe(200);
    const written = await connection.request('PUT', '/connect-2026.11', {
      settings: { 'index.number_of_shards': 1 },
      note: 'caf\u00e9 \u2013 unicode counts in bytes',
    });
    expect(written).toEqual({ statusCode: 200, body: { acknowledged: true } });

    expect(server.received.map(({ refusal }) => refusal)).toEqual([undefined, undefined]);
    const [get, put] = server.received as [(typeof server.received)[0], (typeof server.received)[0]];
    expect(get.target).toBe(
      '/connect-2026.11,connect-*/_mapping?filter_path=*.mappings.properties.ContactId&expand_wildcards=open',
    );
    for (const request of [get, put]) {
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261105\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*\bhost\b[a-z0-9;-]*;x-amz-content-sha256;x-amz-date(;[a-z0-9-]+)*, Signature=[0-9a-f]{64}$/,
      );
      expect(request.headers['x-amz-date']).toBe('20261105T102030Z');
      expect(request.headers['x-amz-content-sha256']).toBe(sha256Hex(request.body));
      expect(request.headers['x-amz-security-token']).toBeUndefined();
      const signature = /Signature=([0-9a-f]{64})$/.exec(String(request.headers.authorization))?.[1];
      expect(recomputeSignature(request, SECRET_ACCESS_KEY)).toBe(signature);
    }
    expect(get.headers['x-amz-content-sha256']).toBe(sha256Hex(''));
    expect(put.body.toString('utf8')).toContain('caf\u00e9');
    expect(put.headers.authorization).toContain(';content-type;');
  });

  it('carries and signs the session token of temporary credentials, resolved again for every request', async () => {
    const server = await domain({
      ASIAFIRST: { secretAccessKey: 'first-secret', sessionToken: SESSION_TOKEN },
      ASIASECOND: { secretAccessKey: 'second-secret', sessionToken: `${SESSION_TOKEN}2` },
    });
    const issued = [
      { accessKeyId: 'ASIAFIRST', secretAccessKey: 'first-secret', sessionToken: SESSION_TOKEN },
      { accessKeyId: 'ASIASECOND', secretAccessKey: 'second-secret', sessionToken: `${SESSION_TOKEN}2` },
    ];
    let calls = 0;
    const connection = createHttpConnection({
      node: server.url,
      awsSigV4: {
        region: 'ap-southeast-2',
        credentials: async () => issued[Math.min(calls++, 1)] as (typeof issued)[0],
        clock: CLOCK,
      },
    });
    await connection.request('GET', '/_nodes/_local?filter_path=nodes.*.version');
    await connection.request('GET', '/_nodes/_local?filter_path=nodes.*.version');
    expect(calls).toBe(2);
    expect(server.received.map(({ refusal }) => refusal)).toEqual([undefined, undefined]);
    expect(server.received.map(({ headers }) => headers['x-amz-security-token'])).toEqual([
      SESSION_TOKEN,
      `${SESSION_TOKEN}2`,
    ]);
    expect(
      server.received.map(({ headers }) => /Credential=(\w+)\//.exec(String(headers.authorization))?.[1]),
    ).toEqual(['ASIAFIRST', 'ASIASECOND']);
    expect(server.received[0]?.headers.authorization).toMatch(/SignedHeaders=[^,]*;x-amz-security-token[,;]/);
  });

  it('signs for OpenSearch Serverless with service aoss', async () => {
    const server = await domain({ [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } });
    const connection = createHttpConnection({
      node: `${server.url}/`,
      awsSigV4: {
        region: 'us-east-1',
        service: 'aoss',
        credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
        clock: CLOCK,
      },
    });
    await connection.request('HEAD', '/connect');
    expect(server.received[0]?.refusal).toBeUndefined();
    expect(server.received[0]?.headers.authorization).toContain('/20261105/us-east-1/aoss/aws4_request,');
  });

  it('is refused by the stand-in domain when the secret is wrong (the check can fail)', async () => {
    const server = await domain({ [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } });
    const connection = createHttpConnection({
      node: server.url,
      awsSigV4: {
        region: 'eu-west-1',
        credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'not-the-secret' },
        clock: CLOCK,
      },
    });
    const error = await connection.request('GET', '/').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ElasticsearchRequestError);
    expect((error as Error).message).toContain('The request signature we calculated does not match');
    expect((error as Error).message).not.toContain('not-the-secret');
  });

  it("never shows the session token that AWS's answer to a wrong signature spells out in its canonical request", async () => {
    const sessionToken = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN/with+base64=';
    const server = await domain({ [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY, sessionToken } });
    const connection = createHttpConnection({
      node: server.url,
      awsSigV4: {
        region: 'eu-west-1',
        credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'not-the-secret', sessionToken },
        clock: CLOCK,
      },
    });
    const error = (await connection
      .request('GET', '/')
      .catch((caught: unknown) => caught)) as ElasticsearchRequestError;
    // The stand-in answered as AWS does: the token is in the body it sent.
    expect(server.received[0]?.refusal).toContain(`x-amz-security-token:${sessionToken}`);
    expect(error).toBeInstanceOf(ElasticsearchRequestError);
    expect(error.reason).toBe(SIGNATURE_MISMATCH);
    expect(error.message).toMatch(
      /^GET \/ failed: http:\/\/127\.0\.0\.1:\d+ answered 403: The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\. The domain refused/,
    );
    expect(error.message).not.toContain('\n');
    for (const secret of [sessionToken, 'IQoJb3JpZ2lu', 'not-the-secret']) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it("explains a 403 to a signed request: the domain's access policy and the fine-grained access control role mapping", async () => {
    const server = await domain(
      { [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } },
      { forbidden: 'User: arn:aws:iam::123456789012:role/ops is not authorized to perform: es:ESHttpPut' },
    );
    const connection = createHttpConnection({
      node: server.url,
      awsSigV4: {
        region: 'eu-west-1',
        credentials: {
          accessKeyId: ACCESS_KEY_ID,
          secretAccessKey: SECRET_ACCESS_KEY,
          sessionToken: SESSION_TOKEN,
        },
      },
    });
    const error = (await connection
      .request('PUT', '/_index_template/ctr-stream-connect', {})
      .catch((caught: unknown) => caught)) as ElasticsearchRequestError;
    expect(error).toBeInstanceOf(ElasticsearchRequestError);
    expect(error).toMatchObject({ statusCode: 403, reason: expect.stringContaining('es:ESHttpPut') });
    expect(error.message).toContain(
      `answered 403: User: arn:aws:iam::123456789012:role/ops is not authorized`,
    );
    expect(error.message).toContain("check that the domain's access policy allows this IAM identity");
    expect(error.message).toContain('fine-grained access control');
    expect(error.message).toContain('Mapped users');
    for (const secret of [SECRET_ACCESS_KEY, SESSION_TOKEN]) expect(error.message).not.toContain(secret);
  });

  it('refuses SigV4 together with basic auth or an API key, and a malformed region or service', () => {
    const awsSigV4 = { region: 'eu-west-1' };
    const refusal = (options: Parameters<typeof createHttpConnection>[0]) => {
      try {
        createHttpConnection(options);
      } catch (error) {
        return error;
      }
      throw new Error('createHttpConnection accepted the options');
    };
    const basic = refusal({ node: 'http://127.0.0.1:9200', username: 'admin', password: 'pw', awsSigV4 });
    expect(basic).toBeInstanceOf(InvalidOptionError);
    expect(basic).toMatchObject({ option: 'awsSigV4' });
    expect((basic as Error).message).toBe(
      'Sign the requests with AWS SigV4 or send a username and password (given as options or in the node URL), not both: a domain with IAM authorisation takes the signature alone.',
    );
    expect(refusal({ node: 'http://admin:pw@127.0.0.1:9200', awsSigV4 })).toMatchObject({
      option: 'awsSigV4',
    });
    expect((refusal({ node: 'http://127.0.0.1:9200', apiKey: 'a2V5', awsSigV4 }) as Error).message).toContain(
      'an API key, not both',
    );
    expect(
      (refusal({ node: 'http://127.0.0.1:9200', awsSigV4: { region: 'Ireland' } }) as Error).message,
    ).toContain('eu-west-1');
    expect(
      refusal({
        node: 'http://127.0.0.1:9200',
        awsSigV4: { region: 'eu-west-1', service: 'opensearch' as 'es' },
      }),
    ).toMatchObject({ option: 'awsSigV4' });
    // Empty credentials count as not given, as without signing.
    expect(() =>
      createHttpConnection({
        node: 'http://127.0.0.1:9200',
        apiKey: '',
        username: '',
        password: '',
        awsSigV4,
      }),
    ).not.toThrow();
  });

  it('says in one line what to set when the AWS chain finds no credentials, sends nothing and echoes no secret', async () => {
    emptyAwsEnvironment();
    // Half of a key pair: the chain cannot use it, and the message must not repeat it.
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'half-given-secret-value');
    const server = await domain({ [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } });
    const connection = createHttpConnection({ node: server.url, awsSigV4: { region: 'eu-west-1' } });
    const error = await connection.request('GET', '/').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AwsCredentialsError);
    const { message } = error as Error;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^No AWS credentials to sign the requests with \(.+\)\. Set AWS_PROFILE /);
    expect(message).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(message).not.toContain('half-given-secret-value');
    expect(server.received).toHaveLength(0);
  });

  it('uses the standard chain: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the environment', async () => {
    emptyAwsEnvironment();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-from-env');
    vi.stubEnv('AWS_SESSION_TOKEN', SESSION_TOKEN);
    const server = await domain({
      ASIAFROMENV: { secretAccessKey: 'secret-from-env', sessionToken: SESSION_TOKEN },
    });
    const connection = createHttpConnection({ node: server.url, awsSigV4: { region: 'eu-central-1' } });
    expect((await connection.request('GET', '/')).statusCode).toBe(200);
    expect(server.received[0]?.refusal).toBeUndefined();
  });

  it('loads the AWS libraries lazily: no source file imports them statically', () => {
    const sourceDirectory = new URL('../../src/', import.meta.url);
    for (const file of readdirSync(sourceDirectory)) {
      const source = readFileSync(new URL(file, sourceDirectory), 'utf8');
      expect([file, /^import [^;]*from '@(smithy|aws-sdk)\//m.test(source)]).toEqual([file, false]);
    }
    const signing = readFileSync(new URL('aws-sigv4.ts', sourceDirectory), 'utf8');
    expect(signing).toContain("import('@smithy/signature-v4')");
    expect(signing).toContain("import('@aws-sdk/credential-provider-node')");
  });
});

describe('createAwsSigV4Signer (public, for other packages: @ctr-stream/kibana-saved-objects signs with it)', () => {
  it('signs the exact bytes of a binary body (a multipart upload) under a base path, with its content type', async () => {
    const server = await domain({ [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } });
    const sign = createAwsSigV4Signer({
      region: 'eu-west-1',
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
      clock: CLOCK,
    });
    // Bytes that are not UTF-8 (0xff, 0xfe): hashing them as text would change the hash.
    const body = Buffer.concat([
      Buffer.from('--b0undary\r\nContent-Disposition: form-data; name="file"; filename="x.ndjson"\r\n\r\n'),
      Buffer.from([0xff, 0xfe, 0x00, 0x0a]),
      Buffer.from('\r\n--b0undary--\r\n'),
    ]);
    const url = new URL(`${server.url}/_dashboards/api/saved_objects/_import?overwrite=true`);
    const headers = await sign({
      method: 'POST',
      url,
      headers: { 'content-type': 'multipart/form-data; boundary=b0undary', 'osd-xsrf': 'true' },
      body,
    });
    expect(headers['x-amz-content-sha256']).toBe(sha256Hex(body));
    const answer = await request(url, { method: 'POST', headers, body });
    expect(answer.statusCode).toBe(200);
    await answer.body.dump();
    const [received] = server.received;
    expect(received?.refusal).toBeUndefined();
    expect(received?.target).toBe('/_dashboards/api/saved_objects/_import?overwrite=true');
    expect(received?.body.equals(body)).toBe(true);
    expect(received?.headers.authorization).toMatch(/SignedHeaders=content-type;host;osd-xsrf;x-amz-/);
  });

  it('validates at creation, and validateAwsSigV4Options defaults the service to es', () => {
    expect(validateAwsSigV4Options({ region: 'ap-southeast-2' })).toEqual({
      region: 'ap-southeast-2',
      service: 'es',
    });
    expect(() => createAwsSigV4Signer({ region: 'Sydney' })).toThrow(InvalidOptionError);
    expect(MISSING_AWS_CREDENTIALS_HINT).toMatch(/^Set AWS_PROFILE .*\.$/);
  });
});

describe('withoutSigningDetails', () => {
  it("keeps an AWS refusal's first paragraph on one line, without the canonical request and string to sign", () => {
    const answer = `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'GET\n/\n\nhost:search-ctr.eu-west-1.es.amazonaws.com\nx-amz-security-token:IQoJtoken+/=\n\nhost;x-amz-security-token\ne3b0'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261129T000000Z'\n`;
    expect(withoutSigningDetails(answer)).toBe(SIGNATURE_MISMATCH);
    expect(withoutSigningDetails(`The String-to-Sign should have been\n'x'`)).toBe(
      "The String-to-Sign should have been 'x'",
    );
  });

  it('masks a session token wherever it is left, and leaves other messages as they are', () => {
    expect(withoutSigningDetails('bad request: x-amz-security-token: IQoJtoken+/= was refused')).toBe(
      'bad request: x-amz-security-token: *** was refused',
    );
    expect(withoutSigningDetails('?X-Amz-Security-Token=IQoJtoken%2B&x=1')).toBe(
      '?X-Amz-Security-Token=***&x=1',
    );
    const policy =
      'User: anonymous is not authorized to perform: es:ESHttpGet because no resource-based policy allows the es:ESHttpGet action';
    expect(withoutSigningDetails(policy)).toBe(policy);
  });
});

describe('awsSigV4FromCommandLine (the --aws-sigv4 and --aws-service of both ctr-* commands)', () => {
  it('gives the signing options, es by default, and nothing without --aws-sigv4', () => {
    expect(awsSigV4FromCommandLine('eu-west-1', undefined, undefined)).toEqual({
      region: 'eu-west-1',
      service: 'es',
    });
    expect(awsSigV4FromCommandLine('us-east-1', 'aoss', undefined)).toEqual({
      region: 'us-east-1',
      service: 'aoss',
    });
    expect(awsSigV4FromCommandLine(undefined, undefined, '--api-key')).toBeUndefined();
  });

  it.each([
    [
      undefined,
      'es',
      undefined,
      'aws-service',
      '--aws-service needs --aws-sigv4 REGION (e.g. --aws-sigv4 eu-west-1).',
    ],
    [
      'eu-west-1',
      'opensearch',
      undefined,
      'aws-service',
      '--aws-service must be es (an OpenSearch Service domain) or aoss (OpenSearch Serverless), got "opensearch".',
    ],
    [
      'eu-west-1',
      undefined,
      '--username',
      'aws-sigv4',
      '--aws-sigv4 signs the requests with AWS credentials and cannot be combined with an API key or basic auth: drop --username.',
    ],
    [
      'eu-west-1',
      undefined,
      'KIBANA_API_KEY',
      'aws-sigv4',
      '--aws-sigv4 signs the requests with AWS credentials and cannot be combined with an API key or basic auth: unset KIBANA_API_KEY.',
    ],
    ['Ireland', undefined, undefined, 'aws-sigv4', /^The AWS region must look like eu-west-1/],
  ] as const)(
    'refuses --aws-sigv4 %s --aws-service %s beside %s (%s)',
    (region, service, conflicting, option, message) => {
      const error = (() => {
        try {
          awsSigV4FromCommandLine(region, service, conflicting);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
      if (typeof message === 'string') expect((error as Error).message).toBe(message);
      else expect((error as Error).message).toMatch(message);
    },
  );
});
