import { constants } from 'node:buffer';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompressBackupObject } from './backup-compression.js';
import { BackupReadError } from './errors.js';
import { type BackupObject, isS3Url, type S3BackupOptions, S3BackupSource } from './s3-backup.js';

/** What a record found in a backup object is. */
export type BackupRecordKind =
  /** A `processing-failed/` or `…-failed/` entry: its `rawData`, decoded, is the record. */
  | 'failed-record'
  /** A backed-up document (AllDocuments backup, NDJSON): the JSON value itself is the record. */
  | 'document';

/** One record read from a Firehose backup object, ready to be sent again. */
export interface BackupRecord {
  /** The bytes to send: a failed record's decoded `rawData`, or a document's bytes as they are in the object. */
  readonly data: Buffer;
  readonly kind: BackupRecordKind;
  /** The object it was read from: a file path, or `s3://bucket/key`. */
  readonly file: string;
  /** Its position in that object: 1 for the first JSON value. */
  readonly position: number;
  /** A failed record's `errorCode` (e.g. `Lambda.FunctionError`), when it has one. */
  readonly errorCode?: string;
  /** A failed record's first arrival in the stream (epoch ms), when it has one. */
  readonly arrivalTimestamp?: number;
  /** The UTC day (YYYY-MM-DD) of `arrivalTimestamp`. */
  readonly day?: string;
}

/** Something in a backup object that could not be read as a record. It never quotes the content. */
export interface BackupProblem {
  readonly file: string;
  /** The JSON value's position in the object (1-based), or 0 for the whole file. */
  readonly position: number;
  readonly reason: string;
}

/** What {@link readFirehoseBackup} found. */
export interface FirehoseBackupContents {
  /** The records to send, in file order (files sorted by path) and in object order within a file. */
  readonly records: readonly BackupRecord[];
  /** Objects (files) read. A file reached by several of the given paths is read once. */
  readonly files: number;
  /** Failed records left out by the `errorCodes` filter. */
  readonly skipped: number;
  /** Those failed records by `errorCode` (`(none)` when absent): what the filter could have chosen instead. */
  readonly skippedByErrorCode: Readonly<Record<string, number>>;
  /** Documents left out because `documents` was not set (with `errorCodes`, every document is left out). */
  readonly skippedDocuments: number;
  /** Records kept, by kind. */
  readonly failedRecords: number;
  readonly documents: number;
  /** Failed records kept, by `errorCode` (`(none)` when absent). */
  readonly byErrorCode: Readonly<Record<string, number>>;
  /** What could not be read: each is one value (or one whole object) that is not in `records`. */
  readonly problems: readonly BackupProblem[];
}

/** Options of {@link readFirehoseBackup}. */
export interface ReadFirehoseBackupOptions {
  /** Keep only failed records with one of these `errorCode`s. */
  readonly errorCodes?: readonly string[];
  /**
   * Also keep backed-up documents (AllDocuments objects, NDJSON). Default false: an AllDocuments backup holds
   * the records that were delivered too, so replaying it is a deliberate choice, never a side effect of
   * pointing at a whole bucket.
   */
  readonly documents?: boolean;
  /** How `s3://` URLs are read: a client of your own, or the region, endpoint and credentials of one made here. */
  readonly s3?: S3BackupOptions;
  /**
   * The most bytes one compressed object may decompress to (default 1 GiB, at most 4 GiB): an object that would
   * decompress to more is a problem (`cannot read the object: it decompresses to more than 1 GiB ...`), not an
   * out-of-memory crash. Uncompressed objects are read as they are.
   */
  readonly maxDecompressedBytes?: number;
}

