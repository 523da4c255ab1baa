import type { z } from 'zod';
import type {
  AttributesSchema,
  AttributeValueSchema,
  ContactTraceRecordSchema,
} from './contact-trace-record-schema.js';
import type {
  AgentHierarchyGroupSchema,
  AgentHierarchyGroupsSchema,
  AgentInfoSchema,
  AgentStateTransitionSchema,
  AudioQualityMetricsInfoSchema,
  CampaignInfoSchema,
  ChatMetricsSchema,
  ChatParticipantMetricsSchema,
  ContactLensInfoSchema,
  CtrStreamEnrichmentSchema,
  CustomerInfoSchema,
  CustomerVoiceActivitySchema,
  DisconnectDetailsSchema,
  EndpointSchema,
  MediaStreamSchema,
  QualityMetricsSchema,
  QueueInfoSchema,
  RecordingInfoSchema,
  RecordingsInfoSchema,
  RoutingCriteriaSchema,
  RoutingProfileSchema,
  RoutingStepSchema,
  SegmentAttributeValueSchema,
  VoiceIdResultSchema,
  WisdomInfoSchema,
} from './nested-schemas.js';

/** A validated contact trace record. Unknown fields are typed `unknown` and kept. */
export type ContactTraceRecord = z.infer<typeof ContactTraceRecordSchema>;
/** `Agent` (null when no agent handled the contact). */
export type AgentInfo = z.infer<typeof AgentInfoSchema>;
/** `Agent.HierarchyGroups`. */
export type AgentHierarchyGroups = z.infer<typeof AgentHierarchyGroupsSchema>;
/** `Agent.HierarchyGroups.LevelN`. */
export type AgentHierarchyGroup = z.infer<typeof AgentHierarchyGroupSchema>;
/** `Agent.RoutingProfile`. */
export type RoutingProfileInfo = z.infer<typeof RoutingProfileSchema>;
/** `Agent.StateTransitions[]`. */
export type AgentStateTransition = z.infer<typeof AgentStateTransitionSchema>;
/** `Queue`. */
export type QueueInfo = z.infer<typeof QueueInfoSchema>;
/** `CustomerEndpoint`, `SystemEndpoint`, `TransferredToEndpoint`. */
export type Endpoint = z.infer<typeof EndpointSchema>;
/** `MediaStreams[]`. */
export type MediaStream = z.infer<typeof MediaStreamSchema>;
/** `Recording`. */
export type RecordingInfo = z.infer<typeof RecordingInfoSchema>;
/** `Recordings[]`. */
export type RecordingsInfo = z.infer<typeof RecordingsInfoSchema>;
/** `Campaign`. */
export type CampaignInfo = z.infer<typeof CampaignInfoSchema>;
/** `VoiceIdResult`. */
export type VoiceIdResult = z.infer<typeof VoiceIdResultSchema>;
/** `ContactLens`. */
export type ContactLensInfo = z.infer<typeof ContactLensInfoSchema>;
/** `DisconnectDetails`. */
export type DisconnectDetails = z.infer<typeof DisconnectDetailsSchema>;
/** `QualityMetrics`. */
export type QualityMetrics = z.infer<typeof QualityMetricsSchema>;
/** `QualityMetrics.Agent.Audio` / `QualityMetrics.Customer.Audio`. */
export type AudioQualityMetricsInfo = z.infer<typeof AudioQualityMetricsInfoSchema>;
/** `RoutingCriteria`. */
export type RoutingCriteria = z.infer<typeof RoutingCriteriaSchema>;
/** `RoutingCriteria.Steps[]`. */
export type RoutingStep = z.infer<typeof RoutingStepSchema>;
/** A value of `SegmentAttributes`. */
export type SegmentAttributeValue = z.infer<typeof SegmentAttributeValueSchema>;
/** `ChatMetrics`. */
export type ChatMetrics = z.infer<typeof ChatMetricsSchema>;
/** `ChatMetrics.AgentMetrics` / `ChatMetrics.CustomerMetrics`. */
export type ChatParticipantMetrics = z.infer<typeof ChatParticipantMetricsSchema>;
/** `CustomerVoiceActivity`. */
export type CustomerVoiceActivity = z.infer<typeof CustomerVoiceActivitySchema>;
/** `WisdomInfo`. */
export type WisdomInfo = z.infer<typeof WisdomInfoSchema>;
/** `Customer`. */
export type CustomerInfo = z.infer<typeof CustomerInfoSchema>;
/** `CtrStream` (the ctr-stream enrichment). */
export type CtrStreamEnrichment = z.infer<typeof CtrStreamEnrichmentSchema>;
/** `Attributes`. */
export type ContactAttributes = z.infer<typeof AttributesSchema>;
/** A value of `Attributes`. */
export type ContactAttributeValue = z.infer<typeof AttributeValueSchema>;
