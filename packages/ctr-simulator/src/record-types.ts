import type { ChannelName } from './contact-center.js';

/** `{ Address, Type }` of CustomerEndpoint, SystemEndpoint and TransferredToEndpoint. */
export interface GeneratedEndpoint {
  Address: string;
  Type: 'TELEPHONE_NUMBER';
}

export interface GeneratedAgent {
  ARN: string;
  AfterContactWorkDuration: number;
  AfterContactWorkEndTimestamp: string;
  AfterContactWorkStartTimestamp: string;
  AgentInteractionDuration: number;
  ConnectedToAgentTimestamp: string;
  CustomerHoldDuration: number;
  HierarchyGroups: Record<string, { ARN: string; GroupName: string } | null> | null;
  LongestHoldDuration: number;
  NumberOfHolds: number;
  RoutingProfile: { ARN: string; Name: string };
  Username: string;
}

export interface GeneratedQueue {
  ARN: string;
  DequeueTimestamp: string;
  Duration: number;
  EnqueueTimestamp: string;
  /** null for an agent queue (`…/queue/agent/<agent-id>`), as Connect emits it. */
  Name: string | null;
}

export interface GeneratedRecording {
  DeletionReason: null;
  Location: string;
  Status: 'AVAILABLE';
  Type: 'AUDIO';
}

export interface GeneratedRecordingsEntry {
  DeletionReason: null;
  FragmentStartNumber: null;
  FragmentStopNumber: null;
  Location: string;
  MediaStreamType: 'AUDIO';
  ParticipantType: null;
  StartTimestamp: null;
  Status: 'AVAILABLE';
  StopTimestamp: null;
  StorageType: 'S3';
}

/**
 * The shape of the contact trace records the simulator emits: the fields of the 2022 real samples
 * (ctr.md §7), with explicit nulls. Records in the legacy 2018 shape omit `AnsweringMachineDetectionStatus`,
 * `Campaign`, `ContactDetails`, `DisconnectReason`, `References`, `ScheduledTimestamp` and `VoiceIdResult`.
 */
export interface GeneratedContactTraceRecord {
  AWSAccountId: string;
  AWSContactTraceRecordFormatVersion: '2017-03-10';
  Agent: GeneratedAgent | null;
  AgentConnectionAttempts: number;
  AnsweringMachineDetectionStatus?: null;
  Attributes: Record<string, string>;
  Campaign?: { CampaignId: null };
  Channel: ChannelName;
  ConnectedToSystemTimestamp: string | null;
  ContactDetails?: Record<string, string>;
  ContactId: string;
  CustomerEndpoint: GeneratedEndpoint | null;
  DisconnectReason?: string | null;
  DisconnectTimestamp: string;
  InitialContactId: string | null;
  InitiationMethod: 'INBOUND' | 'OUTBOUND' | 'TRANSFER' | 'CALLBACK' | 'API';
  InitiationTimestamp: string;
  InstanceARN: string;
  LastUpdateTimestamp: string;
  MediaStreams: { Type: 'AUDIO' | 'CHAT' }[];
  NextContactId: string | null;
  PreviousContactId: string | null;
  Queue: GeneratedQueue | null;
  Recording: GeneratedRecording | null;
  Recordings: GeneratedRecordingsEntry[] | null;
  References?: never[];
  ScheduledTimestamp?: string | null;
  SystemEndpoint: GeneratedEndpoint | null;
  TransferCompletedTimestamp: string | null;
  TransferredToEndpoint: GeneratedEndpoint | null;
  VoiceIdResult?: null;
}

/** Why a record is in the stream: first delivery, a re-published update, or an exact duplicate delivery. */
export type SimulatedRecordKind = 'original' | 'update' | 'duplicate';

/** One Firehose record of the simulation. */
export interface SimulatedRecord {
  /** The CTR's ContactId. */
  readonly contactId: string;
  /** UTC day (`yyyy-mm-dd`) of `LastUpdateTimestamp`: the "Calls per day" bucket. */
  readonly day: string;
  readonly kind: SimulatedRecordKind;
  /** The record as it is sent: compact JSON, keys in alphabetical order, no trailing newline. */
  readonly data: string;
  /** The same record as an object. */
  readonly record: GeneratedContactTraceRecord;
}