/** The largest epoch milliseconds a Date can hold. */
const MAX_DATE_MS = 8.64e15;
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads the records of Firehose S3 backup objects: from the bucket itself (`s3://bucket/prefix`, listed in key
 * order with `@aws-sdk/client-s3`), from a copy of it (`aws s3 cp --recursive`) or from
 * `@ctr-stream/firehose-local`'s backup directory. Directories are walked recursively in path order (hidden files,
 * such as firehose-local's `.partial` objects in the making, are left out); an object reached through several
 * paths, URLs or links is read once.
 *
 * Objects are read whatever the delivery stream's `CompressionFormat`, recognised by their bytes (the key does not
 * say): UNCOMPRESSED; GZIP; ZIP (every file entry, in central directory order, stored or deflated, ZIP64 too, each
 * CRC-32 checked); Snappy (the framing format, each chunk's CRC-32C checked); HADOOP_SNAPPY (Hadoop's block format,
 * which has no magic number: recognised only when the whole object is such blocks, every length agreeing to the
 * byte, else read as it is). An object that would decompress to more than `maxDecompressedBytes` (1 GiB by default) is refused.
 *
 * Each object holds JSON values one after another (one per line, or concatenated as Firehose writes AllDocuments
 * backups without a delimiter):
 * - an object with a string `rawData` and an `errorCode` or `attemptsMade` is a failed record
 *   (`processing-failed/`, `elasticsearch-failed/`, `AmazonOpenSearchService-failed/`, `http-endpoint-failed/`)
 *   and yields its decoded `rawData`;
 * - any other JSON value is a backed-up document, kept only with `documents: true`, and yields its bytes.
 *
 * A value that is not valid JSON, or whose `rawData` is not base64, becomes a problem (file, position, reason;
 * never the content), and reading goes on with the next line. An object that cannot be read at all (no access,
 * a compressed object that is corrupt, cut off, encrypted, of a ZIP method other than stored and deflate, or too
 * large) becomes one problem at position 0 and yields no record, and reading goes on with the next object. Throws
 * `BackupReadError` when a given path cannot be read at all or holds no backup object (an empty directory), or an
 * `s3://` bucket cannot be listed or has no object under the prefix; `RangeError` for a `maxDecompressedBytes`
 * that is not a whole number from 1 to 4 GiB.
 *
 * @example
 * ```ts
 * import { readFirehoseBackup } from '@ctr-stream/ctr-simulator';
 * const backup = await readFirehoseBackup(['./backup/processing-failed'], { errorCodes: ['Lambda.FunctionError'] });
 * console.log(backup.records.length, backup.problems);
 * const fromS3 = await readFirehoseBackup(['s3://my-ctr-backup/processing-failed/2026/11/27/'], {
 *   s3: { region: 'ap-southeast-2' },
 * });
 * ```
 */
export async function readFirehoseBackup(
  paths: readonly string[],
  options: ReadFirehoseBackupOptions = {},
): Promise<FirehoseBackupContents> {
  const { maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES } = options;
  if (
    !Number.isSafeInteger(maxDecompressedBytes) ||
    maxDecompressedBytes < 1 ||
    maxDecompressedBytes > constants.MAX_LENGTH
  ) {
    const got =
      typeof maxDecompressedBytes === 'number'
        ? String(maxDecompressedBytes)
        : `the ${typeof maxDecompressedBytes} ${JSON.stringify(maxDecompressedBytes)}`;
    throw new RangeError(
      `readFirehoseBackup: maxDecompressedBytes must be a whole number of bytes from 1 to ${constants.MAX_LENGTH} (got ${got})`,
    );
  }
  const objects: BackupObject[] = [];
  const seen = new Set<string>();
  const directoryFiles = new Map<string, number>();
  const s3 = paths.some(isS3Url) ? new S3BackupSource(options.s3) : undefined;
  try {
    for (const path of paths) {
      if (s3 !== undefined && isS3Url(path)) {
        for (const object of await s3.list(path)) {
          if (seen.has(object.name)) continue;
          seen.add(object.name);
          objects.push(object);
        }
      } else {
        await listLocalPath(path, seen, objects, directoryFiles);
      }
    }
    return await readObjects(objects, options, maxDecompressedBytes);
  } finally {
    await s3?.close();
  }
}

async function readObjects(
  objects: readonly BackupObject[],
  options: ReadFirehoseBackupOptions,
  maxDecompressedBytes: number,
): Promise<FirehoseBackupContents> {
  const wanted = options.errorCodes === undefined ? undefined : new Set(options.errorCodes);
  const records: BackupRecord[] = [];
  const problems: BackupProblem[] = [];
  const byErrorCode: Record<string, number> = {};
  const skippedByErrorCode: Record<string, number> = {};
  let skipped = 0;
  let skippedDocuments = 0;
  let failedRecords = 0;
  for (const { name: file, read } of objects) {
    let parts: readonly Buffer[];
    try {
      ({ parts } = await decompressBackupObject(await read(), maxDecompressedBytes));
    } catch (error) {
      // All or nothing: a compressed object that cannot be read whole gives no record, so that replaying it
      // again once it reads sends none of its records twice.
      problems.push({ file, position: 0, reason: `cannot read the object: ${describe(error)}` });
      continue;
    }
    for (const found of readParts(parts, file)) {
      if ('reason' in found) {
        problems.push(found);
      } else if (found.kind === 'document' && (options.documents !== true || wanted !== undefined)) {
        skippedDocuments++;
      } else if (wanted !== undefined && (found.errorCode === undefined || !wanted.has(found.errorCode))) {
        skipped++;
        const code = found.errorCode ?? '(none)';
        skippedByErrorCode[code] = (skippedByErrorCode[code] ?? 0) + 1;
      } else {
        records.push(found);
        if (found.kind === 'failed-record') {
          failedRecords++;
          const code = found.errorCode ?? '(none)';
          byErrorCode[code] = (byErrorCode[code] ?? 0) + 1;
        }
      }
    }
  }
  return {
    records,
    files: objects.length,
    skipped,
    skippedByErrorCode,
    skippedDocuments,
    failedRecords,
    documents: records.length - failedRecords,
    byErrorCode,
    problems,
  };
}

