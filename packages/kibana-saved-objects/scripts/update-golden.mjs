// Rewrites tests/golden/<target>.ndjson from the BUILT package (run `npx nx run @ctr-stream/kibana-saved-objects:build`
// first). Review the diff before committing: the golden files are what each target receives.
import { writeFileSync } from 'node:fs';
import { buildSavedObjects, TARGET_NAMES, toNdjson } from '../dist/index.js';

for (const target of TARGET_NAMES) {
  const file = new URL(`../tests/golden/${target}.ndjson`, import.meta.url);
  writeFileSync(file, toNdjson(buildSavedObjects(target)));
  console.log(`wrote ${file.pathname}`);
}
