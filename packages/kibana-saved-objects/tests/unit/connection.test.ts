import { describe, expect, it } from 'vitest';
import { checkFields, InvalidOptionError, resolveConnection } from '../../src/index.js';

describe('resolveConnection', () => {
  it('keeps the URL path as the base path, without a trailing slash', () => {
    expect(resolveConnection({ kibanaUrl: 'https://search.example.com/_dashboards/' }).baseUrl).toBe(
      'https://search.example.com/_dashboards',
    );
    expect(resolveConnection({ kibanaUrl: 'http://localhost:5601' }).baseUrl).toBe('http://localhost:5601');
  });

  it('appends basePath, and refuses two base paths', () => {
    expect(
      resolveConnection({ kibanaUrl: 'https://es.example.com', basePath: '/_plugin/kibana' }).baseUrl,
    ).toBe('https://es.example.com/_plugin/kibana');
    expect(() =>
      resolveConnection({ kibanaUrl: 'https://es.example.com/x', basePath: '/_plugin/kibana' }),
    ).toThrow(InvalidOptionError);
    expect(() => resolveConnection({ kibanaUrl: 'https://es.example.com', basePath: '_dashboards' })).toThrow(
      /start with/,
    );
  });

  it('refuses credentials inside the URL without repeating them', () => {
    let caught: unknown;
    try {
      resolveConnection({ kibanaUrl: 'https://elastic:s3cr3t-pass@kibana.example.com' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidOptionError);
    expect((caught as Error).message).not.toContain('s3cr3t-pass');
    expect((caught as Error).message).not.toContain('elastic:');
    expect((caught as Error).message).toContain('KIBANA_PASSWORD');
  });

  it.each(['not a url', 'ftp://kibana.example.com', 'http://kibana.example.com/?apiKey=x'])(
    'rejects %j',
    (kibanaUrl) => {
      expect(() => resolveConnection({ kibanaUrl })).toThrow(InvalidOptionError);
    },
  );

  it('prefixes /s/<space>, except for the default space, and validates space ids', () => {
    expect(resolveConnection({ kibanaUrl: 'http://k', space: 'contact-center' }).spacePrefix).toBe(
      '/s/contact-center',
    );
    expect(resolveConnection({ kibanaUrl: 'http://k', space: 'default' }).spacePrefix).toBe('');
    expect(() => resolveConnection({ kibanaUrl: 'http://k', space: 'Contact Center' })).toThrow(/space id/);
    expect(() => resolveConnection({ kibanaUrl: 'http://k', space: '../x' })).toThrow(InvalidOptionError);
  });

  it('builds ApiKey and Basic authorization headers', () => {
    expect(resolveConnection({ kibanaUrl: 'http://k', apiKey: 'ZW5jb2RlZA==' }).authorization).toBe(
      'ApiKey ZW5jb2RlZA==',
    );
    expect(resolveConnection({ kibanaUrl: 'http://k', apiKey: 'id:key' }).authorization).toBe(
      `ApiKey ${Buffer.from('id:key').toString('base64')}`,
    );
    expect(
      resolveConnection({ kibanaUrl: 'http://k', username: 'elastic', password: 'pw' }).authorization,
    ).toBe(`Basic ${Buffer.from('elastic:pw').toString('base64')}`);
    expect(resolveConnection({ kibanaUrl: 'http://k' }).authorization).toBeUndefined();
  });

  it('treats empty credentials as not given', () => {
    expect(
      resolveConnection({ kibanaUrl: 'http://k', apiKey: '', username: 'elastic', password: 'pw' })
        .authorization,
    ).toBe(`Basic ${Buffer.from('elastic:pw').toString('base64')}`);
    expect(
      resolveConnection({ kibanaUrl: 'http://k', apiKey: '', username: '', password: '' }).authorization,
    ).toBeUndefined();
  });

  it('names the real option in InvalidOptionError for Kibana and for the Elasticsearch field check', async () => {
    const optionOf = async (attempt: () => unknown) => {
      try {
        await attempt();
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        return (error as InvalidOptionError).option;
      }
      throw new Error('expected an InvalidOptionError');
    };
    expect(
      await optionOf(() =>
        resolveConnection({ kibanaUrl: 'http://k', apiKey: 'k', username: 'u', password: 'p' }),
      ),
    ).toBe('apiKey');
    expect(await optionOf(() => resolveConnection({ kibanaUrl: 'http://k', password: 'p' }))).toBe(
      'username',
    );
    expect(await optionOf(() => resolveConnection({ kibanaUrl: 'http://k', username: 'u' }))).toBe(
      'password',
    );
    // Credentials are validated before any request: no network here.
    const es = 'http://127.0.0.1:1';
    expect(
      await optionOf(() =>
        checkFields({
          elasticsearchUrl: es,
          elasticsearchApiKey: 'k',
          elasticsearchUsername: 'u',
          elasticsearchPassword: 'p',
        }),
      ),
    ).toBe('elasticsearchApiKey');
    expect(await optionOf(() => checkFields({ elasticsearchUrl: es, elasticsearchPassword: 'p' }))).toBe(
      'elasticsearchUsername',
    );
    expect(await optionOf(() => checkFields({ elasticsearchUrl: es, elasticsearchUsername: 'u' }))).toBe(
      'elasticsearchPassword',
    );
    await expect(checkFields({ elasticsearchUrl: es, elasticsearchUsername: 'u' })).rejects.toThrow(
      'Give both a username and a password for Elasticsearch (the password is missing).',
    );
  });

  it('rejects half or double credentials', () => {
    expect(() => resolveConnection({ kibanaUrl: 'http://k', username: 'elastic' })).toThrow(
      /both a username and a password/,
    );
    expect(() => resolveConnection({ kibanaUrl: 'http://k', password: 'pw' })).toThrow(InvalidOptionError);
    expect(() =>
      resolveConnection({ kibanaUrl: 'http://k', apiKey: 'x', username: 'u', password: 'p' }),
    ).toThrow(/not both/);
  });
});
