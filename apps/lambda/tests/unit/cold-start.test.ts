import { CallerLookupOptionsError, createCallerLookup } from '@ctr-stream/caller-lookup';
import { afterEach, describe, expect, it } from 'vitest';
import { configErrorFromLookupOptions, startFromEnvironment } from '../../src/cold-start.js';
import { LambdaConfigError } from '../../src/index.js';

const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (started.length > 0) await started.pop()!.close();
});

/** A real error from the caller-lookup client for this base URL. */
function lookupOptionsError(baseUrl: string): CallerLookupOptionsError {
  try {
    started.push(createCallerLookup({ baseUrl }));
  } catch (error) {
    if (error instanceof CallerLookupOptionsError) return error;
    throw error;
  }
  throw new Error(`createCallerLookup accepted ${baseUrl}`);
}

describe('startFromEnvironment (the cold start)', () => {
  it('builds the handler from a valid environment', () => {
    const result = startFromEnvironment({ CALLER_LOOKUP_URL: 'http://127.0.0.1:9/api/user/' });
    expect('handler' in result).toBe(true);
    if ('handler' in result) started.push(result.handler);
  });

  it.each(['https://dir.example.com/api/user/#/', 'https://dir.example.com/api/{tenant}/'])(
    'returns one LambdaConfigError, never throws, for %s',
    (url) => {
      const result = startFromEnvironment({ CALLER_LOOKUP_URL: url });
      expect('error' in result && result.error).toBeInstanceOf(LambdaConfigError);
      if ('error' in result)
        expect(result.error.issues.map((issue) => issue.variable)).toEqual(['CALLER_LOOKUP_URL']);
    },
  );
});

describe('startFromEnvironment: an API key undici cannot send', () => {
  it("reports CALLER_LOOKUP_API_KEY=$'sekret-key\\n' as a LambdaConfigError instead of starting a handler whose every lookup fails", () => {
    const result = startFromEnvironment({
      CALLER_LOOKUP_URL: 'http://127.0.0.1:9/api/user/',
      CALLER_LOOKUP_API_KEY: 'sekret-key\n',
    });
    if ('handler' in result) started.push(result.handler);
    expect('error' in result && result.error).toBeInstanceOf(LambdaConfigError);
    if ('error' in result) {
      expect(result.error.issues).toEqual([
        {
          variable: 'CALLER_LOOKUP_API_KEY',
          message: expect.stringContaining('must not contain line breaks'),
        },
      ]);
      expect(result.error.message).not.toContain('sekret');
    }
  });
});

describe('configErrorFromLookupOptions', () => {
  it('names the variable behind the rejected option, keeping the cause', () => {
    const cause = lookupOptionsError('https://dir.example.com/api/user/#/');
    const error = configErrorFromLookupOptions(cause);
    expect(error).toBeInstanceOf(LambdaConfigError);
    expect(error.cause).toBe(cause);
    expect(error.issues).toEqual([
      {
        variable: 'CALLER_LOOKUP_URL',
        message: expect.stringContaining('a URL fragment (#...) is not allowed'),
      },
    ]);
    expect(error.message).toMatch(
      /^Invalid Lambda configuration: CALLER_LOOKUP_URL: rejected by the caller-lookup client/,
    );
  });

  it('falls back to a generic variable for an option the Lambda does not map', () => {
    const error = configErrorFromLookupOptions(new CallerLookupOptionsError('namePath', 'bad'));
    expect(error.issues[0]?.variable).toBe('(caller lookup)');
  });
});
