import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DirectoryFileError } from '../errors.js';
import { maskPhoneNumber, normalizePhoneNumber } from '../phone-number.js';
import { sanitizeName } from '../response-parser.js';
import { findJsonErrorPosition } from './json-error-position.js';

/**
 * Entries of a directory: phone number (any accepted format) to caller name.
 *
 * @example
 * ```ts
 * import type { DirectoryEntries } from '@ctr-stream/caller-lookup/directory-server';
 * const entries: DirectoryEntries = { '+61 2 9999 9854': 'Jane Citizen' };
 * ```
 */
export type DirectoryEntries = Record<string, string> | Iterable<readonly [string, string]>;

/** Normalises the numbers of `entries` into a Map; a bad number, empty name or duplicate is an error. */
export function buildDirectory(entries: DirectoryEntries, source = 'entries'): Map<string, string> {
  const directory = new Map<string, string>();
  const pairs = isIterable(entries) ? entries : Object.entries(entries);
  let index = 0;
  for (const pair of pairs) {
    index++;
    addEntry(directory, source, pair[0], pair[1], { index });
  }
  return directory;
}

function isIterable(value: unknown): value is Iterable<readonly [string, string]> {
  return value !== null && typeof value === 'object' && Symbol.iterator in value;
}

function addEntry(
  directory: Map<string, string>,
  source: string,
  phone: unknown,
  name: unknown,
  where: { line?: number; index?: number },
): void {
  const details = where.line === undefined ? {} : { line: where.line };
  const label = where.index === undefined ? '' : ` (entry ${where.index})`;
  const normalised = normalizePhoneNumber(phone);
  if (normalised === undefined) {
    throw new DirectoryFileError(source, `invalid phone number ${maskPhoneNumber(phone)}${label}`, details);
  }
  if (typeof name !== 'string' || name.trim() === '') {
    throw new DirectoryFileError(
      source,
      `empty or non-string name for ${maskPhoneNumber(normalised)}${label}`,
      details,
    );
  }
  // A name the client would answer bad_response for (a line break, markup, no letter, invisible characters
  // only) is a mistake in the file: refused here, where it can be fixed, not served (the name is not shown).
  const served = sanitizeName(name, { emptyBodyIsNotFound: false, maxNameLength: Number.MAX_SAFE_INTEGER });
  if (served.status !== 'found') {
    throw new DirectoryFileError(
      source,
      `the name for ${maskPhoneNumber(normalised)}${label} would not be accepted by a client (${served.status === 'error' ? (served.detail ?? served.reason) : 'empty'})`,
      details,
    );
  }
  if (directory.has(normalised)) {
    throw new DirectoryFileError(
      source,
      `duplicate phone number ${maskPhoneNumber(normalised)}${label}`,
      details,
    );
  }
  // Served as a client reads it: control and invisible format characters stripped, whitespace runs collapsed.
  directory.set(normalised, served.name);
}

/**
 * Reads a directory file: CSV with a `phone,name` header, or a JSON object `{ "<phone>": "<name>" }`.
 * Throws `DirectoryFileError` (with the line, numbers masked) for a bad number, empty name or duplicate.
 *
 * @example
 * ```ts
 * import { loadDirectoryFile } from '@ctr-stream/caller-lookup/directory-server';
 * const directory = await loadDirectoryFile('callers.csv'); // Map { '+61299999854' => 'Jane Citizen' }
 * ```
 */
export async function loadDirectoryFile(file: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DirectoryFileError(
      file,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {},
      {
        cause: error,
      },
    );
  }
  return parseDirectoryText(text, file);
}

/**
 * Parses directory text; the format is JSON when the file ends in .json or starts with `{`, else CSV.
 *
 * @example
 * ```ts
 * import { parseDirectoryText } from '@ctr-stream/caller-lookup/directory-server';
 * parseDirectoryText('phone,name\n+61299999854,"Citizen, Jane"\n', 'callers.csv');
 * ```
 */
export function parseDirectoryText(text: string, file: string): Map<string, string> {
  const content = text.replace(/^\uFEFF/, '');
  if (extname(file).toLowerCase() === '.json' || content.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      // Never the parser's message (nor the parser's error as `cause`): it quotes the file, names included.
      const position = findJsonErrorPosition(content);
      throw new DirectoryFileError(
        file,
        position === undefined
          ? 'not valid JSON'
          : `not valid JSON at column ${position.column} (character ${position.offset + 1})`,
        position === undefined ? {} : { line: position.line },
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new DirectoryFileError(file, 'expected a JSON object { "<phone>": "<name>" }');
    }
    const directory = buildDirectory(parsed as Record<string, string>, file);
    rejectRepeatedJsonKeys(content, file);
    return directory;
  }
  return parseCsvDirectory(content, file);
}

/**
 * JSON.parse keeps the last of two equal keys, silently: `{"+61299999854":"Alice","+61299999854":"Mallory"}` would
 * serve Mallory. Called once every value is known to be a string, so every `"...":` in the text is a key.
 */
function rejectRepeatedJsonKeys(content: string, file: string): void {
  const seen = new Set<string>();
  for (const match of content.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) {
    const key = JSON.parse(`"${match[1]}"`) as string;
    if (seen.has(key)) {
      const line = content.slice(0, match.index).split('\n').length;
      throw new DirectoryFileError(
        file,
        `duplicate phone number ${maskPhoneNumber(normalizePhoneNumber(key) ?? key)}`,
        { line },
      );
    }
    seen.add(key);
  }
}

function parseCsvDirectory(content: string, file: string): Map<string, string> {
  const rows = parseCsv(content, file);
  const header = rows.shift();
  const columns = header?.fields.map((field) => field.trim().toLowerCase()) ?? [];
  const phoneColumn = columns.indexOf('phone');
  const nameColumn = columns.indexOf('name');
  if (phoneColumn === -1 || nameColumn === -1) {
    throw new DirectoryFileError(file, 'expected a CSV header with the columns phone,name', { line: 1 });
  }
  const directory = new Map<string, string>();
  for (const row of rows) {
    if (row.fields.length === 1 && row.fields[0]?.trim() === '') continue; // blank line
    if (row.fields.length !== columns.length) {
      throw new DirectoryFileError(file, `expected ${columns.length} fields, found ${row.fields.length}`, {
        line: row.line,
      });
    }
    addEntry(directory, file, row.fields[phoneColumn]?.trim(), row.fields[nameColumn], { line: row.line });
  }
  return directory;
}

/** RFC 4180 CSV: quoted fields with `""` escapes, commas and line breaks inside quotes, CRLF or LF. */
function parseCsv(content: string, file: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let index = 0;
  while (index < content.length) {
    const character = content[index]!;
    if (quoted) {
      if (character === '"') {
        if (content[index + 1] === '"') {
          field += '"';
          index++;
        } else {
          quoted = false;
        }
      } else {
        if (character === '\n') line++;
        field += character;
      }
    } else if (character === '"') {
      if (field.trim() !== '')
        throw new DirectoryFileError(file, 'a quote inside an unquoted field', { line });
      field = '';
      quoted = true;
    } else if (character === ',') {
      fields.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && content[index + 1] === '\n') index++;
      fields.push(field);
      rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      line++;
      rowLine = line;
    } else {
      field += character;
    }
    index++;
  }
  if (quoted) throw new DirectoryFileError(file, 'a quoted field is not closed', { line: rowLine });
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    rows.push({ line: rowLine, fields });
  }
  return rows;
}
