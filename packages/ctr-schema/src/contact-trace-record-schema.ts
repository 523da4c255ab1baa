import { z } from 'zod';
import {
  ANSWERING_MACHINE_DETECTION_STATUSES,
  CHANNELS,
  DISCONNECT_REASONS,
  INITIATION_METHODS,
} from './enums.js';
import {
  AgentInfoSchema,
  CampaignInfoSchema,
  ChatMetricsSchema,
  ContactLensInfoSchema,
  CtrStreamEnrichmentSchema,
  CustomerInfoSchema,
  CustomerVoiceActivitySchema,
  DisconnectDetailsSchema,
  EndpointSchema,
  GlobalResiliencyMetadataSchema,
  MediaStreamSchema,
  QualityMetricsSchema,
  QueueInfoSchema,
  RecordingInfoSchema,
  RecordingsInfoSchema,
  RoutingCriteriaSchema,
  SegmentAttributeValueSchema,
  TaskTemplateInfoSchema,
  VoiceIdResultSchema,
  WisdomInfoSchema,
} from './nested-schemas.js';
import { anyJson, CountSchema, nullish, openEnum, TimestampSchema } from './primitives.js';

/**
 * A value of `Attributes`. Amazon Connect only writes strings; hand-made records (tests, other
 * tools) sometimes put numbers, booleans or null there, which are accepted and kept as they are.
 *
 * @example
 * ```ts
 * import { AttributeValueSchema } from '@ctr-stream/ctr-schema';
 * AttributeValueSchema.parse('true'); // 'true' (never coerced)
 * ```
 */
export const AttributeValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a string (or a number, boolean or null)',
});

/**
 * `Attributes`: the contact attributes set by flows, keys case-sensitive (max 32 KB in total).
 *
 * @example
 * ```ts
 * import { AttributesSchema } from '@ctr-stream/ctr-schema';
 * const attributes = AttributesSchema.parse({ greetingPlayed: 'true', GreetingPlayed: 'false' });
 * ```
 */
export const AttributesSchema = z.record(z.string(), AttributeValueSchema);

/**
 * The Amazon Connect contact trace record (CTR, "contact record") as data streaming writes it to
 * Kinesis Data Streams / Data Firehose, plus the ctr-stream enrichment (`CtrStream`,
 * `CustomerEndpoint.Name`).
 *
 * Forward compatible: every object is loose (unknown fields are kept at every level), every
 * enumeration is open (unknown values are accepted as strings) and every field outside the
 * required core may be `null` or absent. Parsing never rewrites a value: timestamps stay strings.
 *
 * Required core: `AWSAccountId`, `AWSContactTraceRecordFormatVersion`, `Channel`, `ContactId`,
 * `InitiationMethod`, `InitiationTimestamp`, `InstanceARN`, `LastUpdateTimestamp`.
 *
 * @example
 * ```ts
 * import { ContactTraceRecordSchema } from '@ctr-stream/ctr-schema';
 * const result = ContactTraceRecordSchema.safeParse(JSON.parse(payload));
 * if (result.success) console.log(result.data.ContactId, result.data.Channel);
 * ```
 */
export const ContactTraceRecordSchema = z.looseObject({
  // Required core (ctr.md section 8).
  AWSAccountId: z.string(),
  AWSContactTraceRecordFormatVersion: z.string(),
  Channel: openEnum(CHANNELS),
  ContactId: z.string().min(1, 'expected a non-empty contact id'),
  InitiationMethod: openEnum(INITIATION_METHODS),
  InitiationTimestamp: TimestampSchema,
  InstanceARN: z.string(),
  LastUpdateTimestamp: TimestampSchema,

  // Everything else: nullable (real records send null) and optional (older records omit it).
  Agent: nullish(AgentInfoSchema),
  AgentConnectionAttempts: nullish(CountSchema),
  AnsweringMachineDetectionStatus: nullish(openEnum(ANSWERING_MACHINE_DETECTION_STATUSES)),
  Attributes: nullish(AttributesSchema),
  Campaign: nullish(CampaignInfoSchema),
  ChatMetrics: nullish(ChatMetricsSchema),
  ConnectedToSystemTimestamp: nullish(TimestampSchema),
  ContactAssociationId: anyJson('Email threads (unverified): any JSON value, kept as is.', z.string()),
  ContactDetails: nullish(z.record(z.string(), z.unknown())),
  ContactEvaluations: anyJson(
    'Evaluation forms (unverified shape): any JSON value, kept as is.',
    z.record(z.string(), z.unknown()),
  ),
  ContactLens: anyJson(
    'Contact Lens analytics (unverified detail): any JSON value, kept as is; ContactLensInfoSchema is the typed view.',
    ContactLensInfoSchema,
  ),
  Customer: nullish(CustomerInfoSchema),
  CustomerEndpoint: nullish(EndpointSchema),
  CustomerId: anyJson('Customer profile ID (unverified): any JSON value, kept as is.', z.string()),
  CustomerVoiceActivity: nullish(CustomerVoiceActivitySchema),
  DisconnectDetails: nullish(DisconnectDetailsSchema),
  DisconnectReason: nullish(openEnum(DISCONNECT_REASONS)),
  DisconnectTimestamp: nullish(TimestampSchema),
  GlobalResiliencyMetadata: anyJson(
    'Replicated instances (unverified shape): any JSON value, kept as is; GlobalResiliencyMetadataSchema is the typed view.',
    GlobalResiliencyMetadataSchema,
  ),
  InitialContactId: nullish(z.string()),
  LastPausedTimestamp: nullish(TimestampSchema),
  LastResumedTimestamp: nullish(TimestampSchema),
  MediaStreams: nullish(z.array(MediaStreamSchema)),
  NextContactId: nullish(z.string()),
  OutboundStrategy: anyJson(
    'Outbound campaigns (unverified shape): any JSON value, kept as is.',
    z.looseObject({}),
  ),
  PreviousContactId: nullish(z.string()),
  QualityMetrics: nullish(QualityMetricsSchema),
  Queue: nullish(QueueInfoSchema),
  Recording: nullish(RecordingInfoSchema),
  Recordings: nullish(z.array(RecordingsInfoSchema)),
  References: anyJson(
    'Reference info (shape when non-empty never seen): any JSON value, kept as is.',
    z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
  ),
  RelatedContactId: nullish(z.string()),
  RoutingCriteria: nullish(RoutingCriteriaSchema),
  ScheduledTimestamp: nullish(TimestampSchema),
  SegmentAttributes: nullish(z.record(z.string(), SegmentAttributeValueSchema)),
  SystemEndpoint: nullish(EndpointSchema),
  Tags: anyJson(
    'Resource tags (unverified for CTRs; a map of strings elsewhere): any JSON value, kept as is.',
    z.record(z.string(), z.string()),
  ),
  TaskTemplateInfo: anyJson(
    'Task template (unverified shape): any JSON value, kept as is; TaskTemplateInfoSchema is the typed view.',
    TaskTemplateInfoSchema,
  ),
  TotalPauseCount: nullish(CountSchema),
  TotalPauseDurationInSeconds: nullish(CountSchema),
  TransferCompletedTimestamp: nullish(TimestampSchema),
  TransferredToEndpoint: nullish(EndpointSchema),
  VoiceIdResult: nullish(VoiceIdResultSchema),
  WisdomInfo: nullish(WisdomInfoSchema),

  // The ctr-stream enrichment namespace (apps/lambda), not an Amazon Connect field.
  CtrStream: nullish(CtrStreamEnrichmentSchema),
});
