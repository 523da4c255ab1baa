import { z } from 'zod';

/**
 * An ISO-8601 UTC timestamp as Amazon Connect writes it (`2018-11-02T07:00:12Z`): second precision,
 * optional fractional seconds (`2018-11-02T07:00:12.345Z`, as the Connect API and contact events
 * write them), always `Z`. The calendar date is validated (no February 30). The string is kept
 * unchanged, never converted to a `Date`. JSON Schema: `{ type: 'string', format: 'date-time' }`.
 *
 * @example
 * ```ts
 * import { TimestampSchema } from '@ctr-stream/ctr-schema';
 * TimestampSchema.parse('2018-11-02T07:00:12Z'); // '2018-11-02T07:00:12Z'
 * ```
 */
const TIMESTAMP_MESSAGE = 'expected an ISO-8601 UTC timestamp such as 2018-11-02T07:00:12Z';
/** Seconds present (`T07:00:12Z`, `T07:00:12.345Z`); shared with the fast validator, which must apply the same refinement. */
export const TIMESTAMP_WITH_SECONDS = /T\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

/**
 * The JSON Schema `pattern` of every timestamp: what {@link TimestampSchema} accepts, zod's datetime
 * regex with seconds required. zod 4.5+ writes exactly this; zod 4.1 to 4.4 write seconds as optional
 * (their pattern accepts `07:00Z`, which the refinement rejects), so `contactTraceRecordJsonSchema()`
 * sets it itself and the JSON Schema is the same under every zod `^4.1`. A property test pins that it
 * accepts exactly what `TimestampSchema` accepts.
 */
export const TIMESTAMP_PATTERN = String.raw`^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$`;

export const TimestampSchema = z.iso
  .datetime({ error: TIMESTAMP_MESSAGE })
  // Some zod 4 releases accept minute precision by default; Connect always writes seconds.
  .refine((timestamp) => TIMESTAMP_WITH_SECONDS.test(timestamp), {
    error: TIMESTAMP_MESSAGE,
    when: (payload) => payload.issues.length === 0,
  });

/** A whole number of seconds (or other unit) that cannot be negative. JSON Schema `type: 'integer'`. */
export const CountSchema = z.int({ error: 'expected a whole number' }).min(0, 'expected a number >= 0');

/** Any whole number. JSON Schema `type: 'integer'`. */
export const IntegerSchema = z.int({ error: 'expected a whole number' });

/**
 * An open enumeration: the known values are typed literals, any other string is accepted too
 * (Amazon Connect adds values without notice). Inferred as `Known | (string & {})`, so editors
 * still autocomplete the known values. JSON Schema: `anyOf: [{ type: 'string', enum: [...] }, { type: 'string' }]`.
 */
export function openEnum<const Known extends readonly [string, ...string[]]>(known: Known) {
  const anyString = z.string() as unknown as z.ZodType<string & {}, string & {}>;
  return z.union([z.enum(known), anyString], { error: 'expected a string' });
}

/** The field may be absent (older records) or `null` (real records send explicit nulls). */
export function nullish<Schema extends z.ZodType>(schema: Schema) {
  return schema.nullable().optional();
}

/**
 * A member whose shape the official CTR page does not document (ctr.md: "accept any", or "unverified",
 * which it says to treat as optional/unknown): any JSON value, `null` and absence included, is accepted
 * and kept unchanged, so a guessed type can never turn a real record into a failure. Typed `unknown`;
 * `documented` is the shape other sources give, kept as the typed view (`GlobalResiliencyMetadataSchema`
 * and the like: `safeParse` the value with it to read it) and as the first alternative of the JSON
 * Schema, `anyOf: [documented, {}]`, from which `@ctr-stream/es-index-setup` still maps the field.
 */
export function anyJson(description: string, documented?: z.ZodType) {
  return (documented ? z.union([documented, z.unknown()]) : z.unknown()).optional().describe(description);
}
