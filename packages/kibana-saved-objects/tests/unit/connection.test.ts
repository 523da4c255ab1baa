import { describe, expect, it } from 'vitest';
import { InvalidOptionError, resolveConnection } from '../../src/index.js';

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
