import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { BackupReadError } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** What a record found in a backup object is. */
export type BackupRecordKind =
  /** A `processing-failed/` or `elasticsearch-failed/` entry: its `rawData`, decoded, is the record. */
  | 'failed-record'
  /** A backed-up document (AllDocuments backup, NDJSON): the JSON value itself is the record. */
  | 'document';

/** One record read from a Firehose backup object, ready to be sent again. */
export interface BackupRecord {
  /** The bytes to send: a failed record's decoded `rawData`, or a document's bytes as they are in the object. */
  readonly data: Buffer;
  readonly kind: BackupRecordKind;
  /** The object (file) it was read from. */
  readonly file: string;
  /** Its position in that object: 1 for the first JSON value. */
  readonly position: number;
  /** A failed record's `errorCode` (e.g. `Lambda.FunctionError`), when it has one. */
  readonly errorCode?: string;
  /** The UTC day (YYYY-MM-DD) of a failed record's `arrivalTimestamp`, when it has one. */
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
  /** Objects (files) read. */
  readonly files: number;
  /** Records left out by the `errorCodes` filter. */
  readonly skipped: number;
  /** Records kept, by kind. */
  readonly failedRecords: number;
  readonly documents: number;
  /** Failed records kept, by `errorCode` (`(none)` when absent). */
  readonly byErrorCode: Readonly<Record<string, number>>;
  /** What could not be read: each is one record (or one file) that is not in `records`. */
  readonly problems: readonly BackupProblem[];
}

/** Options of {@link readFirehoseBackup}. */
export interface ReadFirehoseBackupOptions {
  /** Keep only failed records with one of these `errorCode`s; documents and other failed records are skipped. */
  readonly errorCodes?: readonly string[];
}

