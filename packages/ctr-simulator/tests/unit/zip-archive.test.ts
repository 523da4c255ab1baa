// ZIP archives here come from three writers: the fixtures under tests/fixtures, made once with Python 3.11's
// `zipfile` writing to a stream it cannot seek (so every entry has a data descriptor; a directory, a deflated and
// a stored entry) and with Java 17's `java.util.zip.ZipOutputStream` (deflated, data descriptor), and the tiny
// writer in compression-fixtures.ts, whose CRC-32 comes from zlib. Their content is
// `failedRecordLine(contactTraceRecord('c-zip-N', '+6140100000N'), ...)`, three lines in entry a, one in entry b.
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompressedObjectError, DecompressedSizeError } from '../../src/errors.js';
import { readZipEntries } from '../../src/zip-archive.js';
import { contactTraceRecord, failedRecordLine, zipArchive } from './compression-fixtures.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/${name}`, import.meta.url));
const zipLines = (numbers: number[], errorCode: string) =>
  numbers
    .map((n) => `${failedRecordLine(contactTraceRecord(`c-zip-${n}`, `+6140100000${n}`), errorCode)}\n`)
    .join('');

describe('readZipEntries', () => {
  it("reads Python zipfile's and Java ZipOutputStream's archives (data descriptors, a directory, stored and deflated)", async () => {
    const python = await readZipEntries(await fixture('python-zipfile-data-descriptors.zip'));
    expect(python.map((entry) => entry.toString())).toEqual([
      zipLines([1, 2, 3], 'Lambda.FunctionError'),
      zipLines([4], 'Lambda.ProcessingFailedStatus'),
    ]);
    const java = await readZipEntries(await fixture('java-zipoutputstream.zip'));
    expect(java.map((entry) => entry.toString())).toEqual([zipLines([1, 2, 3], 'Lambda.FunctionError')]);
  });

  it('reads any entries, stored or deflated, with or without data descriptors, with ZIP64 fields or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            content: fc.uint8Array({ maxLength: 2000 }),
            method: fc.constantFrom(0, 8),
            dataDescriptor: fc.boolean(),
            directory: fc.boolean(),
          }),
          { maxLength: 5 },
        ),
        fc.boolean(),
        async (entries, zip64) => {
          const archive = zipArchive(
            entries.map((entry, index) => ({
              name: entry.directory ? `dir-${index}/` : `file-${index}`,
              content: entry.directory ? new Uint8Array(0) : entry.content,
              method: entry.method,
              dataDescriptor: entry.dataDescriptor,
            })),
            { zip64 },
          );
          const read = await readZipEntries(archive);
          expect(read.map((content) => Buffer.from(content).toString('hex'))).toEqual(
            entries
              .filter((entry) => !entry.directory)
              .map((entry) => Buffer.from(entry.content).toString('hex')),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('finds the end record behind an archive comment, and reads an empty archive as no entries', async () => {
    const archive = zipArchive([{ name: 'a', content: Buffer.from('{"a":1}') }]);
    const comment = Buffer.from('written by a test; PK\x05\x06 inside a comment does not fool it');
    const withComment = Buffer.concat([archive, comment]);
    withComment.writeUInt16LE(comment.length, archive.length - 2);
    expect((await readZipEntries(withComment)).map(String)).toEqual(['{"a":1}']);
    expect(await readZipEntries(zipArchive([]))).toEqual([]);
  });

  it('rejects corrupt, cut-off, encrypted and unsupported archives, naming the entry by number', async () => {
    const content = Buffer.from(zipLines([1, 2], 'Lambda.FunctionError'));
    const good = { name: 'a', content };
    const cases: [string, Buffer, RegExp][] = [
      [
        'CRC-32 of the second entry',
        zipArchive([good, { name: 'b', content, crc: 0x12345678, dataDescriptor: true }]),
        /^the ZIP archive is corrupt or cut off: entry 2 of 2: its CRC-32 does not match its data$/,
      ],
      [
        'CRC-32 of a stored entry',
        zipArchive([{ ...good, method: 0, crc: 1 }]),
        /entry 1 of 1: its CRC-32 does not match/,
      ],
      [
        'cut off',
        zipArchive([good]).subarray(0, 200),
        /^the ZIP archive is corrupt or cut off: no end of central directory record/,
      ],
      [
        'only a local header',
        Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]),
        /too short to be a ZIP archive/,
      ],
      [
        'encrypted',
        zipArchive([{ ...good, encrypted: true }]),
        /^ZIP entry 1 of 1 is encrypted: decrypt the archive first$/,
      ],
      [
        'bzip2',
        zipArchive([good, { name: 'b', content, method: 12 }]),
        /^ZIP entry 2 of 2 uses compression method 12 \(stored and deflate are read\): extract it first$/,
      ],
      [
        'declared size smaller than the data',
        zipArchive([{ ...good, uncompressedSize: content.length - 1 }]),
        /entry 1 of 1: it inflates to more than the \d+ bytes the central directory says/,
      ],
      [
        'declared size larger than the data',
        zipArchive([{ ...good, uncompressedSize: content.length + 1 }]),
        /entry 1 of 1: it holds \d+ bytes, not the \d+ the central directory says/,
      ],
      [
        'stored sizes differ',
        zipArchive([{ ...good, method: 0, uncompressedSize: 3 }]),
        /a stored entry whose two sizes differ/,
      ],
    ];
    // Deflate data that does not inflate: the entry's data replaced by bytes of an invalid block type.
    const broken = zipArchive([good]);
    const dataStart = 30 + 1;
    broken.fill(0xff, dataStart, dataStart + 8);
    cases.push(['invalid deflate data', broken, /entry 1 of 1: it does not inflate: /]);
    // The central directory pointing past itself.
    const misplaced = zipArchive([good]);
    misplaced.writeUInt32LE(misplaced.readUInt32LE(misplaced.length - 6) + 1, misplaced.length - 6);
    cases.push(['misplaced directory', misplaced, /central directory (header is missing|is not where)/]);
    // A ZIP64 archive whose end record lost its locator.
    const zip64 = zipArchive([good], { zip64: true });
    const withoutLocator = Buffer.concat([
      zip64.subarray(0, zip64.length - 42),
      zip64.subarray(zip64.length - 22),
    ]);
    cases.push(['ZIP64 without its records', withoutLocator, /a ZIP64 archive without its ZIP64 end/]);

    for (const [label, archive, message] of cases) {
      const attempt = readZipEntries(archive);
      await expect(attempt, label).rejects.toThrow(message);
      await expect(attempt, label).rejects.toBeInstanceOf(CompressedObjectError);
    }
  });

  it('refuses entries adding up to more than the limit before inflating any, by their declared sizes', async () => {
    const content = Buffer.alloc(10_000, 0x20);
    const archive = zipArchive([
      { name: 'a', content },
      { name: 'b', content },
    ]);
    await expect(readZipEntries(archive, 19_999)).rejects.toBeInstanceOf(DecompressedSizeError);
    expect((await readZipEntries(archive, 20_000)).map((entry) => entry.length)).toEqual([10_000, 10_000]);
    // A declared 3 GiB is refused at once, though the data is tiny.
    const huge = zipArchive([{ name: 'a', content, uncompressedSize: 3 * 2 ** 30 }]);
    await expect(readZipEntries(huge, 2 ** 30)).rejects.toThrow(/more than 1 GiB/);
  });
});
