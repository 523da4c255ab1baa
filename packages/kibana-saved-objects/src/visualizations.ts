import { CALLS_PRECISION_THRESHOLD, CTR_FIELDS } from '@ctr-stream/es-index-setup';
import { attributeKeywordField, checkAttributeFields } from './attribute-fields.js';
import { attributeTableId, SAVED_OBJECT_IDS } from './ids.js';
import { type SavedObject, SEARCH_SOURCE_INDEX_REFERENCE, withObjectVersions } from './saved-object.js';
import { type TargetName, targetProfile } from './targets.js';

/** One aggregation of a data table, described independently of the Kibana version. */
export type TableAggregation =
  /** Metric: unique count (cardinality) of a field; `precisionThreshold` goes in the agg's JSON input. */
  | { kind: 'uniqueCount'; field: string; label: string; precisionThreshold?: number }
  /** Split rows: one row per calendar day of a date field. */
  | { kind: 'dailyHistogram'; field: string; label: string }
  /** Split rows: the top `size` values of a field, by the metric. */
  | { kind: 'terms'; field: string; label: string; size: number; missingBucket: boolean };

/** A data table visualization, described independently of the Kibana version. */
export interface DataTableDefinition {
  id: string;
  title: string;
  description: string;
  /** A KQL query that filters the table's documents ('' for all). */
  query: string;
  /** Fields that `query` uses (they must exist to be searched). */
  queryFields: readonly string[];
  /** The metric first, then the split-rows buckets in order. */
  aggregations: readonly TableAggregation[];
}

const CALLS_METRIC: TableAggregation = { kind: 'uniqueCount', field: CTR_FIELDS.contactId, label: 'Calls' };
/**
 * The "Calls" of "Calls per day": contact centers take thousands of calls a day, which Kibana's default unique count
 * (precision 3000) estimates. The highest precision costs up to 320 KB per row, a row per day of the time range.
 * The tables split by terms keep the default: ordered by this metric, they compute it for every value of the field
 * on every shard (every queue, every value of an attribute), which at 320 KB each could trip a small domain's breaker.
 */
const DAILY_CALLS_METRIC: TableAggregation = {
  ...CALLS_METRIC,
  precisionThreshold: CALLS_PRECISION_THRESHOLD,
};
const DAILY_ROWS: TableAggregation = {
  kind: 'dailyHistogram',
  field: CTR_FIELDS.lastUpdateTimestamp,
  label: 'Date',
};

/**
 * The "Calls per <key>" table of a contact attribute key: unique count of `ContactId`, rows split by the top 20
 * values of `AttributeKeywords.<key>` (the keyword `ctr-es-setup --attribute-fields` fills), contacts without the
 * attribute counted as "Missing", like "Calls per queue". Its id is {@link attributeTableId}.
 *
 * @example
 * ```ts
 * attributeTable('menuChoice').title; // 'Calls per menuChoice'
 * ```
 */
export function attributeTable(key: string): DataTableDefinition {
  return {
    id: attributeTableId(key),
    title: `Calls per ${key}`,
    description: `Contacts per value of the contact attribute ${key} (${attributeKeywordField(key)}), busiest first; contacts without it are counted as "Missing".`,
    query: '',
    queryFields: [],
    aggregations: [
      CALLS_METRIC,
      { kind: 'terms', field: attributeKeywordField(key), label: key, size: 20, missingBucket: true },
    ],
  };
}

/**
 * The tables of the Contact center dashboard, in panel order: the six fixed tables, then one "Calls per <key>"
 * table ({@link attributeTable}) per key of `attributeFields`, in the order given. Every metric is a unique count
 * of `ContactId`, so a CTR that Firehose delivers twice (or updates later) counts once, exactly like the
 * `callsPerDayAggregation` of @ctr-stream/es-index-setup; every "per day" split is a daily date histogram of
 * `LastUpdateTimestamp`. Invalid keys throw `InvalidOptionError` (option `attributeFields`).
 *
 * @example
 * ```ts
 * const titles = contactCenterTables(['menuChoice']).map((table) => table.title);
 * // ['Calls per day', ..., 'Caller lookup failures', 'Calls per menuChoice']
 * ```
 */
