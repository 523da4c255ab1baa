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
      metricsNamespace: 'CtrStream',
    });
  });

  it('reads the metrics settings: METRICS=off, METRICS_NAMESPACE, the function name for the dimension', () => {
    expect(loadConfig({ CALLER_LOOKUP_URL: URL_OK, METRICS: 'OFF' }).metricsNamespace).toBeUndefined();
    expect(
      loadConfig({ CALLER_LOOKUP_URL: URL_OK, METRICS: 'on', METRICS_NAMESPACE: 'Contact Center' })
        .metricsNamespace,
    ).toBe('Contact Center');
    expect(loadConfig({ CALLER_LOOKUP_URL: URL_OK, AWS_LAMBDA_FUNCTION_NAME: 'AddName' }).functionName).toBe(
      'AddName',
    );
    expect(() => loadConfig({ CALLER_LOOKUP_URL: URL_OK, METRICS: 'maybe' })).toThrow(
      /METRICS: must be on or off/,
    );
    // Refused here, as a configuration error, not later by the metrics writer at cold start.
    expect(() => loadConfig({ CALLER_LOOKUP_URL: URL_OK, METRICS_NAMESPACE: ' CtrStream' })).toThrow(
      /METRICS_NAMESPACE: must not start or end with a space/,
    );
    expect(() => loadConfig({ CALLER_LOOKUP_URL: URL_OK, METRICS_NAMESPACE: 'AWS/Lambda' })).toThrow(
      /METRICS_NAMESPACE: must not contain ':' or start with 'AWS\/'/,
    );
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
    'Host',
    'user-agent',
    'Referer',
    'X-Forwarded-For',
    'content-length',
    'Proxy-Authorization',
    'traceparent',
  ])(
    'refuses CALLER_LOOKUP_API_KEY_HEADER=%s: the key would route the request or land in access logs',
    (header) => {
      expect(() =>
        loadConfig({
          CALLER_LOOKUP_URL: 'https://directory.example.com/lookup/',
          CALLER_LOOKUP_API_KEY: 'sekret-key',
          CALLER_LOOKUP_API_KEY_HEADER: header,
        }),
      ).toThrow(/CALLER_LOOKUP_API_KEY_HEADER: must be a header meant for credentials/);
    },
  );

  it.each([
    [{}, 'CALLER_LOOKUP_URL: is required'],
    [{ CALLER_LOOKUP_URL: '' }, 'CALLER_LOOKUP_URL: is required'],
    [{ CALLER_LOOKUP_URL: 'not a url/' }, 'CALLER_LOOKUP_URL: is not a URL'],
    [{ CALLER_LOOKUP_URL: 'ftp://example.com/x/' }, 'must be an http(s) URL'],
  ])('rejects %j', (environment, message) => {
    expect(() => loadConfig(environment)).toThrow(message);
  });
});

