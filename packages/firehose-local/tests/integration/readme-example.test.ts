// Runs the README's Usage example as written: its code block is read from README.md, its imports are bound to
// the real modules (the package's own source for '@ctr-stream/firehose-local'), and every `console.log(...); // X`
// must print X. Only the Elasticsearch URL and the index name are swapped for the test node's and a unique one.

import * as fsPromises from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as firehoseSdk from '@aws-sdk/client-firehose';
import { afterAll, expect, inject, it } from 'vitest';
import * as firehoseLocal from '../../src/index.js';
import { deleteIndices, removeDirectory, searchAll, uniqueIndexName } from './helpers.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const indexName = uniqueIndexName('readme');
const directories: string[] = [];

afterAll(async () => {
  await deleteIndices(elasticsearchUrl, indexName);
  await Promise.all(directories.map(removeDirectory));
});

/** The first ```ts block after `## Usage` in README.md. */
async function usageExample(): Promise<string> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const usage = readme.indexOf('\n## Usage\n');
  const start = readme.indexOf('```ts\n', usage);
  expect(usage, 'README.md has a ## Usage section').toBeGreaterThan(0);
  expect(start, 'the Usage section has a ```ts block').toBeGreaterThan(usage);
  return readme.slice(start + '```ts\n'.length, readme.indexOf('\n```', start));
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...parameters: string[]
) => (...values: unknown[]) => Promise<void>;

it('the README Usage example runs as written and prints what its comments say', async () => {
  const code = await usageExample();
  // The example names the default local node and its own index; point them at the test's.
  expect(code).toContain("url: 'http://127.0.0.1:9200'");
  expect(code).toContain("indexName: 'firehose-local-example'");
  const body = code
    .replace("url: 'http://127.0.0.1:9200'", `url: ${JSON.stringify(elasticsearchUrl)}`)
    .replace("indexName: 'firehose-local-example'", `indexName: ${JSON.stringify(indexName)}`);

  // Every import is `import { a, b } from 'module';`, bound here to the module itself.
  const recordTemporaryDirectory: typeof fsPromises.mkdtemp = (async (...parameters: [string]) => {
    const directory = await fsPromises.mkdtemp(...parameters);
    directories.push(directory);
    return directory;
  }) as typeof fsPromises.mkdtemp;
  const modules: Record<string, Record<string, unknown>> = {
    'node:fs/promises': { ...fsPromises, mkdtemp: recordTemporaryDirectory },
    'node:os': os,
    'node:path': { ...path },
    '@aws-sdk/client-firehose': firehoseSdk,
    '@ctr-stream/firehose-local': firehoseLocal,
  };
  const bindings = new Map<string, unknown>();
  const importLine = /^import \{ ([^}]+) \} from '([^']+)';$/gm;
  for (const [, names, specifier] of body.matchAll(importLine)) {
    const module = modules[specifier!];
    expect(module, `the test binds the module ${specifier}`).toBeDefined();
    for (const name of names!.split(',').map((each) => each.trim())) {
      expect(module![name], `${specifier} exports ${name}`).toBeDefined();
      bindings.set(name, module![name]);
    }
  }
  const statements = body.replace(importLine, '');
  expect(statements).not.toMatch(/^import /m);

  const printed: string[] = [];
  const console = { log: (...values: unknown[]) => printed.push(values.map(String).join(' ')) };
  await new AsyncFunction(...bindings.keys(), 'console', statements)(...bindings.values(), console);

  // `console.log(...); // 1 (words)` promises `1`.
  const promised = [...statements.matchAll(/console\.log\(.*\); \/\/ (\S+)/g)].map((match) => match[1]);
  expect(promised.length).toBeGreaterThan(0);
  expect(printed).toEqual(promised);
  expect(await searchAll(elasticsearchUrl, indexName)).toEqual([{ ContactId: 'c-1' }]);
  // It wrote nothing into the current directory: everything is under its temporary directory.
  expect(directories).toHaveLength(1);
});
