// Reference implementations used here, never by the package itself: `snappyjs` (a devDependency, pure JS) makes
// the raw Snappy blocks the decompressor is checked against, zlib's gzip trailer gives CRC-32, RFC 3720's
// examples give CRC-32C, and golang/snappy's golden writer output (TestWriterGoldenOutput) a whole framed stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32c } from '../../src/crc32.js';
import { CompressedObjectError, DecompressedSizeError } from '../../src/errors.js';
import {
  decompressHadoopSnappy,
  decompressSnappyBlock,
  decompressSnappyFramed,
  hadoopSnappyBlocks,
  maskedCrc32c,
} from '../../src/snappy.js';
import {
  contactTraceRecord,
  hadoopSnappy,
  snappyBlock,
  snappyFramed,
  snappyFramedChunks,
  zlibCrc32,
} from './compression-fixtures.js';

/** Text that compresses: CTR-like words, so blocks hold copies of every length and offset size. */
const compressibleText = fc
  .array(
    fc.oneof(
      fc.constantFrom('"ContactId":', '"Channel":"VOICE"', ',', '{', '}', 'arn:aws:connect:', '+614010000'),
      fc.string({ maxLength: 12 }),
      fc.nat({ max: 99_999 }).map(String),
    ),
    { maxLength: 400 },
  )
  .map((words) => Buffer.from(words.join('')));

describe('crc32 and crc32c', () => {
  it('give the check values and RFC 3720 examples', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, index) => index)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, index) => 31 - index)))).toBe(0x113fdb5c);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('crc32 agrees with zlib on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
      }),
    );
  });
});

describe('decompressSnappyBlock', () => {
  it('decompresses what a reference compressor (snappyjs) makes, for any bytes and for compressible text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 5000 }), compressibleText), (data) => {
        expect(decompressSnappyBlock(snappyBlock(data)).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 300 },
    );
    // Beyond one 64 KiB fragment of the compressor, with long literals and far copies.
    const large = Buffer.from(
      Array.from({ length: 400 }, (_, index) => contactTraceRecord(`c-${index}`)).join('\n'),
    );
    expect(large.length).toBeGreaterThan(200_000);
    expect(decompressSnappyBlock(snappyBlock(large)).equals(large)).toBe(true);
  });

  it('reads a hand-made block with every tag kind, every literal length size and overlapping copies', () => {
    const long = Buffer.from('0123456789'.repeat(30)); // 300 bytes
    const block = Buffer.concat([
      Buffer.from([0xd2, 0x02]), // preamble: 338 bytes out (a 2-byte varint)
      Buffer.from([(2 - 1) << 2]), // literal, length in the tag: "ab"
      Buffer.from('ab'),
      Buffer.from([0x01 | ((7 - 4) << 2), 2]), // copy-1, offset 2, length 7: overlapping -> "abababa"
      Buffer.from([0x02 | ((5 - 1) << 2), 1, 0]), // copy-2, offset 1, length 5: a run -> "aaaaa"
      Buffer.from([60 << 2, 3 - 1]), // literal, 1-byte length: "xyz"
      Buffer.from('xyz'),
      Buffer.from([0x03 | ((3 - 1) << 2), 17, 0, 0, 0]), // copy-4, offset 17, length 3 -> "aba"
      Buffer.from([61 << 2, 0, 0]), // literal, 2-byte length: "!"
      Buffer.from('!'),
      Buffer.from([62 << 2, 0, 0, 0]), // literal, 3-byte length: "?"
      Buffer.from('?'),
      Buffer.from([63 << 2, 0, 0, 0, 0]), // literal, 4-byte length: "."
      Buffer.from('.'),
      Buffer.from([61 << 2, (300 - 1) & 0xff, (300 - 1) >> 8]), // literal, 2-byte length: 300 bytes
      long,
      Buffer.from([0x01 | ((11 - 4) << 2) | (1 << 5), 0x23]), // copy-1, offset 0x123 = 291, length 11
      Buffer.from([0x02 | ((4 - 1) << 2), 0x10, 0x01]), // copy-2, offset 272, length 4
    ]);
    const expected = `ab${'abababa'}${'aaaaa'}xyz${'aba'}!?.${long}${long.toString().slice(9, 20)}${long.toString().slice(39, 43)}`;
    expect(expected).toHaveLength(338);
    expect(decompressSnappyBlock(block).toString()).toBe(expected);
  });

  it('rejects every malformed block with a CompressedObjectError, never a crash or a short read', () => {
    const cases: [string, number[], RegExp][] = [
      ['empty', [], /cut off in its length/],
      ['preamble cut off', [0x80], /cut off in its length/],
      ['preamble over 32 bits', [0xff, 0xff, 0xff, 0xff, 0x1f], /over 2\^32 - 1/],
      [
        'more declared than possible',
        [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61],
        /more than its 7 bytes can hold/,
      ],
      ['copy first', [4, 0x01, 0x01], /a copy reaches 1 bytes back/],
      ['offset 0', [5, 0x00, 0x61, 0x02, 0x00, 0x00], /a copy reaches 0 bytes back/],
      ['offset past the start', [6, 0x04, 0x61, 0x62, 0x01, 0x03], /a copy reaches 3 bytes back/],
      ['literal past the block', [3, 0x08, 0x61], /a literal runs past the block/],
      ['literal length cut off', [3, 0xf4, 0x02], /a literal length is cut off/],
      ['literal past the declared length', [1, 0x04, 0x61, 0x62], /runs past the declared length/],
      ['copy past the declared length', [3, 0x00, 0x61, 0x0d, 0x01], /a copy runs past the declared length/],
      ['copy cut off', [5, 0x00, 0x61, 0x02, 0x01], /a copy is cut off/],
      ['short output', [3, 0x04, 0x61, 0x62], /makes 2 bytes, not the 3 it declares/],
    ];
    for (const [label, bytes, message] of cases) {
      const attempt = () => decompressSnappyBlock(Buffer.from(bytes));
      expect(attempt, label).toThrow(CompressedObjectError);
      expect(attempt, label).toThrow(message);
    }
    expect(decompressSnappyBlock(Buffer.from([0])).length).toBe(0);
  });

  it('refuses a block declaring more than the limit before allocating it', () => {
    const block = snappyBlock(Buffer.alloc(5000, 0x61));
    expect(() => decompressSnappyBlock(block, 4999)).toThrow(DecompressedSizeError);
    expect(decompressSnappyBlock(block, 5000).length).toBe(5000);
  });
});

