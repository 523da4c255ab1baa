// What a user gets from npm: every publishable package is packed as `npm publish` would pack it, the
// tarballs are installed into an empty project (dependencies from the registry, or the npm cache), and that
// project imports every entry point (ESM and `require`), type-checks against the published declarations and
// runs every bin. A missing `files` entry, an export pointing nowhere, a dependency only the workspace's
// hoisting provided, or a bin without its shebang fails here, not in a user's install.
// Needs the packages built (`npm test` builds them first).
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error plain ESM script, the packages' prepack
import { distProblem, referencedFiles } from '../check-dist.mjs';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

interface PackResult {
  name: string;
  filename: string;
  files: { path: string }[];
}

const workspaces = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group)).map((dir) => ({
    dir: join(root, group, dir),
    manifest: JSON.parse(readFileSync(join(root, group, dir, 'package.json'), 'utf8')) as Manifest,
  })),
);
const versions = new Map(workspaces.map(({ manifest }) => [manifest.name, manifest.version]));
const publishable = workspaces.filter(({ manifest }) => manifest.private !== true);

/** Subpaths a consumer imports as code (`.`, `./directory-server`), not JSON files or `./package.json`. */
function codeEntryPoints(manifest: Manifest): string[] {
  return Object.keys(manifest.exports ?? {})
    .filter((subpath) => !subpath.endsWith('.json'))
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`));
}

/** Whether `version` satisfies a caret range `^x.y.z` as npm reads it (0.x ranges pin the minor). */
function satisfiesCaret(range: string, version: string): boolean {
  const match = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const actual = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (match === null || actual === null) return false;
  const [low, have] = [match.slice(1).map(Number), actual.slice(1).map(Number)] as [number[], number[]];
  const compare = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  if (compare(have, low) < 0) return false;
  if (low[0]! > 0) return have[0] === low[0];
  if (low[1]! > 0) return have[0] === 0 && have[1] === low[1];
  return have[0] === 0 && have[1] === 0 && have[2] === low[2];
}

describe('publishable manifests', () => {
  test('there are publishable packages, and every one names a license and ships only dist', () => {
    expect(publishable.map(({ manifest }) => manifest.name).sort()).toEqual([
      '@ctr-stream/caller-lookup',
      '@ctr-stream/ctr-schema',
      '@ctr-stream/ctr-simulator',
      '@ctr-stream/es-index-setup',
      '@ctr-stream/firehose-local',
      '@ctr-stream/firehose-transform',
      '@ctr-stream/kibana-saved-objects',
    ]);
    for (const { manifest } of publishable) expect(manifest.license, manifest.name).toBe('MIT');
  });

  test.each(publishable.map(({ manifest }) => [manifest.name, manifest] as const))(
    '%s depends on its siblings by a range its sibling satisfies, never "*"',
    (_name, manifest) => {
      for (const [dependency, range] of Object.entries({
        ...manifest.dependencies,
        ...manifest.peerDependencies,
        ...manifest.devDependencies,
      })) {
        const sibling = versions.get(dependency);
        if (sibling === undefined) continue;
        expect(satisfiesCaret(range, sibling), `${dependency}@${range} against ${sibling}`).toBe(true);
      }
    },
  );

  test("an injected @elastic/elasticsearch client is the user's: no package installs a copy of its own", () => {
    // Typed by what is used of it (ElasticsearchClientLike, ElasticsearchBulkClient): any 8.x or 9.x client fits.
    for (const { manifest } of publishable) {
      expect(Object.keys(manifest.dependencies ?? {}), manifest.name).not.toContain('@elastic/elasticsearch');
      expect(Object.keys(manifest.peerDependencies ?? {}), manifest.name).not.toContain(
        '@elastic/elasticsearch',
      );
    }
  });

  test('npm pack (and npm publish) of a package refuses it without its build: dist/ is not committed', () => {
    for (const { manifest, dir } of publishable) {
      expect(manifest.scripts?.prepack, manifest.name).toBe('node ../../scripts/check-dist.mjs');
      expect(distProblem(dir), manifest.name).toBeUndefined(); // built before the tests run
    }
    const fresh = mkdtempSync(join(tmpdir(), 'ctr-stream-unbuilt-'));
    try {
      const caller = publishable.find(({ manifest }) => manifest.name === '@ctr-stream/caller-lookup')!;
      copyFileSync(join(caller.dir, 'package.json'), join(fresh, 'package.json'));
      mkdirSync(join(fresh, 'bin'));
      copyFileSync(
        join(caller.dir, 'bin', 'ctr-caller-directory.js'),
        join(fresh, 'bin', 'ctr-caller-directory.js'),
      );
      expect(distProblem(fresh)).toBe(
        '@ctr-stream/caller-lookup: not built (dist/index.js, dist/index.d.ts, dist/directory-server/index.d.ts, dist/directory-server/index.js missing): run `npx nx run-many -t build` at the repository root first',
      );
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('the caret check reads 0.x ranges as npm does', () => {
    expect(satisfiesCaret('^0.1.0', '0.1.4')).toBe(true);
    expect(satisfiesCaret('^0.1.0', '0.2.0')).toBe(false);
    expect(satisfiesCaret('^0.1.2', '0.1.1')).toBe(false);
    expect(satisfiesCaret('^1.2.0', '1.9.0')).toBe(true);
    expect(satisfiesCaret('^1.2.0', '2.0.0')).toBe(false);
    expect(satisfiesCaret('^0.0.3', '0.0.4')).toBe(false);
    expect(satisfiesCaret('*', '0.1.0')).toBe(false);
  });
});

describe('the packed tarballs, installed into an empty project', () => {
  let scratch: string;
  let consumer: string;
  const packed = new Map<string, PackResult>();

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ctr-stream-packaging-'));
    const { stdout } = await run(
      'npm',
      [
        'pack',
        '--json',
        '--pack-destination',
        scratch,
        ...publishable.flatMap(({ manifest }) => ['-w', manifest.name]),
      ],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    for (const result of JSON.parse(stdout) as PackResult[]) packed.set(result.name, result);
    consumer = join(scratch, 'consumer');
    await run('mkdir', [consumer]);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
    );
    const typesNode = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies[
      '@types/node'
    ] as string;
    // Dependencies come from the registry as a user's would (from the npm cache when `npm ci` filled it).
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `@types/node@${typesNode}`,
        ...[...packed.values()].map((result) => join(scratch, result.filename)),
      ],
      { cwd: consumer, maxBuffer: 64 * 1024 * 1024 },
    );
  }, 300_000);

  afterAll(async () => {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  test.each(publishable.map(({ manifest }) => [manifest.name, manifest] as const))(
    '%s ships every file its manifest points at, its README and LICENSE, and no sources or tests',
    (name, manifest) => {
      const files = new Set(packed.get(name)?.files.map((file) => file.path));
      for (const file of ['package.json', 'README.md', 'LICENSE', ...referencedFiles(manifest)]) {
        expect(files.has(file), `${name} lacks ${file}`).toBe(true);
      }
      const stray = [...files].filter((file) => /^(src|tests)\/|\.test\.|tsbuildinfo|tsconfig/.test(file));
      expect(stray).toEqual([]);
    },
  );

  test('every entry point loads with import and with require, and exports what the workspace build exports', async () => {
    const entryPoints = publishable.flatMap(({ manifest }) => codeEntryPoints(manifest));
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const result = {};
      for (const entry of ${JSON.stringify(entryPoints)}) {
        result[entry] = { imported: Object.keys(await import(entry)).sort(), required: Object.keys(require(entry)).sort() };
      }
      console.log(JSON.stringify(result));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer });
    const installed = JSON.parse(stdout) as Record<string, { imported: string[]; required: string[] }>;
    for (const entry of entryPoints) {
      const [scope, name, ...subpath] = entry.split('/');
      const workspace = publishable.find(({ manifest }) => manifest.name === `${scope}/${name}`)!;
      const target = workspace.manifest.exports?.[subpath.length === 0 ? '.' : `./${subpath.join('/')}`];
      const file = typeof target === 'string' ? target : target?.default;
      const built = Object.keys(await import(join(workspace.dir, file!))).sort();
      expect(built.length, entry).toBeGreaterThan(0);
      expect(installed[entry], entry).toEqual({ imported: built, required: built });
    }
  }, 60_000);

  test('a strict TypeScript consumer type-checks against the published declarations (nodenext, bundler, node10)', async () => {
    const entryPoints = publishable.flatMap(({ manifest }) => codeEntryPoints(manifest));
    writeFileSync(
      join(consumer, 'consumer.ts'),
      `${entryPoints.map((entry, index) => `import * as entry${index} from '${entry}';`).join('\n')}\n` +
        `export const entries = [${entryPoints.map((_entry, index) => `entry${index}`).join(', ')}];\n`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    // The declarations themselves are checked once (with every dependency's: minutes, not seconds, per run).
    for (const [module, resolution, skipLibCheck] of [
      ['nodenext', 'nodenext', 'false'],
      ['esnext', 'bundler', 'true'],
      // The resolution of older setups, which reads no `exports`: subpaths resolve through `typesVersions`.
      ['commonjs', 'node10', 'true'],
    ]) {
      const flags = ['--noEmit', '--strict', '--skipLibCheck', skipLibCheck!, '--target', 'es2022'];
      const result = await run(
        process.execPath,
        [
          tsc,
          ...flags,
          '--module',
          module!,
          '--moduleResolution',
          resolution!,
          '--types',
          'node',
          'consumer.ts',
        ],
        { cwd: consumer },
      ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
      expect(result.stdout, `${module}/${resolution}`).toBe('');
    }
  }, 120_000);

  test.each(
    publishable.flatMap(({ manifest }) =>
      Object.keys(manifest.bin ?? {}).map((bin) => [bin, manifest.name] as const),
    ),
  )('the %s bin of %s runs from the install and prints its usage', async (bin) => {
    const { stdout } = await run(join(consumer, 'node_modules', '.bin', bin), ['--help'], { cwd: consumer });
    expect(stdout).toMatch(new RegExp(`^Usage: ${bin} `));
  });
});
