import { describe, expect, it } from 'vitest';
import { FirehoseLocalConfigError, parseFirehoseLocalConfig } from '../../src/index.js';

const stream = (processor: Record<string, unknown>) => ({
  streams: [
    {
      name: 'ctr',
      processor,
      elasticsearch: { url: 'http://127.0.0.1:9200', indexName: 'connect' },
      backup: { directory: './backup' },
    },
  ],
});
const handler = async () => ({ records: [] });

describe('processor.isolation and processor.environment', () => {
  it('accepts a module in workers with environment variables, and a module or function in-process', () => {
    const [parsed] = parseFirehoseLocalConfig(
      stream({ modulePath: './lambda.mjs', environment: { CALLER_LOOKUP_URL: 'http://127.0.0.1:1/' } }),
    ).streams;
    expect(parsed?.processor?.environment).toEqual({ CALLER_LOOKUP_URL: 'http://127.0.0.1:1/' });
    expect(parsed?.processor?.isolation).toBeUndefined(); // resolved to 'worker' for a module
    expect(() =>
      parseFirehoseLocalConfig(stream({ modulePath: './a.mjs', isolation: 'in-process' })),
    ).not.toThrow();
    expect(() => parseFirehoseLocalConfig(stream({ handler }))).not.toThrow();
  });

  it.each([
    [
      'a handler function in a worker',
      { handler, isolation: 'worker' },
      'streams.0.processor.isolation',
      /modulePath/,
    ],
    [
      'environment for a handler function',
      { handler, environment: { A: '1' } },
      'streams.0.processor.environment',
      /worker/,
    ],
    [
      'environment in-process',
      { modulePath: './a.mjs', isolation: 'in-process', environment: { A: '1' } },
      'streams.0.processor.environment',
      /worker/,
    ],
    [
      'an unknown isolation',
      { modulePath: './a.mjs', isolation: 'thread' },
      'streams.0.processor.isolation',
      /worker/,
    ],
    [
      'a non-string variable',
      { modulePath: './a.mjs', environment: { PORT: 9200 } },
      'streams.0.processor.environment.PORT',
      /string/,
    ],
  ])('rejects %s with the path of the field', (_label, processor, path, message) => {
    try {
      parseFirehoseLocalConfig(stream(processor));
      expect.unreachable('the configuration must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(FirehoseLocalConfigError);
      const issue = (error as FirehoseLocalConfigError).issues.find((each) => each.path === path);
      expect(issue?.message).toMatch(message);
    }
  });
});
