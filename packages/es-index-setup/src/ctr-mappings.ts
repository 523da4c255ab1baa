import { InvalidOptionError } from './errors.js';
import {
  type JsonSchemaNode,
  type MappingProperty,
  mappingPropertiesFromJsonSchema,
  type SchemaKind,
} from './json-schema-mappings.js';
import type { SearchEngineServer } from './search-engine-server.js';

/** The date format of every CTR timestamp: Connect's `2022-01-05T17:12:59Z`, fractional seconds, offsets, or epoch millis. */
export const CTR_DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

/** Keywords longer than this are kept in `_source` but not indexed (Lucene rejects terms over 32,766 bytes). */
export const KEYWORD_IGNORE_ABOVE = 1024;

/**
 * Open maps whose keys are customer- or service-defined: one `flattened` field each, whatever keys
 * arrive, so they can never explode the mapping.
 */
export const OPEN_MAP_FIELDS = [
  'Attributes',
  'ContactDetails',
  'SegmentAttributes',
  'Tags',
  'ContactEvaluations',
  // A recursive boolean expression (And/Or of conditions, any depth): one field instead of hundreds.
  'RoutingCriteria.Steps.Expression',
] as const;

const OPEN_MAP_PATHS = new Set<string>(OPEN_MAP_FIELDS);

/** Leaf names that hold display names: searchable as `text`, aggregatable through `.keyword`. */
const NAME_LEAVES = new Set(['Name', 'GroupName']);
/** Integers that can exceed 2^31 (milliseconds since the epoch or long durations in milliseconds). */
const LONG_INTEGER_NAME = /Millis|Epoch/i;

/** How new fields that the template does not know are handled. */
export type DynamicMapping = 'false' | 'true' | 'runtime';

export interface CtrMappingsOptions {
  /**
   * The CTR JSON Schema to derive the mapping from. Default: `contactTraceRecordJsonSchema()` of
   * `@ctr-stream/ctr-schema` (the caller passes it; see `buildCtrMappings` in the index template).
   */
  jsonSchema: JsonSchemaNode;
  server: SearchEngineServer;
  /** Default `'false'`: unknown fields stay in `_source`, unindexed; nothing is ever rejected or exploded. */
  dynamic?: DynamicMapping | undefined;
}

/** The mapping of one `text` field with the `.keyword` sub-field Kibana aggregates on (the dynamic-mapping shape). */
export function nameFieldMapping(): MappingProperty {
  return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
}

function keywordMapping(): MappingProperty {
  return { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE };
}

/** An open map: `flattened` / `flat_object`, or on servers without either, stored and not indexed. */
export function openMapMapping(server: SearchEngineServer): MappingProperty {
  if (server.flattenedType === 'flattened') return { type: 'flattened', ignore_above: KEYWORD_IGNORE_ABOVE };
  if (server.flattenedType === 'flat_object') return { type: 'flat_object' };
  return { type: 'object', enabled: false };
}

