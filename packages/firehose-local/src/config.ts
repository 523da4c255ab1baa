import { z } from 'zod';
import type { ElasticsearchBulkClient } from './bulk-transport.js';
import type { Clock } from './clock.js';
import { type ConfigIssue, FirehoseLocalConfigError } from './errors.js';
import type { FirehoseProcessorHandler } from './lambda-types.js';
import type { FirehoseLocalLogger } from './logger.js';

const MEBIBYTE = 1024 * 1024;
/** The 4 MiB of a full PutRecordBatch call plus a margin. */
const MIN_PENDING_BYTES = 5 * MEBIBYTE;

/** The index rotation periods of the Firehose Elasticsearch destination. */
export const INDEX_ROTATION_PERIODS = ['NoRotation', 'OneHour', 'OneDay', 'OneWeek', 'OneMonth'] as const;
export type IndexRotationPeriod = (typeof INDEX_ROTATION_PERIODS)[number];

/** `S3BackupMode` of the Elasticsearch destination. */
export const BACKUP_MODES = ['FailedDocumentsOnly', 'AllDocuments'] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

/**
 * Where a processor runs: worker-thread execution environments, or firehose-local's own thread.
 *
 * @example
 * ```ts
 * import { PROCESSOR_ISOLATIONS } from '@ctr-stream/firehose-local';
 * PROCESSOR_ISOLATIONS; // ['worker', 'in-process']
 * ```
 */
export const PROCESSOR_ISOLATIONS = ['worker', 'in-process'] as const;
export type ProcessorIsolation = (typeof PROCESSOR_ISOLATIONS)[number];

/** The isolation a processor gets: as configured, else `worker` for a module and `in-process` for a function. */
export function resolveIsolation(processor: {
  isolation?: ProcessorIsolation | undefined;
  handler?: unknown;
}): ProcessorIsolation {
  return processor.isolation ?? (processor.handler === undefined ? 'worker' : 'in-process');
}

const handlerSchema = z.custom<FirehoseProcessorHandler>((value) => typeof value === 'function', {
  message: 'must be a function (event, context) => response',
});

const clientSchema = z.custom<ElasticsearchBulkClient>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as { bulk?: unknown }).bulk === 'function',
  { message: 'must be an @elastic/elasticsearch Client' },
);

/** The Lambda processor of a delivery stream (console: "Transform source records with AWS Lambda"). */
export const ProcessorConfigSchema = z
  .strictObject({
    /** The handler function itself, invoked in-process. Either this or `modulePath`. */
    handler: handlerSchema.optional(),
    /** Path of the handler module (ESM or CJS), absolute or relative to `baseDirectory`. */
    modulePath: z.string().min(1).optional(),
    /** The module's export holding the handler. */
    exportName: z.string().min(1).default('handler'),
    /** The name in the Lambda context and in `lambdaArn`. */
    functionName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, hyphens or underscores')
      .default('firehose-local-processor'),
    /** The Lambda timeout. Firehose waits at most 5 minutes for a transform: a longer timeout is refused. */
    timeoutSeconds: z
      .number()
      .positive()
      .max(300, 'must be at most 300: Firehose waits at most 5 minutes for a transform')
      .default(60),
    /**
     * Lambda's `MemorySize` (128-10,240 MB): the context's `memoryLimitInMB` and `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`.
     * In `worker` environments it also sizes the handler's JavaScript heap as Lambda's Node.js runtime does (a
     * tenth for new objects, the rest for old ones), so a function that runs out of memory on Lambda does here too.
     * `in-process` handlers share firehose-local's heap: there it is reported only.
     */
    memorySizeInMB: z.number().int().min(128).max(10_240).default(128),
    /** Firehose's `NumberOfRetries` for failed invocations. */
    numberOfRetries: z.number().int().min(0).max(300).default(3),
    /** Firehose's `BufferSizeInMBs` for the processor: 0.2-3 MB. */
    bufferSizeInMBs: z.number().min(0.2).max(3).default(1),
    /** Firehose's `BufferIntervalInSeconds` for the processor: 0-900 s. */
    bufferIntervalInSeconds: z.number().min(0).max(900).default(60),
    /** How many invocations may run at once (Firehose invokes one per buffer, in parallel). */
    concurrency: z.number().int().min(1).max(64).default(2),
    /**
     * Where the handler runs. `worker`: in worker-thread execution environments, one per concurrent invocation,
     * like Lambda sandboxes (the default for `modulePath`). `in-process`: on firehose-local's own thread (the
     * only choice, and the default, for a `handler` function).
     */
    isolation: z.enum(PROCESSOR_ISOLATIONS).optional(),
    /**
     * Lambda's environment variables (`worker` only). Each execution environment gets `process.env`, then Lambda's
     * reserved variables (`AWS_REGION`, `AWS_LAMBDA_FUNCTION_NAME`, …), then these, which win.
     */
    environment: z.record(z.string(), z.string()).optional(),
  })
  .refine((processor) => (processor.handler === undefined) !== (processor.modulePath === undefined), {
    message: 'set exactly one of handler or modulePath',
  })
  .refine((processor) => processor.handler === undefined || processor.isolation !== 'worker', {
    message:
      "a handler function cannot run in a worker thread: give its module as modulePath, or use isolation 'in-process'",
    path: ['isolation'],
  })
  .refine((processor) => processor.environment === undefined || resolveIsolation(processor) === 'worker', {
    message:
      "environment needs isolation 'worker' (an in-process handler shares firehose-local's process.env): set the variables in process.env instead",
    path: ['environment'],
  });

