import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from './clock.js';

/** Which part of the bucket an object goes to. */
export type BackupArea = 'all-documents' | 'processing-failed' | 'elasticsearch-failed';

const AREA_PREFIX: Record<BackupArea, string> = {
  'all-documents': '',
  'processing-failed': 'processing-failed/',
  'elasticsearch-failed': 'elasticsearch-failed/',
};

const pad = (value: number): string => String(value).padStart(2, '0');

/**
 * The S3 key Firehose gives a backup object:
 * `<prefix><area/>YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<random>`, all in UTC.
 *
 * @example
 * ```ts
 * import { backupObjectKey } from '@ctr-stream/firehose-local';
 * backupObjectKey({ prefix: '', area: 'processing-failed', streamName: 'ctr', timestampMs: 0, uniqueId: 'x' });
 * // 'processing-failed/1970/01/01/00/ctr-1-1970-01-01-00-00-00-x'
 * ```
 */
export function backupObjectKey(parts: {
  prefix: string;
  area: BackupArea;
  streamName: string;
  timestampMs: number;
  uniqueId: string;
}): string {
  const date = new Date(parts.timestampMs);
  const year = String(date.getUTCFullYear());
  const month = pad(date.getUTCMonth() + 1);
  const day = pad(date.getUTCDate());
  const hour = pad(date.getUTCHours());
  const stamp = `${year}-${month}-${day}-${hour}-${pad(date.getUTCMinutes())}-${pad(date.getUTCSeconds())}`;
  return `${parts.prefix}${AREA_PREFIX[parts.area]}${year}/${month}/${day}/${hour}/${parts.streamName}-1-${stamp}-${parts.uniqueId}`;
}

/** Writes backup objects under a directory that stands in for the S3 bucket. */
export class BackupStore {
  readonly #directory: string;
  readonly #prefix: string;
  readonly #streamName: string;
  readonly #clock: Clock;

  constructor(options: { directory: string; prefix: string; streamName: string; clock: Clock }) {
    this.#directory = options.directory;
    this.#prefix = options.prefix;
    this.#streamName = options.streamName;
    this.#clock = options.clock;
  }

  /**
   * Writes one object atomically (temporary file, then rename), so a reader never sees half an object.
   * Returns the object's key.
   */
  async writeObject(area: BackupArea, body: Buffer): Promise<string> {
    const key = backupObjectKey({
      prefix: this.#prefix,
      area,
      streamName: this.#streamName,
      timestampMs: this.#clock.now(),
      uniqueId: randomUUID(),
    });
    const path = join(this.#directory, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    const temporaryPath = join(dirname(path), `.${randomUUID()}.partial`);
    await writeFile(temporaryPath, body);
    await rename(temporaryPath, path);
    return key;
  }
}
