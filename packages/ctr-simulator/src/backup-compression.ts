/**
 * Undoes the compression Firehose applied to an S3 object (`CompressionFormat`: UNCOMPRESSED, GZIP, ZIP, Snappy,
 * HADOOP_SNAPPY), recognised by the object's bytes since the key does not say.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CompressedObjectError, DecompressedSizeError } from './errors.js';
import {
  decompressHadoopSnappy,
  decompressSnappyFramed,
  hadoopSnappyBlocks,
  SNAPPY_FRAMED_MAGIC,
} from './snappy.js';
import { readZipEntries, ZIP_MAGICS } from './zip-archive.js';

const gunzipAsync = promisify(gunzip);

/** The most bytes one object may decompress to unless `maxDecompressedBytes` says otherwise: 1 GiB. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 2 ** 30;

/** How an object was compressed: Firehose's `CompressionFormat` names, `UNCOMPRESSED` for none. */
export type BackupCompression = 'UNCOMPRESSED' | 'GZIP' | 'ZIP' | 'Snappy' | 'HADOOP_SNAPPY';

/** An object's content: one part, or one per file entry of a ZIP archive. */
export interface DecompressedObject {
  readonly compression: BackupCompression;
  readonly parts: readonly Buffer[];
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;

export const startsWith = (body: Uint8Array, magic: readonly number[]) =>
  body.length >= magic.length && magic.every((byte, index) => body[index] === byte);

/**
 * The content of a backup object: GZIP (magic 1f 8b; several members are read one after another), ZIP (a local
 * header or an empty archive's end record first), Snappy framed (its stream identifier first), Hadoop-Snappy (no
 * magic: only when the whole object is Hadoop-Snappy blocks whose lengths all agree), or else the object as it is
 * (text: an object holding a NUL byte is refused as a compressed object cut off).
 * Throws `CompressedObjectError` when a compressed object cannot be read, `DecompressedSizeError` when it would
 * decompress to more than `maxBytes`; zlib's own error for a GZIP object that does not inflate.
 */
export async function decompressBackupObject(body: Buffer, maxBytes: number): Promise<DecompressedObject> {
  if (startsWith(body, GZIP_MAGIC)) {
    try {
      return { compression: 'GZIP', parts: [await gunzipAsync(body, { maxOutputLength: maxBytes })] };
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new DecompressedSizeError(maxBytes);
      throw error;
    }
  }
  if (ZIP_MAGICS.some((magic) => startsWith(body, magic))) {
    return { compression: 'ZIP', parts: await readZipEntries(body, maxBytes) };
  }
  if (startsWith(body, SNAPPY_FRAMED_MAGIC)) {
    return { compression: 'Snappy', parts: [decompressSnappyFramed(body, maxBytes)] };
  }
  const blocks = hadoopSnappyBlocks(body);
  if (blocks !== undefined) {
    return { compression: 'HADOOP_SNAPPY', parts: [decompressHadoopSnappy(blocks, maxBytes)] };
  }
  // JSON text never holds a NUL byte (it would be escaped): this is binary, most likely a Hadoop-Snappy object cut
  // off (it has no magic number, so only its complete form is recognised). Read as text, its bytes could pass for
  // values and be sent.
  if (body.includes(0)) {
    throw new CompressedObjectError(
      'it is binary data of no known compression (GZIP, ZIP, Snappy, Hadoop-Snappy): a compressed object cut off?',
    );
  }
  return { compression: 'UNCOMPRESSED', parts: [body] };
}
