import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import {
  type Clock,
  type GroundTruth,
  GroundTruthCounter,
  type LiveSendSummary,
  type SendProgress,
  sendLiveTraffic,
  sendToFirehose,
  type simulateContactTraffic,
  simulateContactTrafficAsync,
  simulateLiveTraffic,
  writeCallerDirectory,
} from '@ctr-stream/ctr-simulator';
import {
  CALLS_PRECISION_THRESHOLD,
  CTR_FIELDS,
  callsPerDayAggregation,
  createHttpConnection,
  DEFAULT_INDEX,
  type ElasticsearchConnection,
  installIndexTemplate,
  parseCallsPerDay,
  redactUrl,
} from '@ctr-stream/es-index-setup';
import { type DeliveryStreamMetrics, startFirehoseLocal } from '@ctr-stream/firehose-local';
import { buildSavedObjects, installSavedObjects, toNdjson } from '@ctr-stream/kibana-saved-objects';
import { Client } from '@elastic/elasticsearch';
import { type DirectoryFaults, startDirectoryProcess } from './directory-process.js';
import type { LiveStatus, LocalPipelineReport } from './types.js';

/** The delivery stream name of the tutorial. */
/** The URL without credentials (and without query or fragment), for messages. */
export { redactUrl };

export const DELIVERY_STREAM_NAME = 'CTRFHStream';
/**
 * The `precision_threshold` of the "Calls per day" `cardinality` (es-index-setup's, as the Kibana table asks): its
 * highest. Up to it, Elasticsearch counts the distinct hashes of the values; above it, it estimates (HyperLogLog++).
 */
export const EXACT_UNIQUE_COUNT_LIMIT = CALLS_PRECISION_THRESHOLD;

/** The chance, per day of the table, that the check calls a correct count wrong. */
const FALSE_MISMATCH_CHANCE = 1e-3;

/**
 * How far Elasticsearch's unique count of `count` distinct values may be from `count` without anything being wrong.
 * Up to the threshold it keeps about 25-bit hashes of the values, so two values collide now and then: their number
 * is Poisson-distributed with mean count²/2²⁶ (0.13 at 3,000 a day, 0.46 at 5,545, 24 at 40,000), and its linear
 * counting adds back about that mean. The tolerance is the smallest number of collisions exceeded with a chance below
 * 1 in 1,000: 0 below 260 contacts a day, 1 below 1,746, 2 below 3,576, 4 at 5,545, 40 at 40,000. Above the threshold
 * the estimate's standard error is 0.2% (precision 18): 1% is allowed.
 */
export function uniqueCountTolerance(count: number): number {
  if (count > EXACT_UNIQUE_COUNT_LIMIT)
    return Math.max(uniqueCountTolerance(EXACT_UNIQUE_COUNT_LIMIT), Math.ceil(count * 0.01));
  const mean = count ** 2 / 2 ** 26;
  let collisions = 0;
  let probability = Math.exp(-mean);
  let atMost = probability;
  while (1 - atMost >= FALSE_MISMATCH_CHANCE) {
    collisions++;
    probability *= mean / collisions;
    atMost += probability;
  }
  return collisions;
}

/** The Lambda's memory, as apps/infra deploys it (`lambdaMemoryMb`): it sizes the handler's heap, as on AWS. */
export const LAMBDA_MEMORY_MB = 512;

