import { z } from 'zod';
import {
  AGENT_STATE_TRANSITION_STATES,
  CALLER_LOOKUP_STATUSES,
  CONTACT_LENS_ANALYTICS_MODES,
  ENDPOINT_TYPES,
  MEDIA_STREAM_TYPES,
  POTENTIAL_DISCONNECT_ISSUES,
  POTENTIAL_QUALITY_ISSUES,
  RECORDING_PARTICIPANT_TYPES,
  RECORDING_STATUSES,
  RECORDING_STORAGE_TYPES,
  RECORDING_TYPES,
  ROUTING_STEP_STATUSES,
  VOICE_ID_AUTHENTICATION_RESULTS,
  VOICE_ID_FRAUD_DETECTION_RESULTS,
} from './enums.js';
import { anyJson, CountSchema, IntegerSchema, nullish, openEnum, TimestampSchema } from './primitives.js';

// Every object is loose (unknown keys kept) and every member nullable and optional: real records
// send explicit nulls, older records omit members added later (see the README's compatibility promise).

/**
 * One level of the agent hierarchy: `{ ARN, GroupName }`.
 *
 * @example
 * ```ts
 * import { AgentHierarchyGroupSchema } from '@ctr-stream/ctr-schema';
 * const result = AgentHierarchyGroupSchema.safeParse(record.Agent?.HierarchyGroups?.Level1);
 * ```
 */
export const AgentHierarchyGroupSchema = z.looseObject({
  ARN: nullish(z.string()),
  GroupName: nullish(z.string()),
});

/**
 * `Agent.HierarchyGroups`: `Level1` to `Level5`, each a group or `null`.
 *
 * @example
 * ```ts
 * import { AgentHierarchyGroupsSchema } from '@ctr-stream/ctr-schema';
 * const result = AgentHierarchyGroupsSchema.safeParse(record.Agent?.HierarchyGroups);
 * ```
 */
export const AgentHierarchyGroupsSchema = z.looseObject({
  Level1: nullish(AgentHierarchyGroupSchema),
  Level2: nullish(AgentHierarchyGroupSchema),
  Level3: nullish(AgentHierarchyGroupSchema),
  Level4: nullish(AgentHierarchyGroupSchema),
  Level5: nullish(AgentHierarchyGroupSchema),
});

/**
 * `Agent.RoutingProfile`: `{ ARN, Name }`.
 *
 * @example
 * ```ts
 * import { RoutingProfileSchema } from '@ctr-stream/ctr-schema';
 * const result = RoutingProfileSchema.safeParse(record.Agent?.RoutingProfile);
 * ```
 */
export const RoutingProfileSchema = z.looseObject({
  ARN: nullish(z.string()),
  Name: nullish(z.string()),
});

/**
 * One entry of `Agent.StateTransitions` (supervisor silent monitor / barge). Lower camel case, as Connect writes it.
 *
 * @example
 * ```ts
 * import { AgentStateTransitionSchema } from '@ctr-stream/ctr-schema';
 * const result = AgentStateTransitionSchema.safeParse(record.Agent?.StateTransitions?.[0]);
 * ```
 */
export const AgentStateTransitionSchema = z.looseObject({
  stateStartTimestamp: nullish(TimestampSchema),
  stateEndTimestamp: nullish(TimestampSchema),
  state: nullish(openEnum(AGENT_STATE_TRANSITION_STATES)),
});

/**
 * `Agent`: present only when the contact was connected to an agent (else `null`).
 *
 * @example
 * ```ts
 * import { AgentInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = AgentInfoSchema.safeParse(record.Agent);
 * ```
 */