describe('loadConfig: empty strings and integers', () => {
  it('reports an empty CALLER_LOOKUP_URL as one issue, as if unset', () => {
    for (const environment of [{}, { CALLER_LOOKUP_URL: '' }]) {
      let thrown: unknown;
      try {
        loadConfig(environment);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(LambdaConfigError);
      expect((thrown as LambdaConfigError).issues).toEqual([
        {
          variable: 'CALLER_LOOKUP_URL',
          message: expect.stringMatching(/^is required \(the directory base URL/),
        },
      ]);
    }
  });

  const integerVariables = [
    'CALLER_LOOKUP_TIMEOUT_MS',
    'CALLER_LOOKUP_CONCURRENCY',
    'CALLER_LOOKUP_CACHE_TTL_SECONDS',
    'CALLER_LOOKUP_NOT_FOUND_TTL_SECONDS',
    'TRANSFORM_SAFETY_MARGIN_MS',
  ];
  it.each(
    integerVariables.flatMap((variable) =>
      [
        ' 500 ',
        '500 ',
        '\t500',
        '1e3',
        '0x10',
        '0b1',
        '+600',
        '1.5',
        '600.0',
        '1_000',
        'Infinity',
        '5 00',
      ].map((value) => [variable, value] as const),
    ),
  )('rejects %s=%j: only plain decimal whole numbers', (variable, value) => {
    let thrown: unknown;
    try {
      loadConfig({ CALLER_LOOKUP_URL: URL_OK, [variable]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LambdaConfigError);
    expect((thrown as LambdaConfigError).issues).toEqual([{ variable, message: 'must be a whole number' }]);
  });

  it('reads plain decimal whole numbers, and says when one is out of range', () => {
    const config = loadConfig({
      CALLER_LOOKUP_URL: URL_OK,
      CALLER_LOOKUP_TIMEOUT_MS: '0250',
      CALLER_LOOKUP_CONCURRENCY: '1024',
      CALLER_LOOKUP_CACHE_TTL_SECONDS: '-0',
      TRANSFORM_SAFETY_MARGIN_MS: '500',
    });
    expect(config).toMatchObject({
      callerLookupTimeoutMs: 250,
      callerLookupConcurrency: 1_024,
      safetyMarginMs: 500,
    });
    expect(Object.is(config.callerLookupCacheTtlSeconds, 0)).toBe(true);
    expect(() => loadConfig({ CALLER_LOOKUP_URL: URL_OK, CALLER_LOOKUP_CONCURRENCY: '-5' })).toThrow(
      'CALLER_LOOKUP_CONCURRENCY: must be at least 1',
    );
    expect(() =>
      loadConfig({ CALLER_LOOKUP_URL: URL_OK, CALLER_LOOKUP_CONCURRENCY: '99999999999999999999' }),
    ).toThrow('CALLER_LOOKUP_CONCURRENCY: must be at most 1024');
  });
});

describe('loadConfig: CALLER_LOOKUP_API_KEY must be sendable as a header', () => {
  const SPACES_AND_CONTROLS =
    'must not contain line breaks or control characters, or start or end with a space (check how the secret was stored)';
  it.each([
    ['a trailing line feed', 'sekret-key\n'],
    ['a trailing CR LF', 'sekret-key\r\n'],
    ['a line break inside', 'sekret\nkey'],
    ['a NUL', 'sekret\0key'],
    ['a tab', 'sekret\tkey'],
    ['another C0 control', 'sekret\x1bkey'],
    ['DEL', 'sekret-key\x7f'],
    ['a leading space', ' sekret-key'],
    ['a trailing space', 'sekret-key '],
    ['only spaces', '   '],
    ['a trailing no-break space', 'sekret-key\u00a0'],
  ])('rejects a key with %s, without echoing it', (_, value) => {
    let thrown: unknown;
    try {
      loadConfig({ CALLER_LOOKUP_URL: URL_OK, CALLER_LOOKUP_API_KEY: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LambdaConfigError);
    const error = thrown as LambdaConfigError;
    expect(error.issues).toEqual([{ variable: 'CALLER_LOOKUP_API_KEY', message: SPACES_AND_CONTROLS }]);
    expect(error.message).toContain(`CALLER_LOOKUP_API_KEY: ${SPACES_AND_CONTROLS}`);
    expect(error.message).not.toContain('sekret');
  });

  it('rejects a key with characters beyond Latin-1, which no HTTP header can carry', () => {
    let thrown: unknown;
    try {
      loadConfig({ CALLER_LOOKUP_URL: URL_OK, CALLER_LOOKUP_API_KEY: 'ключ-sekret' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LambdaConfigError);
    const error = thrown as LambdaConfigError;
    expect(error.issues).toEqual([
      {
        variable: 'CALLER_LOOKUP_API_KEY',
        message: 'must contain only ASCII or Latin-1 characters (an HTTP header value cannot carry others)',
      },
    ]);
    expect(error.message).not.toMatch(/ключ|sekret/);
  });

  it('accepts keys a header can carry: inner spaces, punctuation, Latin-1', () => {
    for (const value of ['Bearer sekret.key', 'sk_live_0123/+=~', 'clé-sekret']) {
      expect(loadConfig({ CALLER_LOOKUP_URL: URL_OK, CALLER_LOOKUP_API_KEY: value }).callerLookupApiKey).toBe(
        value,
      );
    }
  });
});

describe('loadConfig: values the caller-lookup client or the deadline would reject', () => {
  it.each([
    ['https://dir.example.com/api/user/#/', 'must not contain a fragment'],
    ['https://dir.example.com/api/user?x=1#=', 'must not contain a fragment'],
    ['https://dir.example.com/api/{tenant}/', "must not contain '{' or '}'"],
    ['https://dir.example.com/api/}/', "must not contain '{' or '}'"],
  ])('rejects CALLER_LOOKUP_URL %s', (url, message) => {
    let thrown: unknown;
    try {
      loadConfig({ CALLER_LOOKUP_URL: url });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LambdaConfigError);
    expect((thrown as LambdaConfigError).issues).toEqual([
      { variable: 'CALLER_LOOKUP_URL', message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    ['0', 'must be at least 500'],
    ['499', 'must be at least 500'],
    ['300001', 'must be at most 300000'],
    ['600000', 'must be at most 300000'],
    ['1.5', 'must be a whole number'],
  ])('rejects TRANSFORM_SAFETY_MARGIN_MS=%s', (value, message) => {
    expect(() => loadConfig({ CALLER_LOOKUP_URL: URL_OK, TRANSFORM_SAFETY_MARGIN_MS: value })).toThrow(
      `TRANSFORM_SAFETY_MARGIN_MS: ${message}`,
    );
  });

  it('accepts the bounds of TRANSFORM_SAFETY_MARGIN_MS', () => {
    expect(loadConfig({ CALLER_LOOKUP_URL: URL_OK, TRANSFORM_SAFETY_MARGIN_MS: '500' }).safetyMarginMs).toBe(
      500,
    );
    expect(
      loadConfig({ CALLER_LOOKUP_URL: URL_OK, TRANSFORM_SAFETY_MARGIN_MS: '300000' }).safetyMarginMs,
    ).toBe(300_000);
  });
});
