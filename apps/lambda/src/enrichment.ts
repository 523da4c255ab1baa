import type { CallerLookupResult } from '@ctr-stream/caller-lookup';
import { contactTraceRecordJsonSchema } from '@ctr-stream/ctr-schema';

/** `CtrStream.CallerLookup.Status` values the transform writes. */
export type CallerLookupEnrichmentStatus =
  | 'found'
  | 'not_found'
  | 'invalid_number'
  | 'error'
  | 'no_phone_number';

/** The namespaced enrichment field: `CtrStream: { CallerLookup: { Status, Reason? } }`. */
export interface CallerLookupEnrichment {
  Status: CallerLookupEnrichmentStatus;
  /** Only for `error`, e.g. `timeout`, `deadline_exceeded`, `http_status`, `bad_response`. */
  Reason?: string;
}

/**
 * The customer's phone number of a CTR, or `undefined` when the customer endpoint is not a
 * TELEPHONE_NUMBER with a non-empty address (chat, task, email, outbound without number).
 */
export function customerPhoneNumber(record: Record<string, unknown>): string | undefined {
  const endpoint = record.CustomerEndpoint;
  if (typeof endpoint !== 'object' || endpoint === null || Array.isArray(endpoint)) return undefined;
  const { Type, Address } = endpoint as { Type?: unknown; Address?: unknown };
  if (Type !== 'TELEPHONE_NUMBER' || typeof Address !== 'string' || Address.trim() === '') return undefined;
  return Address;
}

/** Maps a caller-lookup result to the enrichment field (and the name to set, when found). */
export function enrichmentFor(result: CallerLookupResult): {
  enrichment: CallerLookupEnrichment;
  name?: string;
} {
  switch (result.status) {
    case 'found':
      return { enrichment: { Status: 'found' }, name: result.name };
    case 'not_found':
      return { enrichment: { Status: 'not_found' } };
    case 'invalid_number':
      return { enrichment: { Status: 'invalid_number' } };
    default:
      return { enrichment: { Status: 'error', Reason: result.reason } };
  }
}

/**
 * Writes the lookup outcome into the record in place, keeping every other field and the key order:
 * `CustomerEndpoint.Name` only when a name was found, and `CtrStream.CallerLookup` always (replacing
 * an earlier one, e.g. on a re-ingested record).
 */
export function applyEnrichment(
  record: Record<string, unknown>,
  enrichment: CallerLookupEnrichment,
  name: string | undefined,
): void {
  if (name !== undefined) (record.CustomerEndpoint as Record<string, unknown>).Name = name;
  const existing = record.CtrStream;
  if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) {
    (existing as Record<string, unknown>).CallerLookup = enrichment;
  } else {
    record.CtrStream = { CallerLookup: enrichment };
  }
}

/**
 * Why a JSON value that failed CTR validation is not a CTR at all, when that is recognisable: JSON
 * arrays and scalars, and Amazon Connect agent events sent to the same stream.
 */
export function notContactTraceRecordReason(value: unknown): string | undefined {
  if (Array.isArray(value)) return 'expected a JSON object (a contact trace record), got an array';
  if (typeof value !== 'object' || value === null) {
    return `expected a JSON object (a contact trace record), got ${value === null ? 'null' : typeof value}`;
  }
  const candidate = value as Record<string, unknown>;
  if (!('ContactId' in candidate) && ('AgentARN' in candidate || 'CurrentAgentSnapshot' in candidate)) {
    // Structural facts only: no value of the record (not even its EventType) is ever logged.
    return AGENT_EVENT_REASON;
  }
  return undefined;
}

/** The reason logged for an Amazon Connect agent event sent to the CTR stream. */
export const AGENT_EVENT_REASON =
  'not a contact trace record (looks like an Amazon Connect agent event); send agent events to their own stream';

/** CTR members whose keys are chosen by the customer (contact attributes, tags, ...), not by the schema. */
const CUSTOMER_KEYED_MAPS = new Set([
  'Attributes',
  'ContactDetails',
  'ContactEvaluations',
  'References',
  'SegmentAttributes',
  'Tags',
  'ValueMap',
]);

let schemaNames: ReadonlySet<string> | undefined;

/**
 * Every member name the CTR data model defines, at any depth (from ctr-schema's JSON Schema, built on the first
 * failed record only). A name outside it was chosen by whoever wrote the record, and may be anything.
 */
function knownMemberNames(): ReadonlySet<string> {
  if (schemaNames !== undefined) return schemaNames;
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    const { properties } = node as { properties?: unknown };
    if (properties !== null && typeof properties === 'object')
      for (const name of Object.keys(properties)) names.add(name);
    for (const child of Object.values(node)) walk(child);
  };
  walk(contactTraceRecordJsonSchema());
  schemaNames = names;
  return names;
}

/** One segment of a ctr-schema issue path: `.Name` / `Name`, `[0]` or `["odd key"]`. */
const PATH_SEGMENT = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/**
 * A ctr-schema issue path with every customer-defined key replaced by `[…]`, so a logged reason holds
 * schema paths only: `Attributes["card number"]` -> `Attributes[…]`, `Tags.team` -> `Tags[…]`. A key the
 * schema does not know is quoted by ctr-schema only when it is not an identifier, and the schema's own
 * field names are all identifiers, so every quoted key is withheld too; so is an identifier the data model does
 * not define (`Extra.tel61411222460`: any name, a phone number in it, under a member that accepts any shape).
 */
export function schemaIssuePath(path: string): string {
  if (path === '(root)') return path;
  let formatted = '';
  let afterMap = false;
  PATH_SEGMENT.lastIndex = 0;
  while (PATH_SEGMENT.lastIndex < path.length) {
    const start = PATH_SEGMENT.lastIndex;
    const match = PATH_SEGMENT.exec(path);
    if (match === null || (match[1] !== undefined && start > 0 && path[start] !== '.')) {
      return '(path withheld)';
    }
    const [, name, index] = match;
    if (index !== undefined) {
      formatted += `[${index}]`;
      afterMap = false;
    } else if (name !== undefined && !afterMap && knownMemberNames().has(name)) {
      formatted += formatted === '' ? name : `.${name}`;
      afterMap = CUSTOMER_KEYED_MAPS.has(name);
    } else {
      formatted += '[…]'; // a customer-defined key
      afterMap = false;
    }
  }
  return formatted;
}
