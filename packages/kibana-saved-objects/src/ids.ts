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