/**
 * False when the user name or password of a URL has a malformed percent escape (a `%` not followed by two hexadecimal
 * digits, or escapes that are not UTF-8): it cannot be decoded for the Basic `authorization` header, and the config
 * error must not show it. True for a URL without them, and for a value that is not a URL (the URL check reports that).
 */
function credentialsDecode(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return true;
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
    return true;
  } catch {
    return false;
  }
}

/** The Elasticsearch or OpenSearch destination (console: "Amazon Elasticsearch Service" / OpenSearch Service). */
export const ElasticsearchDestinationConfigSchema = z
  .strictObject({
    /**
     * The node URL, e.g. http://127.0.0.1:9200: Elasticsearch 7.10 to 9.x or OpenSearch 1.x to 3.x, reached over
     * plain HTTP. A `user:password@` in it is sent as Basic auth. Either this or `client`.
     */
    url: z
      .url({ protocol: /^https?$/ })
      .refine(credentialsDecode, {
        message:
          'the user name or password in it has a malformed percent escape (a % not followed by two hexadecimal digits, or escapes that are not UTF-8): write a % in them as %25',
      })
      .optional(),
    /** An @elastic/elasticsearch 8.x or 9.x Client to use instead of `url` (it accepts Elasticsearch 8 and 9 only). */
    client: clientSchema.optional(),
    /** `IndexName`. */
    indexName: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[a-z0-9][a-z0-9._+-]*$/, 'must be a lowercase Elasticsearch index name'),
    /** `TypeName`: only for Elasticsearch 6.x; leave it out for 7.x and later. */
    typeName: z.string().min(1).max(100).optional(),
    /** `IndexRotationPeriod`; the suffix comes from the record's arrival time in UTC. */
    indexRotationPeriod: z.enum(INDEX_ROTATION_PERIODS).default('OneDay'),
    /** `RetryOptions.DurationInSeconds`: total time to retry a failed bulk request, 0-7200 s. */
    retryDurationInSeconds: z.number().min(0).max(7200).default(300),
    /** `BufferingHints` of the destination: 1-100 MB, 0-900 s. */
    bufferingHints: z
      .strictObject({
        sizeInMBs: z.number().min(1).max(100).default(5),
        intervalInSeconds: z.number().min(0).max(900).default(300),
      })
      .prefault({}),
    /** How a buffer is cut into `_bulk` requests. */
    bulk: z
      .strictObject({
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .max(100 * MEBIBYTE)
          .default(5 * MEBIBYTE),
        maxDocuments: z.number().int().min(1).max(100_000).default(5000),
        concurrency: z.number().int().min(1).max(16).default(2),
      })
      .prefault({}),
    /** `DocumentIdOptions.DefaultDocumentIdFormat`. */
    documentIdFormat: z.enum(['FIREHOSE_DEFAULT', 'NO_DOCUMENT_ID']).default('FIREHOSE_DEFAULT'),
  })
  .refine((destination) => (destination.url === undefined) !== (destination.client === undefined), {
    message: 'set exactly one of url or client',
  });

