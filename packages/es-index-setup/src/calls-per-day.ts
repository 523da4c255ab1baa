import { UnexpectedResponseError } from './errors.js';
import { CTR_FIELDS } from './fields.js';

/**
 * The `precision_threshold` of the "Calls per day" unique count, in this aggregation and in the Kibana table: the
 * highest Elasticsearch and OpenSearch take. Below it they count distinct hashes of the ContactIds (a rare collision
 * aside, exact); above it, estimate. It costs up to 8 bytes per value per bucket: 320 KB per day at most.
 */
export const CALLS_PRECISION_THRESHOLD = 40_000;

/** The aggregation names in the body `callsPerDayAggregation()` returns. */
export const CALLS_PER_DAY_AGGREGATION_NAME = 'calls_per_day';
export const CALLS_AGGREGATION_NAME = 'calls';

export interface CallsPerDayOptions {
  /** The IANA time zone or offset the days are cut in (e.g. `Australia/Sydney`, `+10:00`). Default `UTC`. */
  timeZone?: string | undefined;
  /**
   * The cardinality precision threshold. Default {@link CALLS_PRECISION_THRESHOLD} (40000, the maximum), as the
   * Kibana "Calls per day" table asks: distinct hashes are counted up to it, estimated above. Elasticsearch's own
   * default, which Kibana's "Unique count" keeps unless told, is 3000.
   */
  precisionThreshold?: number | undefined;
}

/**
 * The `aggs` body of the "Calls per day" table. A `type` (not an `interface`) on purpose: an object type
 * alias is assignable to the `Record<string, AggregationsAggregationContainer>` that the
 * `@elastic/elasticsearch` client's `search({ aggs })` takes; an interface has no index signature and is not
 * (TS2769). `tests/types.test-d.ts` type-checks that call.
 */
export type CallsPerDayAggregation = {
  [CALLS_PER_DAY_AGGREGATION_NAME]: {
    date_histogram: {
      field: string;
      calendar_interval: '1d';
      time_zone: string;
      min_doc_count: 1;
      format: 'yyyy-MM-dd';
    };
    aggs: {
      [CALLS_AGGREGATION_NAME]: { cardinality: { field: string; precision_threshold: number } };
    };
  };
};

/**
 * The aggregation behind the "Calls per day" table: a daily `date_histogram` on `LastUpdateTimestamp`
 * with a `cardinality` (unique count) of `ContactId` in each day, so a contact that Connect re-delivered
 * (same ContactId, later LastUpdateTimestamp, same day) counts once. Put it under `aggs` with `size: 0`.
 *
 * @example
 * ```ts
 * import { callsPerDayAggregation, parseCallsPerDay } from '@ctr-stream/es-index-setup';
 * const response = await client.search({ index: 'connect*', size: 0, aggs: callsPerDayAggregation({ timeZone: 'Australia/Sydney' }) });
 * parseCallsPerDay(response); // [{ date: '2018-11-02', calls: 12 }, ...]
 * ```
 */
export function callsPerDayAggregation(options: CallsPerDayOptions = {}): CallsPerDayAggregation {
  const cardinality = {
    field: CTR_FIELDS.contactId,
    precision_threshold: options.precisionThreshold ?? CALLS_PRECISION_THRESHOLD,
  };
  return {
    [CALLS_PER_DAY_AGGREGATION_NAME]: {
      date_histogram: {
        field: CTR_FIELDS.lastUpdateTimestamp,
        calendar_interval: '1d',
        time_zone: options.timeZone ?? 'UTC',
        min_doc_count: 1,
        format: 'yyyy-MM-dd',
      },
      aggs: { [CALLS_AGGREGATION_NAME]: { cardinality } },
    },
  };
}

/** One row of the "Calls per day" table. */
export interface CallsPerDayRow {
  /** The day, `YYYY-MM-DD`, in the aggregation's time zone. */
  date: string;
  /** Unique contacts (distinct ContactId) whose LastUpdateTimestamp falls on that day. */
  calls: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the rows out of a search response (or its `aggregations`) for `callsPerDayAggregation()`.
 * Throws `UnexpectedResponseError` when the buckets are missing or malformed.
 *
 * @example
 * ```ts
 * import { parseCallsPerDay } from '@ctr-stream/es-index-setup';
 * parseCallsPerDay({
 *   aggregations: { calls_per_day: { buckets: [{ key_as_string: '2018-11-02', key: 1541116800000, doc_count: 3, calls: { value: 2 } }] } },
 * }); // [{ date: '2018-11-02', calls: 2 }]
 * ```
 */
export function parseCallsPerDay(response: unknown): CallsPerDayRow[] {
  const record = response as { aggregations?: unknown } | null;
  const aggregations = (
    record !== null && typeof record === 'object' && 'aggregations' in record ? record.aggregations : response
  ) as Record<string, unknown> | null | undefined;
  const histogram = aggregations?.[CALLS_PER_DAY_AGGREGATION_NAME] as { buckets?: unknown } | undefined;
  if (!histogram || !Array.isArray(histogram.buckets)) {
    throw new UnexpectedResponseError(
      `The response has no ${CALLS_PER_DAY_AGGREGATION_NAME}.buckets: search with aggs: callsPerDayAggregation() (and check the index pattern matches an index).`,
    );
  }
  return histogram.buckets.map((bucket: unknown, position: number) => {
    const { key_as_string: date, [CALLS_AGGREGATION_NAME]: calls } = (bucket ?? {}) as Record<
      string,
      unknown
    >;
    const value = (calls as { value?: unknown } | undefined)?.value;
    if (
      typeof date !== 'string' ||
      !DATE.test(date) ||
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 0
    ) {
      throw new UnexpectedResponseError(
        `Bucket ${position} of ${CALLS_PER_DAY_AGGREGATION_NAME} is not { key_as_string: 'YYYY-MM-DD', ${CALLS_AGGREGATION_NAME}: { value: n } } (got ${JSON.stringify(bucket).slice(0, 200)}).`,
      );
    }
    return { date, calls: value };
  });
}
