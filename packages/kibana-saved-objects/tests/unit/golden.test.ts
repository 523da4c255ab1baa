import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSavedObjects, TARGET_NAMES, toNdjson } from '../../src/index.js';

describe('golden NDJSON per target', () => {
  it.each(TARGET_NAMES)('the builders reproduce tests/golden/%s.ndjson byte for byte', (target) => {
    const golden = readFileSync(new URL(`../golden/${target}.ndjson`, import.meta.url), 'utf8');
    expect(toNdjson(buildSavedObjects(target))).toBe(golden);
  });

  it('golden files differ between targets where the formats differ', () => {
    const files = TARGET_NAMES.map((target) =>
      readFileSync(new URL(`../golden/${target}.ndjson`, import.meta.url), 'utf8'),
    );
    expect(new Set(files).size).toBe(TARGET_NAMES.length);
  });

  it('every golden line is one JSON object and the file ends with a newline', () => {
    for (const target of TARGET_NAMES) {
      const text = readFileSync(new URL(`../golden/${target}.ndjson`, import.meta.url), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      expect(lines).toHaveLength(8);
      for (const line of lines) expect(typeof JSON.parse(line)).toBe('object');
    }
  });
});
