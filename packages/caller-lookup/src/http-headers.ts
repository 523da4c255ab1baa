import { describeType } from './describe-value.js';

/** An RFC 9110 token (section 5.6.2): what a header name must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Headers the HTTP client sets itself for a GET: undici rejects them on every request (or they would
 * contradict the request it sends), so they are refused once, when the options are checked.
 */
const CLIENT_MANAGED = new Set([
  'connection',
  'content-length',
  'expect',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

/** A header name for a message: quoted, control characters escaped, and cut when long. */
export function quoteHeaderName(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

/**
 * Why `name` is not a valid request header name, or `undefined` when it is.
 */
export function headerNameProblem(name: string): string | undefined {
  if (name === '') return 'a header name cannot be empty';
  if (!TOKEN.test(name)) {
    return `header name ${quoteHeaderName(name)} is not a valid HTTP token: use letters, digits and !#$%&'*+-.^_\`|~ only (no spaces, colons or control characters)`;
  }
  return undefined;
}

/**
 * Why `value` (of header `name`) is not a valid RFC 9110 field value, or `undefined` when it is. The message
 * names the header and the kind of bad character, never the value itself: it may be a credential.
 */
export function headerValueProblem(name: string, value: unknown): string | undefined {
  const header = `header ${quoteHeaderName(name)}`;
  if (typeof value !== 'string') return `${header} must have a string value, got ${describeType(value)}`;
  // field-value: visible ASCII, obs-text (0x80-0xFF), space and tab; nothing else reaches the wire intact.
  const bad = /[^\t\x20-\x7e\x80-\xff]/.exec(value);
  if (bad === null) return undefined;
  const code = bad[0].charCodeAt(0);
  const kind =
    code === 0x0d || code === 0x0a
      ? 'a line break (CR or LF); a value read from a file or a secret store often ends in a newline: trim it'
      : code === 0x00
        ? 'a NUL character'
        : code < 0x20 || code === 0x7f
          ? 'a control character'
          : 'a character above U+00FF; encode it (e.g. percent- or base64-encoding) first';
  return `${header} has an invalid value (value not shown): it contains ${kind}`;
}

/**
 * Checks a header map (e.g. the `headers` option) and returns it with lower-case names, or the first problem.
 * `clientManaged` refuses the headers the HTTP client sets itself (the caller-lookup client's request).
 */
export function checkHeaders(
  headers: unknown,
  clientManaged: boolean,
): { headers: Record<string, string> } | { problem: string } {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    return { problem: `expected an object of header names to string values, got ${describeType(headers)}` };
  }
  const checked: Record<string, string> = Object.create(null); // a header named __proto__ stays a header
  for (const [name, value] of Object.entries(headers)) {
    const problem = headerNameProblem(name) ?? headerValueProblem(name, value);
    if (problem !== undefined) return { problem };
    const lower = name.toLowerCase();
    if (clientManaged && CLIENT_MANAGED.has(lower)) {
      return { problem: `header ${quoteHeaderName(name)} is set by the HTTP client itself: remove it` };
    }
    if (Object.hasOwn(checked, lower)) {
      return {
        problem: `header ${quoteHeaderName(name)} is given twice (header names are case-insensitive)`,
      };
    }
    checked[lower] = value as string;
  }
  return { headers: checked };
}
