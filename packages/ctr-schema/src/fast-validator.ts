import type { JsonSchema } from './json-schema.js';
import { TIMESTAMP_WITH_SECONDS } from './primitives.js';

/**
 * A yes/no validator compiled from the JSON Schema that `contactTraceRecordJsonSchema()` derives from
 * the zod schema: the fast path of `safeParseContactTraceRecord`. Contract (property-tested against
 * zod in tests/unit/fast-validator.property.test.ts):
 *
 * - it returns `true` only for a value that zod accepts AND that holds no `__proto__` key, so the
 *   caller may return the input as the valid record without running zod;
 * - for JSON values (what `JSON.parse` returns) it returns `true` exactly when zod accepts and there is
 *   no `__proto__` key;
 * - for anything else it is free to say `false` (a class instance, a symbol key, a value nested
 *   deeper than the stack): the caller then runs zod, which decides and words the issues.
 *
 * Only the keywords the generated schema uses are understood; any other keyword makes
 * {@link compileFastValidator} return `undefined`, and the caller then always runs zod. A test pins
 * that the shipped schema compiles.
 */
export type FastValidator = (value: unknown) => boolean;

type Check = (value: unknown) => boolean;

class UnsupportedSchema extends Error {}

// Keywords that do not constrain a value.
const ANNOTATIONS = new Set(['$schema', 'title', 'description']);
const SUPPORTED = new Set([
  ...ANNOTATIONS,
  'type',
  'anyOf',
  'enum',
  'minLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'properties',
  'additionalProperties',
  'propertyNames',
  'required',
  'items',
]);

/**
 * True when no object in `value` (own enumerable keys, array items, at any depth) has a `__proto__`
 * key: the check `safeParseContactTraceRecord` adds on top of zod. Recursive: a hostile depth throws
 * RangeError, which the caller turns into "run zod" (whose check is iterative).
 */
function hasNoPrototypeKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (!hasNoPrototypeKey(value[index])) return false;
    }
    return true;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return false;
    if (!hasNoPrototypeKey((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * Generates the source of one validating function: straight-line code with a named property load per
 * known member (V8 caches each one), which is what makes it several times faster than walking the
 * schema at run time. Values the code needs (regexes, sets, helpers) are passed in `constants`.
 */
class SourceBuilder {
  readonly functions: string[] = [];
  readonly constants: unknown[] = [];

  constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  /** Declares `function fN(v) { body }` and returns its name. */
  declare(body: string): string {
    const name = `f${this.functions.length}`;
    this.functions.push(`function ${name}(v) {\n${body}\nreturn true;\n}`);
    return name;
  }

  /** A boolean expression that is true when `value` (a variable name) satisfies `node`. */
  check(node: JsonSchema, value: string): string {
    if (typeof node !== 'object' || node === null) throw new UnsupportedSchema('boolean schema');
    for (const keyword of Object.keys(node)) {
      if (!SUPPORTED.has(keyword)) throw new UnsupportedSchema(keyword);
    }
    const checks: string[] = [];
    if (node.anyOf !== undefined) {
      const alternatives = (node.anyOf as JsonSchema[]).map((alternative) => this.check(alternative, value));
      checks.push(`(${alternatives.join(' || ')})`);
    }
    if (node.type !== undefined) {
      const types = (Array.isArray(node.type) ? node.type : [node.type]) as string[];
      if (types.includes('object')) {
        if (types.length !== 1) throw new UnsupportedSchema('object in a type list');
        checks.push(`${this.object(node)}(${value})`);
      } else {
        checks.push(`(${types.map((type) => typeCheck(type, value)).join(' || ')})`);
      }
    } else if (node.properties !== undefined || node.additionalProperties !== undefined) {
      throw new UnsupportedSchema('object keywords without type: object');
    }
    if (node.enum !== undefined)
      checks.push(`${this.constant(new Set(node.enum as unknown[]))}.has(${value})`);
    if (node.items !== undefined) {
      if (typeof node.items !== 'object' || Array.isArray(node.items)) throw new UnsupportedSchema('items');
      const item = this.check(node.items as JsonSchema, 'item');
      const array = this.declare(
        `if (!Array.isArray(v)) return false;\nfor (let i = 0; i < v.length; i++) { const item = v[i]; if (!(${item})) return false; }`,
      );
      checks.push(`${array}(${value})`);
    }
    if (node.minLength !== undefined) {
      // zod counts UTF-16 units, JSON Schema code points: the same verdict only for 0 and 1.
      if (node.minLength > 1) throw new UnsupportedSchema('minLength > 1');
      checks.push(`(typeof ${value} === 'string' && ${value}.length >= ${node.minLength})`);
    }
    if (node.pattern !== undefined) {
      // zod's regexes carry no flag; the JSON Schema keeps their source.
      checks.push(
        `(typeof ${value} === 'string' && ${this.constant(new RegExp(node.pattern))}.test(${value}))`,
      );
    }
    if (node.format !== undefined) {
      // zod's datetime check is its regex plus the package's with-seconds refinement; the pattern
      // (TIMESTAMP_PATTERN) already requires seconds, property-tested against TimestampSchema.
      if (node.format !== 'date-time' || node.pattern === undefined) throw new UnsupportedSchema('format');
      checks.push(`${this.constant(TIMESTAMP_WITH_SECONDS)}.test(${value})`);
    }
    for (const bound of [node.minimum, node.maximum, node.minLength]) {
      if (bound !== undefined && !Number.isFinite(bound)) throw new UnsupportedSchema('non-numeric bound');
    }
    if (node.minimum !== undefined)
      checks.push(`(typeof ${value} === 'number' && ${value} >= ${node.minimum})`);
    if (node.maximum !== undefined)
      checks.push(`(typeof ${value} === 'number' && ${value} <= ${node.maximum})`);
    // {}: anything, but no __proto__ key anywhere inside.
    if (checks.length === 0) return `${this.constant(hasNoPrototypeKey)}(${value})`;
    return checks.length === 1 ? (checks[0] as string) : `(${checks.join(' && ')})`;
  }

  /** The name of a function that checks an object node (z.looseObject or z.record). */
  object(node: JsonSchema): string {
    const additional = node.additionalProperties;
    if (additional !== undefined && (typeof additional !== 'object' || additional === null)) {
      throw new UnsupportedSchema('additionalProperties: boolean');
    }
    const additionalCheck = this.check((additional ?? {}) as JsonSchema, 'member');
    const isObject = `if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;`;
    // A plain object's for...in sees exactly its own enumerable string keys (zod's view); anything
    // with another prototype is left to zod.
    const plain =
      'const prototype = Object.getPrototypeOf(v);\nif (prototype !== Object.prototype && prototype !== null) return false;';

    if (node.propertyNames !== undefined) {
      // z.record(z.string(), value): zod wants a plain object and rejects symbol keys.
      const names = node.propertyNames as JsonSchema;
      if (Object.keys(names).length !== 1 || names.type !== 'string' || node.properties !== undefined) {
        throw new UnsupportedSchema('propertyNames');
      }
      return this.declare(
        [
          isObject,
          plain,
          'if (Object.getOwnPropertySymbols(v).length !== 0) return false;',
          "if (Object.prototype.hasOwnProperty.call(v, 'constructor') && typeof v.constructor === 'function') return false;",
          "for (const key in v) { if (key === '__proto__') return false; const member = v[key];",
          `  if (!(${additionalCheck})) return false; }`,
        ].join('\n'),
      );
    }

    // z.looseObject({...}): the required core present, known members checked, the others kept.
    const lines = [isObject, plain];
    const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (node.required ?? []) as string[]) {
      lines.push(`if (v[${JSON.stringify(key)}] === undefined) return false;`);
    }
    for (const [key, member] of Object.entries(properties)) {
      const check = this.check(member, 'member');
      lines.push(
        `{ const member = v[${JSON.stringify(key)}]; if (member !== undefined && !(${check})) return false; }`,
      );
    }
    const known = this.constant(new Set(Object.keys(properties)));
    lines.push(
      "for (const key in v) { if (key === '__proto__') return false;",
      `  if (!${known}.has(key)) { const member = v[key]; if (!(${additionalCheck})) return false; } }`,
    );
    return this.declare(lines.join('\n'));
  }
}

function typeCheck(type: string, value: string): string {
  switch (type) {
    case 'string':
      return `typeof ${value} === 'string'`;
    // zod's z.number() rejects NaN and Infinity; z.int() any fraction.
    case 'number':
      return `(typeof ${value} === 'number' && Number.isFinite(${value}))`;
    case 'integer':
      return `(typeof ${value} === 'number' && Number.isInteger(${value}))`;
    case 'boolean':
      return `typeof ${value} === 'boolean'`;
    case 'null':
      return `${value} === null`;
    case 'array':
      return `Array.isArray(${value})`;
    default:
      throw new UnsupportedSchema(`type ${type}`);
  }
}

/** The generated source of the fast validator (for tests and the curious), or `undefined` if unsupported. */
export function fastValidatorSource(
  schema: JsonSchema,
): { source: string; constants: unknown[] } | undefined {
  try {
    const builder = new SourceBuilder();
    const root = builder.check(schema, 'input');
    const source = `${builder.functions.join('\n')}\nreturn function validate(input) { return ${root}; };`;
    return { source, constants: builder.constants };
  } catch (error) {
    if (error instanceof UnsupportedSchema) return undefined;
    throw error;
  }
}

/**
 * Compiles the fast validator, or returns `undefined` when the schema uses a keyword the compiler does
 * not understand or the runtime forbids `new Function` (a strict CSP): the caller then runs zod only
 * (slower, never wrong). Only the package's own schema is ever compiled: no user input reaches the
 * generated source (keys are written with `JSON.stringify`).
 */
export function compileFastValidator(schema: JsonSchema): FastValidator | undefined {
  const generated = fastValidatorSource(schema);
  if (generated === undefined) return undefined;
  let check: Check;
  try {
    check = new Function('k', generated.source)(generated.constants) as Check;
  } catch {
    return undefined;
  }
  return (value) => {
    try {
      return check(value);
    } catch {
      // A hostile depth (RangeError) or a throwing getter: let zod decide and report.
      return false;
    }
  };
}