/** The S3 backup, written to a directory with S3's key layout. */
export const BackupConfigSchema = z.strictObject({
  /** The directory standing in for the S3 bucket. */
  directory: z.string().min(1),
  /** `S3BackupMode`. */
  mode: z.enum(BACKUP_MODES).default('FailedDocumentsOnly'),
  /** The S3 `Prefix`, put before every key (e.g. `ctr/`). */
  prefix: z
    .string()
    .regex(/^(?:[A-Za-z0-9!_.*'()-]+\/)*$/, 'must be empty or path segments each ending in /')
    .default(''),
  /** Put a newline after each record in AllDocuments objects (Firehose's AppendDelimiterToRecord). */
  appendNewline: z.boolean().default(true),
});

/** Fault injection for producer tests: what the real service does under load. */
export const FaultsConfigSchema = z.strictObject({
  /** The first N PutRecord/PutRecordBatch calls are answered with ServiceUnavailableException. */
  throttleFirstRequests: z.number().int().min(0).default(0),
  /** In PutRecordBatch, every Nth record (counting across calls) fails with ServiceUnavailableException. */
  failEveryNthRecord: z.number().int().min(1).optional(),
});

/** One delivery stream, mirroring the console choices of the tutorial. */
export const DeliveryStreamConfigSchema = z.strictObject({
  /** `DeliveryStreamName`. */
  name: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -'),
  region: z
    .string()
    .regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1')
    .default('us-east-1'),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be 12 digits')
    .default('000000000000'),
  processor: ProcessorConfigSchema.optional(),
  elasticsearch: ElasticsearchDestinationConfigSchema,
  backup: BackupConfigSchema,
  faults: FaultsConfigSchema.prefault({}),
  /**
   * Accepted but undelivered bytes above which producers get ServiceUnavailableException (backpressure). At
   * least 5 MiB, so a full 4 MiB PutRecordBatch call fits; a call into an empty stream is always admitted.
   */
  maxPendingBytes: z
    .number()
    .int()
    .min(
      MIN_PENDING_BYTES,
      `must be at least ${MIN_PENDING_BYTES} (5 MiB): a PutRecordBatch call may carry 4 MiB of records`,
    )
    .default(256 * MEBIBYTE),
});

/** A delivery stream configuration as you write it (defaults optional). */
export type DeliveryStreamConfig = z.input<typeof DeliveryStreamConfigSchema>;
/** A delivery stream configuration after validation, with every default filled in. */
export type ResolvedDeliveryStreamConfig = z.output<typeof DeliveryStreamConfigSchema>;
export type ProcessorConfig = z.input<typeof ProcessorConfigSchema>;
export type ElasticsearchDestinationConfig = z.input<typeof ElasticsearchDestinationConfigSchema>;
export type BackupConfig = z.input<typeof BackupConfigSchema>;

/**
 * The JSON file the `ctr-firehose-local` bin reads with `--config`. Every object is strict: a key the schema does
 * not declare (a typo such as `procesor`) is an error, never silently ignored.
 */
export const FirehoseLocalConfigFileSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  streams: z.array(DeliveryStreamConfigSchema).min(1, 'configure at least one delivery stream'),
});
export type FirehoseLocalConfigFile = z.input<typeof FirehoseLocalConfigFileSchema>;

/** Options of `startFirehoseLocal`. */
export interface FirehoseLocalOptions {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port to bind; 0 (the default) picks a free one. */
  port?: number;
  streams: DeliveryStreamConfig[];
  /** Directory that relative `processor.modulePath` and `backup.directory` resolve against. Default: cwd. */
  baseDirectory?: string;
  logger?: FirehoseLocalLogger;
  clock?: Clock;
}

/** `startFirehoseLocal`'s options: the config file's keys plus the ones only code can pass. */
const FirehoseLocalOptionsSchema = FirehoseLocalConfigFileSchema.extend({
  baseDirectory: z.string().min(1).optional(),
  logger: z
    .custom<FirehoseLocalLogger>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        (['debug', 'info', 'warn', 'error'] as const).every(
          (level) => typeof (value as Record<string, unknown>)[level] === 'function',
        ),
      { message: 'must be an object with debug, info, warn and error functions' },
    )
    .optional(),
  clock: z
    .custom<Clock>(
      (value) =>
        typeof value === 'object' && value !== null && typeof (value as { now?: unknown }).now === 'function',
      { message: 'must be an object with a now() function' },
    )
    .optional(),
});

