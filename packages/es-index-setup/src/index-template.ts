import { contactTraceRecordJsonSchema } from '@ctr-stream/ctr-schema';
import {
  ATTRIBUTE_KEYWORDS_FIELD,
  attributeKeywordsMapping,
  attributeKeywordsPipelineId,
  buildAttributeKeywordsPipeline,
  type IngestPipelineBody,
  validateAttributeFields,
} from './attribute-keywords.js';
import { buildCtrMappings, type CtrMappings, type DynamicMapping } from './ctr-mappings.js';
import { InvalidOptionError } from './errors.js';
import { DEFAULT_INDEX } from './fields.js';
import type { JsonSchemaNode } from './json-schema-mappings.js';
import {
  DEFAULT_OFFLINE_SERVER_VERSION,
  describeSearchEngineServer,
  type SearchEngineServer,
} from './search-engine-server.js';

/**
 * Bumped when the template's shape changes in a way users should see in `version`.
 * 2: `index_patterns` is `[<index>, <index>-*]` instead of `[<index>*]`.
 *
 * @example
 * ```ts
 * import { buildIndexTemplate, TEMPLATE_VERSION } from '@ctr-stream/es-index-setup';
 * buildIndexTemplate().indexTemplate.body.version === TEMPLATE_VERSION; // true
 * ```
 */
export const TEMPLATE_VERSION = 2;

export interface IndexTemplateOptions {
  /**
   * The index Firehose writes to (its `IndexName`). The template covers exactly `<index>` and its rotations
   * `<index>-*` (see `indexTemplatePatterns`), never `<index>ions`. Default `connect`.
   */
  index?: string | undefined;
  /** The server the template is for (`flattened` vs `flat_object`...). Default: Elasticsearch 9. */
  server?: SearchEngineServer | undefined;
  /** Primary shards per index. Default 1 (a CTR index is small: millions of contacts fit in one shard). */
  shards?: number | undefined;
  /**
   * Replicas: a number, or `'auto'` (default) for `auto_expand_replicas: 0-1`: 0 on a single node
   * (green, not yellow), 1 as soon as a second data node exists.
   */
  replicas?: number | 'auto' | undefined;
  /** `index.refresh_interval`. Default `30s`: Firehose buffers 60 s or more anyway. `-1` disables refresh. */
  refreshInterval?: string | undefined;
  /** `index.mapping.total_fields.limit`. Default 1000 (the mapping uses a few hundred). */
  totalFieldsLimit?: number | undefined;
  /** New, unknown fields: `'false'` (default, stored unindexed), `'true'` (indexed) or `'runtime'`. */
  dynamic?: DynamicMapping | undefined;
  /**
   * The index template priority. Default `200 + index.length`: above the built-in templates' 100, and
   * higher for longer names, so the template of `connect-prod` outranks the overlapping one of `connect`
   * (Elasticsearch refuses two overlapping templates of the same priority).
   */
  priority?: number | undefined;
  /** The CTR JSON Schema. Default: `contactTraceRecordJsonSchema()` from `@ctr-stream/ctr-schema`. */
  jsonSchema?: JsonSchemaNode | undefined;
  /**
   * Contact attribute keys to make aggregatable on every server: an ingest pipeline copies `Attributes.<key>` into
   * `AttributeKeywords.<key>` (`keyword`), and the template sets it as `index.default_pipeline`. Default none
   * (no pipeline, the template as without this option). Keys: non-empty, no `.`, at most 128 characters, each once.
   */
  attributeFields?: readonly string[] | undefined;
}

export interface ComponentTemplateBody {
  template: { settings?: Record<string, unknown>; mappings?: CtrMappings };
  version: number;
  _meta: Record<string, unknown>;
}

export interface IndexTemplateBody {
  index_patterns: string[];
  composed_of: string[];
  priority: number;
  version: number;
  _meta: Record<string, unknown>;
}

/** Everything the installer puts on the server, ready to `PUT`. */
export interface IndexTemplateBundle {
  index: string;
  /** What the template covers, as one multi-target expression for a URL path: `connect,connect-*`. */
  indexPattern: string;
  /** What the template covers, as its `index_patterns`: `['connect', 'connect-*']`. */
  indexPatterns: string[];
  server: SearchEngineServer;
  componentTemplates: { name: string; body: ComponentTemplateBody }[];
  indexTemplate: { name: string; body: IndexTemplateBody };
  /** With `attributeFields`: the pipeline filling `AttributeKeywords`, put before the templates that name it. */
  ingestPipeline?: { id: string; body: IngestPipelineBody } | undefined;
}

