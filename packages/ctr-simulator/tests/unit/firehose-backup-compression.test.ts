// Objects as Firehose writes them under each S3 CompressionFormat. The Snappy and Hadoop-Snappy objects wrap raw
// Snappy blocks made by `snappyjs` (a devDependency: an independent compressor); see compression-fixtures.ts.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFirehoseBackup } from '../../src/index.js';
import {
  contactTraceRecord,
  failedRecordLine,
  hadoopSnappy,
  snappyFramed,
  snappyFramedChunks,
  zipArchive,
} from './compression-fixtures.js';

const ERROR_CODES = ['Lambda.FunctionError', 'Lambda.ProcessingFailedStatus', 'Lambda.FunctionError'];
/** Several failed records, one per line, as in `processing-failed/`; each CTR has its own phone number. */
const failedRecords = (prefix: string, count: number) => {
  const records = Array.from({ length: count }, (_, index) =>
    contactTraceRecord(`${prefix}-${index + 1}`, `+614${String(index).padStart(8, '0')}`),
  );
  const body = Buffer.from(
    records.map((record, index) => `${failedRecordLine(record, ERROR_CODES[index % 3]!)}\n`).join(''),
  );
  return { records, body };
};

describe('readFirehoseBackup: every S3 CompressionFormat of Firehose', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ctr-backup-compression-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const summary = (backup: Awaited<ReturnType<typeof readFirehoseBackup>>) =>
    backup.records.map((found) => [
      found.file.slice(directory.length + 1),
      found.position,
      found.errorCode,
      found.data.toString(),
    ]);

  it('reads the same failed records from an uncompressed, GZIP, ZIP, Snappy and Hadoop-Snappy object', async () => {
    // 130 records (about 160 KB): several 64 KiB Snappy chunks, several Hadoop blocks of several chunks.
    const { records, body } = failedRecords('c', 130);
    expect(body.length).toBeGreaterThan(150_000);
    const objects: Record<string, Buffer> = {
      '1-uncompressed': body,
      '2-gzip': gzipSync(body),
      '3-zip': zipArchive([
        { name: 'CTRFHStream-1-2026-11-27-10-00-00-a', content: body, dataDescriptor: true },
      ]),
      '4-snappy': snappyFramed(body),
      '5-hadoop-snappy': hadoopSnappy(body, { blockSize: 65_536, chunkSize: 16_384 }),
    };
    for (const [name, object] of Object.entries(objects)) await writeFile(join(directory, name), object);

    const backup = await readFirehoseBackup([directory]);
    expect(backup.problems).toEqual([]);
    expect(backup.files).toBe(5);
    const expected = records.map((record, index) => [index + 1, ERROR_CODES[index % 3], record]);
    expect(summary(backup)).toEqual(
      Object.keys(objects).flatMap((name) => expected.map((values) => [name, ...values])),
    );
    expect(backup.byErrorCode).toEqual({ 'Lambda.FunctionError': 435, 'Lambda.ProcessingFailedStatus': 215 });
  });

  it('skips a byte order mark at the start of any GZIP member of an object, not only the first', async () => {
    const { records, body } = failedRecords('bom', 4);
    const half = body.indexOf('\n', body.length / 2) + 1;
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    // Two members, each text starting with a BOM, as two writers that each add one would leave them.
    const object = Buffer.concat([
      gzipSync(Buffer.concat([bom, body.subarray(0, half)])),
      gzipSync(Buffer.concat([bom, body.subarray(half)])),
    ]);
    await writeFile(join(directory, 'object'), object);
    const backup = await readFirehoseBackup([directory]);
    expect(backup.problems).toEqual([]);
    expect(backup.records.map((found) => found.data.toString())).toEqual(records);
  });

  it('reads a ZIP archive entry by entry, numbering values on from one entry to the next', async () => {
    const first = failedRecords('stored', 2);
    const second = failedRecords('deflated', 3);
    await writeFile(
      join(directory, 'archive'),
      zipArchive([
        { name: '2026/', content: Buffer.alloc(0), method: 0 },
        { name: '2026/a', content: first.body, method: 0 },
        { name: '2026/b', content: second.body, dataDescriptor: true },
      ]),
    );
    // Made by Python's zipfile: a directory, then entries with data descriptors (see zip-archive.test.ts).
    await copyFile(
      new URL('../fixtures/python-zipfile-data-descriptors.zip', import.meta.url),
      join(directory, 'python'),
    );
    const backup = await readFirehoseBackup([directory]);
    expect(backup.problems).toEqual([]);
    expect(summary(backup)).toEqual([
      ['archive', 1, 'Lambda.FunctionError', first.records[0]],
      ['archive', 2, 'Lambda.ProcessingFailedStatus', first.records[1]],
      ['archive', 3, 'Lambda.FunctionError', second.records[0]],
      ['archive', 4, 'Lambda.ProcessingFailedStatus', second.records[1]],
      ['archive', 5, 'Lambda.FunctionError', second.records[2]],
      ...[1, 2, 3].map((n) => [
        'python',
        n,
        'Lambda.FunctionError',
        contactTraceRecord(`c-zip-${n}`, `+6140100000${n}`),
      ]),
      ['python', 4, 'Lambda.ProcessingFailedStatus', contactTraceRecord('c-zip-4', '+61401000004')],
    ]);
  });

  it('reads Snappy streams with padding, skippable and uncompressed chunks', async () => {
    const { records, body } = failedRecords('c', 3);
    const lines = body.toString().split(/(?<=\n)/);
    await writeFile(
      join(directory, 'object'),
      snappyFramedChunks([
        { kind: 'identifier' },
        { kind: 'uncompressed', data: Buffer.from(lines[0]!) },
        { kind: 'padding', length: 100 },
        { kind: 'reserved', type: 0x99, length: 12 },
        { kind: 'compressed', data: Buffer.from(lines[1]!.slice(0, 200)) },
        { kind: 'compressed', data: Buffer.from(lines[1]!.slice(200) + lines[2]) },
      ]),
    );
    const backup = await readFirehoseBackup([directory]);
    expect(backup.problems).toEqual([]);
    expect(backup.records.map((found) => found.data.toString())).toEqual(records);
  });

  it('reports a wrong checksum in each format as a problem of that object only, and reads the next object', async () => {
    const { records, body } = failedRecords('c', 3);
    const gzip = gzipSync(body);
    gzip[gzip.length - 8]! ^= 0x01;
    const snappy = snappyFramed(body);
    snappy[14]! ^= 0x01; // the first chunk's masked CRC-32C
    const hadoop = hadoopSnappy(body);
    // Hadoop-Snappy has no checksum: its lengths kept, the first tag after the chunk's 2-byte length varint
    // (block length, chunk length, varint) becomes a copy reaching before the start.
    expect([hadoop[8]! & 0x80, hadoop[9]! & 0x80]).toEqual([0x80, 0]);
    hadoop[10] = 0x01;
    const objects: Record<string, Buffer> = {
      '1-zip': zipArchive([{ name: 'a', content: body, crc: 0xdeadbeef }]),
      '2-zip': zipArchive([{ name: 'a', content: body }]),
      '3-snappy': snappy,
      '4-snappy': snappyFramed(body),
      '5-gzip': gzip,
      '6-gzip': gzipSync(body),
      '7-hadoop-snappy': hadoop,
      '8-hadoop-snappy': hadoopSnappy(body),
    };
    for (const [name, object] of Object.entries(objects)) await writeFile(join(directory, name), object);

    const backup = await readFirehoseBackup([directory]);
    expect(backup.problems).toEqual([
      {
        file: join(directory, '1-zip'),
        position: 0,
        reason:
          'cannot read the object: the ZIP archive is corrupt or cut off: entry 1 of 1: its CRC-32 does not match its data',
      },
      {
        file: join(directory, '3-snappy'),
        position: 0,
        reason:
          'cannot read the object: Snappy chunk 2 (at byte 10): the CRC-32C does not match its data (a corrupt object)',
      },
      {
        file: join(directory, '5-gzip'),
        position: 0,
        reason: 'cannot read the object: incorrect data check',
      },
      {
        file: join(directory, '7-hadoop-snappy'),
        position: 0,
        reason: expect.stringMatching(
          /^cannot read the object: Hadoop-Snappy block 1, chunk 1 is corrupt: a copy reaches \d+ bytes back/,
        ),
      },
    ]);
    // All or nothing: a corrupt object gives no record, the good ones all of theirs.
    expect(summary(backup).map(([file, position]) => `${file}:${position}`)).toEqual(
      ['2-zip', '4-snappy', '6-gzip', '8-hadoop-snappy'].flatMap((name) =>
        [1, 2, 3].map((n) => `${name}:${n}`),
      ),
    );
    expect(backup.records.map((found) => found.data.toString())).toEqual([
      ...records,
      ...records,
      ...records,
      ...records,
    ]);
    expect(JSON.stringify(backup.problems)).not.toMatch(/\+614|c-1|rawData/);
  });

  it('reports a cut-off object in each format, and reads the next object', async () => {
    const { records, body } = failedRecords('c', 60);
    const cut = (object: Buffer) => object.subarray(0, Math.floor(object.length * 0.6));
    const objects: Record<string, Buffer> = {
      '1-zip': cut(zipArchive([{ name: 'a', content: body }])),
      '2-snappy': cut(snappyFramed(body)),
      '3-gzip': cut(gzipSync(body)),
      '4-hadoop-snappy': cut(hadoopSnappy(body, { blockSize: 20_000 })),
      '5-good': gzipSync(body),
    };
    for (const [name, object] of Object.entries(objects)) await writeFile(join(directory, name), object);

    const backup = await readFirehoseBackup([directory]);
    const wholeObjectProblems = backup.problems.filter((problem) => problem.position === 0);
    expect(wholeObjectProblems).toEqual([
      {
        file: join(directory, '1-zip'),
        position: 0,
        reason:
          'cannot read the object: the ZIP archive is corrupt or cut off: no end of central directory record at the end of the object',
      },
      {
        file: join(directory, '2-snappy'),
        position: 0,
        reason: expect.stringMatching(
          /^cannot read the object: Snappy chunk \d+ \(at byte \d+\) is cut off: \d+ bytes long, \d+ left: a truncated object$/,
        ),
      },
      {
        file: join(directory, '3-gzip'),
        position: 0,
        reason: 'cannot read the object: unexpected end of file',
      },
      // A cut-off Hadoop-Snappy object no longer has the structure it is recognised by (it has no magic number),
      // but it is binary: never read as text, whose values could pass for records or documents.
      {
        file: join(directory, '4-hadoop-snappy'),
        position: 0,
        reason:
          'cannot read the object: it is binary data of no known compression (GZIP, ZIP, Snappy, Hadoop-Snappy): a compressed object cut off?',
      },
    ]);
    expect(backup.problems.filter((problem) => problem.file.endsWith('4-hadoop-snappy'))).toHaveLength(1);
    expect(backup.records.map((found) => found.file.slice(directory.length + 1))).toEqual(
      records.map(() => '5-good'),
    );
  });

  it('refuses an object that would decompress past the limit (a compression bomb), and reads the next', async () => {
    const zeros = Buffer.alloc(4 * 2 ** 20, 0x20);
    const objects: Record<string, Buffer> = {
      '1-gzip': gzipSync(zeros),
      '2-zip': zipArchive([{ name: 'a', content: zeros }]),
      '3-snappy': snappyFramed(zeros),
      '4-hadoop-snappy': hadoopSnappy(zeros),
      '5-good': gzipSync(failedRecords('c', 2).body),
    };
    for (const [name, object] of Object.entries(objects)) await writeFile(join(directory, name), object);
    expect(objects['1-gzip']!.length).toBeLessThan(10_000);

    const backup = await readFirehoseBackup([directory], { maxDecompressedBytes: 2 ** 20 });
    const reason =
      'cannot read the object: it decompresses to more than 1 MiB, the most read from one object: refused as a possible compression bomb (if it is real, decompress it and replay it in parts)';
    expect(backup.problems).toEqual(
      ['1-gzip', '2-zip', '3-snappy', '4-hadoop-snappy'].map((name) => ({
        file: join(directory, name),
        position: 0,
        reason,
      })),
    );
    expect(backup.records).toHaveLength(2);

    // The default is 1 GiB: a ZIP entry declaring 3 GiB is refused from its central directory, before inflating.
    const bombFile = join(directory, 'default-limit', 'bomb');
    await mkdir(join(directory, 'default-limit'));
    await writeFile(
      bombFile,
      zipArchive([{ name: 'a', content: Buffer.alloc(10), uncompressedSize: 3 * 2 ** 30 }]),
    );
    const bomb = await readFirehoseBackup([bombFile]);
    expect(bomb.problems).toEqual([
      { file: bombFile, position: 0, reason: reason.replace('1 MiB', '1 GiB') },
    ]);
  });

  it('reads every format up to exactly the limit', async () => {
    const { body } = failedRecords('c', 3);
    await writeFile(join(directory, 'a'), snappyFramed(body));
    await writeFile(join(directory, 'b'), hadoopSnappy(body));
    await writeFile(join(directory, 'c'), zipArchive([{ name: 'a', content: body }]));
    await writeFile(join(directory, 'd'), gzipSync(body));
    const backup = await readFirehoseBackup([directory], { maxDecompressedBytes: body.length });
    expect(backup.problems).toEqual([]);
    expect(backup.records).toHaveLength(12);
  });

  it('throws RangeError for a maxDecompressedBytes that is not a whole number of bytes from 1 to 4 GiB', async () => {
    await writeFile(join(directory, 'a'), 'x');
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 32 + 1, '1000' as unknown as number]) {
      await expect(readFirehoseBackup([directory], { maxDecompressedBytes: bad })).rejects.toThrow(
        RangeError,
      );
    }
    await expect(readFirehoseBackup([directory], { maxDecompressedBytes: 0 })).rejects.toThrow(
      'readFirehoseBackup: maxDecompressedBytes must be a whole number of bytes from 1 to 4294967296 (got 0)',
    );
    await expect(
      readFirehoseBackup([directory], { maxDecompressedBytes: '1000' as unknown as number }),
    ).rejects.toThrow('(got the string "1000")');
  });
});
