import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ctrFixture, decode, firehoseEvent, lambdaContext } from '../support.js';

// Each test loads src/index.ts afresh, as a new execution environment would, with its own environment.
let stdout: MockInstance<typeof process.stdout.write>;
beforeEach(() => {
  vi.resetModules();
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  vi.unstubAllEnvs();
});

/** Lines written to stdout, parsed. */
const written = () => stdout.mock.calls.map(([chunk]) => JSON.parse(String(chunk)));

/** An environment with no CALLER_LOOKUP_URL: the configuration is invalid. */
function stubInvalidEnvironment({ inLambda }: { inLambda: boolean }) {
  vi.stubEnv('CALLER_LOOKUP_URL', undefined);
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', inLambda ? 'AddName' : undefined);
}

const invoke = (handler: (event: unknown, context?: ReturnType<typeof lambdaContext>) => Promise<unknown>) =>
  handler(firehoseEvent(['{}']), lambdaContext()).then(
    () => undefined,
    (error: unknown) => error,
  );

describe('the entry point (src/index.ts)', () => {
  it('logs nothing when imported for createHandler and loadConfig outside Lambda', async () => {
    stubInvalidEnvironment({ inLambda: false });
    const module = await import('../../src/index.js');
    expect(typeof module.createHandler).toBe('function');
    expect(module.loadConfig({ CALLER_LOOKUP_URL: 'http://127.0.0.1:9/api/user/' }).callerLookupUrl).toBe(
      'http://127.0.0.1:9/api/user/',
    );
    expect(stdout).not.toHaveBeenCalled();
  });

  it('outside Lambda: validates on the first invocation, logs once, throws on every invocation', async () => {
    stubInvalidEnvironment({ inLambda: false });
    const { handler, LambdaConfigError } = await import('../../src/index.js');
    const errors = [await invoke(handler), await invoke(handler)];
    for (const error of errors) {
      expect(error).toBeInstanceOf(LambdaConfigError);
      expect((error as Error).message).toContain('CALLER_LOOKUP_URL: is required');
    }
    expect(written()).toEqual([
      expect.objectContaining({
        level: 'error',
        service: 'ctr-stream-lambda',
        message: expect.stringMatching(/^Invalid Lambda configuration: CALLER_LOOKUP_URL: is required/),
      }),
    ]);
  });

  it('inside Lambda (AWS_LAMBDA_FUNCTION_NAME set): logs at import, in the init phase, once; throws on every invocation', async () => {
    stubInvalidEnvironment({ inLambda: true });
    const { handler, LambdaConfigError } = await import('../../src/index.js');
    expect(written()).toEqual([
      expect.objectContaining({ level: 'error', service: 'ctr-stream-lambda', issues: expect.any(Array) }),
    ]);
    // The environment is read once, at cold start: a later change does not matter until the next one.
    vi.stubEnv('CALLER_LOOKUP_URL', 'http://127.0.0.1:9/api/user/');
    expect(await invoke(handler)).toBeInstanceOf(LambdaConfigError);
    expect(await invoke(handler)).toBeInstanceOf(LambdaConfigError);
    expect(stdout).toHaveBeenCalledTimes(1);
  });

  it.each([true, false])(
    'with a valid configuration (inside Lambda: %s): answers, and logs nothing at import',
    async (inLambda) => {
      vi.stubEnv('CALLER_LOOKUP_URL', 'http://127.0.0.1:9/api/user/'); // never asked: the record has no number
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', inLambda ? 'AddName' : undefined);
      vi.stubEnv('LOG_LEVEL', 'warn');
      vi.stubEnv('METRICS', 'off');
      const { handler } = await import('../../src/index.js');
      expect(stdout).not.toHaveBeenCalled();
      const chat = ctrFixture('synthetic-chat-agent.json');
      const response = await handler(firehoseEvent([JSON.stringify(chat)]), lambdaContext());
      expect(response.records[0]?.result).toBe('Ok');
      expect(JSON.parse(decode(response.records[0]!.data)).CtrStream).toEqual({
        CallerLookup: { Status: 'no_phone_number' },
      });
      expect(stdout).not.toHaveBeenCalled();
    },
  );
});
