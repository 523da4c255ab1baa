import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { OutputFileError } from './errors.js';

/** What {@link writeNdjson} wrote. */
export interface NdjsonWriteResult {
  readonly records: number;
  /** UTF-8 bytes written, newlines included. */
  readonly bytes: number;
}

/** Resolves on `event`, rejects on `error`; removes both listeners either way. */
function settle(stream: Writable, event: 'drain' | 'finish' | 'open'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: unknown) => {
      stream.off(event, onEvent);
      reject(error);
    };
    stream.once(event, onEvent);
    stream.once('error', onError);
  });
}

/**
 * Writes records as NDJSON: each record's `data` on its own line, `\n` after every line. The
 * destination is a file path (created or truncated) or a writable stream (left open). Honours
 * back-pressure. A record containing a newline is refused with a `RangeError` before anything is
 * written. Throws `OutputFileError` when a file cannot be written.
 *
 * @example
 * ```ts
 * const simulation = simulateContactTraffic({ startDate: '2024-03-04', seed: 42 });
 * await writeNdjson('ctr.ndjson', simulation.records);
 * ```
 */
export async function writeNdjson(
  destination: string | Writable,
  records: Iterable<{ readonly data: string }>,
): Promise<NdjsonWriteResult> {
  const lines: string[] = [];
  for (const { data } of records) {
    if (data.includes('\n') || data.includes('\r')) {
      throw new RangeError(`record ${lines.length} contains a line break; NDJSON needs one record per line`);
    }
    lines.push(data);
  }
  const ownsStream = typeof destination === 'string';
  const stream = ownsStream ? createWriteStream(destination, { encoding: 'utf8' }) : destination;
  let bytes = 0;
  try {
    if (ownsStream) await settle(stream, 'open');
    for (const data of lines) {
      const line = `${data}\n`;
      bytes += Buffer.byteLength(line);
      if (!stream.write(line)) await settle(stream, 'drain');
    }
    if (ownsStream) {
      const finished = settle(stream, 'finish');
      stream.end();
      await finished;
    }
  } catch (error) {
    if (ownsStream) {
      stream.destroy();
      throw new OutputFileError(destination, error);
    }
    throw error;
  }
  return { records: lines.length, bytes };
}