/** Unwraps optional, default, prefault, nullable and pipe schemas down to the schema that holds the value. */
function innermost(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNullable
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else return current;
  }
}

/** The keys the object schema at `path` (as zod reports issue paths) declares; empty if there is none. */
function declaredKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = innermost(schema);
  for (const segment of path) {
    if (current instanceof z.ZodArray) current = innermost(current.element as z.ZodType);
    else if (current instanceof z.ZodObject && typeof segment === 'string' && segment in current.shape)
      current = innermost(current.shape[segment] as z.ZodType);
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** Optimal string alignment distance (Levenshtein plus swapping two neighbours), case-insensitive. */
function editDistance(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/** The declared key an unknown key is most likely a typo of, if one is close enough. */
function closestKey(unknownKey: string, declaredKeys: readonly string[]): string | undefined {
  const allowed = unknownKey.length <= 4 ? 1 : unknownKey.length <= 8 ? 2 : 3;
  let best: { key: string; distance: number } | undefined;
  for (const key of declaredKeys) {
    const distance = editDistance(unknownKey, key);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

function unknownKeyMessage(unknownKey: string, declaredKeys: readonly string[]): string {
  const suggestion = closestKey(unknownKey, declaredKeys);
  if (suggestion !== undefined) return `unknown key (did you mean ${suggestion}?)`;
  return declaredKeys.length === 0
    ? 'unknown key (remove it)'
    : `unknown key (remove it, or use one of ${declaredKeys.join(', ')})`;
}

const pathText = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** One `ConfigIssue` per problem; an unknown key gets its own path and, when close to a known key, a suggestion. */
function toIssues(schema: z.ZodType, error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return [{ path: pathText(issue.path), message: issue.message }];
    const declaredKeys = declaredKeysAt(schema, issue.path);
    return issue.keys.map((key) => ({
      path: pathText([...issue.path, key]),
      message: unknownKeyMessage(key, declaredKeys),
    }));
  });
}

function parseOrThrow<
  Schema extends typeof FirehoseLocalConfigFileSchema | typeof FirehoseLocalOptionsSchema,
>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new FirehoseLocalConfigError(toIssues(schema, parsed.error), { cause: parsed.error });
  const names = new Set<string>();
  for (const [index, stream] of parsed.data.streams.entries()) {
    if (names.has(stream.name)) {
      throw new FirehoseLocalConfigError([
        { path: `streams.${index}.name`, message: `duplicate delivery stream name "${stream.name}"` },
      ]);
    }
    names.add(stream.name);
  }
  return parsed.data as z.output<Schema>;
}

/**
 * Validates a `ctr-firehose-local` configuration (the JSON of `--config`, or `{ streams }`) and fills in
 * Firehose's defaults. Throws `FirehoseLocalConfigError` listing every problem, unknown keys included (with a
 * suggestion when one is close to a known key).
 *
 * @example
 * ```ts
 * import { parseFirehoseLocalConfig } from '@ctr-stream/firehose-local';
 * const config = parseFirehoseLocalConfig({
 *   streams: [{ name: 'ctr', elasticsearch: { url: 'http://127.0.0.1:9200', indexName: 'connect' }, backup: { directory: './backup' } }],
 * });
 * config.streams[0]?.elasticsearch.retryDurationInSeconds; // 300
 * ```
 */
export function parseFirehoseLocalConfig(input: unknown): z.output<typeof FirehoseLocalConfigFileSchema> {
  return parseOrThrow(FirehoseLocalConfigFileSchema, input);
}

/** Validates `startFirehoseLocal`'s options as `parseFirehoseLocalConfig` validates a config file. */
export function parseFirehoseLocalOptions(
  input: FirehoseLocalOptions,
): z.output<typeof FirehoseLocalOptionsSchema> {
  return parseOrThrow(FirehoseLocalOptionsSchema, input);
}
