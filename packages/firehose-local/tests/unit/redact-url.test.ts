import { describe, expect, it } from 'vitest';
import { redactUrlCredentials } from '../../src/redact-url.js';

describe('redactUrlCredentials', () => {
  it('hides the user name and password and keeps the rest as written', () => {
    expect(redactUrlCredentials('http://elastic:s3cret@127.0.0.1:9200')).toBe(
      'http://***:***@127.0.0.1:9200',
    );
    expect(redactUrlCredentials('https://token@es.example.com/prefix?x=1')).toBe(
      'https://***@es.example.com/prefix?x=1',
    );
    expect(redactUrlCredentials('http://127.0.0.1:9200')).toBe('http://127.0.0.1:9200');
  });

  it('redacts every URL inside an error message, but not an @ in the path', () => {
    expect(redactUrlCredentials('connect to http://a:b@x:9200 failed, then https://c:d@y failed')).toBe(
      'connect to http://***:***@x:9200 failed, then https://***:***@y failed',
    );
    expect(redactUrlCredentials('http://x:9200/users/@me')).toBe('http://x:9200/users/@me');
  });

  it('hides all of a user name or password that holds an @, as URL parsers read it (up to the last @)', () => {
    // Both forms are valid to the WHATWG URL parser, which the config check and the bulk transport use.
    expect(new URL('http://me@corp.com:secret@127.0.0.1:9/').password).toBe('secret');
    expect(redactUrlCredentials('http://me@corp.com:secret@127.0.0.1:9/')).toBe(
      'http://***:***@127.0.0.1:9/',
    );
    expect(redactUrlCredentials('http://elastic:s3cr@tPass@es:9200 refused')).toBe(
      'http://***:***@es:9200 refused',
    );
    expect(redactUrlCredentials('http://a:b@x:9200/users/@me')).toBe('http://***:***@x:9200/users/@me');
    expect(redactUrlCredentials('http://a@b@x?q=@')).toBe('http://***@x?q=@');
  });
});
