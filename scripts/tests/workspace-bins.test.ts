import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n'));
const packages = execFileSync('git', ['ls-files', 'packages/*/package.json', 'apps/*/package.json'], {
  cwd: root,
  encoding: 'utf8',
})
  .trim()
  .split('\n');
const bins = packages.flatMap((manifest) => {
  const { bin = {} } = JSON.parse(readFileSync(join(root, manifest), 'utf8')) as {
    bin?: Record<string, string>;
  };
  const directory = manifest.replace(/\/package\.json$/, '');
  return Object.entries(bin).map(([name, target]) => ({ name, file: join(directory, target) }));
});

// npm links a workspace's commands into node_modules/.bin when it installs, before anything is built: a bin that
// points into dist/ is not linked in a fresh clone, and `npx <name>` would then fetch whatever the registry has
// under that name.
describe('every command of the workspace is linked by npm ci in a fresh clone', () => {
  test('there are commands to check', () => {
    expect(bins.map(({ name }) => name).sort()).toEqual([
      'ctr-caller-directory',
      'ctr-es-setup',
      'ctr-firehose-local',
      'ctr-kibana-setup',
      'ctr-replay',
      'ctr-simulate',
    ]);
  });

  test.each(bins)('$name is a committed, executable file outside dist/', ({ file }) => {
    expect(file).not.toMatch(/\/dist\//);
    expect(tracked.has(file)).toBe(true);
    expect(statSync(join(root, file)).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(root, file), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  test.each(bins)('$name runs the built command ($file --help)', ({ file }) => {
    const result = spawnSync(process.execPath, [join(root, file), '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.toLowerCase()).toContain('usage');
  });
});
