#!/usr/bin/env node
// Module boundaries (house style): apps may use libraries; ctr-schema depends on no library; the other
// libraries may use ctr-schema and nothing else, unless ALLOWED names the edge and why; no library
// depends on an app. Reads `nx.tags` and dependencies from every workspace package.json.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ALLOWED = {
  '@ctr-stream/kibana-saved-objects -> @ctr-stream/es-index-setup':
    'the field names the saved objects use come from the mapping package, so they cannot disagree',
};

const root = new URL('..', import.meta.url).pathname;
const packages = new Map();
for (const group of ['packages', 'apps']) {
  for (const dir of readdirSync(join(root, group))) {
    const manifest = JSON.parse(readFileSync(join(root, group, dir, 'package.json'), 'utf8'));
    packages.set(manifest.name, { manifest, kind: group === 'apps' ? 'app' : 'library' });
  }
}
const problems = [];
for (const [name, { manifest, kind }] of packages) {
  const internal = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((dep) =>
    packages.has(dep),
  );
  for (const dep of internal) {
    const target = packages.get(dep);
    if (kind === 'library' && target.kind === 'app')
      problems.push(`${name} (library) depends on the app ${dep}`);
    if (kind === 'library' && target.kind === 'library') {
      if (name === '@ctr-stream/ctr-schema')
        problems.push(`${name} must depend on no library, but depends on ${dep}`);
      else if (dep !== '@ctr-stream/ctr-schema' && !ALLOWED[`${name} -> ${dep}`])
        problems.push(
          `${name} depends on ${dep}: libraries may use only ctr-schema unless ALLOWED in scripts/check-boundaries.mjs says why`,
        );
    }
  }
}
if (problems.length > 0) {
  console.error(`Module boundary violations:\n- ${problems.join('\n- ')}`);
  process.exitCode = 1;
} else {
  console.log(`Module boundaries hold for ${packages.size} projects.`);
}
