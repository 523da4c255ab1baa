import { RecordParseError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The default record parser: strict UTF-8 (invalid byte sequences are an error, not U+FFFD), then
 * `JSON.parse`. Errors never quote the record's content (it may hold personal data).
 *
 * @example
 * ```ts
 * parseJsonRecord(Buffer.from('{"a":1}')); // { a: 1 }
 * ```
 */
export function parseJsonRecord(data: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    throw new RecordParseError('data is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const where = position === undefined ? '' : ` (at character ${position})`;
    throw new RecordParseError(
      text.trim() === '' ? 'data is empty, expected JSON' : `data is not valid JSON${where}`,
    );
  }
}

/**
 * Parser that hands the record over as strict UTF-8 text.
 *
 * @example
 * ```ts
 * createFirehoseTransformHandler({ parse: parseUtf8Record, transformRecord: (record) => ok(record.data.toUpperCase()) });
 * ```
 */
export function parseUtf8Record(data: Uint8Array): string {
  try {
    return utf8.decode(data);
  } catch {
    throw new RecordParseError('data is not valid UTF-8');
  }
}