export const AgentInfoSchema = z.looseObject({
  ARN: nullish(z.string()),
  Username: nullish(z.string()),
  RoutingProfile: nullish(RoutingProfileSchema),
  HierarchyGroups: nullish(AgentHierarchyGroupsSchema),
  AgentInteractionDuration: nullish(CountSchema),
  AgentPauseDuration: nullish(CountSchema),
  AfterContactWorkDuration: nullish(CountSchema),
  AfterContactWorkStartTimestamp: nullish(TimestampSchema),
  AfterContactWorkEndTimestamp: nullish(TimestampSchema),
  ConnectedToAgentTimestamp: nullish(TimestampSchema),
  AcceptedByAgentTimestamp: anyJson('Newer (unverified): any JSON value, kept as is.', TimestampSchema),
  PreviewEndTimestamp: anyJson('Newer (unverified): any JSON value, kept as is.', TimestampSchema),
  CustomerHoldDuration: nullish(CountSchema),
  AgentInitiatedHoldDuration: anyJson('Newer (unverified): any JSON value, kept as is.', CountSchema),
  LongestHoldDuration: nullish(CountSchema),
  NumberOfHolds: nullish(CountSchema),
  StateTransitions: nullish(z.array(AgentStateTransitionSchema)),
  DeviceInfo: anyJson('Newer (unverified): any JSON value, kept as is.', z.looseObject({})),
  Capabilities: anyJson('Newer (unverified): any JSON value, kept as is.', z.looseObject({})),
});

/**
 * `Queue`: the queue the contact waited in. `Name` is `null` for agent queues.
 *
 * @example
 * ```ts
 * import { QueueInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = QueueInfoSchema.safeParse(record.Queue);
 * ```
 */
export const QueueInfoSchema = z.looseObject({
  ARN: nullish(z.string()),
  Name: nullish(z.string()),
  EnqueueTimestamp: nullish(TimestampSchema),
  DequeueTimestamp: nullish(TimestampSchema),
  Duration: nullish(CountSchema),
});

/**
 * `CustomerEndpoint`, `SystemEndpoint`, `TransferredToEndpoint`. `Address` is an E.164 phone number
 * when `Type` is `TELEPHONE_NUMBER` (not validated: anonymised records carry invalid numbers).
 * `Name` is not a Connect field: the ctr-stream Lambda (and the tutorial's) sets it on `CustomerEndpoint`.
 *
 * @example
 * ```ts
 * import { EndpointSchema } from '@ctr-stream/ctr-schema';
 * const result = EndpointSchema.safeParse(record.CustomerEndpoint);
 * ```
 */
export const EndpointSchema = z.looseObject({
  Address: nullish(z.string()),
  Type: nullish(openEnum(ENDPOINT_TYPES)),
  Name: nullish(z.string()),
});

/**
 * One entry of `MediaStreams`.
 *
 * @example
 * ```ts
 * import { MediaStreamSchema } from '@ctr-stream/ctr-schema';
 * const result = MediaStreamSchema.safeParse(record.MediaStreams?.[0]);
 * ```
 */
export const MediaStreamSchema = z.looseObject({
  Type: nullish(openEnum(MEDIA_STREAM_TYPES)),
});

/**
 * `Recording`: the first recording of the contact (also the first entry of `Recordings`).
 *
 * @example
 * ```ts
 * import { RecordingInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = RecordingInfoSchema.safeParse(record.Recording);
 * ```
 */
export const RecordingInfoSchema = z.looseObject({
  DeletionReason: nullish(z.string()),
  Location: nullish(z.string()),
  Status: nullish(openEnum(RECORDING_STATUSES)),
  Type: nullish(openEnum(RECORDING_TYPES)),
});

/**
 * One entry of `Recordings`: an S3 object (`bucket/key`) or a Kinesis Video Stream (ARN + fragment numbers).
 *
 * @example
 * ```ts
 * import { RecordingsInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = RecordingsInfoSchema.safeParse(record.Recordings?.[0]);
 * ```
 */
