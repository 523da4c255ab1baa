import {
  CREDENTIALS_HELP,
  parseEndpointOption,
  parseRateOption,
  parseStreamOption,
  resolveRegionOption,
} from './cli-arguments.js';
import { parseCommandLine } from './cli-command.js';
import { CliUsageError } from './errors.js';
import { isS3Url } from './s3-backup.js';

/** What `ctr-replay` was asked to do. */
export interface ReplaySettings {
  readonly help: boolean;
  readonly version: boolean;
  /** Backup objects (files), directories holding them, and `s3://bucket/prefix` URLs. */
  readonly paths: readonly string[];
  /** An S3-compatible endpoint for the `s3://` URLs (path-style); undefined for AWS. */
  readonly s3Endpoint: string | undefined;
  readonly deliveryStreamName: string;
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly rateLimitPerSecond: number | undefined;
  /** Also replay backed-up documents (AllDocuments objects, NDJSON). */
  readonly documents: boolean;
  /** Only failed records with one of these error codes; undefined for every record. */
  readonly errorCodes: readonly string[] | undefined;
  readonly dryRun: boolean;
  /** Send the records of the objects that read even when others could not be read at all. */
  readonly skipUnreadable: boolean;
  /** Where the records that could not be sent are written, as failed records. */
  readonly failedOutPath: string | undefined;
  readonly json: boolean;
  readonly progress: boolean;
}

export const REPLAY_USAGE = `Usage: ctr-replay <s3://bucket/prefix | backup object | directory>... [options]

Sends the records of Firehose backup objects into a delivery stream again, with PutRecordBatch:
  - failed records (processing-failed/, elasticsearch-failed/, AmazonOpenSearchService-failed/,
    http-endpoint-failed/): each one's rawData, decoded;
  - with --documents, backed-up documents too (an AllDocuments backup, or NDJSON): each JSON value.
Read the objects from the backup bucket, e.g.
  ctr-replay s3://<bucket>/processing-failed/2026/11/27/ --dry-run
(every object under the prefix, in key order), from a copy of it, or from firehose-local's backup
directory. Directories are read recursively. Objects are read whatever the stream's compression
(none, GZIP, ZIP, Snappy, Hadoop-Snappy; up to 1 GiB decompressed each). They are never changed.

Options:
  --stream NAME         delivery stream name (default CTRFHStream)
  --endpoint URL        Firehose-compatible endpoint, e.g. http://127.0.0.1:4573 (default: AWS)
  --s3-endpoint URL     S3-compatible endpoint for s3:// URLs, path-style (default: AWS S3; a bucket
                        in another region than --region is followed)
  --region REGION       AWS region (default $AWS_REGION, $AWS_DEFAULT_REGION or ap-southeast-2)
  --rate N              records per second, at most (default: as fast as Firehose accepts)
  --error-code CODE     replay only failed records with exactly this errorCode, e.g.
                        Lambda.FunctionError (repeat it for several codes)
  --documents           also send backed-up documents (they include records that were delivered)
  --dry-run             read and count what would be sent; send nothing
  --skip-unreadable     send even when some objects cannot be read at all (by default nothing is sent
                        then, so that a second run of the same paths sends no record twice)
  --failed-out FILE     write the records that could not be sent (failed or unsent) to FILE as failed
                        records, to replay later with: ctr-replay FILE
  --json                print a machine-readable summary (JSON) on stdout
  --no-progress         no progress bar (it is shown on a terminal only, on stderr)
  -h, --help            show this help
  --version             show the version

${CREDENTIALS_HELP}
Exit code: 0 every record read was sent (with --dry-run: read), 1 some record could not be read or
was not sent, 2 bad usage, an unreadable or empty path, or --error-code choosing no record,
130 interrupted.`;

const OPTIONS = {
  stream: { type: 'string' },
  endpoint: { type: 'string' },
  's3-endpoint': { type: 'string' },
  region: { type: 'string' },
  rate: { type: 'string' },
  'error-code': { type: 'string', multiple: true },
  documents: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'skip-unreadable': { type: 'boolean' },
  'failed-out': { type: 'string' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Parses `ctr-replay`'s command line; throws `CliUsageError` with an actionable message. */
export function parseReplayArguments(
  argv: readonly string[],
  environment: Readonly<Record<string, string | undefined>>,
): ReplaySettings {
  const parsed = parseCommandLine(argv, OPTIONS, 'ctr-replay');
  const { values, positionals } = parsed;
  const help = values.help === true;
  const version = values.version === true;
  if (positionals.length === 0 && !help && !version) {
    throw new CliUsageError(
      'name the backup objects, directories or s3:// URLs to replay, e.g. ctr-replay s3://my-ctr-backup/processing-failed/ or ctr-replay ./backup/processing-failed. Run ctr-replay --help.',
    );
  }
  const errorCodes = values['error-code'];
  for (const code of errorCodes ?? []) {
    if (code.trim() === '') throw new CliUsageError('--error-code must not be empty');
  }
  if (values.documents === true && errorCodes !== undefined) {
    throw new CliUsageError(
      '--error-code selects failed records, and documents have no error code: use one or the other',
    );
  }
  if (values['dry-run'] === true && values['failed-out'] !== undefined) {
    throw new CliUsageError('--dry-run sends nothing, so --failed-out would have nothing to write');
  }
  if (values['failed-out'] !== undefined && isS3Url(values['failed-out'])) {
    throw new CliUsageError(
      '--failed-out writes a local file (S3 is read, never written): name a path such as ./not-sent.ndjson',
    );
  }
  return {
    help,
    version,
    paths: positionals,
    deliveryStreamName: parseStreamOption(values.stream),
    endpoint: parseEndpointOption(values.endpoint),
    s3Endpoint: parseEndpointOption(values['s3-endpoint'], '--s3-endpoint'),
    region: resolveRegionOption(values.region, environment),
    rateLimitPerSecond: parseRateOption(values.rate),
    documents: values.documents === true,
    errorCodes,
    dryRun: values['dry-run'] === true,
    skipUnreadable: values['skip-unreadable'] === true,
    failedOutPath: values['failed-out'],
    json: values.json === true,
    progress: values['no-progress'] !== true,
  };
}
