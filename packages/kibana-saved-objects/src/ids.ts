import { createHash } from 'node:crypto';

/**
 * The fixed ids of the saved objects. Importing with `overwrite=true` replaces these objects in place, so a
 * second install is a no-op and never duplicates a dashboard. Plain words with hyphens: OpenSearch Dashboards
 * treats `<uuid>_<uuid>` ids as objects of another data source.
 *
 * @example
 * ```ts
 * const url = `${kibanaUrl}/app/dashboards#/view/${SAVED_OBJECT_IDS.dashboard}`;
 * ```
 */
export const SAVED_OBJECT_IDS = {
  indexPattern: 'ctr-stream-connect',
  callsPerDay: 'ctr-stream-calls-per-day',
  callsPerChannel: 'ctr-stream-calls-per-channel',
  callsPerQueue: 'ctr-stream-calls-per-queue',
  abandonedContacts: 'ctr-stream-abandoned-contacts',
  unknownCallers: 'ctr-stream-unknown-callers',
  callerLookupFailures: 'ctr-stream-caller-lookup-failures',
  dashboard: 'ctr-stream-contact-center',
} as const;

// The prefix of every "Calls per <key>" table id.
const ATTRIBUTE_TABLE_ID_PREFIX = 'ctr-stream-calls-per-attribute-';

/**
 * The fixed id of the "Calls per <key>" table of a contact attribute key: `ctr-stream-calls-per-attribute-`, a slug
 * of the key (lower case ASCII letters and digits, accents dropped, other characters as hyphens, at most 40 characters) and the
 * first 10 hex digits of the key's SHA-256. The same key always gives the same id (a second install replaces the
 * table in place), keys that differ only in case or punctuation get different ids, and any key (spaces, quotes,
 * `/`, `#`, non-Latin scripts) gives an id safe in a URL and never of the `<uuid>_<uuid>` shape.
 *
 * @example
 * ```ts
 * attributeTableId('menuChoice'); // 'ctr-stream-calls-per-attribute-menuchoice-' + 10 hex digits
 * ```
 */
export function attributeTableId(key: string): string {
  const slug =
    key
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'key';
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 10);
  return `${ATTRIBUTE_TABLE_ID_PREFIX}${slug}-${hash}`;
}
