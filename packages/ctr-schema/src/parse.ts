import type { z } from 'zod';
import { ContactTraceRecordSchema } from './contact-trace-record-schema.js';
import {
  ContactTraceRecordError,
  type ContactTraceRecordIssue,
  ContactTraceRecordJsonError,
} from './errors.js';
import { compileFastValidator, type FastValidator } from './fast-validator.js';
import { sharedJsonSchema } from './json-schema.js';
import type { ContactTraceRecord } from './types.js';

/** The result of {@link safeParseContactTraceRecord}: a tagged union, never throws. */
export type SafeParseContactTraceRecordResult =
  | { success: true; data: ContactTraceRecord }
  | { success: false; error: ContactTraceRecordError };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['Recordings', 0, 'Status']` -> `Recordings[0].Status`; odd keys quoted: `Attributes["a.b"]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let formatted = '';
  for (const segment of path) {
    if (typeof segment === 'number') formatted += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) {
      formatted += formatted === '' ? segment : `.${segment}`;
    } else formatted += `[${JSON.stringify(String(segment))}]`;
  }
  return formatted === '' ? '(root)' : formatted;
}

function toIssue(issue: z.core.$ZodIssue): ContactTraceRecordIssue {
  // JSON has no undefined: an undefined input means the member is absent.
  const missing = 'input' in issue && issue.input === undefined && issue.path.length > 0;
  return {
    path: formatIssuePath(issue.path),
    message: missing ? 'required field is missing' : issue.message,
  };
}

function contactIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const contactId: unknown = (input as { ContactId?: unknown }).ContactId;
  return typeof contactId === 'string' && contactId !== '' ? contactId : undefined;
}

/**
 * Paths of own `__proto__` keys (JSON.parse creates them). zod would silently drop them, and keeping
 * them invites prototype pollution downstream, so such a record is rejected instead. Iterative, so
 * a deeply nested hostile payload cannot overflow the stack.
 */
function prototypeKeyIssues(input: unknown): ContactTraceRecordIssue[] {
  interface Visit {
    value: unknown;
    key: PropertyKey | undefined;
    parent: Visit | undefined;
  }
  const pathOf = (visit: Visit): PropertyKey[] => {
    const path: PropertyKey[] = [];
    for (let step: Visit | undefined = visit; step?.key !== undefined; step = step.parent)
      path.unshift(step.key);
    return path;
  };
  const issues: ContactTraceRecordIssue[] = [];
  const pending: Visit[] = [{ value: input, key: undefined, parent: undefined }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value !== 'object' || value === null) continue;
    // Children are pushed last-first so that they are visited, and reported, in document order.
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) {
        pending.push({ value: value[index], key: index, parent: visit });
      }
      continue;
    }
    for (const key of Object.keys(value).reverse()) {
      if (key === '__proto__') {
        issues.push({
          path: formatIssuePath([...pathOf(visit), key]),
          message: 'a "__proto__" key is not accepted',
        });
      } else pending.push({ value: (value as Record<string, unknown>)[key], key, parent: visit });
    }
  }
  return issues;
}

let fastValidator: FastValidator | undefined;
let fastValidatorCompiled = false;

/**
 * The fast path, compiled on first use from the JSON Schema that zod derives from
 * `ContactTraceRecordSchema` (so zod stays the single source of truth): `true` only for a record that
 * zod accepts and that holds no `__proto__` key. `undefined` if the schema ever uses a keyword the
 * compiler does not know: then every record goes through zod (a unit test pins that it compiles).
 */
function fastValidate(input: unknown): boolean {
  if (!fastValidatorCompiled) {
    fastValidator = compileFastValidator(sharedJsonSchema());
    fastValidatorCompiled = true;
  }
  return fastValidator?.(input) === true;
}

