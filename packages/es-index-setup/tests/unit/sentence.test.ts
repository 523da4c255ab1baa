import type { Client } from '@elastic/elasticsearch';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommandLine } from '../../src/command-line.js';
import { connectionFromClient, createHttpConnection } from '../../src/connection.js';
import { ElasticsearchRequestError } from '../../src/errors.js';
import { errorText, sentence } from '../../src/sentence.js';

describe('sentence', () => {
  it('ends a text from elsewhere with exactly one stop', () => {
    expect(sentence('index already exists.')).toBe('index already exists.');
    expect(sentence('index already exists. \n')).toBe('index already exists.');
    expect(sentence('no body')).toBe('no body.');
    expect(sentence('is it up?')).toBe('is it up?');
    expect(sentence('it timed out…')).toBe('it timed out…');
  });

  it('describes an error without a message by its code or name', () => {
    expect(errorText(new Error('socket hang up'))).toBe('socket hang up');
    expect(errorText(Object.assign(new AggregateError([]), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorText(new AggregateError([]))).toBe('AggregateError');
    expect(errorText('boom')).toBe('boom');
  });
});

describe('request errors never end in ".." whatever the reason ends with', () => {
  let agent: MockAgent | undefined;
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
  });

  async function failure(path: string): Promise<ElasticsearchRequestError> {
    const connection = createHttpConnection({ node: 'http://search.test:9200', dispatcher: agent });
    const error = await connection.request('PUT', path, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ElasticsearchRequestError);
    return error as ElasticsearchRequestError;
  }

  it('a server reason with its own stop, one without, one with trailing space, a text body', async () => {
    agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('http://search.test:9200');
    const reply = (path: string, statusCode: number, data: unknown) =>
      pool.intercept({ path, method: 'PUT' }).reply(statusCode, data as string);
    reply('/a', 400, { error: { type: 'illegal_argument_exception', reason: 'unknown setting [index.x].' } });
    reply('/b', 401, {
      error: { type: 'security_exception', reason: 'unable to authenticate user [elastic].' },
    });
    reply('/c', 403, {
      error: { type: 'security_exception', reason: 'action [indices:admin/create] is unauthorized. ' },
    });
    reply('/d', 400, { error: { type: 'mapper_parsing_exception', reason: 'Failed to parse mapping' } });
    reply('/e', 502, 'Bad gateway.\n');
    reply('/f', 400, { error: 'Incorrect HTTP method for uri [/f] and method [PUT], allowed: [GET].' });

    const messages = await Promise.all(
      ['/a', '/b', '/c', '/d', '/e', '/f'].map(async (path) => (await failure(path)).message),
    );
    expect(messages).toEqual([
      'PUT /a failed: http://search.test:9200 answered 400 illegal_argument_exception: unknown setting [index.x].',
      'PUT /b failed: http://search.test:9200 answered 401 security_exception: unable to authenticate user [elastic]. Check the API key or username and password.',
      'PUT /c failed: http://search.test:9200 answered 403 security_exception: action [indices:admin/create] is unauthorized. The credentials lack a privilege (manage_index_templates and create_index on the pattern, monitor for the version).',
      'PUT /d failed: http://search.test:9200 answered 400 mapper_parsing_exception: Failed to parse mapping.',
      'PUT /e failed: http://search.test:9200 answered 502: Bad gateway.',
      'PUT /f failed: http://search.test:9200 answered 400: Incorrect HTTP method for uri [/f] and method [PUT], allowed: [GET].',
    ]);
    for (const message of messages) expect(message).not.toContain('..');
  });

  it('a network error whose message ends with a stop, or has no message', async () => {
    agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('http://search.test:9200');
    pool.intercept({ path: '/a', method: 'PUT' }).replyWithError(new Error('other side closed.'));
    pool
      .intercept({ path: '/b', method: 'PUT' })
      .replyWithError(Object.assign(new AggregateError([]), { code: 'ECONNREFUSED' }));
    expect((await failure('/a')).message).toBe(
      'PUT /a failed: could not reach http://search.test:9200: other side closed. Check that the node URL is right and the server is running.',
    );
    expect((await failure('/b')).message).toBe(
      'PUT /b failed: could not reach http://search.test:9200: ECONNREFUSED. Check that the node URL is right and the server is running.',
    );
  });

  it('the same through an @elastic/elasticsearch client', async () => {
    const failing = (cause: unknown) =>
      connectionFromClient(
        { transport: { request: () => Promise.reject(cause) } } as unknown as Client,
        'the client',
      );
    const answered = await failing(
      Object.assign(new Error('Response Error'), {
        meta: {
          statusCode: 400,
          body: {
            error: { type: 'resource_already_exists_exception', reason: 'index [connect/x] already exists.' },
          },
        },
      }),
    )
      .request('PUT', '/connect')
      .then(
        () => expect.unreachable('the request succeeded'),
        (caught: Error) => caught,
      );
    expect(answered.message).toBe(
      'PUT /connect failed: the client answered 400 resource_already_exists_exception: index [connect/x] already exists.',
    );
    const unreachable = await failing(new Error('There are no living connections.'))
      .request('GET', '/')
      .then(
        () => expect.unreachable('the request succeeded'),
        (caught: Error) => caught,
      );
    expect(unreachable.message).toBe(
      'GET / failed: could not reach the client: There are no living connections. Check that the node URL is right and the server is running.',
    );
  });
});

describe('ctr-es-setup messages built on another message', () => {
  async function run(argv: string[], stdout: (text: string) => void = () => {}) {
    const stderr: string[] = [];
    const status = await runCommandLine(argv, { env: {}, stdout, stderr: (text) => stderr.push(text) });
    return { status, stderr: stderr.join('\n') };
  }

  it('ends a bad-usage message from the argument parser with a stop before the usage', async () => {
    const unknown = await run(['--bogus']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown option '--bogus'\.\n\nUsage: ctr-es-setup/);
    const positional = await run(['install']);
    expect(positional.stderr).toMatch(
      /^Unexpected argument 'install'\. This command does not take positional arguments\.\n\n/,
    );
  });

  it('ends an unexpected error with one stop, whether its message has one or not', async () => {
    const offline = ['--dry-run', '--server', 'elasticsearch@9.0.0'];
    for (const message of ['stdout is closed', 'stdout is closed.']) {
      const { status, stderr } = await run(offline, () => {
        throw new Error(message);
      });
      expect(status).toBe(1);
      expect(stderr).toBe('Unexpected error: stdout is closed.');
    }
  });
});
