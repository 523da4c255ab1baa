import { describe, expect, it } from 'vitest';
import { type HttpAnswer, redirectMessage, searchEngineBehind, sentence } from '../../src/http.js';

const answer = (overrides: Partial<HttpAnswer>): HttpAnswer => ({
  statusCode: 400,
  contentType: 'application/json',
  location: undefined,
  elasticProduct: undefined,
  fromDashboards: false,
  text: '',
  ...overrides,
});

describe('sentence', () => {
  it('ends a server message with exactly one full stop', () => {
    expect(sentence('Request must contain a osd-xsrf header.')).toBe(
      'Request must contain a osd-xsrf header.',
    );
    expect(sentence('An internal server error occurred. ')).toBe('An internal server error occurred.');
    expect(sentence('no body')).toBe('no body.');
  });
});

describe('searchEngineBehind', () => {
  it('tells Elasticsearch and OpenSearch answers from Kibana and OpenSearch Dashboards ones', () => {
    expect(searchEngineBehind(answer({ elasticProduct: 'Elasticsearch' }), undefined)).toBe('Elasticsearch');
    // OpenSearch sends no X-Elastic-Product; its "no handler" and typed error bodies give it away.
    expect(
      searchEngineBehind(answer({}), { error: 'no handler found for uri [/api/status] and method [GET]' }),
    ).toBe('Elasticsearch or OpenSearch');
    expect(
      searchEngineBehind(answer({ statusCode: 401 }), {
        error: { root_cause: [], type: 'security_exception', reason: 'missing authentication credentials' },
        status: 401,
      }),
    ).toBe('Elasticsearch or OpenSearch');
    // Kibana and OpenSearch Dashboards answer in Boom's shape.
    const boom = {
      statusCode: 400,
      error: 'Bad Request',
      message: 'Request must contain a osd-xsrf header.',
    };
    expect(searchEngineBehind(answer({}), boom)).toBeUndefined();
    expect(searchEngineBehind(answer({ fromDashboards: true }), { error: { type: 'x' } })).toBeUndefined();
    expect(searchEngineBehind(answer({}), undefined)).toBeUndefined();
  });
});

describe('redirectMessage', () => {
  it('names the login host only, or asks for https', () => {
    const login = redirectMessage(
      answer({ statusCode: 302, location: 'https://auth.example.com/login?token=s3cret' }),
      'http://kibana.test/api/saved_objects/_import',
    );
    expect(login).toContain('redirected (302) to auth.example.com: the server wants a browser login');
    expect(login).not.toContain('s3cret');
    expect(
      redirectMessage(
        answer({ statusCode: 301, location: 'https://kibana.test/api/status' }),
        'http://kibana.test/api/status',
      ),
    ).toBe('redirected (301) to https://kibana.test: use https:// in --kibana.');
    expect(
      redirectMessage(answer({ statusCode: 302, location: 'http://[bad' }), 'http://kibana.test/'),
    ).toContain('to another page');
  });
});
