import type { GroundTruth } from '@ctr-stream/ctr-simulator';
import type { SearchEngineServer } from '@ctr-stream/es-index-setup';
import type { DeliveryStreamMetrics } from '@ctr-stream/firehose-local';

/** One row of the "Calls per day" table. */
export interface CallsPerDayRow {
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  /** Unique count of ContactId among the records whose LastUpdateTimestamp falls on that day. */
  calls: number;
}

/** What a local run produced, counted from the systems themselves (not from what was meant to happen). */
export interface LocalPipelineReport {
  /** What the simulator generated, counted while generating it. */
  groundTruth: GroundTruth;
  /** The simulated caller directory (phone -> name) the directory server answered from. */
  callerDirectory: ReadonlyMap<string, string>;
  /** The local delivery stream's counters (CloudWatch names). */
  metrics: DeliveryStreamMetrics;
  callsPerDay: CallsPerDayRow[];
  /** The simulator's ground truth for the same days. */
  expectedCallsPerDay: Map<string, number>;
  totals: {
    /** Records accepted by the local Firehose endpoint. */
    sent: number;
    /** Records the simulator could not send (after retries). */
    sendFailed: number;
    /** Documents in Elasticsearch for this run. */
    delivered: number;
    /** Documents whose CustomerEndpoint.Name was set by the Lambda. */
    enrichedWithName: number;
    /** Documents whose caller the directory did not know. */
    unknownCallers: number;
    /** Documents whose lookup failed (timeout, directory error): delivered without a name. */
    lookupFailed: number;
    /** Records under processing-failed/ and elasticsearch-failed/. */
    failed: number;
    /** Records in the backup directory (AllDocuments). */
    backedUp: number;
  };
  /** The search node the records went to, as the index template installer detected it. */
  searchEngine: Pick<SearchEngineServer, 'distribution' | 'version'>;
  paths: {
    elasticsearchUrl: string;
    index: string;
    backupDirectory: string;
    callerDirectoryFile: string;
    kibanaNdjson: string;
  };
  /** The Kibana index pattern's title: `connect*`, or `<index>*` for an index that does not match it. */
  kibanaIndexPattern: string;
  /** True when the objects were installed into KIBANA_URL. */
  kibanaInstalled: boolean;
  /** Why installing into KIBANA_URL failed (the run's results still stand; the exit code is 1). */
  kibanaError?: string;
  /** The live phase (`live` option), included in `totals`, `groundTruth` and the calls per day. */
  live?: {
    /** Its start, a CTR timestamp. */
    from: string;
    endedBy: 'until' | 'stopped' | 'aborted' | 'records-exhausted' | 'refused';
    sent: number;
    /** Not accepted by Firehose, or never sent. */
    failed: number;
    durationMs: number;
  };
  durationMs: number;
}

/** What has arrived during a live run: sent by the simulator, and searchable in the index. */
export interface LiveStatus {
  /** ISO timestamp of the reading. */
  at: string;
  /** Live records accepted by the local Firehose so far. */
  sent: number;
  failed: number;
  /** Documents in the index, history included, as a search sees them now. */
  documents: number;
  /** Unique ContactIds of today (UTC) in the index: the "Calls per day" bar that grows. */
  callsToday: number;
}