export const RecordingsInfoSchema = z.looseObject({
  DeletionReason: nullish(z.string()),
  FragmentStartNumber: nullish(z.string()),
  FragmentStopNumber: nullish(z.string()),
  Location: nullish(z.string()),
  MediaStreamType: nullish(openEnum(MEDIA_STREAM_TYPES)),
  ParticipantType: nullish(openEnum(RECORDING_PARTICIPANT_TYPES)),
  StartTimestamp: nullish(TimestampSchema),
  StopTimestamp: nullish(TimestampSchema),
  Status: nullish(openEnum(RECORDING_STATUSES)),
  StorageType: nullish(openEnum(RECORDING_STORAGE_TYPES)),
});

/**
 * `Campaign`: `{ CampaignId }` (outbound campaigns; `{ CampaignId: null }` otherwise).
 *
 * @example
 * ```ts
 * import { CampaignInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = CampaignInfoSchema.safeParse(record.Campaign);
 * ```
 */
export const CampaignInfoSchema = z.looseObject({
  CampaignId: nullish(z.string()),
});

/**
 * `VoiceIdResult.Authentication`.
 *
 * @example
 * ```ts
 * import { VoiceIdAuthenticationSchema } from '@ctr-stream/ctr-schema';
 * const result = VoiceIdAuthenticationSchema.safeParse(record.VoiceIdResult?.Authentication);
 * ```
 */
export const VoiceIdAuthenticationSchema = z.looseObject({
  ScoreThreshold: nullish(IntegerSchema),
  MinimumSpeechInSeconds: nullish(IntegerSchema),
  Score: nullish(IntegerSchema),
  Result: nullish(openEnum(VOICE_ID_AUTHENTICATION_RESULTS)),
});

/**
 * `VoiceIdResult.FraudDetection`.
 *
 * @example
 * ```ts
 * import { VoiceIdFraudDetectionSchema } from '@ctr-stream/ctr-schema';
 * const result = VoiceIdFraudDetectionSchema.safeParse(record.VoiceIdResult?.FraudDetection);
 * ```
 */
export const VoiceIdFraudDetectionSchema = z.looseObject({
  ScoreThreshold: nullish(IntegerSchema),
  Result: nullish(openEnum(VOICE_ID_FRAUD_DETECTION_RESULTS)),
  Reasons: nullish(z.array(z.string())),
  RiskScoreKnownFraudster: nullish(IntegerSchema),
  RiskScoreVoiceSpoofing: nullish(IntegerSchema),
  RiskScoreSyntheticSpeech: nullish(IntegerSchema),
  GeneratedFraudsterID: nullish(z.string()),
  WatchlistID: nullish(z.string()),
});

/**
 * `VoiceIdResult` (Amazon Connect Voice ID).
 *
 * @example
 * ```ts
 * import { VoiceIdResultSchema } from '@ctr-stream/ctr-schema';
 * const result = VoiceIdResultSchema.safeParse(record.VoiceIdResult);
 * ```
 */
export const VoiceIdResultSchema = z.looseObject({
  Authentication: nullish(VoiceIdAuthenticationSchema),
  FraudDetection: nullish(VoiceIdFraudDetectionSchema),
  GeneratedSpeakerId: nullish(z.string()),
  SpeakerEnrolled: nullish(z.boolean()),
  SpeakerOptedOut: nullish(z.boolean()),
});

/**
 * `ContactLens.ConversationalAnalytics.Configuration`.
 *
 * @example
 * ```ts
 * import { ContactLensConfigurationSchema } from '@ctr-stream/ctr-schema';
 * const result = ContactLensConfigurationSchema.safeParse(record.ContactLens?.ConversationalAnalytics?.Configuration);
 * ```
 */
export const ContactLensConfigurationSchema = z.looseObject({
  Enabled: nullish(z.boolean()),
  ChannelConfiguration: nullish(
    z.looseObject({
      AnalyticsModes: nullish(z.array(openEnum(CONTACT_LENS_ANALYTICS_MODES))),
    }),
  ),
  LanguageLocale: nullish(z.string()),
  RedactionConfiguration: nullish(
    z.looseObject({
      Behavior: nullish(z.string()),
      Policy: nullish(z.string()),
      Entities: nullish(z.array(z.string())),
      MaskMode: nullish(z.string()),
    }),
  ),
  SentimentConfiguration: nullish(z.looseObject({ Behavior: nullish(z.string()) })),
  SummaryConfiguration: nullish(z.looseObject({})),
});

