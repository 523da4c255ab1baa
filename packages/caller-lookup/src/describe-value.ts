/** Longest string echoed in an option error; longer ones are cut (an option error is not a dump). */
const MAX_ECHOED = 40;

/**
 * Describes a bad option value for an error message so its type is never hidden: `2000` for a number, `the
 * string "2000"` for a string, `a function`, `null`... Only for values that are not secrets: header values
 * are never passed here.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return String(value);
    case 'string':
      return `the string ${JSON.stringify(value.length > MAX_ECHOED ? `${value.slice(0, MAX_ECHOED)}…` : value)}`;
    case 'boolean':
      return `the boolean ${value}`;
    case 'bigint':
      return `the bigint ${value}n`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      if (value === null) return 'null';
      return Array.isArray(value) ? 'an array' : 'an object';
  }
}

/** The kind of a value without the value itself, for values that may be secret: `a number`, `undefined`. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}