describe('decompressSnappyFramed', () => {
  it("reads golang/snappy's golden writer output (an uncompressed and a compressed chunk)", () => {
    const golden = Buffer.from(
      'ff060000734e61507059' + // stream identifier
        '010800006810e6b661626364' + // uncompressed chunk: checksum, "abcd"
        '000d000037cbbc9d640041fe01008a0100', // compressed chunk: checksum, 100 x "A"
      'hex',
    );
    expect(decompressSnappyFramed(golden).toString()).toBe(`abcd${'A'.repeat(100)}`);
    expect(maskedCrc32c(Buffer.from('abcd'))).toBe(0xb6e61068);
  });

  it('skips padding, reserved skippable chunks and repeated stream identifiers; reads uncompressed chunks', () => {
    const stream = snappyFramedChunks([
      { kind: 'identifier' },
      { kind: 'compressed', data: Buffer.from('{"a":1}\n'.repeat(50)) },
      { kind: 'padding', length: 13 },
      { kind: 'uncompressed', data: Buffer.from('{"b":2}\n') },
      { kind: 'reserved', type: 0x80, length: 5 },
      { kind: 'reserved', type: 0xfd, length: 0 },
      { kind: 'identifier' },
      { kind: 'compressed', data: Buffer.from('{"c":3}\n') },
    ]);
    expect(decompressSnappyFramed(stream).toString()).toBe(`${'{"a":1}\n'.repeat(50)}{"b":2}\n{"c":3}\n`);
    const large = Buffer.from(
      Array.from({ length: 300 }, (_, index) => contactTraceRecord(`c-${index}`)).join('\n'),
    );
    expect(decompressSnappyFramed(snappyFramed(large)).equals(large)).toBe(true);
  });

  it('rejects a wrong checksum, a reserved unskippable chunk, a cut-off stream and oversize chunks', () => {
    const data = Buffer.from('{"a":1}\n');
    const cases: [string, Buffer, RegExp][] = [
      [
        'compressed chunk checksum',
        snappyFramedChunks([{ kind: 'identifier' }, { kind: 'compressed', data, crc: 1 }]),
        /^Snappy chunk 2 \(at byte 10\): the CRC-32C does not match its data/,
      ],
      [
        'uncompressed chunk checksum',
        snappyFramedChunks([
          { kind: 'identifier' },
          { kind: 'uncompressed', data, crc: maskedCrc32c(data) ^ 1 },
        ]),
        /CRC-32C does not match/,
      ],
      [
        'reserved unskippable',
        snappyFramedChunks([{ kind: 'identifier' }, { kind: 'reserved', type: 0x02, length: 3 }]),
        /reserved type 0x02, which a reader must not skip/,
      ],
      [
        'reserved unskippable 0x7f',
        snappyFramedChunks([{ kind: 'identifier' }, { kind: 'reserved', type: 0x7f, length: 0 }]),
        /reserved type 0x7f/,
      ],
      [
        'cut off in a chunk',
        snappyFramed(Buffer.from('{"a":1}\n'.repeat(20))).subarray(0, 20),
        /Snappy chunk 2 \(at byte 10\) is cut off: \d+ bytes long, 6 left: a truncated object/,
      ],
      [
        'cut off in a header',
        snappyFramed(data).subarray(0, 12),
        /cut off in its header: a truncated object/,
      ],
      [
        'bad identifier',
        Buffer.concat([
          snappyFramedChunks([{ kind: 'identifier' }]),
          Buffer.from('ff060000736e61707079', 'hex'),
        ]),
        /not a valid stream identifier/,
      ],
      [
        'no identifier first',
        snappyFramedChunks([{ kind: 'uncompressed', data }]),
        /does not start with a stream identifier/,
      ],
      [
        'compressed chunk over 64 KiB',
        snappyFramedChunks([{ kind: 'identifier' }, { kind: 'compressed', data: Buffer.alloc(65_537) }]),
        /declares more than the 65536 bytes a chunk may hold/,
      ],
      [
        'uncompressed chunk over 64 KiB',
        snappyFramedChunks([{ kind: 'identifier' }, { kind: 'uncompressed', data: Buffer.alloc(65_537) }]),
        /holds more than the 65536 bytes/,
      ],
      [
        'corrupt block',
        Buffer.concat([
          snappyFramedChunks([{ kind: 'identifier' }]),
          Buffer.from([0x00, 7, 0, 0, 0, 0, 0, 0, 3, 0x04, 0x61]),
        ]),
        /Snappy chunk 2 \(at byte 10\) is corrupt: a literal runs past the block/,
      ],
    ];
    for (const [label, stream, message] of cases) {
      expect(() => decompressSnappyFramed(stream), label).toThrow(message);
      expect(() => decompressSnappyFramed(stream), label).toThrow(CompressedObjectError);
    }
  });

  it('stops at the limit', () => {
    const stream = snappyFramed(Buffer.alloc(200_000, 0x20));
    expect(() => decompressSnappyFramed(stream, 150_000)).toThrow(DecompressedSizeError);
    expect(decompressSnappyFramed(stream, 200_000).length).toBe(200_000);
  });
});

