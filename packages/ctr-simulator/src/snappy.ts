/**
 * Snappy decompression as Firehose writes it to S3: `Snappy` is the Snappy framing format, `HADOOP_SNAPPY` is
 * Hadoop's block format (`BlockCompressorStream`); both carry raw Snappy blocks. Written from google/snappy's
 * format_description.txt and framing_format.txt, and Hadoop's BlockDecompressorStream; no dependency.
 */
import { crc32c } from './crc32.js';
import { CompressedObjectError, DecompressedSizeError, reasonOf } from './errors.js';

/** The stream identifier chunk every Snappy framed stream starts with: type 0xff, length 6, `sNaPpY`. */
export const SNAPPY_FRAMED_MAGIC: readonly number[] = [
  0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59,
];

/** The most a raw Snappy block can produce per input byte: a 3-byte copy with a 2-byte offset makes 64 bytes. */
const MAX_EXPANSION = 64 / 3;
/** The framing format's limit on the uncompressed data of one chunk. */
const MAX_FRAMED_CHUNK_DATA = 65_536;

/** The uncompressed length a raw Snappy block starts with (a little-endian varint of at most 32 bits), and its size. */
function readPreamble(block: Uint8Array): { length: number; size: number } {
  let length = 0;
  for (let index = 0; index < 5; index++) {
    if (index >= block.length) throw new CompressedObjectError('the block is cut off in its length');
    const byte = block[index]!;
    if (index === 4 && byte > 0x0f) throw new CompressedObjectError('the block length is over 2^32 - 1');
    length += (byte & 0x7f) * 2 ** (7 * index);
    if ((byte & 0x80) === 0) return { length, size: index + 1 };
  }
  throw new CompressedObjectError('the block length is over 2^32 - 1');
}

/**
 * Decompresses one raw Snappy block: a varint length, then literals and copies (1-, 2- and 4-byte offsets; a copy
 * may overlap what it produces, offset < length). Every read and copy is bounds-checked, and the output must be
 * exactly the length the block declares; anything else throws `CompressedObjectError`. A block declaring more
 * than `maxLength` bytes throws `DecompressedSizeError` before anything is allocated.
 */
export function decompressSnappyBlock(block: Uint8Array, maxLength = Number.POSITIVE_INFINITY): Buffer {
  const { length, size } = readPreamble(block);
  if (length > maxLength) throw new DecompressedSizeError(maxLength);
  if (length > (block.length - size) * MAX_EXPANSION) {
    throw new CompressedObjectError(
      `the block declares ${length} bytes, more than its ${block.length} bytes can hold`,
    );
  }
  const output = Buffer.allocUnsafe(length);
  let written = 0;
  let position = size;
  const corrupt = (what: string) =>
    new CompressedObjectError(`${what} (block byte ${position}, output byte ${written})`);
  while (position < block.length) {
    const tag = block[position]!;
    const kind = tag & 0x03;
    if (kind === 0) {
      let literalLength = tag >>> 2;
      let header = 1;
      if (literalLength >= 60) {
        header += literalLength - 59;
        if (position + header > block.length) throw corrupt('a literal length is cut off');
        literalLength = 0;
        for (let index = header - 1; index >= 1; index--) {
          literalLength = literalLength * 256 + block[position + index]!;
        }
      }
      literalLength += 1;
      if (position + header + literalLength > block.length) throw corrupt('a literal runs past the block');
      if (written + literalLength > length) throw corrupt('a literal runs past the declared length');
      output.set(block.subarray(position + header, position + header + literalLength), written);
      position += header + literalLength;
      written += literalLength;
      continue;
    }
    const header = kind === 1 ? 2 : kind === 2 ? 3 : 5;
    if (position + header > block.length) throw corrupt('a copy is cut off');
    let copyLength: number;
    let offset: number;
    if (kind === 1) {
      copyLength = ((tag >>> 2) & 0x07) + 4;
      offset = ((tag >>> 5) << 8) | block[position + 1]!;
    } else {
      copyLength = (tag >>> 2) + 1;
      offset =
        kind === 2
          ? block[position + 1]! | (block[position + 2]! << 8)
          : (block[position + 1]! |
              (block[position + 2]! << 8) |
              (block[position + 3]! << 16) |
              (block[position + 4]! << 24)) >>>
            0;
    }
    if (offset === 0 || offset > written) throw corrupt(`a copy reaches ${offset} bytes back`);
    if (written + copyLength > length) throw corrupt('a copy runs past the declared length');
    if (offset >= copyLength) {
      output.copyWithin(written, written - offset, written - offset + copyLength);
    } else {
      // Overlapping: each byte copied may be one this copy just wrote (run-length encoding).
      for (let index = 0; index < copyLength; index++)
        output[written + index] = output[written - offset + index]!;
    }
    position += header;
    written += copyLength;
  }
  if (written !== length) {
    throw new CompressedObjectError(`the block makes ${written} bytes, not the ${length} it declares`);
  }
  return output;
}

