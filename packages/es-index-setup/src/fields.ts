/**
 * The field names that dashboards, aggregations and the Lambda's enrichment share with the index mapping.
 * Kibana objects and the `npm start` report import them from here, so they can never disagree with it.
 *
 * @example
 * ```ts
 * import { CTR_FIELDS } from '@ctr-stream/es-index-setup';
 * const aggregation = { cardinality: { field: CTR_FIELDS.contactId } };
 * ```
 */
export const CTR_FIELDS = {
  /** Mapped as `keyword`: aggregatable as is (no `.keyword` sub-field needed). */
  contactId: 'ContactId',
  /** The index pattern's time field. */
  timeField: 'ConnectedToSystemTimestamp',
  /** The "Calls per day" date histogram field. */
  lastUpdateTimestamp: 'LastUpdateTimestamp',
  initiationTimestamp: 'InitiationTimestamp',
  channel: 'Channel',
  initiationMethod: 'InitiationMethod',
  disconnectReason: 'DisconnectReason',
  queueName: 'Queue.Name.keyword',
  agentUsername: 'Agent.Username',
  agentConnectedTimestamp: 'Agent.ConnectedToAgentTimestamp',
  queueEnqueueTimestamp: 'Queue.EnqueueTimestamp',
  customerName: 'CustomerEndpoint.Name.keyword',
  /** Set by apps/lambda on every record: found | not_found | invalid_number | error | no_phone_number. */
  callerLookupStatus: 'CtrStream.CallerLookup.Status',
  callerLookupReason: 'CtrStream.CallerLookup.Reason',
} as const;

export type CtrFieldName = (typeof CTR_FIELDS)[keyof typeof CTR_FIELDS];

/**
 * The default index (the tutorial's) and the Kibana index pattern that reads it. `INDEX_PATTERN` is a read
 * pattern and deliberately wider than the template, which writes only to `connect` and `connect-*`
 * (see `indexTemplatePatterns`).
 */
export const DEFAULT_INDEX = 'connect';
export const INDEX_PATTERN = 'connect*';
