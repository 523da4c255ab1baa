const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const EQUALS = 61;

/** Characters whose 6 bits end in four zero bits (what may precede `==`) and in two zero bits (before `=`). */
const LOW_FOUR_BITS_ZERO = new Uint8Array(128);
const LOW_TWO_BITS_ZERO = new Uint8Array(128);
for (let value = 0; value < 64; value += 1) {
  if (value % 16 === 0) LOW_FOUR_BITS_ZERO[ALPHABET.charCodeAt(value)] = 1;
  if (value % 4 === 0) LOW_TWO_BITS_ZERO[ALPHABET.charCodeAt(value)] = 1;
}

/**
 * The decoded length `text` must have if it is canonical base64, from its length and padding alone, or -1 when
 * its length, padding or final character already rule that out. The final character of a padded string must
 * carry no stray bits (`YWJ=` is not canonical: it decodes to what `YWI=` encodes).
 */
export function canonicalDecodedLength(text: string): number {
  const length = text.length;
  if (length % 4 !== 0) return -1;
  if (length === 0) return 0;
  if (text.charCodeAt(length - 1) !== EQUALS) return (length / 4) * 3;
  if (text.charCodeAt(length - 2) === EQUALS) {
    return LOW_FOUR_BITS_ZERO[text.charCodeAt(length - 3)] === 1 ? (length / 4) * 3 - 2 : -1;
  }
  return LOW_TWO_BITS_ZERO[text.charCodeAt(length - 2)] === 1 ? (length / 4) * 3 - 1 : -1;
}

/**
 * Node's decoder skips what is not base64 (whitespace, `*`, a `=` inside the text) and stops early, so a
 * string with any such character decodes to fewer bytes than its length promises. It also accepts the
 * base64url characters `-` and `_`, which canonical base64 does not have, and reads a character above U+00FF
 * by its low byte: those are looked for separately.
 */
function decodedAsPromised(text: string, decodedLength: number, expectedLength: number): boolean {
  return (
    decodedLength === expectedLength &&
    !text.includes('-') &&
    !text.includes('_') &&
    // Node reads a character above U+00FF by its low byte (`ť` decodes as `e`): only ASCII can be canonical.
    Buffer.byteLength(text, 'utf8') === text.length
  );
}

/**
 * Decodes `text` when it is canonical base64 (what Firehose's JSON carries: the standard alphabet, padded,
 * no stray bits), else `undefined`. One native decode plus two native scans: exact, and cheaper than
 * re-encoding the bytes to compare (which allocates a second string per record).
 */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  const expectedLength = canonicalDecodedLength(text);
  if (expectedLength < 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return decodedAsPromised(text, bytes.length, expectedLength) ? bytes : undefined;
}

/** Reused for validation only: decoding into it allocates nothing. Records above it take the allocating path. */
const scratch = Buffer.allocUnsafe(1_048_576);

/**
 * The decoded length of `text` when it is canonical base64, else -1, without keeping the bytes: the record
 * stays in its base64 form (the form the Lambda event needs) and is decoded into a reused buffer only to check.
 */
export function canonicalBase64ByteLength(text: string): number {
  const expectedLength = canonicalDecodedLength(text);
  if (expectedLength < 0) return -1;
  if (expectedLength > scratch.length) return decodeCanonicalBase64(text)?.length ?? -1;
  const written = scratch.write(text, 0, 'base64');
  return decodedAsPromised(text, written, expectedLength) ? expectedLength : -1;
}

/**
 * Decodes `text` into `target` at `offset` when it is canonical base64 and returns the bytes written, else -1.
 * `target` must have room for `canonicalDecodedLength(text)` bytes. Many records decoded into one buffer cost
 * one allocation instead of one per record.
 */
export function decodeCanonicalBase64Into(text: string, target: Buffer, offset: number): number {
  const expectedLength = canonicalDecodedLength(text);
  if (expectedLength < 0) return -1;
  if (expectedLength === 0) return 0;
  const written = target.write(text, offset, expectedLength, 'base64');
  return decodedAsPromised(text, written, expectedLength) ? expectedLength : -1;
}
