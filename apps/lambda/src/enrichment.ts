import type { CallerLookupResult } from '@ctr-stream/caller-lookup';

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
    const eventType =
      typeof candidate.EventType === 'string' ? ` (EventType ${candidate.EventType.slice(0, 40)})` : '';
    return `an Amazon Connect agent event${eventType}, not a contact trace record; send agent events to their own stream`;
  }
  return undefined;
}
