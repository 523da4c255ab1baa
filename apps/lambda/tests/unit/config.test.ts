import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, LambdaConfigError, loadConfig } from '../../src/index.js';

const URL_OK = 'https://directory.example.com/api/user/';

describe('loadConfig', () => {
  it('applies defaults with only CALLER_LOOKUP_URL', () => {
    expect(loadConfig({ CALLER_LOOKUP_URL: URL_OK })).toEqual({
      callerLookupUrl: URL_OK,
      callerLookupTimeoutMs: CONFIG_DEFAULTS.callerLookupTimeoutMs,
      callerLookupConcurrency: 64,
      callerLookupCacheTtlSeconds: 600,
      callerLookupNotFoundTtlSeconds: 60,
      callerLookupApiKeyHeader: 'x-api-key',
      logLevel: 'info',
      safetyMarginMs: 3_000,
    });
  });

  it('reads every variable, treating empty strings as unset', () => {
    const config = loadConfig({
      CALLER_LOOKUP_URL: URL_OK,
      CALLER_LOOKUP_TIMEOUT_MS: '250',
      CALLER_LOOKUP_CONCURRENCY: '16',
      CALLER_LOOKUP_CACHE_TTL_SECONDS: '0',
      CALLER_LOOKUP_NOT_FOUND_TTL_SECONDS: '30',
      CALLER_LOOKUP_API_KEY: 'sekret-value',
      CALLER_LOOKUP_API_KEY_HEADER: 'authorization',
      DELIVERY_STREAM_NAME: 'CTRFHStream',
      LOG_LEVEL: 'DEBUG',
      TRANSFORM_SAFETY_MARGIN_MS: '',
    });
    expect(config).toMatchObject({
      callerLookupTimeoutMs: 250,
      callerLookupConcurrency: 16,
      callerLookupCacheTtlSeconds: 0,
      callerLookupNotFoundTtlSeconds: 30,
      callerLookupApiKey: 'sekret-value',
      callerLookupApiKeyHeader: 'authorization',
      deliveryStreamName: 'CTRFHStream',
      logLevel: 'debug',
      safetyMarginMs: 3_000,
    });
  });

  it('reports every invalid variable in one error, without echoing values', () => {
    let thrown: unknown;
    try {
      loadConfig({
        CALLER_LOOKUP_URL: 'https://user:sekret-pass@directory.example.com/api/user',
        CALLER_LOOKUP_CONCURRENCY: 'many',
        CALLER_LOOKUP_TIMEOUT_MS: '0',
        LOG_LEVEL: 'loud',
        CALLER_LOOKUP_API_KEY: 'sekret-key',
        CALLER_LOOKUP_API_KEY_HEADER: 'bad header',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LambdaConfigError);
    const error = thrown as LambdaConfigError;
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'CALLER_LOOKUP_API_KEY_HEADER',
      'CALLER_LOOKUP_CONCURRENCY',
      'CALLER_LOOKUP_TIMEOUT_MS',
      'CALLER_LOOKUP_URL',
      'CALLER_LOOKUP_URL',
      'LOG_LEVEL',
    ]);
    expect(error.message).toMatch(/^Invalid Lambda configuration: /);
    expect(error.message).toContain("must end with '/'");
    expect(error.message).toContain('must not carry credentials');
    expect(error.message).not.toContain('sekret');
  });

  it.each([
    [{}, 'CALLER_LOOKUP_URL: is required'],
    [{ CALLER_LOOKUP_URL: '' }, 'CALLER_LOOKUP_URL: is required'],
    [{ CALLER_LOOKUP_URL: 'not a url/' }, 'CALLER_LOOKUP_URL: is not a URL'],
    [{ CALLER_LOOKUP_URL: 'ftp://example.com/x/' }, 'must be an http(s) URL'],
  ])('rejects %j', (environment, message) => {
    expect(() => loadConfig(environment)).toThrow(message);
  });
});
