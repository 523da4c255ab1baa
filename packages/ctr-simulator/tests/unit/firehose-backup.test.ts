import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupReadError, readFirehoseBackup, splitJsonValues } from '../../src/index.js';
import { failedRecordLine } from './compression-fixtures.js';

const spans = (text: string) => {
  const bytes = Buffer.from(text);
  return [...splitJsonValues(bytes)].map(({ start, end, complete }) => {
    const value = bytes.subarray(start, end).toString();
    return complete ? value : `${value} (incomplete)`;
  });
};

describe('splitJsonValues', () => {
  it('splits values one per line, concatenated, and mixed, with brackets and quotes inside strings', () => {
    expect(spans('{"a":1}\n{"b":2}\n')).toEqual(['{"a":1}', '{"b":2}']);
    expect(spans('{"a":1}{"b":"}{"}[1,[2]]')).toEqual(['{"a":1}', '{"b":"}{"}', '[1,[2]]']);
    expect(spans('{"a":"\\"}"}  \r\n\t{"c":{"d":[]}}')).toEqual(['{"a":"\\"}"}', '{"c":{"d":[]}}']);
    expect(spans('"text" 12 true null')).toEqual(['"text"', '12', 'true', 'null']);
    expect(spans('"a b"{"x":1}')).toEqual(['"a b"', '{"x":1}']);
    expect(spans('"a""b"1"x"null"y"[]')).toEqual(['"a"', '"b"', '1', '"x"', 'null', '"y"', '[]']);
    expect(spans('\uFEFF{"a":1}')).toEqual(['{"a":1}']);
    expect(spans('   \n  ')).toEqual([]);
  });

  it('marks a value cut off by the end of the object, a line break in a string or a bracket that does not match', () => {
    expect(spans('{"a":1}{"b":"unterminated')).toEqual(['{"a":1}', '{"b":"unterminated (incomplete)']);
    expect(spans('{"a":{')).toEqual(['{"a":{ (incomplete)']);
    expect(spans('{"a":"b}\n{"c":1}')).toEqual(['{"a":"b} (incomplete)', '{"c":1}']);
    expect(spans('{"a":[1}{"c":1}')).toEqual(['{"a":[1} (incomplete)', '{"c":1}']);
    expect(spans('}}{"a":1}]')).toEqual(['}', '}', '{"a":1}', ']']);
  });

  it('finds exactly the values of any sequence of JSON values, however they are separated', () => {
    // Two numbers or literals in a row need a separator (`12` could be one value or two); nothing else does.
    const bare = (value: unknown) => value !== null && typeof value !== 'object' && typeof value !== 'string';
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.array(fc.constantFrom('', '\n', ' ', '\r\n', '\t\n'), { minLength: 8, maxLength: 8 }),
        (values, separators) => {
          const text = values
            .map((value, index) => {
              const next = values[index + 1];
              const separator =
                separators[index] === '' && (bare(value) || value === null) && (bare(next) || next === null)
                  ? ' '
                  : separators[index];
              return JSON.stringify(value) + separator;
            })
            .join('');
          const found = [...splitJsonValues(Buffer.from(text))];
          expect(found.every((span) => span.complete)).toBe(true);
          const bytes = Buffer.from(text);
          expect(found.map((span) => JSON.parse(bytes.subarray(span.start, span.end).toString()))).toEqual(
            JSON.parse(JSON.stringify(values)),
          );
          expect(found.map((span) => span.position)).toEqual(values.map((_, index) => index + 1));
        },
      ),
    );
  });
});