/** The zod path (internal; exported for the equivalence tests): decides whatever the fast path did not accept, and words every issue. */
export function safeParseWithZod(input: unknown): SafeParseContactTraceRecordResult {
  // reportInput lets toIssue tell a missing field from a wrong one; the inputs are not copied out.
  const result = ContactTraceRecordSchema.safeParse(input, { reportInput: true });
  const prototypeIssues = prototypeKeyIssues(input);
  if (result.success && prototypeIssues.length === 0) {
    return { success: true, data: input as ContactTraceRecord };
  }
  const schemaIssues = result.success ? [] : result.error.issues.map(toIssue);
  const error = new ContactTraceRecordError([...schemaIssues, ...prototypeIssues], {
    contactId: contactIdOf(input),
  });
  return { success: false, error };
}

/**
 * Validates one contact trace record without throwing. On success `data` is the input itself (the
 * same object, typed, not a copy): the schema never drops, coerces or rewrites a value, so there is
 * nothing to copy, and unknown fields and key order are kept. Copy it first (`structuredClone`) if
 * you must keep the original unchanged while you modify the record.
 *
 * Valid records take a fast path compiled from the zod-derived JSON Schema; anything it does not
 * accept is decided by zod, which names every bad path. Both give the same verdict (property-tested).
 *
 * @example
 * ```ts
 * import { safeParseContactTraceRecord } from '@ctr-stream/ctr-schema';
 * const result = safeParseContactTraceRecord(JSON.parse(payload));
 * if (!result.success) console.warn(result.error.issues);
 * else console.log(result.data.ContactId);
 * ```
 */
export function safeParseContactTraceRecord(input: unknown): SafeParseContactTraceRecordResult {
  if (fastValidate(input)) return { success: true, data: input as ContactTraceRecord };
  return safeParseWithZod(input);
}

/**
 * Validates one contact trace record (an already-parsed JSON value) and returns it typed: the input
 * itself, not a copy (see {@link safeParseContactTraceRecord}).
 *
 * @throws {ContactTraceRecordError} naming every bad path when the value is not a valid record.
 * @example
 * ```ts
 * import { parseContactTraceRecord } from '@ctr-stream/ctr-schema';
 * const record = parseContactTraceRecord(JSON.parse(payload));
 * if (record.CustomerEndpoint?.Type === 'TELEPHONE_NUMBER') console.log(record.ContactId);
 * ```
 */
export function parseContactTraceRecord(input: unknown): ContactTraceRecord {
  const result = safeParseContactTraceRecord(input);
  if (!result.success) throw result.error;
  return result.data;
}

/**
 * Parses one record from its JSON text (a Kinesis or Firehose payload, leading and trailing
 * whitespace allowed) and validates it.
 *
 * @throws {ContactTraceRecordJsonError} when the text is not JSON (the message does not quote it).
 * @throws {ContactTraceRecordError} when the JSON is not a valid record.
 * @example
 * ```ts
 * import { parseContactTraceRecordJson } from '@ctr-stream/ctr-schema';
 * const record = parseContactTraceRecordJson(Buffer.from(firehoseRecord.data, 'base64').toString('utf8'));
 * ```
 */
export function parseContactTraceRecordJson(text: string): ContactTraceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The SyntaxError quotes the text (which may hold a phone number), so it is not kept as the cause.
    throw new ContactTraceRecordJsonError([{ path: '(root)', message: 'not valid JSON' }]);
  }
  return parseContactTraceRecord(value);
}

/**
 * A cheap check that tells a contact trace record from other things on the same stream (agent
 * events, heartbeats): a plain object (what `JSON.parse` and `structuredClone` make: prototype
 * `Object.prototype` or `null`; not an array, a `Date`, a `Map` or a class instance) with a string
 * `ContactId` and a string `AWSContactTraceRecordFormatVersion`. It does not validate the rest.
 *
 * @example
 * ```ts
 * import { isContactTraceRecordLike } from '@ctr-stream/ctr-schema';
 * if (!isContactTraceRecordLike(value)) return { result: 'Dropped' };
 * ```
 */
export function isContactTraceRecordLike(
  value: unknown,
): value is { ContactId: string; AWSContactTraceRecordFormatVersion: string; [key: string]: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const candidate = value as { ContactId?: unknown; AWSContactTraceRecordFormatVersion?: unknown };
  return (
    typeof candidate.ContactId === 'string' &&
    typeof candidate.AWSContactTraceRecordFormatVersion === 'string'
  );
}