/**
 * `ContactLens`: which Contact Lens analytics ran on the contact.
 *
 * @example
 * ```ts
 * import { ContactLensInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = ContactLensInfoSchema.safeParse(record.ContactLens);
 * ```
 */
export const ContactLensInfoSchema = z.looseObject({
  ConversationalAnalytics: nullish(
    z.looseObject({
      Configuration: nullish(ContactLensConfigurationSchema),
    }),
  ),
});

/**
 * `DisconnectDetails`: populated only when the service detects a potential issue.
 *
 * @example
 * ```ts
 * import { DisconnectDetailsSchema } from '@ctr-stream/ctr-schema';
 * const result = DisconnectDetailsSchema.safeParse(record.DisconnectDetails);
 * ```
 */
export const DisconnectDetailsSchema = z.looseObject({
  PotentialDisconnectIssue: nullish(openEnum(POTENTIAL_DISCONNECT_ISSUES)),
});

/**
 * The audio quality of one participant. `QualityScore` is a float.
 *
 * @example
 * ```ts
 * import { AudioQualityMetricsInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = AudioQualityMetricsInfoSchema.safeParse(record.QualityMetrics?.Agent?.Audio);
 * ```
 */
export const AudioQualityMetricsInfoSchema = z.looseObject({
  QualityScore: nullish(z.number()),
  PotentialQualityIssues: nullish(z.array(openEnum(POTENTIAL_QUALITY_ISSUES))),
});

/**
 * `QualityMetrics`: audio quality of the agent and of the customer.
 *
 * @example
 * ```ts
 * import { QualityMetricsSchema } from '@ctr-stream/ctr-schema';
 * const result = QualityMetricsSchema.safeParse(record.QualityMetrics);
 * ```
 */
export const QualityMetricsSchema = z.looseObject({
  Agent: nullish(z.looseObject({ Audio: nullish(AudioQualityMetricsInfoSchema) })),
  Customer: nullish(z.looseObject({ Audio: nullish(AudioQualityMetricsInfoSchema) })),
});

/**
 * An attribute condition of a routing step (agent proficiency). `ProficiencyLevel` is a float (1.0 to 5.0).
 *
 * @example
 * ```ts
 * import { RoutingAttributeConditionSchema } from '@ctr-stream/ctr-schema';
 * const result = RoutingAttributeConditionSchema.safeParse(record.RoutingCriteria?.Steps?.[0]?.Expression?.AttributeCondition);
 * ```
 */
export const RoutingAttributeConditionSchema = z.looseObject({
  Name: nullish(z.string()),
  Value: nullish(z.string()),
  ProficiencyLevel: nullish(z.number()),
  ComparisonOperator: nullish(z.string()),
  MatchCriteria: nullish(z.looseObject({})),
});

/**
 * A routing step expression. Connect nests `AndExpression`/`OrExpression`; the schema types three
 * levels and keeps anything deeper unchanged (so the JSON Schema needs no `$ref`).
 */
function routingExpressionSchema(depth: number): z.ZodType {
  const nested = depth > 1 ? routingExpressionSchema(depth - 1) : z.looseObject({});
  return z.looseObject({
    AttributeCondition: nullish(RoutingAttributeConditionSchema),
    NotAttributeCondition: nullish(RoutingAttributeConditionSchema),
    AndExpression: nullish(z.array(nested)),
    OrExpression: nullish(z.array(nested)),
  });
}

/** One level of a routing step expression the schema checks; `Nested` is the level below. */
export interface RoutingExpressionLevel<Nested> {
  AttributeCondition?: z.infer<typeof RoutingAttributeConditionSchema> | null | undefined;
  NotAttributeCondition?: z.infer<typeof RoutingAttributeConditionSchema> | null | undefined;
  AndExpression?: Nested[] | null | undefined;
  OrExpression?: Nested[] | null | undefined;
  [key: string]: unknown;
}

