import type { FirehoseClient } from '@aws-sdk/client-firehose';
import {
  type CallerLookup,
  type CallerLookupResult,
  createCallerLookup,
  maskPhoneNumber,
  normalizePhoneNumber,
} from '@ctr-stream/caller-lookup';
import { type SafeParseContactTraceRecordResult, safeParseContactTraceRecord } from '@ctr-stream/ctr-schema';
import {
  type BatchPreparation,
  createFirehoseTransformHandler,
  createJsonLogger,
  type FirehoseTransformationEvent,
  type FirehoseTransformationResponse,
  type FirehoseTransformLogger,
  type LambdaContextLike,
  type MetricValue,
  neverThrowingLogger,
  ok,
  processingFailed,
} from '@ctr-stream/firehose-transform';
import type { Dispatcher } from 'undici';
import type { LambdaConfig } from './config.js';
import {
  applyEnrichment,
  type CallerLookupEnrichmentStatus,
  customerPhoneNumber,
  enrichmentFor,
  notContactTraceRecordReason,
  schemaIssuePath,
} from './enrichment.js';

/** What the handler factory may be given instead of building it from the configuration. */
export interface LambdaDependencies {
  /** A ready caller-lookup client (its cache is then shared with whoever else uses it). */
  readonly callerLookup?: CallerLookup;
  /** The undici dispatcher for the lookup client it builds (ignored with `callerLookup`). */
  readonly dispatcher?: Dispatcher;
  /** Client for re-ingesting overflow records. Default: made on first need for the event's region (honours AWS_ENDPOINT_URL_FIREHOSE). */
  readonly firehoseClient?: FirehoseClient;
  /** Structured logger. Default: JSON lines on stdout at `config.logLevel`. */
  readonly logger?: FirehoseTransformLogger;
  /** Clock in ms since epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Where the metrics line (Embedded Metric Format) goes. Default: standard output, as CloudWatch Logs reads it. */
  readonly writeMetrics?: (line: string) => void;
}

/** The Lambda handler, plus `close()` for tests and local pipelines. */
export interface CtrTransformHandler {
  (event: unknown, context?: LambdaContextLike): Promise<FirehoseTransformationResponse>;
  /** The caller-lookup client in use (its cache survives warm invocations). */
  readonly callerLookup: CallerLookup;
  /** Closes the lookup client when the factory created it. */
  close(): Promise<void>;
}

/** Per-invocation lookup results and figures (kept by event, so concurrent invocations do not mix). */
interface BatchLookups {
  /** Lookup result by lookup key (the normalised number). */
  readonly byNumber: Map<string, CallerLookupResult>;
  /** Lookup key by phone number as written in the batch's valid records: each distinct spelling is normalised once. */
  readonly keyByAddress: Map<string, string>;
  /** CTR validation of each record, by its index in the event: each record is validated once. */
  readonly validationByIndex: Map<number, SafeParseContactTraceRecordResult>;
  readonly waitedMs: number[];
}

interface InvocationFigures {
  cacheHitsBefore: number;
  cacheMissesBefore: number;
  distinctNumbers: number;
  statuses: Record<CallerLookupEnrichmentStatus, number>;
  errorReasons: Record<string, number>;
  waitedMs: number[];
}

/**
 * Builds the CTR transform handler from a configuration: validates each record as a contact trace
 * record, looks up every distinct customer phone number of the valid records at once (cached,
 * concurrent, deadline-bound; an invalid record's number is never sent), sets `CustomerEndpoint.Name`
 * when found and always `CtrStream.CallerLookup`.
 *
 * @example
 * ```ts
 * import { createHandler, loadConfig } from './index.js';
 * const handler = createHandler(loadConfig({ CALLER_LOOKUP_URL: 'http://127.0.0.1:8080/api/user/' }));
 * const response = await handler(event, { getRemainingTimeInMillis: () => 60_000 });
 * await handler.close();
 * ```
 */