/** The CRC-32C of `bytes`, masked as the framing format stores it (rotated right by 15 bits, plus 0xa282ead8). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`;

/**
 * Decompresses a Snappy framed stream (framing_format.txt): the stream identifier, then compressed (0x00) and
 * uncompressed (0x01) chunks, each with the masked CRC-32C of its uncompressed data, which is checked. Padding
 * (0xfe) and reserved skippable chunks (0x80-0xfd) are skipped, and a repeated stream identifier (concatenated
 * streams) too; a reserved unskippable chunk (0x02-0x7f), a wrong checksum or a cut-off chunk throws
 * `CompressedObjectError`, more than `maxLength` bytes out `DecompressedSizeError`.
 */
export function decompressSnappyFramed(body: Uint8Array, maxLength = Number.POSITIVE_INFINITY): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let position = 0;
  let chunkNumber = 0;
  while (position < body.length) {
    chunkNumber++;
    const where = `Snappy chunk ${chunkNumber} (at byte ${position})`;
    if (position + 4 > body.length) {
      throw new CompressedObjectError(`${where} is cut off in its header: a truncated object`);
    }
    const type = body[position]!;
    const chunkLength = body[position + 1]! | (body[position + 2]! << 8) | (body[position + 3]! << 16);
    const start = position + 4;
    const end = start + chunkLength;
    if (end > body.length) {
      throw new CompressedObjectError(
        `${where} is cut off: ${chunkLength} bytes long, ${body.length - start} left: a truncated object`,
      );
    }
    const data = body.subarray(start, end);
    if (type === 0xff) {
      if (chunkLength !== 6 || !SNAPPY_FRAMED_MAGIC.every((byte, index) => body[position + index] === byte)) {
        throw new CompressedObjectError(`${where} is not a valid stream identifier`);
      }
    } else if (type === 0x00 || type === 0x01) {
      if (position === 0)
        throw new CompressedObjectError('the object does not start with a stream identifier');
      if (chunkLength < 4) throw new CompressedObjectError(`${where} is too short to hold its checksum`);
      const stored = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
      let uncompressed: Buffer;
      if (type === 0x00) {
        try {
          uncompressed = decompressSnappyBlock(data.subarray(4), MAX_FRAMED_CHUNK_DATA);
        } catch (error) {
          throw new CompressedObjectError(
            error instanceof DecompressedSizeError
              ? `${where} declares more than the ${MAX_FRAMED_CHUNK_DATA} bytes a chunk may hold`
              : `${where} is corrupt: ${reasonOf(error)}`,
            { cause: error },
          );
        }
      } else {
        if (chunkLength - 4 > MAX_FRAMED_CHUNK_DATA) {
          throw new CompressedObjectError(
            `${where} holds more than the ${MAX_FRAMED_CHUNK_DATA} bytes a chunk may hold`,
          );
        }
        uncompressed = Buffer.from(data.subarray(4));
      }
      if (maskedCrc32c(uncompressed) !== stored) {
        throw new CompressedObjectError(`${where}: the CRC-32C does not match its data (a corrupt object)`);
      }
      total += uncompressed.length;
      if (total > maxLength) throw new DecompressedSizeError(maxLength);
      parts.push(uncompressed);
    } else if (type <= 0x7f) {
      throw new CompressedObjectError(
        `${where} has the reserved type ${hex(type)}, which a reader must not skip: not a stream this reader knows`,
      );
    } else if (position === 0) {
      throw new CompressedObjectError('the object does not start with a stream identifier');
    }
    // 0x80-0xfd (reserved skippable) and 0xfe (padding): skipped.
    position = end;
  }
  return Buffer.concat(parts, total);
}