/** Options of {@link runLocalPipeline}. */
export interface LocalPipelineOptions {
  /**
   * The Elasticsearch or OpenSearch node (started by the caller: `npm run es:start`, or ELASTICSEARCH_URL). A user
   * and password in it are sent as Basic auth. Elasticsearch 7.10 to 9.x and OpenSearch 1.x to 3.x: every call
   * is plain HTTP.
   */
  elasticsearchUrl: string;
  /** Where the caller directory, the backup directory and the Kibana NDJSON are written. Emptied first. */
  workDirectory: string;
  /** Index the delivery stream writes to. Default `connect`. */
  index?: string;
  days?: number;
  contactsPerDay?: number;
  seed?: number;
  /** First simulated day, `YYYY-MM-DD`. Default: `days` days before today (UTC), so the data is recent. */
  startDate?: string;
  /** The contact center's clock vs UTC in minutes (its business hours; 600 for Sydney). Default 0. */
  utcOffsetMinutes?: number;
  /** Directory latency in ms (a real directory is not instant). Default 20. */
  directoryLatencyMs?: number;
  /** Faults injected into the directory (tests). */
  directoryFaults?: DirectoryFaults;
  /** Raw records sent after the simulated ones, e.g. malformed input (tests). */
  extraRecords?: readonly string[];
  /**
   * Called once the index exists and before anything is sent (tests prepare faults here). `client` is an
   * `@elastic/elasticsearch` 8.x `Client` for the node, which only Elasticsearch 8 and 9 accept; `connection`
   * makes plain HTTP calls that every server accepts (OpenSearch included).
   */
  prepareIndex?: (client: Client, index: string, connection: ElasticsearchConnection) => Promise<void>;
  /** The node URL the delivery stream writes to, when not `elasticsearchUrl` (a fault proxy). */
  deliveryElasticsearchUrl?: string;
  /**
   * Delete the index first, so the report counts only this run. Default false: an existing index with
   * documents is an error instead (it would not be ours to delete on someone's cluster).
   */
  resetIndex?: boolean;
  /** Install the Kibana objects there too (the NDJSON file is always written). */
  kibanaUrl?: string;
  /** Processor buffer size in MB (Firehose's `BufferSizeInMBs`, 0.2-3). Default 1. */
  bufferSizeInMBs?: number;
  /** Processor buffer interval in seconds (end-to-end latency). Default 1. */
  bufferIntervalInSeconds?: number;
  /** Destination buffer interval in seconds. Default 1. */
  destinationBufferIntervalInSeconds?: number;
  /** The Lambda's LOG_LEVEL. Default `warn` (its per-invocation summaries are info). */
  lambdaLogLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
  /** Send progress (the CLI draws a bar). */
  onSendProgress?: (progress: SendProgress) => void;
  /**
   * After the simulated days, keep the pipeline running on live traffic (ctr-simulator's `simulateLiveTraffic`:
   * each record sent when its contact ends, from now on) until `durationMs` has passed or `stop` fires; then
   * deliver everything and report on both. Same seed and contacts per day, so the same caller directory.
   */
  live?: LiveOptions;
}

/** The live phase of {@link runLocalPipeline}. */
export interface LiveOptions {
  /** How long to run live. Default: until `stop` fires. */
  durationMs?: number;
  /** Ends the live phase once the records in flight are sent (Ctrl-C). */
  stop?: AbortSignal;
  /** Called when the live phase begins, after the simulated days are sent (before it, `stop` has no effect). */
  onStart?: () => void;
  /** Called when the live phase has ended (duration reached or stopped): from then on `stop` has no effect. */
  onEnd?: () => void;
  /** What has arrived so far, every `statusIntervalMs` (the CLI prints it). */
  onStatus?: (status: LiveStatus) => void;
  /** Default 10,000. */
  statusIntervalMs?: number;
  /** The wall clock of the live traffic (tests jump over its waits). Default the system's. */
  clock?: Clock;
}

const require = createRequire(import.meta.url);

/** The built Lambda bundle, `apps/lambda/dist/index.mjs`. */
export function lambdaBundlePath(): string {
  return join(dirname(require.resolve('@ctr-stream/lambda/package.json')), 'dist', 'index.mjs');
}

/**
 * The first simulated day: the `days` days before today (UTC), or live, the `days` local days up to and including
 * the contact center's today, so that the simulated days end where the live traffic starts (now) with no gap.
 */