/**
 * Appends the files under a path given to `readFirehoseBackup`; throws `BackupReadError` when it holds none (an empty
 * directory, or only hidden files), as for an `s3://` prefix with no objects: a mistyped path must not look like a
 * replay with nothing left to do. A path also reached through another one is read once, and judged the same.
 */
async function listLocalPath(
  path: string,
  seen: Set<string>,
  objects: BackupObject[],
  directoryFiles: Map<string, number>,
): Promise<void> {
  if ((await listFiles(path, seen, objects, directoryFiles)) === 0) {
    throw new BackupReadError(
      path,
      new Error('no backup objects under it'),
      'Check the path and the date (Firehose writes <prefix>YYYY/MM/DD/HH/ in UTC, by arrival time); hidden files (names starting with a dot) are left out.',
    );
  }
}

/**
 * Appends the files under `path` (itself when a file), each real file once, in path order. Returns the number of
 * files found there, those listed before through another path included (`directoryFiles` remembers the count of each
 * directory walked).
 */
async function listFiles(
  path: string,
  seen: Set<string>,
  objects: BackupObject[],
  directoryFiles: Map<string, number>,
): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  let real: string;
  try {
    info = await stat(path);
    real = await realpath(path);
  } catch (error) {
    throw new BackupReadError(path, error);
  }
  // The same object, or a directory reached again (a directory link loop counts 0 until it is walked).
  if (seen.has(real)) return info.isFile() ? 1 : (directoryFiles.get(real) ?? 0);
  seen.add(real);
  if (info.isFile()) {
    objects.push({ name: path, read: () => readFile(path) });
    return 1;
  }
  if (!info.isDirectory()) throw new BackupReadError(path, new Error('not a file or a directory'));
  let entries: string[];
  try {
    entries = (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    throw new BackupReadError(path, error);
  }
  let found = 0;
  for (const name of entries) found += await listFiles(join(path, name), seen, objects, directoryFiles);
  directoryFiles.set(real, found);
  return found;
}

/** A JSON value's place in an object: `[start, end)` byte offsets and its 1-based position. */
export interface JsonValueSpan {
  readonly start: number;
  readonly end: number;
  readonly position: number;
  /** False when the value is cut off: by the end of the object, a line break inside a string, or a bracket that does not match. */
  readonly complete: boolean;
}

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf] as const;

const isWhitespace = (byte: number) =>
  byte === SPACE || byte === LINE_FEED || byte === CARRIAGE_RETURN || byte === TAB;
const endsScalar = (byte: number) =>
  isWhitespace(byte) ||
  byte === QUOTE ||
  byte === OPEN_BRACE ||
  byte === OPEN_BRACKET ||
  byte === CLOSE_BRACE ||
  byte === CLOSE_BRACKET;

/**
 * The next JSON value of a UTF-8 body from `from`: its `[start, end)` and whether it is complete, or undefined
 * at the end. Objects and arrays end at their matching bracket (brackets in strings do not count), strings at
 * their closing quote, other scalars at whitespace, a quote or a bracket. A string cannot hold a raw line
 * break in JSON, so one ends the value there, incomplete: a broken record never swallows the lines after it.
 */
function nextJsonValue(
  body: Uint8Array,
  from: number,
): { start: number; end: number; complete: boolean } | undefined {
  const length = body.length;
  let index = from;
  // A byte order mark can start a value anywhere: the GZIP members of one object are read as one text, and each
  // may have begun with one. No JSON value starts with it.
  for (;;) {
    while (index < length && isWhitespace(body[index]!)) index++;
    if (
      body[index] !== BYTE_ORDER_MARK[0] ||
      body[index + 1] !== BYTE_ORDER_MARK[1] ||
      body[index + 2] !== BYTE_ORDER_MARK[2]
    )
      break;
    index += BYTE_ORDER_MARK.length;
  }
  if (index >= length) return undefined;
  const start = index;
  const first = body[index]!;
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    index++;
    if (first === QUOTE) {
      while (index < length) {
        const byte = body[index++]!;
        if (byte === BACKSLASH) index++;
        else if (byte === QUOTE) return { start, end: index, complete: true };
        else if (byte === LINE_FEED) return { start, end: index - 1, complete: false };
      }
      return { start, end: length, complete: false };
    }
    while (index < length && !endsScalar(body[index]!)) index++;
    return { start, end: index, complete: true };
  }
  const closers: number[] = [];
  let inString = false;
  while (index < length) {
    const byte = body[index++]!;
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
      else if (byte === LINE_FEED) return { start, end: index - 1, complete: false };
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE) closers.push(CLOSE_BRACE);
    else if (byte === OPEN_BRACKET) closers.push(CLOSE_BRACKET);
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (closers.pop() !== byte) return { start, end: index, complete: false };
      if (closers.length === 0) return { start, end: index, complete: true };
    }
  }
  return { start, end: Math.min(index, length), complete: false };
}