/** One block of a Hadoop-Snappy object: its declared uncompressed length and its raw Snappy chunks. */
interface HadoopSnappyBlock {
  readonly length: number;
  readonly chunks: readonly Uint8Array[];
}

/**
 * The blocks of a Hadoop-Snappy object (`HADOOP_SNAPPY`; Hadoop's `BlockCompressorStream`): each a 4-byte
 * big-endian uncompressed length, then chunks (a 4-byte big-endian length and a raw Snappy block) until the
 * chunks' declared lengths add up to it. The format has no magic number, so this is its recognition: undefined
 * unless the whole object is such blocks, every length agreeing to the byte (chunk lengths inside the object,
 * each chunk's own declared length plausible for its size, their sum exactly the block's), and at least one
 * block is not empty. Only lengths are read here: nothing is decompressed or allocated.
 */
export function hadoopSnappyBlocks(body: Uint8Array): readonly HadoopSnappyBlock[] | undefined {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const blocks: HadoopSnappyBlock[] = [];
  let position = 0;
  let nonEmpty = false;
  while (position < body.length) {
    if (position + 4 > body.length) return undefined;
    const length = view.getUint32(position);
    position += 4;
    // Hadoop writes the length as a Java int: it is never negative.
    if (length > 0x7fffffff) return undefined;
    const chunks: Uint8Array[] = [];
    let declared = 0;
    while (declared < length) {
      if (position + 4 > body.length) return undefined;
      const chunkLength = view.getUint32(position);
      position += 4;
      if (chunkLength === 0 || position + chunkLength > body.length) return undefined;
      const chunk = body.subarray(position, position + chunkLength);
      let preamble: { length: number; size: number };
      try {
        preamble = readPreamble(chunk);
      } catch {
        return undefined;
      }
      if (preamble.length > (chunkLength - preamble.size) * MAX_EXPANSION) return undefined;
      declared += preamble.length;
      chunks.push(chunk);
      position += chunkLength;
    }
    if (declared !== length) return undefined;
    if (length > 0) nonEmpty = true;
    blocks.push({ length, chunks });
  }
  return nonEmpty ? blocks : undefined;
}

/**
 * Decompresses the blocks `hadoopSnappyBlocks` found. A chunk that does not decompress to exactly its declared
 * length throws `CompressedObjectError`; more than `maxLength` bytes in all, `DecompressedSizeError` (checked
 * before anything is decompressed).
 */
export function decompressHadoopSnappy(
  blocks: readonly HadoopSnappyBlock[],
  maxLength = Number.POSITIVE_INFINITY,
): Buffer {
  const total = blocks.reduce((sum, block) => sum + block.length, 0);
  if (total > maxLength) throw new DecompressedSizeError(maxLength);
  const parts: Buffer[] = [];
  blocks.forEach((block, blockIndex) => {
    block.chunks.forEach((chunk, chunkIndex) => {
      try {
        parts.push(decompressSnappyBlock(chunk));
      } catch (error) {
        throw new CompressedObjectError(
          `Hadoop-Snappy block ${blockIndex + 1}, chunk ${chunkIndex + 1} is corrupt: ${reasonOf(error)}`,
          { cause: error },
        );
      }
    });
  });
  return Buffer.concat(parts, total);
}