export function contactCenterTables(attributeFields: readonly string[] = []): DataTableDefinition[] {
  return [...fixedTables(), ...checkAttributeFields(attributeFields).map(attributeTable)];
}

function fixedTables(): DataTableDefinition[] {
  return [
    {
      id: SAVED_OBJECT_IDS.callsPerDay,
      title: 'Calls per day',
      description: 'Contacts per day: unique count of ContactId per day of LastUpdateTimestamp.',
      query: '',
      queryFields: [],
      aggregations: [DAILY_CALLS_METRIC, DAILY_ROWS],
    },
    {
      id: SAVED_OBJECT_IDS.callsPerChannel,
      title: 'Calls per channel',
      description: 'Contacts per channel (VOICE, CHAT, TASK, EMAIL) in the selected time range.',
      query: '',
      queryFields: [],
      aggregations: [
        CALLS_METRIC,
        { kind: 'terms', field: CTR_FIELDS.channel, label: 'Channel', size: 10, missingBucket: false },
      ],
    },
    {
      id: SAVED_OBJECT_IDS.callsPerQueue,
      title: 'Calls per queue',
      description:
        'Contacts per queue, busiest first; contacts that never reached a queue are counted as "Missing".',
      query: '',
      queryFields: [],
      aggregations: [
        CALLS_METRIC,
        { kind: 'terms', field: CTR_FIELDS.queueName, label: 'Queue', size: 20, missingBucket: true },
      ],
    },
    {
      id: SAVED_OBJECT_IDS.abandonedContacts,
      title: 'Abandoned contacts',
      description: 'Contacts that were put in a queue but never connected to an agent, per day and queue.',
      query: `${CTR_FIELDS.queueEnqueueTimestamp}:* and not ${CTR_FIELDS.agentConnectedTimestamp}:*`,
      queryFields: [CTR_FIELDS.queueEnqueueTimestamp, CTR_FIELDS.agentConnectedTimestamp],
      aggregations: [
        { kind: 'uniqueCount', field: CTR_FIELDS.contactId, label: 'Abandoned' },
        DAILY_ROWS,
        { kind: 'terms', field: CTR_FIELDS.queueName, label: 'Queue', size: 10, missingBucket: false },
      ],
    },
    {
      id: SAVED_OBJECT_IDS.unknownCallers,
      title: 'Unknown callers',
      description:
        'Contacts whose phone number is not in the caller directory (caller lookup status not_found), per day.',
      query: `${CTR_FIELDS.callerLookupStatus}:"not_found"`,
      queryFields: [CTR_FIELDS.callerLookupStatus],
      aggregations: [
        { kind: 'uniqueCount', field: CTR_FIELDS.contactId, label: 'Unknown callers' },
        DAILY_ROWS,
      ],
    },
    {
      id: SAVED_OBJECT_IDS.callerLookupFailures,
      title: 'Caller lookup failures',
      description:
        'Contacts whose caller lookup failed (status error: timeout, directory down, ...), per day and reason.',
      query: `${CTR_FIELDS.callerLookupStatus}:"error"`,
      queryFields: [CTR_FIELDS.callerLookupStatus],
      aggregations: [
        { kind: 'uniqueCount', field: CTR_FIELDS.contactId, label: 'Failed lookups' },
        DAILY_ROWS,
        {
          kind: 'terms',
          field: CTR_FIELDS.callerLookupReason,
          label: 'Reason',
          size: 10,
          missingBucket: true,
        },
      ],
    },
  ];
}

