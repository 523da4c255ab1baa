#!/usr/bin/env node
// The `prepack` of every publishable package (so `npm pack` and `npm publish` from its folder): refuses to pack a
// package whose build is missing. dist/ is not committed, so without this check a fresh clone packs a tarball of
// a README and a package.json. (Whether a build is current is nx's to tell: `nx release` builds before it publishes,
// and a build restored from nx's cache keeps the files it finds, so file times would call current builds stale.)
// Run from the package's folder, as npm runs lifecycle scripts.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Every file the manifest points at: `main`, `types`, each `bin`, each export target (all conditions). */
export function referencedFiles(manifest) {
  const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})];
  const collect = (target) => {
    if (typeof target === 'string') targets.push(target);
    else if (target !== null && typeof target === 'object')
      for (const value of Object.values(target)) collect(value);
  };
  collect(manifest.exports);
  return [...new Set(targets.filter((target) => typeof target === 'string'))].map((target) =>
    target.replace(/^\.\//, ''),
  );
}

/** Why the package in `dir` must not be packed (one line), or undefined when every file it points at is there. */
export function distProblem(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const build = 'run `npx nx run-many -t build` at the repository root first';
  const missing = referencedFiles(manifest).filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0) return `${manifest.name}: not built (${missing.join(', ')} missing): ${build}`;
  return undefined;
}

if (process.argv[1] !== undefined && basename(process.argv[1]) === 'check-dist.mjs') {
  const problem = distProblem(process.cwd());
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
