import { InvalidOptionError } from './errors.js';

/**
 * The object formats this package writes, one per family of servers that accept the same objects, headers and
 * import options:
 * - `kibana-7.10`: Kibana 7.10 (the legacy Kibana of Amazon Elasticsearch Service) up to 7.17.
 * - `kibana-8.0`: Kibana 8.0 to 8.7 (`migrationVersion` plus `coreMigrationVersion`).
 * - `kibana-8.8`: Kibana 8.8 and later, 9.x included (`typeMigrationVersion`, `coreMigrationVersion` 8.8.0).
 * - `opensearch-dashboards-2`: OpenSearch Dashboards 1.x to 3.x (`osd-xsrf`, no spaces).
 */
export type TargetName = 'kibana-7.10' | 'kibana-8.0' | 'kibana-8.8' | 'opensearch-dashboards-2';

/**
 * What the `target` options and `--target` take: a {@link TargetName}, or a product and version that
 * {@link parseTarget} maps to one (`kibana@8.6.2`, `kibana-9`, `opensearch-dashboards@2.11.0`, `osd-2`).
 */
export type TargetSpecifier = TargetName | (string & {});

/**
 * Every target name, in the order the README lists them.
 *
 * @example
 * ```ts
 * for (const target of TARGET_NAMES) writeFileSync(`${target}.ndjson`, toNdjson(buildSavedObjects(target)));
 * ```
 */
export const TARGET_NAMES: readonly TargetName[] = [
  'kibana-7.10',
  'kibana-8.0',
  'kibana-8.8',
  'opensearch-dashboards-2',
];

export type Product = 'kibana' | 'opensearch-dashboards';

/** How the objects, headers and import request are written for one target. */
export interface TargetProfile {
  name: TargetName;
  product: Product;
  /** Human-readable range of server versions the profile is for. */
  versions: string;
  /** The CSRF header every non-GET request needs (`kbn-xsrf` or `osd-xsrf`). */
  xsrfHeader: 'kbn-xsrf' | 'osd-xsrf';
  /** Whether `/s/<space>` paths exist (Kibana) or not (OpenSearch Dashboards). */
  supportsSpaces: boolean;
  /** Whether `_import` accepts `compatibilityMode` (Kibana 8.8+); older servers answer 400 to unknown keys. */
  supportsCompatibilityMode: boolean;
  /**
   * The version fields written on every object. `migrationVersion` is a map type -> version; 8.8+ writes one
   * `typeMigrationVersion` per object instead. Values never exceed what the oldest server of the family knows,
   * so the server runs the migrations above them.
   */
  objectVersions: {
    style: 'migrationVersion' | 'typeMigrationVersion';
    coreMigrationVersion: string | undefined;
    types: Readonly<Record<'index-pattern' | 'visualization' | 'dashboard', string>>;
  };
  /** `version` written in each dashboard panel. */
  panelVersion: string;
  /** Name of the date histogram's normalised-interval flag (OpenSearch renamed it). */
  normalizedIntervalParam: 'useNormalizedEsInterval' | 'useNormalizedOpenSearchInterval';
  /** Kibana 8+ data tables know `showToolbar` and `autoFitRowToContent`. */
  tableToolbarParams: boolean;
  /** Dashboard panel references: 7.x `panel_0`, or 8.x `<panelIndex>:panel_<panelIndex>`. */
  panelReferenceStyle: 'legacy' | 'prefixed';
}

const LEGACY_TYPE_VERSIONS = {
  'index-pattern': '7.6.0',
  visualization: '7.10.0',
  dashboard: '7.9.3',
} as const;

const PROFILES: Readonly<Record<TargetName, TargetProfile>> = {
  'kibana-7.10': {
    name: 'kibana-7.10',
    product: 'kibana',
    versions: 'Kibana 7.10 - 7.17 (Amazon Elasticsearch Service legacy Kibana 7.10)',
    xsrfHeader: 'kbn-xsrf',
    supportsSpaces: true,
    supportsCompatibilityMode: false,
    objectVersions: {
      style: 'migrationVersion',
      coreMigrationVersion: undefined,
      types: LEGACY_TYPE_VERSIONS,
    },
    panelVersion: '7.10.2',
    normalizedIntervalParam: 'useNormalizedEsInterval',
    tableToolbarParams: false,
    panelReferenceStyle: 'legacy',
  },
  'kibana-8.0': {
    name: 'kibana-8.0',
    product: 'kibana',
    versions: 'Kibana 8.0 - 8.7',
    xsrfHeader: 'kbn-xsrf',
    supportsSpaces: true,
    supportsCompatibilityMode: false,
    objectVersions: {
      style: 'migrationVersion',
      coreMigrationVersion: '8.0.0',
      types: { 'index-pattern': '8.0.0', visualization: '8.0.0', dashboard: '7.17.3' },
    },
    panelVersion: '8.0.0',
    normalizedIntervalParam: 'useNormalizedEsInterval',
    tableToolbarParams: true,
    panelReferenceStyle: 'prefixed',
  },
  'kibana-8.8': {
    name: 'kibana-8.8',
    product: 'kibana',
    versions: 'Kibana 8.8 - 8.x and 9.x',
    xsrfHeader: 'kbn-xsrf',
    supportsSpaces: true,
    supportsCompatibilityMode: true,
    objectVersions: {
      style: 'typeMigrationVersion',
      coreMigrationVersion: '8.8.0',
      types: { 'index-pattern': '8.0.0', visualization: '8.5.0', dashboard: '7.17.3' },
    },
    panelVersion: '8.8.0',
    normalizedIntervalParam: 'useNormalizedEsInterval',
    tableToolbarParams: true,
    panelReferenceStyle: 'prefixed',
  },
  'opensearch-dashboards-2': {
    name: 'opensearch-dashboards-2',
    product: 'opensearch-dashboards',
    versions: 'OpenSearch Dashboards 1.x - 3.x (Amazon OpenSearch Service /_dashboards)',
    xsrfHeader: 'osd-xsrf',
    supportsSpaces: false,
    supportsCompatibilityMode: false,
    objectVersions: {
      style: 'migrationVersion',
      coreMigrationVersion: undefined,
      types: LEGACY_TYPE_VERSIONS,
    },
    panelVersion: '2.7.0',
    normalizedIntervalParam: 'useNormalizedOpenSearchInterval',
    tableToolbarParams: false,
    panelReferenceStyle: 'legacy',
  },
};

