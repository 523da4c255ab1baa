import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { FirehoseTransformHandler } from '../../src/index.js';
import { decodeData, directPutEvent, lambdaContext } from '../support/events.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const indexSource = readFileSync(new URL('../../src/index.ts', import.meta.url), 'utf8');
const sourceEntry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/** The text of a `## heading` section, up to the next `## `. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README has a "## ${heading}" section`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** Every name src/index.ts exports, values and types. */
function exportedNames(): string[] {
  const names: string[] = [];
  for (const [, list] of indexSource.matchAll(/export(?: type)? \{([^}]*)\}/g)) {
    for (const item of list!.split(',')) {
      const name = item.replace(/^\s*type\s+/, '').trim();
      if (name !== '') names.push(name);
    }
  }
  return names;
}

describe('README', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'firehose-transform-readme-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('the usage example keeps its enrichment when a record holds JSON null, a number or a non-string userId', async () => {
    const [, example] = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(readme) ?? [];
    expect(example).toContain("from '@ctr-stream/firehose-transform'");
    const file = join(scratch, 'usage-example.ts');
    writeFileSync(
      file,
      [
        'export const lookedUp: string[][] = [];',
        'async function lookUpTeams(ids: string[], _options: { signal: AbortSignal; deadline: number }) {',
        '  lookedUp.push(ids);',
        "  return new Map(ids.map((id) => [id, 'team-of-' + id]));",
        '}',
        example!.replace("'@ctr-stream/firehose-transform'", JSON.stringify(sourceEntry)),
      ].join('\n'),
    );
    const module = (await import(pathToFileURL(file).href)) as {
      handler: FirehoseTransformHandler;
      lookedUp: string[][];
    };
    const event = directPutEvent([
      'null',
      '{"userId":"u1","level":"info"}',
      '42',
      '{"userId":7,"level":"info"}',
      '{"level":"debug"}',
    ]);
    // The example keeps the default logger, which writes JSON lines to standard output.
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const response = await module.handler(event, lambdaContext()).finally(() => stdout.mockRestore());
    expect(module.lookedUp).toEqual([['u1']]);
    expect(response.records.map((record) => record.result)).toEqual([
      'ProcessingFailed',
      'Ok',
      'ProcessingFailed',
      'Ok',
      'Dropped',
    ]);
    expect(JSON.parse(decodeData(response.records[1]!.data))).toEqual({
      userId: 'u1',
      level: 'info',
      team: 'team-of-u1',
    });
  });

  it('lists every export of src/index.ts in its Exports section', () => {
    const exports = section('Exports');
    const names = exportedNames();
    expect(names).toContain('BUILT_IN_METRICS');
    expect(names.length).toBeGreaterThan(40);
    expect(names.filter((name) => !exports.includes(`\`${name}\``))).toEqual([]);
  });
});