/**
 * Where each JSON value of a UTF-8 body starts and ends: values one per line, or concatenated with no
 * delimiter (`{...}{...}`). It finds boundaries only (see `readFirehoseBackup` for what is done with them); a
 * value cut off by a line break inside a string or a bracket that does not match is reported `complete: false`,
 * and the next value is looked for right after it.
 *
 * @example
 * ```ts
 * [...splitJsonValues(Buffer.from('{"a":1}{"b":"}"}\n[2]'))].map(({ start, end }) => [start, end]);
 * // [[0, 7], [7, 16], [17, 20]]
 * ```
 */
export function* splitJsonValues(body: Uint8Array): Generator<JsonValueSpan> {
  let position = 0;
  for (let next = nextJsonValue(body, 0); next !== undefined; next = nextJsonValue(body, next.end)) {
    position++;
    yield { ...next, position };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The records and problems of one object, from its content: one part, or a ZIP archive's file entries, read one
 * after another with their values numbered on from one entry to the next.
 */
function* readParts(parts: readonly Buffer[], file: string): Generator<BackupRecord | BackupProblem> {
  let position = 0;
  for (const part of parts) {
    for (const found of readValues(part, file, position)) {
      position = found.position;
      yield found;
    }
  }
}

/**
 * The records and problems of one part of an object, numbered from `firstPosition + 1`. After a value that cannot be
 * read, reading resumes at the line after the value's first line break: with one record per line, one broken
 * record costs that record only.
 */
function* readValues(body: Buffer, file: string, firstPosition = 0): Generator<BackupRecord | BackupProblem> {
  let position = firstPosition;
  let from = 0;
  for (let next = nextJsonValue(body, from); next !== undefined; next = nextJsonValue(body, from)) {
    position++;
    const found = readValue(body, next, position, file);
    from = next.end;
    if ('reason' in found) {
      const lineBreak = body.indexOf(LINE_FEED, next.start);
      if (lineBreak !== -1 && lineBreak < next.end) from = lineBreak + 1;
    }
    yield found;
  }
}

function readValue(
  body: Buffer,
  span: { start: number; end: number; complete: boolean },
  position: number,
  file: string,
): BackupRecord | BackupProblem {
  const problem = (reason: string): BackupProblem => ({ file, position, reason });
  if (!span.complete) return problem('the JSON value is cut off (a truncated object, or a broken line)');
  const bytes = body.subarray(span.start, span.end);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return problem(
      error instanceof TypeError
        ? 'not valid UTF-8'
        : 'not valid JSON (records are JSON values, one per line)',
    );
  }
  // Firehose writes one JSON value per record, never an array: an array of failed records (a file someone
  // assembled) is not a document either, and sent as one it would carry them all, still base64-encoded.
  if (
    Array.isArray(value) &&
    value.some((item) => typeof item === 'object' && item !== null && 'rawData' in item)
  ) {
    return problem("a JSON array of failed records: write them one JSON object per line (Firehose's format)");
  }
  const envelope =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as {
          rawData?: unknown;
          errorCode?: unknown;
          attemptsMade?: unknown;
          arrivalTimestamp?: unknown;
        })
      : undefined;
  if (
    envelope === undefined ||
    !('rawData' in envelope) ||
    !('errorCode' in envelope || 'attemptsMade' in envelope)
  ) {
    // A document: sent as the bytes it was backed up as (no re-serialisation).
    return { data: Buffer.from(bytes), kind: 'document', file, position };
  }
  const { rawData, errorCode, arrivalTimestamp } = envelope;
  if (typeof rawData !== 'string' || !CANONICAL_BASE64.test(rawData)) {
    return problem('rawData is not base64: this failed record cannot be replayed');
  }
  const arrival =
    typeof arrivalTimestamp === 'number' && Math.abs(arrivalTimestamp) <= MAX_DATE_MS
      ? arrivalTimestamp
      : undefined;
  return {
    data: Buffer.from(rawData, 'base64'),
    kind: 'failed-record',
    file,
    position,
    ...(typeof errorCode === 'string' ? { errorCode } : {}),
    ...(arrival === undefined
      ? {}
      : { arrivalTimestamp: arrival, day: new Date(arrival).toISOString().slice(0, 10) }),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
