import { rename, rm, writeFile } from 'node:fs/promises';
import { OutputFileError, SimulationOptionsError } from './errors.js';
import { FIRST_NAMES, LAST_NAMES } from './names.js';
import { type CountryCodeMix, generatePhoneNumber } from './phone-numbers.js';
import type { Random } from './random.js';

/** Phone number (E.164) -> caller name, as served by the directory server. Insertion order is stable. */
export type CallerDirectory = ReadonlyMap<string, string>;

/** The two file formats of the directory server: CSV with a `phone,name` header, or JSON `{ phone: name }`. */
export type CallerDirectoryFormat = 'csv' | 'json';

/** Generates `size` distinct numbers with realistic names (some non-ASCII). */
export function generateCallerDirectory(
  random: Random,
  size: number,
  countryCodeMix: CountryCodeMix,
): Map<string, string> {
  const directory = new Map<string, string>();
  while (directory.size < size) {
    const phone = generatePhoneNumber(random, random.weighted(countryCodeMix));
    if (directory.has(phone)) continue;
    directory.set(phone, `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`);
  }
  return directory;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The text of a caller directory file in the directory server's format: CSV (header `phone,name`,
 * RFC 4180 quoting, `\n` line ends) or JSON (`{ "<phone>": "<name>" }`, 2-space indent). UTF-8, no BOM.
 *
 * @example
 * ```ts
 * formatCallerDirectory(new Map([['+61401004854', 'Zoë Müller']]), 'csv');
 * // 'phone,name\n+61401004854,Zoë Müller\n'
 * ```
 */
export function formatCallerDirectory(directory: CallerDirectory, format: CallerDirectoryFormat): string {
  if (format === 'csv') {
    let text = 'phone,name\n';
    for (const [phone, name] of directory) text += `${csvField(phone)},${csvField(name)}\n`;
    return text;
  }
  if (format === 'json') return `${JSON.stringify(Object.fromEntries(directory), null, 2)}\n`;
  throw new SimulationOptionsError([`unknown caller directory format "${String(format)}" (use csv or json)`]);
}

/**
 * The directory format implied by a file name: `.csv` or `.json`.
 *
 * @example
 * ```ts
 * callerDirectoryFormatFromPath('callers.csv'); // 'csv'
 * ```
 */
export function callerDirectoryFormatFromPath(path: string): CallerDirectoryFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'json';
  throw new SimulationOptionsError([
    `cannot tell the caller directory format of "${path}": name it *.csv or *.json`,
  ]);
}

/**
 * Writes the caller directory for the directory server (`ctr-caller-directory --file <path>`), whole or not at all
 * (a temporary file beside it, renamed over it). Throws `OutputFileError` when the file cannot be written.
 *
 * @example
 * ```ts
 * const simulation = simulateContactTraffic({ startDate: '2024-03-04', days: 7, seed: 42 });
 * await writeCallerDirectory('callers.csv', simulation.callerDirectory, 'csv');
 * ```
 */
export async function writeCallerDirectory(
  path: string,
  directory: CallerDirectory,
  format: CallerDirectoryFormat,
): Promise<void> {
  const text = formatCallerDirectory(directory, format);
  // Written beside it, then renamed over it: a run ended half way (Ctrl-C) leaves the whole file or none, never
  // one cut in the middle of a line, which a directory server would load without a word.
  const partial = `${path}.${process.pid}.partial`;
  try {
    await writeFile(partial, text, 'utf8');
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw new OutputFileError(path, error);
  }
}

/**
 * `--directory-out FILE` of ctr-simulate: writes the directory in the format its name says, notes it in the JSON
 * report and says so. Nothing without a path.
 */
export async function writeDirectoryOut(
  path: string | undefined,
  directory: CallerDirectory,
  report: Record<string, unknown>,
  log: (line: string) => void,
): Promise<void> {
  if (path === undefined) return;
  await writeCallerDirectory(path, directory, callerDirectoryFormatFromPath(path));
  report.callerDirectory = { path, entries: directory.size };
  log(`Wrote the caller directory (${directory.size} numbers) to ${path}.`);
}