/**
 * The type of a routing step expression as the schema checks it: three levels typed, and below them each
 * expression an object kept as it came, unchecked (`Record<string, unknown>`), as the schema leaves it.
 */
export type RoutingExpressionShape = RoutingExpressionLevel<
  RoutingExpressionLevel<RoutingExpressionLevel<Record<string, unknown>>>
>;

/**
 * `RoutingCriteria.Steps[].Expression`.
 *
 * @example
 * ```ts
 * import { RoutingExpressionSchema } from '@ctr-stream/ctr-schema';
 * const result = RoutingExpressionSchema.safeParse(record.RoutingCriteria?.Steps?.[0]?.Expression);
 * ```
 */
export const RoutingExpressionSchema = routingExpressionSchema(3) as z.ZodType<RoutingExpressionShape>;

/**
 * One entry of `RoutingCriteria.Steps`.
 *
 * @example
 * ```ts
 * import { RoutingStepSchema } from '@ctr-stream/ctr-schema';
 * const result = RoutingStepSchema.safeParse(record.RoutingCriteria?.Steps?.[0]);
 * ```
 */
export const RoutingStepSchema = z.looseObject({
  Status: nullish(openEnum(ROUTING_STEP_STATUSES)),
  Expiry: nullish(
    z.looseObject({
      DurationInSeconds: nullish(CountSchema),
      ExpiryTimestamp: nullish(TimestampSchema),
    }),
  ),
  Expression: nullish(RoutingExpressionSchema),
});

/**
 * `RoutingCriteria`: the routing steps applied to the contact in queue.
 *
 * @example
 * ```ts
 * import { RoutingCriteriaSchema } from '@ctr-stream/ctr-schema';
 * const result = RoutingCriteriaSchema.safeParse(record.RoutingCriteria);
 * ```
 */
export const RoutingCriteriaSchema = z.looseObject({
  ActivationTimestamp: nullish(TimestampSchema),
  Index: nullish(IntegerSchema),
  Steps: nullish(z.array(RoutingStepSchema)),
});

/**
 * `ChatMetrics.AgentMetrics` / `ChatMetrics.CustomerMetrics`.
 *
 * @example
 * ```ts
 * import { ChatParticipantMetricsSchema } from '@ctr-stream/ctr-schema';
 * const result = ChatParticipantMetricsSchema.safeParse(record.ChatMetrics?.AgentMetrics);
 * ```
 */
export const ChatParticipantMetricsSchema = z.looseObject({
  ParticipantId: nullish(z.string()),
  ParticipantType: nullish(z.string()),
  ConversationAbandon: nullish(z.boolean()),
  MessagesSent: nullish(CountSchema),
  NumResponses: nullish(CountSchema),
  MessageLengthInChars: nullish(CountSchema),
  TotalResponseTimeInMillis: nullish(CountSchema),
  MaxResponseTimeInMillis: nullish(CountSchema),
  LastMessageTimestamp: nullish(TimestampSchema),
});

/**
 * `ChatMetrics` (chat contacts only). Times are in milliseconds here.
 *
 * @example
 * ```ts
 * import { ChatMetricsSchema } from '@ctr-stream/ctr-schema';
 * const result = ChatMetricsSchema.safeParse(record.ChatMetrics);
 * ```
 */
export const ChatMetricsSchema = z.looseObject({
  ContactMetrics: nullish(
    z.looseObject({
      MultiParty: nullish(z.boolean()),
      TotalMessages: nullish(CountSchema),
      TotalBotMessages: nullish(CountSchema),
      TotalBotMessageLengthInChars: nullish(CountSchema),
      ConversationCloseTimeInMillis: nullish(CountSchema),
      ConversationTurnCount: nullish(CountSchema),
      AgentFirstResponseTimestamp: nullish(TimestampSchema),
      AgentFirstResponseTimeInMillis: nullish(CountSchema),
    }),
  ),
  AgentMetrics: nullish(ChatParticipantMetricsSchema),
  CustomerMetrics: nullish(ChatParticipantMetricsSchema),
});

