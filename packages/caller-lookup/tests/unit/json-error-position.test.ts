import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDirectoryText } from '../../src/directory-server/index.js';
import { findJsonErrorPosition } from '../../src/directory-server/json-error-position.js';
import { DirectoryFileError } from '../../src/index.js';

/** V8's offset for the messages that carry one ("... in JSON at position N"). */
function v8Offset(text: string): number | undefined {
  try {
    JSON.parse(text);
  } catch (error) {
    const match = / at position (\d+)/.exec((error as Error).message);
    return match === null ? undefined : Number(match[1]);
  }
  throw new Error('expected invalid JSON');
}

describe('findJsonErrorPosition', () => {
  it.each([
    ['a trailing comma', '{"a":"b",}'],
    ['garbage after the value', '{"a":"b"} x'],
    ['a missing colon', '{"a" "b"}'],
    ['a missing comma', '{"a":"b" "c":"d"}'],
    ['a single-quoted key', "{'a':1}"],
    ['a bad array separator', '[1;2]'],
    ['a leading zero', '[01]'],
  ])('agrees with V8 where V8 gives a position: %s', (_label, text) => {
    const expected = v8Offset(text);
    expect(expected).toBeTypeOf('number');
    expect(findJsonErrorPosition(text)?.offset).toBe(expected);
  });

  it.each([
    ['an unquoted name', '{\n  "+61299999854": "Jane",\n  "1004854": Jane Citizen\n}', 3, 14],
    ['an unexpected end', '{"+61299999854": ', 1, 18],
    ['an empty text', '', 1, 1],
    ['a raw line break in a string', '{"a": "Ja\nne"}', 1, 7],
    ['a bad escape', '{"a": "\\x"}', 1, 7],
    ['a misspelt literal', '{"a": nul}', 1, 7],
    ['an unclosed array', '[1, 2', 1, 6],
  ])('locates %s by line and column', (_label, text, line, column) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(findJsonErrorPosition(text)).toMatchObject({ line, column });
  });

  it('finds nothing in valid JSON, nested or not', () => {
    for (const text of [
      '{}',
      '[]',
      ' {"a": [1, -2.5e3, true, false, null, {"b": "\\u00e9\\n"}]} ',
      '"x"',
      '0',
    ])
      expect(findJsonErrorPosition(text)).toBeUndefined();
  });

  it('survives very deep nesting without recursion', () => {
    const text = '['.repeat(200_000);
    expect(findJsonErrorPosition(text)).toEqual({ line: 1, column: 200_001, offset: 200_000 });
  });
});

describe('parseDirectoryText with invalid JSON', () => {
  it('names the file, line and column but never quotes the file (names, numbers)', () => {
    const text = '{\n  "+61299999854": "Jane Citizen",\n  "1004854": Jane Citizen\n}';
    const error = (() => {
      try {
        parseDirectoryText(text, 'callers.json');
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a DirectoryFileError');
    })();
    expect(error).toBeInstanceOf(DirectoryFileError);
    expect(error).toMatchObject({ file: 'callers.json', line: 3, code: 'DIRECTORY_FILE' });
    expect((error as Error).message).toBe(
      'Cannot load caller directory callers.json:3: not valid JSON at column 14 (character 50)',
    );
    // Nothing of the file anywhere in the error, its cause included (what a logger prints).
    const printed = `${inspect(error, { depth: 5 })} ${JSON.stringify(error)}`;
    for (const secret of ['Jane', 'Citiz', '1004854', '61299999854']) expect(printed).not.toContain(secret);
    expect((error as Error).cause).toBeUndefined();
  });
});