export function createHandler(
  config: LambdaConfig,
  dependencies: LambdaDependencies = {},
): CtrTransformHandler {
  // A logger that throws must fail neither a record nor a lookup.
  const logger = neverThrowingLogger(
    dependencies.logger ??
      createJsonLogger({ level: config.logLevel, base: { service: 'ctr-stream-lambda' } }),
  );
  const ownsLookup = dependencies.callerLookup === undefined;
  const callerLookup =
    dependencies.callerLookup ??
    createCallerLookup({
      baseUrl: config.callerLookupUrl,
      requestTimeoutMs: config.callerLookupTimeoutMs,
      maxConcurrency: config.callerLookupConcurrency,
      foundTtlMs: config.callerLookupCacheTtlSeconds * 1_000,
      notFoundTtlMs: config.callerLookupNotFoundTtlSeconds * 1_000,
      ...(config.callerLookupApiKey === undefined
        ? {}
        : { headers: { [config.callerLookupApiKeyHeader]: config.callerLookupApiKey } }),
      ...(dependencies.dispatcher === undefined ? {} : { dispatcher: dependencies.dispatcher }),
      ...(dependencies.now === undefined ? {} : { clock: { now: dependencies.now } }),
      logger: (entry) => {
        const { level, event, ...fields } = entry; // phone numbers in entries are already masked
        logger[level](`caller lookup ${event}`, fields);
      },
    });
  const figures = new WeakMap<FirehoseTransformationEvent, InvocationFigures>();
  const figuresFor = (event: FirehoseTransformationEvent): InvocationFigures => {
    let entry = figures.get(event);
    if (entry === undefined) {
      const stats = callerLookup.stats();
      entry = {
        cacheHitsBefore: stats.cache.hits,
        cacheMissesBefore: stats.cache.misses,
        distinctNumbers: 0,
        statuses: { found: 0, not_found: 0, invalid_number: 0, error: 0, no_phone_number: 0 },
        errorReasons: {},
        waitedMs: [],
      };
      figures.set(event, entry);
    }
    return entry;
  };
  const now = dependencies.now ?? Date.now;
  // Debug entries are built only where they can be written: an injected logger decides for itself.
  const logsDebug = dependencies.logger !== undefined || config.logLevel === 'debug';

  const transform = createFirehoseTransformHandler<unknown, BatchLookups>({
    logger,
    now,
    safetyMarginMs: config.safetyMarginMs,
    ...(config.deliveryStreamName === undefined ? {} : { deliveryStreamName: config.deliveryStreamName }),
    ...(dependencies.firehoseClient === undefined ? {} : { firehoseClient: dependencies.firehoseClient }),
    ...(config.metricsNamespace === undefined
      ? {}
      : {
          metrics: {
            namespace: config.metricsNamespace,
            dimensions: config.functionName === undefined ? {} : { FunctionName: config.functionName },
            extraMetrics: (_summary, fields) =>
              callerLookupMetrics(fields.callerLookup as CallerLookupSummary),
            ...(dependencies.writeMetrics === undefined ? {} : { write: dependencies.writeMetrics }),
          },
        }),

    prepareBatch: async (records, { deadline, event }) => {
      const invocation = figuresFor(event);
      const keys = new Set<string>();
      const keyByAddress = new Map<string, string>();
      const validationByIndex = new Map<number, SafeParseContactTraceRecordResult>();
      for (const record of records) {
        // Validate first: a record that is not a valid CTR is answered ProcessingFailed, so its number is
        // never sent to the directory (personal data, and a request for nothing).
        const validation = safeParseContactTraceRecord(record.data);
        validationByIndex.set(record.index, validation);
        if (!validation.success) continue;
        const phone = customerPhoneNumber(record.data as Record<string, unknown>);
        if (phone === undefined || keyByAddress.has(phone)) continue;
        const key = lookupKey(phone);
        keyByAddress.set(phone, key);
        keys.add(key);
      }
      invocation.distinctNumbers = keys.size;
      const byNumber = new Map<string, CallerLookupResult>();
      const waitedMs: number[] = [];
      await Promise.all(
        [...keys].map(async (key) => {
          const started = performance.now();
          // The deadline only, not also the batch's abort signal: both fire at the same moment, and a
          // lookup cut by its deadline is reported as 'deadline_exceeded' and counts against the
          // circuit breaker, where an aborted one is 'aborted' and does not (a hanging directory would
          // never open the circuit).
          const result = await callerLookup.lookup(key, { deadline });
          waitedMs.push(performance.now() - started);
          byNumber.set(key, result);
        }),
      );
      invocation.waitedMs = waitedMs;
      return { byNumber, keyByAddress, validationByIndex, waitedMs };
    },

    transformRecord: (record, { preparation, event }) => {
      const invocation = figuresFor(event);
      const parsed = validationOf(preparation, record.index) ?? safeParseContactTraceRecord(record.data);
      if (!parsed.success) {
        const reason =
          notContactTraceRecordReason(record.data) ??
          `invalid contact trace record: ${parsed.error.issues
            .slice(0, 3)
            .map((issue) => `${schemaIssuePath(issue.path)}: ${issue.message}`)
            .join(
              '; ',
            )}${parsed.error.issues.length > 3 ? `; and ${parsed.error.issues.length - 3} more` : ''}`;
        return processingFailed(reason);
      }
      // Enrich the record as received (not zod's output) so unknown fields and key order survive.
      const ctr = record.data as Record<string, unknown>;
      const phone = customerPhoneNumber(ctr);
      if (phone === undefined) {
        invocation.statuses.no_phone_number++;
        applyEnrichment(ctr, { Status: 'no_phone_number' }, undefined);
        return ok(ctr);
      }
      const result = resultFor(preparation, phone);
      const { enrichment, name } = enrichmentFor(result);
      invocation.statuses[enrichment.Status]++;
      if (enrichment.Reason !== undefined) {
        invocation.errorReasons[enrichment.Reason] = (invocation.errorReasons[enrichment.Reason] ?? 0) + 1;
        if (logsDebug) {
          logger.debug('caller lookup error for record', {
            recordId: record.recordId,
            phone: maskPhoneNumber(phone),
            reason: enrichment.Reason,
          });
        }
      }
      applyEnrichment(ctr, enrichment, name);
      return ok(ctr);
    },

    summaryFields: (_preparation, event) => {
      const invocation = figuresFor(event);
      const stats = callerLookup.stats();
      const hits = stats.cache.hits - invocation.cacheHitsBefore;
      const misses = stats.cache.misses - invocation.cacheMissesBefore;
      figures.delete(event);
      const summary: CallerLookupSummary = {
        distinctNumbers: invocation.distinctNumbers,
        ...invocation.statuses,
        errorReasons: invocation.errorReasons,
        cacheHits: hits,
        cacheMisses: misses,
        cacheHitRate: hits + misses === 0 ? null : round(hits / (hits + misses)),
        lookupP95Ms: percentile(invocation.waitedMs, 0.95),
        httpP95Ms: stats.latencyMs.p95 === null ? null : round(stats.latencyMs.p95),
        circuit: stats.circuit.state,
      };
      return { callerLookup: summary };
    },
  });

  const handler = (event: unknown, context?: LambdaContextLike) => transform(event, context);
  return Object.assign(handler, {
    callerLookup,
    close: async () => {
      if (ownsLookup) await callerLookup.close();
    },
  });
}

