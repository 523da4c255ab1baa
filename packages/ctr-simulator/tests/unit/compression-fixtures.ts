/**
 * Writers of the objects Firehose stores under each S3 `CompressionFormat`, for tests: a tiny ZIP writer (zlib's
 * deflate; CRC-32 taken from gzip's trailer, so not from the code under test), the Snappy framing format and
 * Hadoop-Snappy blocks around raw Snappy blocks made by `snappyjs`, an independent pure-JS Snappy compressor
 * (a devDependency only: the package decompresses with its own code).
 */
import { deflateRawSync, gzipSync } from 'node:zlib';
import snappyjs from 'snappyjs';
import { maskedCrc32c } from '../../src/snappy.js';

/** A contact trace record as the Amazon Connect stream sends it (abridged, but with the usual fields and nesting). */
export function contactTraceRecord(contactId: string, phoneNumber = '+61401000001'): string {
  return JSON.stringify({
    AWSAccountId: '123456789012',
    AWSContactTraceRecordFormatVersion: '2017-03-10',
    Agent: {
      ARN: 'arn:aws:connect:ap-southeast-2:123456789012:instance/6f0e2c1a/agent/8d1c',
      AfterContactWorkDuration: 41,
      AgentInteractionDuration: 312,
      Username: 'jsmith',
    },
    Channel: 'VOICE',
    ConnectedToSystemTimestamp: '2026-11-27T10:00:04Z',
    ContactId: contactId,
    CustomerEndpoint: { Address: phoneNumber, Type: 'TELEPHONE_NUMBER' },
    DisconnectTimestamp: '2026-11-27T10:06:12Z',
    InitiationMethod: 'INBOUND',
    InitiationTimestamp: '2026-11-27T10:00:01Z',
    Queue: {
      ARN: 'arn:aws:connect:ap-southeast-2:123456789012:instance/6f0e2c1a/queue/2b7e',
      Name: 'Billing',
    },
    Attributes: { intent: 'billing', language: 'en-AU' },
  });
}

/** A `processing-failed/` line: the Lambda failed on the record, whose bytes are in `rawData`. */
export function failedRecordLine(
  data: string,
  errorCode: string,
  arrivalTimestamp = Date.UTC(2026, 10, 27, 10),
): string {
  return JSON.stringify({
    attemptsMade: 4,
    arrivalTimestamp,
    errorCode,
    errorMessage: 'The Lambda function was successfully invoked but it returned an error result',
    attemptEndingTimestamp: arrivalTimestamp + 60_000,
    rawData: Buffer.from(data).toString('base64'),
    lambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:AddName:$LATEST',
  });
}

/** CRC-32 as zlib computes it: the first four bytes of gzip's trailer. */
export function zlibCrc32(content: Uint8Array): number {
  const gzip = gzipSync(content);
  return gzip.readUInt32LE(gzip.length - 8);
}

export interface ZipEntrySpec {
  readonly name: string;
  readonly content: Uint8Array;
  /** 0 stored, 8 deflate (default), anything else is written as stored bytes with that method number. */
  readonly method?: number;
  /** Sizes and CRC after the data (general purpose flag bit 3), zero in the local header, as streaming writers do. */
  readonly dataDescriptor?: boolean;
  /** Write this CRC-32 instead of the real one. */
  readonly crc?: number;
  /** Set the encryption flag (bit 0). */
  readonly encrypted?: boolean;
  /** Write this uncompressed size instead of the real one. */
  readonly uncompressedSize?: number;
}

/**
 * A ZIP archive of the entries, with a central directory and an end record (and, with `zip64`, sizes and offsets
 * of 0xffffffff in the central directory and their values in ZIP64 extra fields, plus the ZIP64 end record and
 * its locator). A name ending with `/` is a directory.
 */
