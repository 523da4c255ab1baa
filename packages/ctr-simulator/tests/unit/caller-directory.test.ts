import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerDirectoryFormatFromPath,
  formatCallerDirectory,
  writeCallerDirectory,
} from '../../src/caller-directory.js';
import { OutputFileError, SimulationOptionsError } from '../../src/errors.js';
import { simulateContactTraffic } from '../../src/simulate.js';

/** A strict RFC 4180 reader for the test (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += character;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ctr-simulator-directory-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const simulation = simulateContactTraffic({
  startDate: '2024-03-04',
  days: 1,
  contactsPerDay: 50,
  callerDirectorySize: 300,
  seed: 9,
});

describe('caller directory', () => {
  it('has distinct E.164 numbers and realistic names, some non-ASCII', () => {
    const entries = [...simulation.callerDirectory];
    expect(entries).toHaveLength(300);
    expect(entries.every(([phone]) => /^\+[1-9]\d{7,14}$/.test(phone))).toBe(true);
    expect(entries.every(([, name]) => /^\p{L}[\p{L}' ]+ \p{L}[\p{L}' ]+$/u.test(name))).toBe(true);
    expect(entries.filter(([, name]) => /[^\x20-\x7e]/.test(name)).length).toBeGreaterThan(30);
  });

  it('writes CSV with a phone,name header that reads back identically (UTF-8, quotes)', async () => {
    const path = join(directory, 'callers.csv');
    const tricky = new Map([
      ['+61401004854', 'Zoë Müller'],
      ['+61401004855', 'José Núñez'],
      ['+61401004856', 'Smith, "Jo"'],
    ]);
    await writeCallerDirectory(path, new Map([...tricky, ...simulation.callerDirectory]), 'csv');
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    const rows = parseCsv(bytes.toString('utf8'));
    expect(rows[0]).toEqual(['phone', 'name']);
    expect(new Map(rows.slice(1).map(([phone, name]) => [phone!, name!]))).toEqual(
      new Map([...tricky, ...simulation.callerDirectory]),
    );
    expect(bytes.toString('utf8')).toContain('+61401004854,Zoë Müller\n');
  });

  it('writes JSON { phone: name }', async () => {
    const path = join(directory, 'callers.json');
    await writeCallerDirectory(path, simulation.callerDirectory, 'json');
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
    expect(Object.entries(parsed)).toEqual([...simulation.callerDirectory]);
  });

  it('tells the format from the file name and refuses others', () => {
    expect(callerDirectoryFormatFromPath('a/b/Callers.CSV')).toBe('csv');
    expect(callerDirectoryFormatFromPath('callers.json')).toBe('json');
    expect(() => callerDirectoryFormatFromPath('callers.txt')).toThrow(SimulationOptionsError);
    expect(() => formatCallerDirectory(simulation.callerDirectory, 'xml' as never)).toThrow(/csv or json/);
  });

  it('replaces the file whole, through a temporary file beside it that it never leaves behind', async () => {
    const path = join(directory, 'replaced.csv');
    await writeFile(path, 'phone,name\n+61400000000,Old Entry\n');
    await writeCallerDirectory(path, simulation.callerDirectory, 'csv');
    expect(parseCsv(await readFile(path, 'utf8'))).toHaveLength(simulation.callerDirectory.size + 1);
    // A target it cannot take (a directory): the error names it, and no partial file stays.
    const taken = join(directory, 'taken.csv');
    await mkdir(taken);
    await expect(writeCallerDirectory(taken, simulation.callerDirectory, 'csv')).rejects.toBeInstanceOf(
      OutputFileError,
    );
    expect((await readdir(directory)).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('throws OutputFileError naming the path when it cannot write', async () => {
    const path = join(directory, 'missing', 'callers.csv');
    const error = await writeCallerDirectory(path, simulation.callerDirectory, 'csv').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OutputFileError);
    expect((error as OutputFileError).path).toBe(path);
    expect((error as OutputFileError).message).toContain(path);
  });
});
