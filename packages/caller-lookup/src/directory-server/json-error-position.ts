/** Where a JSON text stops being valid: 1-based line and column, and the 0-based character offset. */
export interface JsonErrorPosition {
  line: number;
  column: number;
  offset: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/**
 * Finds the first syntax error of a text that `JSON.parse` rejected, without quoting any of it: V8's own
 * messages quote the text around the error, and a directory file holds names and numbers (personal data).
 * Iterative (no recursion), so deep nesting cannot overflow the stack. `undefined` when no error is found.
 */
export function findJsonErrorPosition(text: string): JsonErrorPosition | undefined {
  const offset = firstErrorOffset(text);
  if (offset === undefined) return undefined;
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (text[index] === '\n') {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset };
}

function firstErrorOffset(text: string): number | undefined {
  const open: string[] = []; // the containers we are in: '{' or '['
  let index = 0;
  const skipWhitespace = () => {
    while (index < text.length && WHITESPACE.has(text[index]!)) index++;
  };
  const match = (pattern: RegExp): boolean => {
    pattern.lastIndex = index;
    if (!pattern.test(text)) return false;
    index = pattern.lastIndex;
    return true;
  };
  let expect: 'value' | 'key' | 'after-value' = 'value';
  for (;;) {
    skipWhitespace();
    const character = text[index];
    if (expect === 'key') {
      if (character !== '"' || !match(STRING)) return index;
      skipWhitespace();
      if (text[index] !== ':') return index;
      index++;
      expect = 'value';
    } else if (expect === 'value') {
      if (character === '{' || character === '[') {
        open.push(character);
        index++;
        skipWhitespace();
        const close = character === '{' ? '}' : ']';
        if (text[index] === close) {
          open.pop();
          index++;
          expect = 'after-value';
        } else {
          expect = character === '{' ? 'key' : 'value';
        }
      } else if (match(STRING) || match(NUMBER) || match(LITERAL)) {
        expect = 'after-value';
      } else {
        return index;
      }
    } else {
      const container = open.at(-1);
      if (container === undefined) return index < text.length ? index : undefined;
      if (character === ',') {
        index++;
        expect = container === '{' ? 'key' : 'value';
      } else if (character === (container === '{' ? '}' : ']')) {
        open.pop();
        index++;
      } else {
        return index;
      }
    }
  }
}
