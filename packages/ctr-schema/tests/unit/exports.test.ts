import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as publicApi from '../../src/index.js';

describe('public API', () => {
  it('exports the shared contract names', () => {
    for (const name of [
      'ContactTraceRecordSchema',
      'parseContactTraceRecord',
      'safeParseContactTraceRecord',
      'ContactTraceRecordError',
      'contactTraceRecordJsonSchema',
      'isContactTraceRecordLike',
      'CHANNELS',
      'INITIATION_METHODS',
      'DISCONNECT_REASONS',
      'ENDPOINT_TYPES',
      'RECORDING_STATUSES',
    ]) {
      expect(publicApi, name).toHaveProperty(name);
    }
  });

  it('documents every runtime export in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const undocumented = Object.keys(publicApi).filter((name) => !readme.includes(`\`${name}`));
    expect(undocumented).toEqual([]);
  });
});
