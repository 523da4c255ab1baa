import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { summarise } from '../../bench/support/cpu-profile-summary.mjs';

const script = new URL('../../bench/support/cpu-profile-summary.mjs', import.meta.url).pathname;
const run = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cpu-profile-summary-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A bundle whose source map says column 0 of line 1 is `doWork` at line 5 of src/work.ts. */
async function bundleWithMap(): Promise<string> {
  const bundle = join(dir, 'index.mjs');
  await writeFile(bundle, 'function a(){}\n');
  await writeFile(
    `${bundle}.map`,
    JSON.stringify({ version: 3, sources: ['../src/work.ts'], names: ['doWork'], mappings: 'AAIAA' }),
  );
  return pathToFileURL(bundle).href;
}

function profile(bundleUrl: string) {
  const frame = (id: number, functionName: string, url = '', children: number[] = []) => ({
    id,
    callFrame: { functionName, scriptId: '0', url, lineNumber: 0, columnNumber: 0 },
    children,
  });
  return {
    nodes: [
      frame(1, '(root)', '', [2, 3, 5]),
      frame(2, '(idle)'),
      frame(3, 'a', bundleUrl, [4]),
      frame(4, 'JSONParse'),
      frame(5, '(garbage collector)'),
    ],
    // 4 samples of 1 ms in `doWork`'s callee, 2 in `doWork` itself, 1 in GC, 3 idle.
    samples: [4, 4, 4, 4, 3, 3, 5, 2, 2, 2],
    timeDeltas: Array(10).fill(1000),
  };
}

describe('cpu-profile-summary', () => {
  it('names bundled frames by their source through the map beside the bundle, and leaves idle time out', async () => {
    const text: string = summarise(profile(await bundleWithMap()), 10);
    expect(text).toContain('profiled 0.01 s, busy 0.01 s');
    expect(text).toContain('garbage collection 1 ms');
    const [self, inclusive] = text.split('inclusive time');
    expect(self).toMatch(/4 ms\s+57\.1%\s+JSONParse/);
    expect(self).toMatch(/2 ms\s+28\.6%\s+doWork \S*\/src\/work\.ts:5/);
    expect(inclusive).toMatch(/6 ms\s+85\.7%\s+doWork \S*\/src\/work\.ts:5/);
    expect(text).not.toContain('(idle)');
    expect(text).not.toContain('(root)');
  });

  it('keeps the bundle position when there is no map', async () => {
    const bundle = join(dir, 'plain.mjs');
    await writeFile(bundle, 'function a(){}\n');
    const text: string = summarise(profile(pathToFileURL(bundle).href), 10);
    expect(text).toMatch(/a [^\n]*plain\.mjs:1/);
  });

  it('prints the summary of a file, and refuses bad arguments with exit 2 and the usage', async () => {
    const file = join(dir, 'thread.cpuprofile');
    await writeFile(file, JSON.stringify(profile(await bundleWithMap())));
    const { stdout } = await run(process.execPath, [script, file, '--top', '2']);
    expect(stdout.split('\n').filter((line) => line.includes(' ms '))).toHaveLength(4);
    await expect(run(process.execPath, [script])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Give one profile file. usage:'),
    });
    await expect(run(process.execPath, [script, file, '--top', 'x'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--top takes a whole number'),
    });
  });
});