function leafMapping(
  path: readonly string[],
  kind: Exclude<SchemaKind, { kind: 'object' }>,
  server: SearchEngineServer,
): MappingProperty {
  const leaf = path[path.length - 1] ?? '';
  switch (kind.kind) {
    case 'date':
      return { type: 'date', format: CTR_DATE_FORMAT };
    case 'string':
      return NAME_LEAVES.has(leaf) ? nameFieldMapping() : keywordMapping();
    case 'integer': {
      const fitsInteger =
        kind.maximum !== undefined &&
        kind.maximum <= 2_147_483_647 &&
        (kind.minimum === undefined || kind.minimum >= -2_147_483_648);
      // Seconds and counts fit in 32 bits; zod's `.int()` only says "safe integer", so decide by name.
      return { type: fitsInteger || !LONG_INTEGER_NAME.test(leaf) ? 'integer' : 'long' };
    }
    case 'number':
      return { type: 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'map':
      return openMapMapping(server);
    case 'unknown':
      // Any JSON (scalar, array or object) is accepted and kept in _source, never rejected.
      return { type: 'object', enabled: false };
  }
}

/** The fields `apps/lambda` adds to every CTR, whatever the schema declares. */
function enrichmentProperties(): Record<string, MappingProperty> {
  return {
    CtrStream: {
      properties: {
        CallerLookup: {
          properties: {
            Status: keywordMapping(),
            Reason: keywordMapping(),
          },
        },
      },
    },
  };
}

function mergeProperties(
  base: Record<string, MappingProperty>,
  extra: Record<string, MappingProperty>,
): Record<string, MappingProperty> {
  const merged: Record<string, MappingProperty> = { ...base };
  for (const [name, property] of Object.entries(extra)) {
    const existing = merged[name];
    merged[name] =
      existing?.properties && property.properties
        ? { ...existing, properties: mergeProperties(existing.properties, property.properties) }
        : property;
  }
  return merged;
}

function sortProperties(properties: Record<string, MappingProperty>): Record<string, MappingProperty> {
  return Object.fromEntries(
    Object.keys(properties)
      .sort()
      .map((name) => {
        const property = properties[name] as MappingProperty;
        return [
          name,
          property.properties ? { ...property, properties: sortProperties(property.properties) } : property,
        ];
      }),
  );
}

/** The root of the `mappings` object the index template installs. */
export interface CtrMappings {
  dynamic: boolean | 'runtime';
  date_detection: false;
  numeric_detection: false;
  _meta: { managed_by: 'ctr-stream'; source: string };
  properties: Record<string, MappingProperty>;
}

/**
 * Derives the CTR mapping from the CTR JSON Schema: timestamps `date` (Connect's format), IDs, ARNs and
 * enum values `keyword`, display names `text` + `.keyword`, durations and counts `integer`, open
 * maps (`Attributes`...) `flattened` (`flat_object` on OpenSearch), values of unknown shape stored
 * unindexed, plus the Lambda's enrichment fields (`CustomerEndpoint.Name`, `CtrStream.CallerLookup.*`).
 *
 * @example
 * ```ts
 * import { contactTraceRecordJsonSchema } from '@ctr-stream/ctr-schema';
 * import { buildCtrMappings, describeSearchEngineServer } from '@ctr-stream/es-index-setup';
 * const mappings = buildCtrMappings({
 *   jsonSchema: contactTraceRecordJsonSchema(),
 *   server: describeSearchEngineServer('9.1.0'),
 * });
 * mappings.properties.ContactId; // { type: 'keyword', ignore_above: 1024 }
 * ```
 */
export function buildCtrMappings(options: CtrMappingsOptions): CtrMappings {
  const { server } = options;
  const dynamic = options.dynamic ?? 'false';
  if (dynamic !== 'false' && dynamic !== 'true' && dynamic !== 'runtime') {
    throw new InvalidOptionError(
      'dynamic',
      `dynamic must be false, true or runtime (got ${JSON.stringify(dynamic)}).`,
    );
  }
  if (
    dynamic === 'runtime' &&
    (server.distribution !== 'elasticsearch' || (server.major === 7 && server.minor < 11))
  ) {
    throw new InvalidOptionError(
      'dynamic',
      `dynamic: runtime needs Elasticsearch 7.11 or later (the server is ${server.distribution} ${server.version}).`,
    );
  }
  const derived = mappingPropertiesFromJsonSchema(options.jsonSchema, {
    leaf: (path, kind) => leafMapping(path, kind, server),
    override: (path) => (OPEN_MAP_PATHS.has(path.join('.')) ? openMapMapping(server) : undefined),
  });
  for (const name of OPEN_MAP_FIELDS) if (!name.includes('.')) derived[name] = openMapMapping(server);
  const withEnrichment = mergeProperties(
    mergeProperties(derived, enrichmentProperties()),
    derived.CustomerEndpoint?.properties
      ? { CustomerEndpoint: { properties: { Name: nameFieldMapping() } } }
      : {},
  );
  if (!withEnrichment.CustomerEndpoint?.properties) {
    withEnrichment.CustomerEndpoint = {
      properties: { Name: nameFieldMapping(), Address: keywordMapping(), Type: keywordMapping() },
    };
  }
  return {
    dynamic: dynamic === 'runtime' ? 'runtime' : dynamic === 'true',
    date_detection: false,
    numeric_detection: false,
    _meta: { managed_by: 'ctr-stream', source: '@ctr-stream/ctr-schema contactTraceRecordJsonSchema()' },
    properties: sortProperties(withEnrichment),
  };
}

/** Every leaf field of a mapping with its type, by dotted path (sub-fields such as `Queue.Name.keyword` included). */
export function listMappedFields(
  properties: Record<string, MappingProperty>,
  prefix = '',
): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [name, property] of Object.entries(properties)) {
    const path = prefix + name;
    if (property.properties) {
      for (const [child, type] of listMappedFields(property.properties, `${path}.`)) fields.set(child, type);
      if (property.type && property.type !== 'object') fields.set(path, property.type);
      continue;
    }
    fields.set(path, property.type ?? 'object');
    if (property.fields) {
      for (const [subName, sub] of Object.entries(property.fields))
        fields.set(`${path}.${subName}`, sub.type ?? 'object');
    }
  }
  return fields;
}