describe('Hadoop-Snappy', () => {
  const text = Buffer.from(
    Array.from({ length: 120 }, (_, index) => contactTraceRecord(`c-${index}`)).join('\n'),
  );
  const read = (object: Buffer) => {
    const blocks = hadoopSnappyBlocks(object);
    return blocks === undefined ? undefined : decompressHadoopSnappy(blocks);
  };

  it('reads blocks of one or several chunks, and the empty block Hadoop may write last', () => {
    expect(read(hadoopSnappy(text))?.equals(text)).toBe(true);
    expect(read(hadoopSnappy(text, { blockSize: 50_000, chunkSize: 12_000 }))?.equals(text)).toBe(true);
    expect(read(hadoopSnappy(text, { blockSize: 40_000, trailingEmptyBlock: true }))?.equals(text)).toBe(
      true,
    );
    expect(hadoopSnappyBlocks(hadoopSnappy(text, { blockSize: 50_000, chunkSize: 12_000 }))).toHaveLength(
      Math.ceil(text.length / 50_000),
    );
  });

  it('recognises only objects whose every length agrees: anything else is left alone', () => {
    const object = hadoopSnappy(text, { blockSize: 50_000, chunkSize: 12_000 });
    const notHadoop = [
      Buffer.from(`${contactTraceRecord('c-1')}\n`), // JSON text
      Buffer.from('\n\n{"a":1}'),
      Buffer.alloc(0),
      Buffer.alloc(4), // one empty block: nothing to recognise it by
      Buffer.alloc(16),
      object.subarray(0, object.length - 1), // cut off
      Buffer.concat([object, Buffer.from([0])]), // trailing byte
      Buffer.concat([object, Buffer.from('{"a":1}')]),
    ];
    // The first block's length one more or one less than its chunks make.
    const longer = Buffer.from(object);
    longer.writeUInt32BE(longer.readUInt32BE(0) + 1, 0);
    const shorter = Buffer.from(object);
    shorter.writeUInt32BE(shorter.readUInt32BE(0) - 1, 0);
    notHadoop.push(longer, shorter);
    for (const [index, candidate] of notHadoop.entries()) {
      expect(hadoopSnappyBlocks(candidate), `case ${index}`).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const blocks = hadoopSnappyBlocks(bytes);
        // Random bytes may happen to be valid blocks only when their lengths agree; never a crash.
        if (blocks !== undefined) expect(blocks.length).toBeGreaterThan(0);
      }),
    );
  });

  it('reports a recognised object whose Snappy data is corrupt, and refuses one over the limit', () => {
    const object = hadoopSnappy(Buffer.from('{"a":1}\n{"b":2}\n'));
    // Lengths intact, a literal tag turned into a copy reaching before the start.
    const corrupt = Buffer.from(object);
    corrupt[9] = 0x01;
    const blocks = hadoopSnappyBlocks(corrupt);
    expect(blocks).toBeDefined();
    expect(() => decompressHadoopSnappy(blocks!)).toThrow(/^Hadoop-Snappy block 1, chunk 1 is corrupt: /);
    expect(() => decompressHadoopSnappy(hadoopSnappyBlocks(hadoopSnappy(text))!, 1000)).toThrow(
      DecompressedSizeError,
    );
  });
});