function defaultStartDate(days: number, live: { now: number; utcOffsetMinutes: number } | undefined): string {
  if (live === undefined) return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const localToday = Date.parse(
    new Date(live.now + live.utcOffsetMinutes * 60_000).toISOString().slice(0, 10),
  );
  return new Date(localToday - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

async function countFiles(directory: string, prefix: string): Promise<number> {
  let count = 0;
  async function walk(path: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else count += (await readFile(full, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
    }
  }
  await walk(join(directory, prefix));
  return count;
}

/**
 * Runs the whole pipeline once on this machine and reports what reached Elasticsearch:
 * installs the index template, starts the caller directory with the simulator's callers, starts a local
 * Firehose delivery stream whose processor is apps/lambda's built handler, sends the simulated week,
 * waits until every record is settled, and reads back "Calls per day" with the aggregation the Kibana
 * visualization uses.
 *
 * @example
 * ```ts
 * const report = await runLocalPipeline({ elasticsearchUrl: 'http://127.0.0.1:9200', workDirectory: '.local' });
 * console.log(report.callsPerDay);
 * ```
 */
export async function runLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipelineReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const index = options.index ?? DEFAULT_INDEX;
  const days = options.days ?? 7;
  const workDirectory = resolve(options.workDirectory);
  const backupDirectory = join(workDirectory, 'backup');
  const callerDirectoryFile = join(workDirectory, 'caller-directory.csv');
  const kibanaNdjson = join(workDirectory, 'kibana-saved-objects.ndjson');

  // Plain HTTP, not the 8.x client: OpenSearch (what apps/infra deploys by default) and Elasticsearch 7.10 refuse it.
  const connection = createHttpConnection({ node: options.elasticsearchUrl });
  const indexPath = `/${encodeURIComponent(index)}`;
  // Only for prepareIndex, whose signature hands over a client: created when asked for, closed at the end.
  let elasticsearch: Client | undefined;
  try {
    // Live, records should be searchable seconds after their contact ends, not at the template's 30 s refresh.
    const templateOptions = {
      connection,
      index,
      ...(options.live === undefined ? {} : { refreshInterval: '1s' }),
    };
    if (options.resetIndex === true) {
      await connection.request('DELETE', `${indexPath}?ignore_unavailable=true`);
    } else {
      // Someone's cluster: the index and what its template covers, <index>-*: its rotations (a stream with index
      // rotation writes <index>-2026-11-29...), and any index named so (connect-x), whose mapping it also sets.
      const { statusCode, body } = await connection.request(
        'POST',
        `${indexPath},${indexPath.slice(1)}-*/_count?allow_no_indices=true&ignore_unavailable=true`,
      );
      const count = (body as { count?: unknown } | undefined)?.count;
      if (statusCode !== 200 || typeof count !== 'number') {
        throw new LocalPipelineError(
          `POST /${index},${index}-*/_count on ${connection.displayUrl} answered ${statusCode} without a count: is it an Elasticsearch or OpenSearch node?`,
        );
      }
      if (count > 0) {
        throw new LocalPipelineError(
          `Index ${index} (with the indices its template covers, ${index}-*: its rotations, or another --index such as ${index}-x) already holds ${count} documents on ${redactUrl(options.elasticsearchUrl)}: choose another index (--index) or replace it (--reset-index)`,
        );
      }
      // Nor are its templates changed: an operator's replicas, ingest pipeline or refresh interval would be lost.
      const plan = await installIndexTemplate({ ...templateOptions, dryRun: true });
      const changes = plan.actions.filter((action) => action.status === 'would_update');
      if (changes.length > 0) {
        throw new LocalPipelineError(
          `The index setup of ${index} on ${redactUrl(options.elasticsearchUrl)} differs from what npm start installs (${changes.map((action) => `${action.target.replace('_', ' ')} ${action.name}`).join(', ')}): choose another index (--index), or let npm start replace it (--reset-index)`,
        );
      }
    }
    // Only now, when the cluster has accepted the run: a refused run leaves the last run's files where they were.
    await rm(workDirectory, { recursive: true, force: true });
    await mkdir(backupDirectory, { recursive: true });
    const installed = await installIndexTemplate(templateOptions);
    log(`Index template for ${index}: ${installed.changed ? 'installed' : 'already up to date'}.`);
    if (options.prepareIndex !== undefined) {
      elasticsearch = new Client({ node: options.elasticsearchUrl });
      await options.prepareIndex(elasticsearch, index, connection);
    }

    // Live, the history ends where the live traffic starts: a contact that has not ended yet (the last local day
    // of a contact center west of UTC ends after midnight UTC) is not history, and the live traffic has its own.
    const liveFrom = options.live === undefined ? undefined : (options.live.clock?.now() ?? Date.now());
    const utcOffsetMinutes = options.utcOffsetMinutes ?? 0;
    // Asynchronously: a large period takes seconds to generate, and a Ctrl-C meanwhile is served at once.
    const simulation = await simulateContactTrafficAsync({
      startDate:
        options.startDate ??
        defaultStartDate(days, liveFrom === undefined ? undefined : { now: liveFrom, utcOffsetMinutes }),
      days,
      contactsPerDay: options.contactsPerDay ?? 200,
      seed: options.seed ?? 1,
      utcOffsetMinutes,
    });
    await writeCallerDirectory(callerDirectoryFile, simulation.callerDirectory, 'csv');
    log(
      `Simulated ${simulation.groundTruth.totals.records} records (${simulation.groundTruth.totals.distinctContacts} contacts) over ${days} ${days === 1 ? 'day' : 'days'}; caller directory of ${simulation.callerDirectory.size} numbers.`,
    );
    const historyRecords =
      liveFrom === undefined
        ? simulation.records
        : simulation.records.filter((record) => Date.parse(record.record.LastUpdateTimestamp) < liveFrom);
    if (historyRecords.length < simulation.records.length)
      log(
        `Left out ${simulation.records.length - historyRecords.length} records dated after now: the live traffic starts then.`,
      );

    const directory = await startDirectoryProcess({
      file: callerDirectoryFile,
      latencyMs: options.directoryLatencyMs ?? 20,
      ...(options.directoryFaults ? { faults: options.directoryFaults } : {}),
      // Live, the first Ctrl-C of a terminal ends the run gently: the directory must outlive it.
      ownProcessGroup: options.live !== undefined,
    });
    let firehose: Awaited<ReturnType<typeof startFirehoseLocal>> | undefined;
    try {
      // apps/lambda's built bundle runs as on AWS: imported in worker-thread execution environments with its
      // configuration as environment variables (checked by its own cold start), plus Lambda's reserved ones.
      // It re-ingests an oversized response's overflow with the AWS SDK into AWS_ENDPOINT_URL_FIREHOSE, which
      // firehose-local points at itself. Each run starts fresh environments: a cold start with its own cache.
      firehose = await startFirehoseLocal({
        streams: [
          {
            name: DELIVERY_STREAM_NAME,
            region: 'ap-southeast-2',
            processor: {
              modulePath: lambdaBundlePath(),
              exportName: 'handler',
              functionName: 'AddName',
              environment: {
                CALLER_LOOKUP_URL: directory.baseUrl,
                LOG_LEVEL: options.lambdaLogLevel ?? 'warn',
                // CloudWatch's metrics lines (Embedded Metric Format) have no reader here: the report counts.
                METRICS: 'off',
                // npm start never talks to AWS, whatever the shell says: no profile (the SDK would prefer it
                // to these keys), no session, and placeholder keys that only firehose-local accepts.
                AWS_PROFILE: '',
                AWS_SESSION_TOKEN: '',
                AWS_ACCESS_KEY_ID: 'local',
                AWS_SECRET_ACCESS_KEY: 'local',
              },
              timeoutSeconds: 60,
              memorySizeInMB: LAMBDA_MEMORY_MB,
              bufferSizeInMBs: options.bufferSizeInMBs ?? 1,
              bufferIntervalInSeconds: options.bufferIntervalInSeconds ?? 1,
            },
            elasticsearch: {
              url: options.deliveryElasticsearchUrl ?? options.elasticsearchUrl,
              indexName: index,
              indexRotationPeriod: 'NoRotation',
              retryDurationInSeconds: 60,
              bufferingHints: {
                sizeInMBs: 5,
                intervalInSeconds: options.destinationBufferIntervalInSeconds ?? 1,
              },
            },
            backup: { directory: backupDirectory, mode: 'AllDocuments' },
          },
        ],
      });
      log(`Local Firehose endpoint ${firehose.url}, delivery stream ${DELIVERY_STREAM_NAME}.`);

      const client = new FirehoseClient({
        endpoint: firehose.url,
        region: 'ap-southeast-2',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      let sent: { sent: number; failed: number };
      let live: (LiveSendSummary & { from: string }) | undefined;
      let groundTruth = simulation.groundTruth;
      try {
        const history = await sendToFirehose({
          client,
          deliveryStreamName: DELIVERY_STREAM_NAME,
          records: [...historyRecords, ...(options.extraRecords ?? []).map((data) => ({ data }))],
          ...(options.onSendProgress ? { onProgress: options.onSendProgress } : {}),
        });
        log(
          `Sent ${history.sent} records in ${history.requests} PutRecordBatch request${history.requests === 1 ? '' : 's'} (${history.failed} failed, ${history.retried} retried).`,
        );
        sent = history;
        if (options.live !== undefined) {
          const liveRun = await runLive({
            live: options.live,
            client,
            connection,
            index,
            history: { ...simulation, records: historyRecords },
            from: liveFrom!,
            log,
          });
          live = liveRun.summary;
          groundTruth = liveRun.groundTruth;
          sent = { sent: history.sent + live.sent, failed: history.failed + live.failed + live.unsent };
        }
      } finally {
        client.destroy();
      }
      await firehose.close();
      const metrics = firehose.metrics(DELIVERY_STREAM_NAME) as DeliveryStreamMetrics;
      firehose = undefined;

      await connection.request('POST', `${indexPath}/_refresh`);
      const counts = await countDocuments(connection, index);
      const aggregation = await connection.request('POST', `${indexPath}/_search`, {
        size: 0,
        aggs: callsPerDayAggregation(),
      });
      const callsPerDay = parseCallsPerDay(aggregation.body);

      // Kibana 8.8+ and 9.x format; `ctr-kibana-setup --target ... --out` writes the other targets' files. The
      // index pattern is connect*, or <index>* for an index it would not match, so the dashboards see the data.
      const indexPattern = index.startsWith('connect') ? undefined : `${index}*`;
      const ndjson = toNdjson(
        buildSavedObjects('kibana-8.8', indexPattern === undefined ? {} : { indexPattern }),
      );
      await writeFile(kibanaNdjson, ndjson);
      let kibanaInstalled = false;
      let kibanaError: string | undefined;
      if (options.kibanaUrl) {
        // A Kibana that cannot take the objects is reported with the results, not instead of them.
        try {
          await installSavedObjects({
            kibanaUrl: options.kibanaUrl,
            ...kibanaCredentials(),
            ...(indexPattern === undefined ? {} : { indexPattern }),
            elasticsearch: elasticsearchConnection(options.elasticsearchUrl),
          });
          kibanaInstalled = true;
        } catch (error) {
          kibanaError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
      }

      const failed =
        (await countFiles(backupDirectory, 'processing-failed')) +
        (await countFiles(backupDirectory, 'elasticsearch-failed'));
      return {
        groundTruth,
        callerDirectory: simulation.callerDirectory,
        metrics,
        callsPerDay,
        expectedCallsPerDay: new Map(groundTruth.days.map((day) => [day.date, day.distinctContacts])),
        totals: {
          sent: sent.sent,
          sendFailed: sent.failed,
          delivered: counts.total,
          enrichedWithName: counts.enriched,
          unknownCallers: counts.unknown,
          lookupFailed: counts.lookupFailed,
          failed,
          backedUp: metrics.local.backedUpRecords,
        },
        searchEngine: { distribution: installed.server.distribution, version: installed.server.version },
        paths: {
          elasticsearchUrl: options.elasticsearchUrl,
          index,
          backupDirectory,
          callerDirectoryFile,
          kibanaNdjson,
        },
        kibanaIndexPattern: indexPattern ?? 'connect*',
        kibanaInstalled,
        ...(kibanaError === undefined ? {} : { kibanaError }),
        ...(live === undefined
          ? {}
          : {
              live: {
                from: live.from,
                endedBy: live.endedBy,
                sent: live.sent,
                failed: live.failed + live.unsent,
                durationMs: live.durationMs,
              },
            }),
        durationMs: Date.now() - started,
      };
    } finally {
      // Every resource is released even when an earlier release fails: no process is left running.
      await settleAll([() => firehose?.close(), () => directory.close()]);
    }
  } finally {
    await elasticsearch?.close();
  }
}

/** A wait for the next live record longer than this is announced. */
const QUIET_MS = 5 * 60_000;

/**
 * The live phase: traffic from now on, sent as it happens into the running stream, with a status line now and
 * then read from the index itself. The ground truth is the history's and the live records', counted together.
 */
async function runLive(context: {
  live: LiveOptions;
  client: FirehoseClient;
  connection: ElasticsearchConnection;
  index: string;
  /** The simulated days as sent: records dated before `from`. */
  history: ReturnType<typeof simulateContactTraffic>;
  /** Where the history ends and the live traffic starts (epoch milliseconds). */
  from: number;
  log: (line: string) => void;
}): Promise<{ summary: LiveSendSummary & { from: string }; groundTruth: GroundTruth }> {
  const { live: options, connection, index, history, log } = context;
  const now = context.from;
  // The history's model: the same caller directory, the same business hours.
  const { contactsPerDay, seed, utcOffsetMinutes } = history.options;
  const traffic = simulateLiveTraffic({ from: now, contactsPerDay, seed, utcOffsetMinutes });
  const groundTruth = new GroundTruthCounter(history.callerDirectory);
  for (const record of history.records) groundTruth.add(record);
  options.onStart?.();
  // The duration counts from here: the directory, the stream and the history took their time since `from`.
  const liveStart = options.clock?.now() ?? Date.now();
  const until = options.durationMs === undefined ? undefined : liveStart + options.durationMs;
  log(
    `Live traffic from ${traffic.options.from}: each record sent when its contact ends, ${
      until === undefined
        ? 'until Ctrl-C'
        : `until ${new Date(until).toISOString().slice(0, 19)}Z (or Ctrl-C)`
    }.`,
  );
  let sent = 0;
  let failed = 0;
  let announced: string | undefined;
  let reading = false;
  // A reading still in flight at the end must not print after the live phase's summary.
  let ended = false;
  const status = setInterval(() => {
    if (reading || options.onStatus === undefined) return;
    reading = true;
    const at = new Date(options.clock?.now() ?? Date.now()).toISOString();
    readLiveStatus(connection, index, at.slice(0, 10))
      .then((read) => {
        if (!ended) options.onStatus?.({ at, sent, failed, ...read });
      })
      .catch((error: unknown) => {
        if (!ended)
          log(
            `Could not read the index for the status line: ${error instanceof Error ? error.message : String(error)}`,
          );
      })
      .finally(() => {
        reading = false;
      });
  }, options.statusIntervalMs ?? 10_000);
  status.unref();
  try {
    const summary = await sendLiveTraffic({
      client: context.client,
      deliveryStreamName: DELIVERY_STREAM_NAME,
      records: traffic.records,
      ...(until === undefined ? {} : { until }),
      ...(options.stop === undefined ? {} : { stop: options.stop }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      onDue: (records) => {
        for (const record of records) groundTruth.add(record);
      },
      onProgress: ({ summary: counts, nextRecordAt }) => {
        sent = counts.sent;
        failed = counts.failed;
        // A quiet night would look like a hang.
        if (nextRecordAt === undefined || nextRecordAt === announced) return;
        const at = Date.parse(nextRecordAt);
        if (at - (options.clock?.now() ?? Date.now()) < QUIET_MS || (until !== undefined && at >= until))
          return;
        announced = nextRecordAt;
        log(`The contact center is quiet: the next contact ends at ${nextRecordAt}.`);
      },
    });
    log(
      `Live: sent ${summary.sent} records (${summary.failed} failed) in ${(summary.durationMs / 1000).toFixed(1)} s; ${
        summary.endedBy === 'until' ? 'duration reached' : 'stopped'
      }.`,
    );
    return { summary: { ...summary, from: traffic.options.from }, groundTruth: groundTruth.result() };
  } finally {
    ended = true;
    clearInterval(status);
    // Also when the live send failed: from here a signal must quit at once, not wait for a report.
    options.onEnd?.();
  }
}

/** Documents in the index (searchable now) and the unique calls of `day` in it, for a live status line. */
async function readLiveStatus(
  connection: ElasticsearchConnection,
  index: string,
  day: string,
): Promise<Pick<LiveStatus, 'documents' | 'callsToday'>> {
  const documents = await countDocumentsMatching(connection, index);
  const aggregation = await connection.request('POST', `/${encodeURIComponent(index)}/_search`, {
    size: 0,
    aggs: callsPerDayAggregation(),
  });
  const today = parseCallsPerDay(aggregation.body).find((row) => row.date === day);
  return { documents, callsToday: today?.calls ?? 0 };
}

/** Runs every release step; rethrows the first failure once all have run. */
async function settleAll(steps: readonly (() => unknown)[]): Promise<void> {
  const results = await Promise.allSettled(steps.map(async (step) => step()));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

/** A local run that cannot go ahead, with what to do about it. */
export class LocalPipelineError extends Error {
  override readonly name = 'LocalPipelineError';
}

/**
 * The field check's Elasticsearch connection: a user and password in the URL (`http://elastic:pw@host:9200`, as
 * ELASTICSEARCH_URL may carry them) become its username and password options, and the URL goes without them.
 */
function elasticsearchConnection(url: string): {
  elasticsearchUrl: string;
  elasticsearchUsername?: string;
  elasticsearchPassword?: string;
} {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { elasticsearchUrl: url };
  const elasticsearchUsername = decodeURIComponent(parsed.username);
  const elasticsearchPassword = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { elasticsearchUrl: parsed.toString(), elasticsearchUsername, elasticsearchPassword };
}

/** Kibana credentials from the environment, never from the URL. */
function kibanaCredentials(): { apiKey?: string; username?: string; password?: string } {
  if (process.env.KIBANA_API_KEY) return { apiKey: process.env.KIBANA_API_KEY };
  if (process.env.KIBANA_USERNAME && process.env.KIBANA_PASSWORD)
    return { username: process.env.KIBANA_USERNAME, password: process.env.KIBANA_PASSWORD };
  return {};
}

/** The number of documents in `index` (matching `query`, when given), by `_count`. */
async function countDocumentsMatching(
  connection: ElasticsearchConnection,
  index: string,
  query?: object,
): Promise<number> {
  const { statusCode, body } = await connection.request(
    'POST',
    `/${encodeURIComponent(index)}/_count`,
    query === undefined ? undefined : { query },
  );
  const count = (body as { count?: unknown } | undefined)?.count;
  if (statusCode !== 200 || typeof count !== 'number') {
    throw new LocalPipelineError(
      `POST /${index}/_count on ${connection.displayUrl} answered ${statusCode} without a count (got ${JSON.stringify(body)?.slice(0, 200)}): is it an Elasticsearch or OpenSearch node?`,
    );
  }
  return count;
}

async function countDocuments(connection: ElasticsearchConnection, index: string) {
  const count = (query?: object) => countDocumentsMatching(connection, index, query);
  return {
    total: await count(),
    enriched: await count({ exists: { field: 'CustomerEndpoint.Name' } }),
    unknown: await count({ term: { [CTR_FIELDS.callerLookupStatus]: 'not_found' } }),
    lookupFailed: await count({ term: { [CTR_FIELDS.callerLookupStatus]: 'error' } }),
  };
}