/**
 * `CustomerVoiceActivity`: the customer's greeting on outbound voice calls.
 *
 * @example
 * ```ts
 * import { CustomerVoiceActivitySchema } from '@ctr-stream/ctr-schema';
 * const result = CustomerVoiceActivitySchema.safeParse(record.CustomerVoiceActivity);
 * ```
 */
export const CustomerVoiceActivitySchema = z.looseObject({
  GreetingStartTimestamp: nullish(TimestampSchema),
  GreetingEndTimestamp: nullish(TimestampSchema),
});

/**
 * `WisdomInfo`: the Amazon Q in Connect (Wisdom) session.
 *
 * @example
 * ```ts
 * import { WisdomInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = WisdomInfoSchema.safeParse(record.WisdomInfo);
 * ```
 */
export const WisdomInfoSchema = z.looseObject({
  SessionArn: nullish(z.string()),
});

/**
 * `Customer`: the customer's capabilities (video, screen share).
 *
 * @example
 * ```ts
 * import { CustomerInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = CustomerInfoSchema.safeParse(record.Customer);
 * ```
 */
export const CustomerInfoSchema = z.looseObject({
  Capabilities: nullish(
    z.looseObject({
      Video: nullish(z.string()),
      ScreenShare: nullish(z.string()),
    }),
  ),
});

/**
 * A value of `SegmentAttributes` (one of the `Value*` members is set). Deeper maps and lists are kept as is.
 *
 * @example
 * ```ts
 * import { SegmentAttributeValueSchema } from '@ctr-stream/ctr-schema';
 * const result = SegmentAttributeValueSchema.safeParse(record.SegmentAttributes?.['connect:Subtype']);
 * ```
 */
export const SegmentAttributeValueSchema = z.looseObject({
  ValueString: nullish(z.string()),
  ValueInteger: nullish(IntegerSchema),
  ValueArn: nullish(z.string()),
  ValueMap: nullish(z.record(z.string(), z.unknown())),
  ValueList: nullish(z.array(z.unknown())),
});

/**
 * `GlobalResiliencyMetadata` (contacts of a replicated instance).
 *
 * @example
 * ```ts
 * import { GlobalResiliencyMetadataSchema } from '@ctr-stream/ctr-schema';
 * const result = GlobalResiliencyMetadataSchema.safeParse(record.GlobalResiliencyMetadata);
 * ```
 */
export const GlobalResiliencyMetadataSchema = z.looseObject({
  ActiveRegion: nullish(z.string()),
  OriginRegion: nullish(z.string()),
  TrafficDistributionGroupId: nullish(z.string()),
});

/**
 * `TaskTemplateInfo` (tasks created from a template).
 *
 * @example
 * ```ts
 * import { TaskTemplateInfoSchema } from '@ctr-stream/ctr-schema';
 * const result = TaskTemplateInfoSchema.safeParse(record.TaskTemplateInfo);
 * ```
 */
export const TaskTemplateInfoSchema = z.looseObject({
  Arn: nullish(z.string()),
  Name: nullish(z.string()),
});

/**
 * `CtrStream`: the enrichment namespace that apps/lambda adds to every record (not a Connect field).
 * `CallerLookup.Reason` is set only when `Status` is `error`.
 *
 * @example
 * ```ts
 * import { CtrStreamEnrichmentSchema } from '@ctr-stream/ctr-schema';
 * const result = CtrStreamEnrichmentSchema.safeParse(record.CtrStream);
 * ```
 */
export const CtrStreamEnrichmentSchema = z.looseObject({
  CallerLookup: nullish(
    z.looseObject({
      Status: nullish(openEnum(CALLER_LOOKUP_STATUSES)),
      Reason: nullish(z.string()),
    }),
  ),
});