/** The `callerLookup` member of the summary line. */
interface CallerLookupSummary extends Record<CallerLookupEnrichmentStatus, number> {
  readonly distinctNumbers: number;
  readonly errorReasons: Record<string, number>;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly cacheHitRate: number | null;
  readonly lookupP95Ms: number | null;
  readonly httpP95Ms: number | null;
  readonly circuit: string;
}

/**
 * The lookup metrics of an invocation (CloudWatch, with the built-in record metrics): `CallerLookupErrors`
 * counts records delivered without a name because the lookup failed, the number to alarm on.
 */
function callerLookupMetrics(summary: CallerLookupSummary): Record<string, MetricValue> {
  const count = (value: number): MetricValue => ({ value, unit: 'Count' });
  return {
    CallerLookupFound: count(summary.found),
    CallerLookupNotFound: count(summary.not_found),
    CallerLookupInvalidNumber: count(summary.invalid_number),
    CallerLookupErrors: count(summary.error),
    RecordsWithoutPhoneNumber: count(summary.no_phone_number),
    CallerLookupCacheHits: count(summary.cacheHits),
    CallerLookupCacheMisses: count(summary.cacheMisses),
    ...(summary.lookupP95Ms === null
      ? {}
      : { CallerLookupP95: { value: summary.lookupP95Ms, unit: 'Milliseconds' } }),
  };
}

/** The lookup key of a number: its normalised form, so `+61 401 004 854` and `+61401004854` share one lookup. */
function lookupKey(phone: string): string {
  return normalizePhoneNumber(phone) ?? phone;
}

/**
 * The validation `prepareBatch` made of a record, or `undefined` when it made none: the preparation
 * timed out or failed, and the record is then validated by `transformRecord` itself.
 */
function validationOf(
  preparation: BatchPreparation<BatchLookups>,
  index: number,
): SafeParseContactTraceRecordResult | undefined {
  return preparation.status === 'ready' ? preparation.value.validationByIndex.get(index) : undefined;
}

function resultFor(preparation: BatchPreparation<BatchLookups>, phone: string): CallerLookupResult {
  if (preparation.status === 'ready') {
    const { byNumber, keyByAddress } = preparation.value;
    const key = keyByAddress.get(phone) ?? lookupKey(phone);
    return byNumber.get(key) ?? { status: 'error', reason: 'deadline_exceeded' };
  }
  if (preparation.status === 'timed_out') return { status: 'error', reason: 'deadline_exceeded' };
  return { status: 'error', reason: 'network', detail: 'lookup batch failed' };
}

function percentile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!);
}

function round(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}