function aggregationConfig(
  target: TargetName,
  aggregation: TableAggregation,
  index: number,
): Record<string, unknown> {
  const profile = targetProfile(target);
  const id = String(index + 1);
  switch (aggregation.kind) {
    case 'uniqueCount':
      return {
        id,
        enabled: true,
        type: 'cardinality',
        schema: 'metric',
        params: {
          field: aggregation.field,
          customLabel: aggregation.label,
          // The agg's "JSON input" (Advanced), which Kibana and OpenSearch Dashboards merge into the request.
          ...(aggregation.precisionThreshold === undefined
            ? {}
            : { json: JSON.stringify({ precision_threshold: aggregation.precisionThreshold }) }),
        },
      };
    case 'dailyHistogram':
      return {
        id,
        enabled: true,
        type: 'date_histogram',
        schema: 'bucket',
        params: {
          field: aggregation.field,
          [profile.normalizedIntervalParam]: true,
          scaleMetricValues: false,
          // Not `auto`: Kibana allows `auto` only on the index pattern's time field, and this is LastUpdateTimestamp.
          interval: 'd',
          drop_partials: false,
          min_doc_count: 1,
          extended_bounds: {},
          customLabel: aggregation.label,
        },
      };
    case 'terms':
      return {
        id,
        enabled: true,
        type: 'terms',
        schema: 'bucket',
        params: {
          field: aggregation.field,
          orderBy: '1',
          order: 'desc',
          size: aggregation.size,
          otherBucket: false,
          otherBucketLabel: 'Other',
          missingBucket: aggregation.missingBucket,
          missingBucketLabel: 'Missing',
          customLabel: aggregation.label,
        },
      };
  }
}

/** The `visState` object of a data table for a target. */
export function dataTableVisState(target: TargetName, table: DataTableDefinition): Record<string, unknown> {
  const profile = targetProfile(target);
  const params: Record<string, unknown> = {
    perPage: 10,
    showPartialRows: false,
    showMetricsAtAllLevels: false,
    showTotal: false,
    ...(profile.tableToolbarParams ? { showToolbar: false } : {}),
    totalFunc: 'sum',
    percentageCol: '',
    ...(profile.tableToolbarParams ? { autoFitRowToContent: false } : {}),
  };
  return {
    title: table.title,
    type: 'table',
    params,
    aggs: table.aggregations.map((aggregation, index) => aggregationConfig(target, aggregation, index)),
  };
}

/**
 * Builds the `visualization` saved object of a data table for a target: attributes with `visState` and
 * `searchSourceJSON` as JSON strings, and the index pattern wired through `indexRefName` and the
 * `kibanaSavedObjectMeta.searchSourceJSON.index` reference.
 *
 * @example
 * ```ts
 * const [callsPerDay] = contactCenterTables();
 * const object = buildDataTable('kibana-8.8', callsPerDay!);
 * ```
 */
export function buildDataTable(
  target: TargetName,
  table: DataTableDefinition,
  indexPatternId: string = SAVED_OBJECT_IDS.indexPattern,
): SavedObject {
  return withObjectVersions(targetProfile(target), {
    type: 'visualization',
    id: table.id,
    attributes: {
      title: table.title,
      description: table.description,
      uiStateJSON: '{}',
      version: 1,
      visState: JSON.stringify(dataTableVisState(target, table)),
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({
          query: { query: table.query, language: 'kuery' },
          filter: [],
          indexRefName: SEARCH_SOURCE_INDEX_REFERENCE,
        }),
      },
    },
    references: [{ name: SEARCH_SOURCE_INDEX_REFERENCE, type: 'index-pattern', id: indexPatternId }],
  });
}

/**
 * Builds the tutorial's "Calls per day" data table: unique count of `ContactId` (label "Calls"), rows split by
 * a daily date histogram of `LastUpdateTimestamp` (label "Date").
 *
 * @example
 * ```ts
 * const visualization = buildCallsPerDayTable('kibana-7.10');
 * JSON.parse(visualization.attributes.visState as string).aggs[0].type; // 'cardinality'
 * ```
 */
export function buildCallsPerDayTable(target: TargetName): SavedObject {
  return buildDataTable(target, contactCenterTables()[0]!);
}
