import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputFileError } from '../../src/errors.js';
import { writeNdjson } from '../../src/ndjson.js';
import { simulateContactTraffic } from '../../src/simulate.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ctr-simulator-ndjson-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const simulation = simulateContactTraffic({ startDate: '2024-03-04', days: 2, contactsPerDay: 100, seed: 4 });

describe('writeNdjson', () => {
  it('writes one record per line with a final newline and counts bytes', async () => {
    const path = join(directory, 'ctr.ndjson');
    const result = await writeNdjson(path, simulation.records);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').slice(0, -1)).toEqual(simulation.records.map((record) => record.data));
    expect(result).toEqual({ records: simulation.records.length, bytes: Buffer.byteLength(text) });
  });

  it('writes to a stream with back-pressure and leaves it open', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const result = await writeNdjson(stream, simulation.records);
    expect(stream.writableEnded).toBe(false);
    expect(Buffer.concat(chunks).toString('utf8').split('\n')).toHaveLength(simulation.records.length + 1);
    expect(result.records).toBe(simulation.records.length);
  });

  it('refuses a record holding a line break before writing anything', async () => {
    const path = join(directory, 'bad.ndjson');
    await expect(writeNdjson(path, [{ data: '{"a":1}' }, { data: '{"a":\n2}' }])).rejects.toThrow(
      /record 1 contains a line break/,
    );
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });

  it('throws OutputFileError for a path that cannot be written', async () => {
    const path = join(directory, 'no-such-directory', 'ctr.ndjson');
    const error = await writeNdjson(path, simulation.records).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutputFileError);
    expect((error as OutputFileError).message).toContain(path);
  });
});
