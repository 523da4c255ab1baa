import { describe, expect, it } from 'vitest';
import type { ElasticsearchConnection } from '../../src/connection.js';
import { InvalidOptionError, UnsupportedServerError } from '../../src/errors.js';
import {
  describeSearchEngineServer,
  detectSearchEngineServer,
  parseServerSpecification,
} from '../../src/search-engine-server.js';

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

  it("has no flattened type on Elasticsearch's oss flavor (Amazon Elasticsearch Service 7.10: no X-Pack)", () => {
    expect(describeSearchEngineServer('7.10.2', 'elasticsearch', 'oss')).toMatchObject({
      distribution: 'elasticsearch',
      buildFlavor: 'oss',
      flattenedType: undefined,
    });
    expect(describeSearchEngineServer('7.10.2')).toMatchObject({
      buildFlavor: 'default',
      flattenedType: 'flattened',
    });
    // OpenSearch has no flavor.
    expect(describeSearchEngineServer('2.19.6', 'opensearch', 'oss')).toMatchObject({
      flattenedType: 'flat_object',
    });
    expect(describeSearchEngineServer('2.19.6').buildFlavor).toBeUndefined();
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
    expect(parseServerSpecification('elasticsearch-oss@7.10.2')).toMatchObject({
      distribution: 'elasticsearch',
      buildFlavor: 'oss',
      flattenedType: undefined,
    });
    expect(() => parseServerSpecification('solr@9.0.0')).toThrow(/Unknown distribution/);
  });
});

describe('detectSearchEngineServer', () => {
  /** A node that answers the nodes info (and `GET /`) as the given server does. */
  const node = (
    nodeInfo: Record<string, unknown>,
    root?: Record<string, unknown>,
  ): ElasticsearchConnection => ({
    displayUrl: 'http://127.0.0.1:9200',
    request: async (_method, path) =>
      path.startsWith('/_nodes/_local')
        ? { statusCode: 200, body: { nodes: { n1: nodeInfo } } }
        : root === undefined
          ? { statusCode: 404, body: {} }
          : { statusCode: 200, body: root },
  });

  it("reads Elasticsearch 7.x's build flavor from the nodes info: an oss node gets no flattened type", async () => {
    // What an Amazon Elasticsearch Service 7.10 domain answers.
    const amazon = await detectSearchEngineServer(
      node(
        { version: '7.10.2', build_flavor: 'oss' },
        { version: { number: '7.10.2', build_flavor: 'oss' } },
      ),
    );
    expect(amazon).toMatchObject({
      distribution: 'elasticsearch',
      buildFlavor: 'oss',
      flattenedType: undefined,
    });
    const elastic = await detectSearchEngineServer(node({ version: '7.17.29', build_flavor: 'default' }));
    expect(elastic).toMatchObject({ buildFlavor: 'default', flattenedType: 'flattened' });
    // 8.x and later, which may not report it: one flavor.
    expect(await detectSearchEngineServer(node({ version: '9.5.4' }))).toMatchObject({
      flattenedType: 'flattened',
    });
    const openSearch = await detectSearchEngineServer(
      node({ version: '2.19.6' }, { version: { distribution: 'opensearch', number: '2.19.6' } }),
    );
    expect(openSearch).toMatchObject({ distribution: 'opensearch', flattenedType: 'flat_object' });
  });
});