export function zipArchive(entries: readonly ZipEntrySpec[], options: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const method = entry.method ?? 8;
    const data = method === 8 ? deflateRawSync(entry.content) : Buffer.from(entry.content);
    const crc = entry.crc ?? zlibCrc32(entry.content);
    const size = entry.uncompressedSize ?? entry.content.length;
    const flags = (entry.dataDescriptor ? 0x0008 : 0) | (entry.encrypted ? 0x0001 : 0) | 0x0800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x5b7b5000, 10); // 2025-11-27 10:00
    local.writeUInt32LE(entry.dataDescriptor ? 0 : crc, 14);
    local.writeUInt32LE(entry.dataDescriptor ? 0 : data.length, 18);
    local.writeUInt32LE(entry.dataDescriptor ? 0 : size, 22);
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(entry.dataDescriptor ? 16 : 0);
    if (entry.dataDescriptor) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(data.length, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    locals.push(local, name, data, descriptor);

    const extra = Buffer.alloc(options.zip64 ? 28 : 0);
    if (options.zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(data.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4);
    central.writeUInt16LE(options.zip64 ? 45 : 20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0x5b7b5000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : data.length, 20);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 42);
    centrals.push(central, name, extra);
    offset += local.length + name.length + data.length + descriptor.length;
  }
  const directory = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (options.zip64) {
    const zip64End = Buffer.alloc(56);
    zip64End.writeUInt32LE(0x06064b50, 0);
    zip64End.writeBigUInt64LE(44n, 4);
    zip64End.writeUInt16LE(45, 12);
    zip64End.writeUInt16LE(45, 14);
    zip64End.writeBigUInt64LE(BigInt(entries.length), 24);
    zip64End.writeBigUInt64LE(BigInt(entries.length), 32);
    zip64End.writeBigUInt64LE(BigInt(directory.length), 40);
    zip64End.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(zip64End, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(options.zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, directory, ...tail, end]);
}

/** A raw Snappy block of `data`, made by snappyjs. */
export const snappyBlock = (data: Uint8Array): Buffer =>
  Buffer.from(snappyjs.compress(Uint8Array.from(data)));

/** One chunk of a Snappy framed stream. */
export type FramedChunk =
  | { readonly kind: 'identifier' }
  | { readonly kind: 'compressed' | 'uncompressed'; readonly data: Uint8Array; readonly crc?: number }
  | { readonly kind: 'padding'; readonly length: number }
  | { readonly kind: 'reserved'; readonly type: number; readonly length: number };

/** The bytes of framed chunks as framing_format.txt lays them out (type, 3-byte length, masked CRC-32C, data). */
export function snappyFramedChunks(chunks: readonly FramedChunk[]): Buffer {
  const parts = chunks.map((chunk) => {
    let type: number;
    let body: Buffer;
    switch (chunk.kind) {
      case 'identifier':
        type = 0xff;
        body = Buffer.from('sNaPpY');
        break;
      case 'padding':
        type = 0xfe;
        body = Buffer.alloc(chunk.length);
        break;
      case 'reserved':
        type = chunk.type;
        body = Buffer.alloc(chunk.length, 0x5a);
        break;
      default: {
        type = chunk.kind === 'compressed' ? 0x00 : 0x01;
        const crc = Buffer.alloc(4);
        crc.writeUInt32LE(chunk.crc ?? maskedCrc32c(chunk.data));
        body = Buffer.concat([
          crc,
          chunk.kind === 'compressed' ? snappyBlock(chunk.data) : Buffer.from(chunk.data),
        ]);
      }
    }
    const header = Buffer.from([type, body.length & 0xff, (body.length >> 8) & 0xff, body.length >> 16]);
    return Buffer.concat([header, body]);
  });
  return Buffer.concat(parts);
}

const slices = (data: Uint8Array, size: number): Uint8Array[] => {
  const parts: Uint8Array[] = [];
  for (let start = 0; start < data.length; start += size) parts.push(data.subarray(start, start + size));
  return parts;
};

/** `data` as a Snappy framed stream, as Firehose's `Snappy` writes it: compressed chunks of at most 64 KiB. */
export const snappyFramed = (data: Uint8Array, chunkSize = 65_536): Buffer =>
  snappyFramedChunks([
    { kind: 'identifier' },
    ...slices(data, chunkSize).map((slice) => ({ kind: 'compressed' as const, data: slice })),
  ]);

/**
 * `data` in Hadoop's block format (`BlockCompressorStream`), as Firehose's `HADOOP_SNAPPY` writes it: blocks of at
 * most `blockSize` bytes, each its big-endian length and then chunks of at most `chunkSize` uncompressed bytes,
 * each a big-endian length and a raw Snappy block; `trailingEmptyBlock` adds the `00 00 00 00` Hadoop writes when
 * a stream is closed right after a full block.
 */
export function hadoopSnappy(
  data: Uint8Array,
  options: { blockSize?: number; chunkSize?: number; trailingEmptyBlock?: boolean } = {},
): Buffer {
  const { blockSize = 262_144, chunkSize = blockSize, trailingEmptyBlock = false } = options;
  const parts: Buffer[] = [];
  const int = (value: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return bytes;
  };
  for (const block of slices(data, blockSize)) {
    parts.push(int(block.length));
    for (const chunk of slices(block, chunkSize)) {
      const compressed = snappyBlock(chunk);
      parts.push(int(compressed.length), compressed);
    }
  }
  if (trailingEmptyBlock) parts.push(int(0));
  return Buffer.concat(parts);
}