describe('readFirehoseBackup', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ctr-backup-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const record = (contactId: string) => `{"ContactId":"${contactId}","Channel":"VOICE"}`;
  const failed = failedRecordLine;

  it('reads failed records (rawData decoded) and documents (bytes as they are) from a bucket-like tree', async () => {
    const hour = join(directory, 'processing-failed', '2026', '11', '27', '10');
    await mkdir(hour, { recursive: true });
    await writeFile(
      join(hour, 'CTRFHStream-1-2026-11-27-10-00-00-a'),
      `${failed(record('c-1'), 'Lambda.FunctionError')}\n${failed(record('c-2'), 'Lambda.ProcessingFailedStatus')}\n`,
    );
    // Firehose writes objects gzipped when the bucket configuration asks for it.
    await writeFile(
      join(hour, 'CTRFHStream-1-2026-11-27-10-05-00-b'),
      gzipSync(failed(record('c-3'), 'Lambda.FunctionError', Date.UTC(2026, 10, 28, 0, 0, 1))),
    );
    // An AllDocuments object: documents concatenated without a delimiter, spaces and key order kept.
    const all = join(directory, '2026', '11', '27', '10');
    await mkdir(all, { recursive: true });
    await writeFile(
      join(all, 'CTRFHStream-1-2026-11-27-10-00-00-c'),
      `${record('c-4')}{ "ContactId" : "c-5" }`,
    );
    // firehose-local's object in the making, and an editor's file: hidden, left out.
    await writeFile(join(hour, '.0d5c.partial'), 'garbage');

    const backup = await readFirehoseBackup([directory], { documents: true });
    expect(backup.problems).toEqual([]);
    expect(backup.files).toBe(3);
    expect(
      backup.records.map((found) => [found.kind, found.data.toString(), found.errorCode, found.day]),
    ).toEqual([
      ['document', record('c-4'), undefined, undefined],
      ['document', '{ "ContactId" : "c-5" }', undefined, undefined],
      ['failed-record', record('c-1'), 'Lambda.FunctionError', '2026-11-27'],
      ['failed-record', record('c-2'), 'Lambda.ProcessingFailedStatus', '2026-11-27'],
      ['failed-record', record('c-3'), 'Lambda.FunctionError', '2026-11-28'],
    ]);
    expect(backup.records.map((found) => found.position)).toEqual([1, 2, 1, 2, 1]);
    expect(backup).toMatchObject({
      failedRecords: 3,
      documents: 2,
      skipped: 0,
      skippedDocuments: 0,
      byErrorCode: { 'Lambda.FunctionError': 2, 'Lambda.ProcessingFailedStatus': 1 },
    });
    // Without `documents`, an AllDocuments backup (delivered records too) is counted and left out.
    const failedOnly = await readFirehoseBackup([directory]);
    expect(failedOnly.records.map((found) => found.kind)).toEqual([
      'failed-record',
      'failed-record',
      'failed-record',
    ]);
    expect(failedOnly.skippedDocuments).toBe(2);
  });

  it('reads an object reached through several paths or links once, and survives a directory link loop', async () => {
    const hour = join(directory, 'processing-failed', '2026');
    await mkdir(hour, { recursive: true });
    await writeFile(join(hour, 'object'), failed(record('c-1'), 'Lambda.FunctionError'));
    await symlink(directory, join(hour, 'loop'));
    await symlink(join(hour, 'object'), join(directory, 'link-to-object'));
    const backup = await readFirehoseBackup([
      directory,
      join(directory, 'processing-failed'),
      join(hour, 'object'),
    ]);
    expect(backup.files).toBe(1);
    expect(backup.records).toHaveLength(1);
  });

  it('tells a failed record from a document that happens to have a rawData field', async () => {
    await writeFile(join(directory, 'o'), '{"rawData":"abcd","ContactId":"x"}');
    const backup = await readFirehoseBackup([directory], { documents: true });
    expect(backup.records.map((found) => [found.kind, found.data.toString()])).toEqual([
      ['document', '{"rawData":"abcd","ContactId":"x"}'],
    ]);
  });

  it('reports a JSON array of failed records instead of sending it as one document', async () => {
    await writeFile(
      join(directory, 'array'),
      `[${failed(record('a'), 'Lambda.FunctionError')},${failed(record('b'), 'x')}]`,
    );
    const backup = await readFirehoseBackup([directory], { documents: true });
    expect(backup.records).toEqual([]);
    expect(backup.problems).toEqual([
      {
        file: join(directory, 'array'),
        position: 1,
        reason: "a JSON array of failed records: write them one JSON object per line (Firehose's format)",
      },
    ]);
  });

  it('keeps bytes that are not UTF-8 text in rawData exactly (the record goes back as it came)', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b, 0x80]);
    const envelope = { errorCode: 'Lambda.FunctionError', rawData: bytes.toString('base64') };
    await writeFile(join(directory, 'object'), JSON.stringify(envelope));
    const backup = await readFirehoseBackup([join(directory, 'object')]);
    expect(backup.records[0]!.data.equals(bytes)).toBe(true);
  });

  it('keeps only the failed records with a chosen errorCode when asked, and counts the rest as skipped', async () => {
    await writeFile(
      join(directory, 'object'),
      [
        failed(record('c-1'), 'Lambda.FunctionError'),
        failed(record('c-2'), 'Lambda.ProcessingFailedStatus'),
        record('c-3'),
        JSON.stringify({ attemptsMade: 1, rawData: Buffer.from(record('c-4')).toString('base64') }),
      ].join('\n'),
    );
    const backup = await readFirehoseBackup([directory], { errorCodes: ['Lambda.ProcessingFailedStatus'] });
    expect(backup.records.map((found) => found.data.toString())).toEqual([record('c-2')]);
    expect(backup).toMatchObject({ skipped: 2, skippedDocuments: 1, failedRecords: 1, documents: 0 });
    const all = await readFirehoseBackup([directory]);
    expect(all.byErrorCode).toEqual({
      'Lambda.FunctionError': 1,
      'Lambda.ProcessingFailedStatus': 1,
      '(none)': 1,
    });
  });

  it('reports each value it cannot read, by object and position and never by content, and reads on', async () => {
    const secret = '+61401004854';
    await writeFile(
      join(directory, 'a'),
      [
        failed(record('c-1'), 'Lambda.FunctionError'),
        `{"CustomerEndpoint":{"Address":"${secret}"},}`,
        JSON.stringify({ errorCode: 'x', rawData: `${secret}!` }),
        JSON.stringify({ errorCode: 'x', rawData: 42 }),
        'not-json',
        failed(record('c-2'), 'Lambda.FunctionError'),
        `{"CustomerEndpoint":{"Address":"${secret}}`,
        failed(record('c-3'), 'Lambda.FunctionError'),
        `{"Address":"${secret}"`,
      ].join('\n'),
    );
    await writeFile(
      join(directory, 'b'),
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    );
    await writeFile(join(directory, 'c'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]));
    await writeFile(join(directory, 'd'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
    const backup = await readFirehoseBackup([directory]);
    // A broken line costs that line only: the records after it are read.
    expect(backup.records.map((found) => found.data.toString())).toEqual([
      record('c-1'),
      record('c-2'),
      record('c-3'),
    ]);
    expect(backup.problems).toEqual([
      {
        file: join(directory, 'a'),
        position: 2,
        reason: 'not valid JSON (records are JSON values, one per line)',
      },
      {
        file: join(directory, 'a'),
        position: 3,
        reason: 'rawData is not base64: this failed record cannot be replayed',
      },
      {
        file: join(directory, 'a'),
        position: 4,
        reason: 'rawData is not base64: this failed record cannot be replayed',
      },
      {
        file: join(directory, 'a'),
        position: 5,
        reason: 'not valid JSON (records are JSON values, one per line)',
      },
      {
        file: join(directory, 'a'),
        position: 7,
        reason: 'the JSON value is cut off (a truncated object, or a broken line)',
      },
      {
        file: join(directory, 'a'),
        position: 9,
        reason: 'the JSON value is cut off (a truncated object, or a broken line)',
      },
      { file: join(directory, 'b'), position: 1, reason: 'not valid UTF-8' },
      { file: join(directory, 'c'), position: 0, reason: expect.stringMatching(/^cannot read the object: /) },
      {
        file: join(directory, 'd'),
        position: 0,
        reason:
          'cannot read the object: the ZIP archive is corrupt or cut off: the object is too short to be a ZIP archive',
      },
    ]);
    expect(JSON.stringify(backup.problems)).not.toContain('401004854');
  });

  it('throws BackupReadError naming a path that does not exist, and reads a single file given directly', async () => {
    const missing = join(directory, 'missing');
    await expect(readFirehoseBackup([missing])).rejects.toThrow(BackupReadError);
    await expect(readFirehoseBackup([missing])).rejects.toThrow(
      `Cannot read the backup at ${missing}: ENOENT`,
    );
    await writeFile(join(directory, 'one.ndjson'), `${record('c-1')}\n`);
    const backup = await readFirehoseBackup([join(directory, 'one.ndjson')], { documents: true });
    expect(backup.records).toHaveLength(1);
    expect(backup.files).toBe(1);
  });

  it('throws BackupReadError for a path with no backup object under it, not for a path named again', async () => {
    const empty = join(directory, 'processing-failed', '2026', '11', '31');
    await mkdir(empty, { recursive: true });
    await expect(readFirehoseBackup([empty])).rejects.toThrow(
      `Cannot read the backup at ${empty}: no backup objects under it. Check the path and the date`,
    );
    // Hidden files only (firehose-local's objects in the making): nothing to replay either.
    await writeFile(join(empty, '.0d5c.partial'), 'garbage');
    await expect(readFirehoseBackup([empty])).rejects.toThrow(BackupReadError);
    await writeFile(join(directory, 'object'), failed(record('c-1'), 'Lambda.FunctionError'));
    await expect(readFirehoseBackup([directory, empty])).rejects.toThrow(BackupReadError);
    // Named twice, or reached inside another path given: read once, and not an error.
    const twice = await readFirehoseBackup([join(directory, 'object'), directory, join(directory, 'object')]);
    expect(twice.files).toBe(1);
  });

  it('counts the failed records the errorCodes filter left out, by code', async () => {
    await writeFile(
      join(directory, 'object'),
      [
        failed(record('c-1'), 'Lambda.FunctionError'),
        failed(record('c-2'), 'Lambda.FunctionError'),
        failed(record('c-3'), 'Lambda.ProcessingFailedStatus'),
        JSON.stringify({ attemptsMade: 1, rawData: Buffer.from(record('c-4')).toString('base64') }),
      ].join('\n'),
    );
    const backup = await readFirehoseBackup([directory], { errorCodes: ['Lambda.ProcessingFailedStatus'] });
    expect(backup.skippedByErrorCode).toEqual({ 'Lambda.FunctionError': 2, '(none)': 1 });
    expect(backup.byErrorCode).toEqual({ 'Lambda.ProcessingFailedStatus': 1 });
    expect((await readFirehoseBackup([directory])).skippedByErrorCode).toEqual({});
  });

  it('gives no day for an arrivalTimestamp a date cannot hold', async () => {
    await writeFile(join(directory, 'o'), failed(record('c-1'), 'E', 1e20));
    const backup = await readFirehoseBackup([directory]);
    expect(backup.records[0]!.day).toBeUndefined();
  });
});
