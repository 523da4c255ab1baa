/**
 * Decodes canonical standard base64 (RFC 4648 §4, with padding). Returns `undefined` for anything
 * else: whitespace, the URL-safe alphabet, missing padding, stray characters or non-zero pad bits.
 * Node's own `Buffer.from(text, 'base64')` silently skips invalid characters, which would turn a
 * corrupt record into different bytes instead of a failure.
 *
 * @example
 * ```ts
 * decodeStrictBase64('SGVsbG8='); // <Buffer 48 65 6c 6c 6f>
 * decodeStrictBase64('SGVsbG8'); // undefined (no padding)
 * ```
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding is a cheap, exact canonicality check: any skipped or non-canonical input differs.
  if (bytes.length !== (text.length / 4) * 3 - padding(text)) return undefined;
  if (bytes.toString('base64') !== text) return undefined;
  return bytes;
}

function padding(text: string): number {
  if (text.endsWith('==')) return 2;
  if (text.endsWith('=')) return 1;
  return 0;
}