/**
 * The profile (headers, object versions, import options) of a target. Also takes what {@link parseTarget}
 * takes (`kibana-9`); throws {@link InvalidOptionError} for anything else.
 *
 * @example
 * ```ts
 * targetProfile('opensearch-dashboards-2').xsrfHeader; // 'osd-xsrf'
 * ```
 */
export function targetProfile(name: TargetSpecifier): TargetProfile {
  return Object.hasOwn(PROFILES, name) ? PROFILES[name as TargetName] : PROFILES[parseTarget(name)];
}

/**
 * Parses a `--target` value: a target name (`kibana-8.8`), or a product and version (`kibana@8.15.2`,
 * `opensearch-dashboards@2.11.0`, `kibana-9`, `osd-2`), and returns the target name whose objects that server
 * accepts. Throws {@link InvalidOptionError} for anything else.
 *
 * @example
 * ```ts
 * parseTarget('kibana@8.6.2'); // 'kibana-8.0'
 * parseTarget('kibana-9'); // 'kibana-8.8'
 * ```
 */
export function parseTarget(value: TargetSpecifier): TargetName {
  if (typeof value !== 'string') {
    throw new InvalidOptionError(
      'target',
      `The target must be a string such as kibana-8.8 or kibana@8.15.2 (got ${typeof value}).`,
    );
  }
  const trimmed = value.trim().toLowerCase();
  if ((TARGET_NAMES as readonly string[]).includes(trimmed)) return trimmed as TargetName;
  const match = /^(kibana|opensearch-dashboards|osd)[@-]v?(\d+(?:\.\d+){0,2})$/.exec(trimmed);
  if (match !== null) {
    const product: Product = match[1] === 'kibana' ? 'kibana' : 'opensearch-dashboards';
    return targetForVersion(product, match[2]!);
  }
  throw new InvalidOptionError(
    'target',
    `Unknown target "${value}". Use one of ${TARGET_NAMES.join(', ')}, or a product and version such as kibana@8.15.2 or opensearch-dashboards@2.11.0.`,
  );
}

/** Parses `major.minor.patch` (missing parts are 0); undefined when it is not a version. */
export function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(version.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/**
 * Compares two `major.minor.patch` versions: negative when `left` is older, 0 when equal, positive when newer.
 *
 * @example
 * ```ts
 * compareVersions('7.10.2', '7.9.3') > 0; // true
 * ```
 */
export function compareVersions(left: string, right: string): number {
  const a = parseVersion(left) ?? [0, 0, 0];
  const b = parseVersion(right) ?? [0, 0, 0];
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The target whose objects a given server version accepts. Throws {@link InvalidOptionError} for versions this
 * package does not support (Kibana before 7.10, OpenSearch Dashboards after 3.x).
 *
 * @example
 * ```ts
 * targetForVersion('kibana', '7.10.2'); // 'kibana-7.10'
 * targetForVersion('opensearch-dashboards', '2.11.0'); // 'opensearch-dashboards-2'
 * ```
 */
export function targetForVersion(product: Product, version: string): TargetName {
  const parsed = parseVersion(version);
  if (parsed === undefined) {
    throw new InvalidOptionError('target', `"${version}" is not a version number (expected e.g. 8.15.2).`);
  }
  const [major, minor] = parsed;
  if (product === 'opensearch-dashboards') {
    if (major >= 1 && major <= 3) return 'opensearch-dashboards-2';
    throw new InvalidOptionError(
      'target',
      `OpenSearch Dashboards ${version} is not supported (1.x to 3.x are). Pass --target opensearch-dashboards-2 to try anyway.`,
    );
  }
  if (major === 7 && minor >= 10) return 'kibana-7.10';
  if (major === 8 && minor < 8) return 'kibana-8.0';
  if (major === 8 || major === 9) return 'kibana-8.8';
  throw new InvalidOptionError(
    'target',
    `Kibana ${version} is not supported (7.10 to 9.x are). ` +
      (major > 9
        ? 'Pass --target kibana-8.8 to try the newest format anyway.'
        : 'Upgrade Kibana to 7.10 or later.'),
  );
}
