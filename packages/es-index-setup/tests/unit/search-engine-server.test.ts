import { describe, expect, it } from 'vitest';
import { InvalidOptionError, UnsupportedServerError } from '../../src/errors.js';
import { describeSearchEngineServer, parseServerSpecification } from '../../src/search-engine-server.js';

describe('describeSearchEngineServer', () => {
  it.each([
    ['7.10.2', 'elasticsearch', 'flattened', false],
    ['8.13.4', 'elasticsearch', 'flattened', false],
    ['8.14.0', 'elasticsearch', 'flattened', true],
    ['9.5.4', 'elasticsearch', 'flattened', true],
    ['1.3.19', 'opensearch', undefined, false],
    ['2.6.0', 'opensearch', undefined, false],
    ['2.7.0', 'opensearch', 'flat_object', false],
    ['2.19.1', 'opensearch', 'flat_object', false],
    ['3.1.0', 'opensearch', 'flat_object', false],
  ])('%s is %s with %s', (version, distribution, flattenedType, ignoreBeyondLimit) => {
    const server = describeSearchEngineServer(version);
    expect(server.distribution).toBe(distribution);
    expect(server.flattenedType).toBe(flattenedType);
    expect(server.supportsIgnoreDynamicBeyondLimit).toBe(ignoreBeyondLimit);
  });

  it('rejects Elasticsearch older than 7.10 with what to do', () => {
    expect(() => describeSearchEngineServer('7.9.3')).toThrow(UnsupportedServerError);
    expect(() => describeSearchEngineServer('6.8.0')).toThrow(/7\.10 or later/);
  });

  it('rejects a version it cannot read', () => {
    expect(() => describeSearchEngineServer('latest')).toThrow(InvalidOptionError);
  });
});

describe('parseServerSpecification', () => {
  it('reads distribution@version or a bare version', () => {
    expect(parseServerSpecification('opensearch@2.11.0')).toMatchObject({
      distribution: 'opensearch',
      major: 2,
      minor: 11,
    });
    expect(parseServerSpecification('elasticsearch@8.19.3')).toMatchObject({
      distribution: 'elasticsearch',
      version: '8.19.3',
    });
    expect(parseServerSpecification('9.0.0')).toMatchObject({ distribution: 'elasticsearch' });
    expect(() => parseServerSpecification('solr@9.0.0')).toThrow(/Unknown distribution/);
  });
});
