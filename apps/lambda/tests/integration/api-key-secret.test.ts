import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDirectoryServer } from '@ctr-stream/caller-lookup/directory-server';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { decode, firehoseEvent, lambdaContext, TUTORIAL_PHONE, tutorialCtrText } from '../support.js';

// CALLER_LOOKUP_API_KEY_SECRET_ID: the entry point reads the directory's API key from Secrets Manager (here a
// stand-in speaking its JSON protocol, reached through AWS_ENDPOINT_URL_SECRETS_MANAGER as the SDK documents).
const SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:directory-key-AbCdEf';

interface SecretsStandIn {
  url: string;
  /** What GetSecretValue answers next: a SecretString, or an error. */
  answer: { secretString: string } | { status: number; type: string } | { raw: string } | 'hang' | 'stall';
  requests: { target: string | undefined; secretId: unknown }[];
  close(): Promise<void>;
}

async function startSecretsManager(): Promise<SecretsStandIn> {
  const standIn = {
    answer: { secretString: 'k3y-from-the-secret' },
    requests: [],
  } as unknown as SecretsStandIn;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const target = request.headers['x-amz-target'] as string | undefined;
      standIn.requests.push({ target, secretId: (JSON.parse(body) as { SecretId?: unknown }).SecretId });
      const { answer } = standIn;
      if (answer === 'hang') return; // never answers (the connection closes with the server)
      if (answer === 'stall') {
        // Headers and the start of the body, then nothing.
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': '1000' });
        response.write('{"ARN":');
        return;
      }
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if ('raw' in answer) {
        response.end(answer.raw);
      } else if ('secretString' in answer) {
        response.end(
          JSON.stringify({ ARN: SECRET_ARN, Name: 'directory-key', SecretString: answer.secretString }),
        );
      } else {
        response.statusCode = answer.status;
        response.setHeader('x-amzn-errortype', answer.type);
        response.end(JSON.stringify({ __type: answer.type, message: 'refused by the stand-in' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return standIn;
}

let stdout: MockInstance<typeof process.stdout.write>;
const cleanups: (() => Promise<void>)[] = [];
beforeEach(() => {
  vi.resetModules();
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  stdout.mockRestore();
  vi.unstubAllEnvs();
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp() {
  const secrets = await startSecretsManager();
  cleanups.push(() => secrets.close());
  const directory = await startDirectoryServer({
    entries: { [TUTORIAL_PHONE]: 'Jane Citizen' },
    recordSecretHeaders: ['x-api-key'], // the directory records the key only when asked to
  });
  cleanups.push(() => directory.close());
  vi.stubEnv('CALLER_LOOKUP_URL', directory.baseUrl);
  vi.stubEnv('CALLER_LOOKUP_API_KEY_SECRET_ID', SECRET_ARN);
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', secrets.url);
  vi.stubEnv('AWS_REGION', 'ap-southeast-2');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
  vi.stubEnv('LOG_LEVEL', 'warn');
  vi.stubEnv('METRICS', 'off');
  const { handler } = await import('../../src/index.js');
  return { secrets, directory, handler };
}

const tutorial = () => firehoseEvent([tutorialCtrText()]);

describe('the API key from Secrets Manager (CALLER_LOOKUP_API_KEY_SECRET_ID)', () => {
  it('reads the secret once per execution environment and sends its value as the key header', async () => {
    const { secrets, directory, handler } = await setUp();
    for (let invocation = 0; invocation < 2; invocation++) {
      const response = await handler(tutorial(), lambdaContext());
      expect(JSON.parse(decode(response.records[0]!.data)).CustomerEndpoint.Name).toBe('Jane Citizen');
    }
    expect(secrets.requests).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: SECRET_ARN }]);
    expect(directory.requests()[0]!.headers['x-api-key']).toBe('k3y-from-the-secret');
    expect(stdout.mock.calls.join('\n')).not.toContain('k3y-from-the-secret');
  });

  it('fails the invocation while the secret cannot be read (Firehose retries it), and reads it again next time', async () => {
    const { secrets, directory, handler } = await setUp();
    secrets.answer = { status: 400, type: 'AccessDeniedException' };
    const error = await handler(tutorial(), lambdaContext()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'CtrLambdaError', isRetryable: true });
    expect((error as Error).message).toContain(
      `Secrets Manager secret ${SECRET_ARN} (AccessDeniedException: refused by the stand-in)`,
    );
    expect(directory.requests()).toHaveLength(0);
    secrets.answer = { secretString: 'k3y-from-the-secret' };
    const response = await handler(tutorial(), lambdaContext());
    expect(response.records[0]!.result).toBe('Ok');
    expect(secrets.requests).toHaveLength(2);
    const logged = stdout.mock.calls.map(([chunk]) => JSON.parse(String(chunk)));
    expect(logged).toEqual([expect.objectContaining({ level: 'error', message: (error as Error).message })]);
  });

  it("names an answer that is not the service's JSON without quoting it (it may be the secret itself)", async () => {
    const { secrets, handler } = await setUp();
    secrets.answer = { raw: 'k3y-CANARY-in-a-broken-answer' };
    const error = await handler(tutorial(), lambdaContext()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'CtrLambdaError', isRetryable: true });
    expect((error as Error).message).toContain(
      `Secrets Manager secret ${SECRET_ARN} (SyntaxError: the answer was not Secrets Manager's JSON)`,
    );
    expect((error as Error).message).not.toContain('CANARY');
    expect(stdout.mock.calls.join('\n')).not.toContain('CANARY');
  });

  it('gives up on a Secrets Manager that does not answer within half the invocation time (at most 5 s)', async () => {
    const { secrets, handler } = await setUp();
    secrets.answer = 'hang';
    const started = Date.now();
    const error = await handler(tutorial(), {
      ...lambdaContext(),
      getRemainingTimeInMillis: () => 600,
    }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ name: 'CtrLambdaError', isRetryable: true });
    expect((error as Error).message).toContain(
      `Secrets Manager secret ${SECRET_ARN} (no answer within 300 ms)`,
    );
    // The same when the answer stops half way: one line, the same cause.
    secrets.answer = 'stall';
    const stalled = await handler(tutorial(), {
      ...lambdaContext(),
      getRemainingTimeInMillis: () => 600,
    }).catch((caught: unknown) => caught);
    expect((stalled as Error).message).toContain(`(no answer within 300 ms)`);
    expect((stalled as Error).message).not.toContain('\n');
  });

  it('checks a stored key as CALLER_LOOKUP_API_KEY is checked (no stray space), never showing it', async () => {
    const { secrets, directory, handler } = await setUp();
    secrets.answer = { secretString: 'k3y-with-space ' };
    const error = await handler(tutorial(), lambdaContext()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'LambdaConfigError' });
    expect((error as Error).message).toMatch(
      /CALLER_LOOKUP_API_KEY_SECRET_ID: the secret's value must not .*space/,
    );
    expect(`${(error as Error).message}${stdout.mock.calls.join('\n')}`).not.toContain('k3y-with-space');
    expect(directory.requests()).toHaveLength(0);
  });

  it('refuses a stored key the client cannot send (a trailing newline), never showing it', async () => {
    const { secrets, handler } = await setUp();
    secrets.answer = { secretString: 'k3y-with-newline\n' };
    const error = await handler(tutorial(), lambdaContext()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'LambdaConfigError' });
    expect((error as Error).message).toMatch(/CALLER_LOOKUP_API_KEY_SECRET_ID: .*line break/);
    expect(`${(error as Error).message}${stdout.mock.calls.join('\n')}`).not.toContain('k3y-with-newline');
  });
});

describe('CALLER_LOOKUP_API_KEY_SECRET_ID in the configuration', () => {
  it('is exclusive with CALLER_LOOKUP_API_KEY, and must look like a secret id', async () => {
    const { loadConfig } = await import('../../src/index.js');
    const base = { CALLER_LOOKUP_URL: 'https://directory.example.com/lookup/' };
    expect(
      loadConfig({ ...base, CALLER_LOOKUP_API_KEY_SECRET_ID: SECRET_ARN }).callerLookupApiKeySecretId,
    ).toBe(SECRET_ARN);
    expect(() =>
      loadConfig({ ...base, CALLER_LOOKUP_API_KEY: 'k', CALLER_LOOKUP_API_KEY_SECRET_ID: SECRET_ARN }),
    ).toThrow(/set either CALLER_LOOKUP_API_KEY or CALLER_LOOKUP_API_KEY_SECRET_ID, not both/);
    expect(() => loadConfig({ ...base, CALLER_LOOKUP_API_KEY_SECRET_ID: 'has spaces' })).toThrow(
      /CALLER_LOOKUP_API_KEY_SECRET_ID: must be a Secrets Manager secret ARN or name/,
    );
  });
});