const INDEX_NAME_FORBIDDEN = /[\\/*?"<>| ,#:A-Z]/;

/** Checks an index name the way Elasticsearch does (lowercase, no `*?"<>|/\ ,#:`, not starting with `-_+`). */
export function validateIndexName(index: string): string {
  if (
    index.length === 0 ||
    Buffer.byteLength(index) > 200 ||
    INDEX_NAME_FORBIDDEN.test(index) ||
    /^[-_+.]/.test(index)
  ) {
    throw new InvalidOptionError(
      'index',
      `Invalid index name ${JSON.stringify(index)}: use lowercase letters, digits, - and _, not starting with - _ + or . (e.g. connect).`,
    );
  }
  return index;
}

function positiveInteger(option: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new InvalidOptionError(
      option,
      `${option} must be a whole number >= ${minimum} (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

const REFRESH_INTERVAL = /^(-1|\d+(ms|s|m|h|d))$/;

/**
 * The index patterns the template for `index` covers: the index itself and its Firehose rotations, which
 * always append a hyphen and a date (`-2024-03-04`, `-2024-03-04-13`, `-2024-w10`, `-2024-03`). Unlike
 * `<index>*`, these never match an unrelated index such as `connections` or `connector-logs`.
 *
 * @example
 * ```ts
 * import { indexTemplatePatterns } from '@ctr-stream/es-index-setup';
 * indexTemplatePatterns('connect'); // ['connect', 'connect-*']
 * ```
 */
export function indexTemplatePatterns(index: string): [string, string] {
  const name = validateIndexName(index);
  return [name, `${name}-*`];
}

/**
 * Builds the component templates (settings, mappings) and the composable index template for
 * `<index>` and `<index>-*`. Pure: no network.
 *
 * @example
 * ```ts
 * import { buildIndexTemplate } from '@ctr-stream/es-index-setup';
 * const bundle = buildIndexTemplate({ index: 'connect', replicas: 1 });
 * bundle.indexTemplate.body.index_patterns; // ['connect', 'connect-*']
 * ```
 */
export function buildIndexTemplate(options: IndexTemplateOptions = {}): IndexTemplateBundle {
  const index = validateIndexName(options.index ?? DEFAULT_INDEX);
  const server = options.server ?? describeSearchEngineServer(DEFAULT_OFFLINE_SERVER_VERSION);
  const shards = positiveInteger('shards', options.shards ?? 1, 1);
  const replicas = options.replicas ?? 'auto';
  if (replicas !== 'auto') positiveInteger('replicas', replicas, 0);
  const refreshInterval = options.refreshInterval ?? '30s';
  if (!REFRESH_INTERVAL.test(refreshInterval)) {
    throw new InvalidOptionError(
      'refreshInterval',
      `refreshInterval must be a duration such as 1s, 30s, 1m or -1 (got ${JSON.stringify(refreshInterval)}).`,
    );
  }
  const totalFieldsLimit = positiveInteger('totalFieldsLimit', options.totalFieldsLimit ?? 1000, 100);
  const priority = positiveInteger('priority', options.priority ?? defaultTemplatePriority(index), 0);
  const attributeFields = validateAttributeFields(options.attributeFields ?? []);
  const pipelineId = attributeFields.length > 0 ? attributeKeywordsPipelineId(index) : undefined;
  const ctrMappings = buildCtrMappings({
    jsonSchema: options.jsonSchema ?? (contactTraceRecordJsonSchema() as JsonSchemaNode),
    server,
    dynamic: options.dynamic,
  });
  const mappings: CtrMappings =
    pipelineId === undefined
      ? ctrMappings
      : {
          ...ctrMappings,
          properties: Object.fromEntries(
            Object.entries({
              ...ctrMappings.properties,
              [ATTRIBUTE_KEYWORDS_FIELD]: attributeKeywordsMapping(attributeFields),
            }).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)),
          ),
        };

  const settings: Record<string, unknown> = {
    'index.number_of_shards': shards,
    ...(replicas === 'auto'
      ? { 'index.auto_expand_replicas': '0-1' }
      : { 'index.number_of_replicas': replicas }),
    'index.refresh_interval': refreshInterval,
    'index.mapping.total_fields.limit': totalFieldsLimit,
    // A malformed date or number in an unexpected record is skipped (listed in `_ignored`), not rejected.
    'index.mapping.ignore_malformed': true,
    ...(mappings.dynamic === true && server.supportsIgnoreDynamicBeyondLimit
      ? { 'index.mapping.total_fields.ignore_dynamic_beyond_limit': true }
      : {}),
    ...(pipelineId === undefined ? {} : { 'index.default_pipeline': pipelineId }),
  };
  const meta = { managed_by: 'ctr-stream', package: '@ctr-stream/es-index-setup' };
  const indexPatterns = indexTemplatePatterns(index);
  const covered = indexPatterns.join(', ');
  const settingsName = `ctr-stream-${index}-settings`;
  const mappingsName = `ctr-stream-${index}-mappings`;
  return {
    index,
    indexPattern: indexPatterns.join(','),
    indexPatterns: [...indexPatterns],
    server,
    componentTemplates: [
      {
        name: settingsName,
        body: {
          template: { settings },
          version: TEMPLATE_VERSION,
          _meta: {
            ...meta,
            description: `Index settings for Amazon Connect contact trace records (${covered}).`,
          },
        },
      },
      {
        name: mappingsName,
        body: {
          template: { mappings },
          version: TEMPLATE_VERSION,
          _meta: {
            ...meta,
            description: `Mappings for Amazon Connect contact trace records (${covered}), derived from ctr-schema.`,
          },
        },
      },
    ],
    indexTemplate: {
      name: `ctr-stream-${index}`,
      body: {
        index_patterns: [...indexPatterns],
        composed_of: [settingsName, mappingsName],
        priority,
        version: TEMPLATE_VERSION,
        _meta: {
          ...meta,
          description: `Amazon Connect contact trace records delivered by Firehose to ${index} (any rotation).`,
        },
      },
    },
    ...(pipelineId === undefined
      ? {}
      : { ingestPipeline: { id: pipelineId, body: buildAttributeKeywordsPipeline(index, attributeFields) } }),
  };
}

/**
 * The default priority of the template for `index`: unique among our templates whose patterns overlap.
 * The patterns of `a` (`a`, `a-*`) and of `b` (`b`, `b-*`) overlap only when `a-` is a prefix of `b` or
 * `b-` is a prefix of `a` (e.g. `connect-*` covers `connect-prod` and `connect-prod-*`), so the longer name
 * ranks higher; two different names of the same length never overlap.
 *
 * @example
 * ```ts
 * defaultTemplatePriority('connect'); // 207
 * defaultTemplatePriority('connect-prod'); // 212
 * ```
 */
export function defaultTemplatePriority(index: string): number {
  return 200 + index.length;
}
