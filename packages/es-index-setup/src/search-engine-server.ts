import type { ElasticsearchConnection } from './connection.js';
import { ElasticsearchRequestError, InvalidOptionError, UnsupportedServerError } from './errors.js';

export type SearchEngineDistribution = 'elasticsearch' | 'opensearch';

/** The server the template is built for, and what its mapping language supports. */
export interface SearchEngineServer {
  distribution: SearchEngineDistribution;
  /** As the server reports it, e.g. `9.5.4` or `2.11.0`. */
  version: string;
  major: number;
  minor: number;
  /**
   * Elasticsearch's build flavor: `oss` for the Apache-2.0 build without X-Pack (Amazon Elasticsearch Service's
   * 7.10 domains report it), else `default`. OpenSearch has none.
   */
  buildFlavor?: 'default' | 'oss';
  /**
   * The type for an open map of keys (`Attributes`): `flattened` (Elasticsearch >= 7.3, its default flavor: an
   * X-Pack type), `flat_object` (OpenSearch >= 2.7), or `undefined` (older OpenSearch and Elasticsearch's oss
   * flavor: the map is stored, not indexed).
   */
  flattenedType: 'flattened' | 'flat_object' | undefined;
  /** Elasticsearch >= 8.14 can ignore dynamic fields beyond the total fields limit instead of rejecting the document. */
  supportsIgnoreDynamicBeyondLimit: boolean;
}

const VERSION_PATTERN = /^(\d+)\.(\d+)(?:\.(\d+))?/;

/**
 * Describes a server from its version string. Majors 1 to 3 are OpenSearch (Elasticsearch never had
 * a supported 1.x-3.x with composable templates); give `distribution` to be explicit, and Elasticsearch's
 * `buildFlavor` when it is `oss` (no `flattened` type). Throws `UnsupportedServerError` for Elasticsearch older
 * than 7.10.
 *
 * @example
 * ```ts
 * import { describeSearchEngineServer } from '@ctr-stream/es-index-setup';
 * describeSearchEngineServer('2.11.0').flattenedType; // 'flat_object'
 * describeSearchEngineServer('8.19.0').flattenedType; // 'flattened'
 * ```
 */
export function describeSearchEngineServer(
  version: string,
  distribution?: SearchEngineDistribution,
  buildFlavor?: 'default' | 'oss',
): SearchEngineServer {
  const match = VERSION_PATTERN.exec(version.trim());
  if (!match)
    throw new InvalidOptionError(
      'server',
      `Cannot read the server version ${JSON.stringify(version)}: expected e.g. 8.19.0.`,
    );
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const detected: SearchEngineDistribution = distribution ?? (major <= 3 ? 'opensearch' : 'elasticsearch');
  if (detected === 'elasticsearch' && (major < 7 || (major === 7 && minor < 10))) {
    throw new UnsupportedServerError(
      detected,
      version,
      `Elasticsearch ${version} is not supported: composable index templates and flattened fields need 7.10 or later. Upgrade the cluster (Amazon Elasticsearch Service domains can upgrade in place to 7.10).`,
    );
  }
  const atLeast = (wantedMajor: number, wantedMinor: number) =>
    major > wantedMajor || (major === wantedMajor && minor >= wantedMinor);
  const oss = detected === 'elasticsearch' && buildFlavor === 'oss';
  return {
    distribution: detected,
    version: version.trim(),
    major,
    minor,
    ...(detected === 'elasticsearch' ? { buildFlavor: oss ? 'oss' : 'default' } : {}),
    flattenedType:
      detected === 'elasticsearch'
        ? oss
          ? undefined
          : 'flattened'
        : atLeast(2, 7)
          ? 'flat_object'
          : undefined,
    supportsIgnoreDynamicBeyondLimit: detected === 'elasticsearch' && atLeast(8, 14),
  };
}

/**
 * Reads a server given on the command line: `9.1.0`, `elasticsearch@8.19.0`, `opensearch@2.11.0`, or
 * `elasticsearch-oss@7.10.2` (Elasticsearch's oss flavor, as Amazon Elasticsearch Service's 7.10 domains run).
 *
 * @example
 * ```ts
 * import { parseServerSpecification } from '@ctr-stream/es-index-setup';
 * parseServerSpecification('opensearch@2.11.0').distribution; // 'opensearch'
 * ```
 */
export function parseServerSpecification(specification: string): SearchEngineServer {
  const [first, second] = specification.split('@');
  if (second === undefined) return describeSearchEngineServer(first ?? '');
  if (first === 'elasticsearch-oss') return describeSearchEngineServer(second, 'elasticsearch', 'oss');
  if (first !== 'elasticsearch' && first !== 'opensearch') {
    throw new InvalidOptionError(
      'server',
      `Unknown distribution ${JSON.stringify(first)}: use elasticsearch@<version>, elasticsearch-oss@<version> or opensearch@<version>.`,
    );
  }
  return describeSearchEngineServer(second, first);
}

/** The server `buildIndexTemplate` builds for when no `server` is given. The installer never assumes it: it detects the server or takes `server`. */
export const DEFAULT_OFFLINE_SERVER_VERSION = '9.0.0';

/**
 * Asks the server its version with `GET /_nodes/_local` (works where `GET /` is blocked or absent)
 * and describes it.
 *
 * @example
 * ```ts
 * import { createHttpConnection, detectSearchEngineServer } from '@ctr-stream/es-index-setup';
 * const server = await detectSearchEngineServer(createHttpConnection({ node: 'http://127.0.0.1:9200' }));
 * console.log(server.distribution, server.version);
 * ```
 */
export async function detectSearchEngineServer(
  connection: ElasticsearchConnection,
): Promise<SearchEngineServer> {
  const path = '/_nodes/_local?filter_path=nodes.*.version,nodes.*.build_flavor';
  const { statusCode, body } = await connection.request('GET', path);
  const nodes = (
    body as { nodes?: Record<string, { version?: unknown; build_flavor?: unknown }> } | undefined
  )?.nodes;
  const node = nodes ? Object.values(nodes).find((each) => typeof each.version === 'string') : undefined;
  const version = node?.version;
  if (statusCode !== 200 || typeof version !== 'string') {
    throw new ElasticsearchRequestError(
      `GET /_nodes/_local did not return a node version from ${connection.displayUrl} (status ${statusCode}). Is the URL an Elasticsearch or OpenSearch node? Give the version with --server to work offline.`,
      { statusCode, method: 'GET', path: '/_nodes/_local' },
    );
  }
  let distribution: SearchEngineDistribution | undefined;
  // OpenSearch reports `version.distribution` on `GET /`; Elasticsearch does not. Best effort: some
  // deployments (and this repository's test node) have no `GET /`.
  try {
    const root = await connection.request('GET', '/');
    const reported = (root.body as { version?: { distribution?: unknown } } | undefined)?.version
      ?.distribution;
    if (reported === 'opensearch') distribution = 'opensearch';
    else if (root.statusCode === 200) distribution = undefined;
  } catch {
    distribution = undefined;
  }
  // Elasticsearch 7.x reports its flavor (`oss` without X-Pack, whose `flattened` type it lacks); 8.x and later
  // have one flavor.
  return describeSearchEngineServer(version, distribution, node?.build_flavor === 'oss' ? 'oss' : undefined);
}