/** The largest epoch milliseconds a Date can hold. */
const MAX_DATE_MS = 8.64e15;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads the records of Firehose S3 backup objects from local files: a copy of the bucket (`aws s3 cp
 * --recursive`) or `@ctr-stream/firehose-local`'s backup directory. Directories are walked recursively
 * (hidden files, such as firehose-local's `.partial` objects in the making, are left out); GZIP objects are
 * decompressed. Each object holds JSON values one after another (one per line, or concatenated as Firehose
 * writes AllDocuments backups without a delimiter):
 * - an object with a string `rawData` is a failed record (`processing-failed/`, `elasticsearch-failed/`) and
 *   yields its decoded `rawData`;
 * - any other JSON value is a backed-up document and yields its bytes unchanged.
 *
 * A value that is not valid JSON, or whose `rawData` is not base64, becomes a problem (file, position, reason;
 * never the content) and reading goes on. Throws `BackupReadError` when a given path cannot be read at all.
 *
 * @example
 * ```ts
 * import { readFirehoseBackup } from '@ctr-stream/ctr-simulator';
 * const backup = await readFirehoseBackup(['./backup/processing-failed'], { errorCodes: ['Lambda.FunctionError'] });
 * console.log(backup.records.length, backup.problems);
 * ```
 */
export async function readFirehoseBackup(
  paths: readonly string[],
  options: ReadFirehoseBackupOptions = {},
): Promise<FirehoseBackupContents> {
  const files: string[] = [];
  for (const path of paths) files.push(...(await listObjects(path)));
  const wanted = options.errorCodes === undefined ? undefined : new Set(options.errorCodes);
  const records: BackupRecord[] = [];
  const problems: BackupProblem[] = [];
  const byErrorCode: Record<string, number> = {};
  let skipped = 0;
  let failedRecords = 0;
  for (const file of files) {
    let body: Buffer;
    try {
      body = await readFile(file);
      if (body[0] === GZIP_MAGIC[0] && body[1] === GZIP_MAGIC[1]) body = await gunzipAsync(body);
    } catch (error) {
      problems.push({ file, position: 0, reason: `cannot read the object: ${describe(error)}` });
      continue;
    }
    for (const value of splitJsonValues(body)) {
      const found = readValue(body, value, file);
      if ('reason' in found) {
        problems.push(found);
        continue;
      }
      if (wanted !== undefined && (found.errorCode === undefined || !wanted.has(found.errorCode))) {
        skipped++;
        continue;
      }
      records.push(found);
      if (found.kind === 'failed-record') {
        failedRecords++;
        const code = found.errorCode ?? '(none)';
        byErrorCode[code] = (byErrorCode[code] ?? 0) + 1;
      }
    }
  }
  return {
    records,
    files: files.length,
    skipped,
    failedRecords,
    documents: records.length - failedRecords,
    byErrorCode,
    problems,
  };
}

async function listObjects(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new BackupReadError(path, error);
  }
  if (info.isFile()) return [path];
  if (!info.isDirectory()) throw new BackupReadError(path, new Error('not a file or a directory'));
  let entries: string[];
  try {
    entries = (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    throw new BackupReadError(path, error);
  }
  const files: string[] = [];
  for (const name of entries) files.push(...(await listObjects(join(path, name))));
  return files;
}

/** A JSON value's place in an object: `[start, end)` byte offsets and its 1-based position. */
export interface JsonValueSpan {
  readonly start: number;
  readonly end: number;
  readonly position: number;
  /** False when the object ended inside the value (a truncated object). */
  readonly complete: boolean;
}

const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isWhitespace = (byte: number) =>
  byte === SPACE || byte === LINE_FEED || byte === CARRIAGE_RETURN || byte === TAB;

/**
 * Where each JSON value of a UTF-8 body starts and ends: values one per line, or concatenated with no
 * delimiter (`{...}{...}`). Objects and arrays end at their matching bracket (brackets inside strings do not
 * count); any other value ends at the next whitespace or bracket. It finds boundaries only: each span is then
 * parsed (or refused) on its own, so one broken value never hides the next.
 *
 * @example
 * ```ts
 * [...splitJsonValues(Buffer.from('{"a":1}{"b":"}"}\n[2]'))].map(({ start, end }) => [start, end]);
 * // [[0, 7], [7, 16], [17, 20]]
 * ```
 */
export function* splitJsonValues(body: Uint8Array): Generator<JsonValueSpan> {
  let index = 0;
  let position = 0;
  const length = body.length;
  while (index < length) {
    while (index < length && isWhitespace(body[index]!)) index++;
    if (index >= length) return;
    const start = index;
    position++;
    const first = body[index]!;
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      // A scalar (or garbage): up to the next whitespace or the start of an object or array.
      index++;
      let inString = first === QUOTE;
      while (index < length) {
        const byte = body[index]!;
        if (inString) {
          if (byte === BACKSLASH) index++;
          else if (byte === QUOTE) inString = false;
        } else if (isWhitespace(byte) || byte === OPEN_BRACE || byte === OPEN_BRACKET) {
          break;
        }
        index++;
      }
      yield { start, end: Math.min(index, length), position, complete: !inString };
      continue;
    }
    let depth = 0;
    let inString = false;
    let complete = false;
    while (index < length) {
      const byte = body[index++]!;
      if (inString) {
        if (byte === BACKSLASH) index++;
        else if (byte === QUOTE) inString = false;
        continue;
      }
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          complete = true;
          break;
        }
      }
    }
    yield { start, end: Math.min(index, length), position, complete };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readValue(body: Buffer, span: JsonValueSpan, file: string): BackupRecord | BackupProblem {
  const problem = (reason: string): BackupProblem => ({ file, position: span.position, reason });
  if (!span.complete) return problem('the object ends inside this JSON value (a truncated object?)');
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
  const envelope = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  const rawData = (envelope as { rawData?: unknown } | undefined)?.rawData;
  if (envelope === undefined || !('rawData' in envelope)) {
    // A document: sent as the bytes it was backed up as (no re-serialisation).
    return { data: Buffer.from(bytes), kind: 'document', file, position: span.position };
  }
  if (typeof rawData !== 'string' || !CANONICAL_BASE64.test(rawData)) {
    return problem('rawData is not base64: this failed record cannot be replayed');
  }
  const { errorCode, arrivalTimestamp } = envelope as { errorCode?: unknown; arrivalTimestamp?: unknown };
  const day =
    typeof arrivalTimestamp === 'number' && Math.abs(arrivalTimestamp) <= MAX_DATE_MS
      ? new Date(arrivalTimestamp).toISOString().slice(0, 10)
      : undefined;
  return {
    data: Buffer.from(rawData, 'base64'),
    kind: 'failed-record',
    file,
    position: span.position,
    ...(typeof errorCode === 'string' ? { errorCode } : {}),
    ...(day === undefined ? {} : { day }),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
