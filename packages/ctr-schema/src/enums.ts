/**
 * The known values of the open enumerations of the contact trace record.
 *
 * Every enumeration of the CTR is open: Amazon Connect adds values without bumping
 * `AWSContactTraceRecordFormatVersion`, so the schema accepts any string and these arrays only
 * list the values known when this package was released (they type the known literals and feed
 * the JSON Schema's `enum`). New values are added in minor releases.
 */

/**
 * Known values of `Channel`. `EMAIL` is the newest; a value not listed here is still accepted.
 *
 * @example
 * ```ts
 * import { CHANNELS } from '@ctr-stream/ctr-schema';
 * const isKnown = (CHANNELS as readonly string[]).includes(record.Channel);
 * ```
 */
export const CHANNELS = ['VOICE', 'CHAT', 'TASK', 'EMAIL'] as const;

/**
 * Known values of `InitiationMethod` (how the contact was started).
 *
 * @example
 * ```ts
 * import { INITIATION_METHODS } from '@ctr-stream/ctr-schema';
 * console.log(INITIATION_METHODS.join(', '));
 * ```
 */
export const INITIATION_METHODS = [
  'INBOUND',
  'OUTBOUND',
  'TRANSFER',
  'CALLBACK',
  'API',
  'QUEUE_TRANSFER',
  'MONITOR',
  'DISCONNECT',
  'WEBRTC_API',
  'EXTERNAL_OUTBOUND',
  'AGENT_REPLY',
  'FLOW',
  'CAMPAIGN_PREVIEW',
] as const;

/**
 * Known values of `DisconnectReason`, all channels together. The field may also be null or absent.
 *
 * @example
 * ```ts
 * import { DISCONNECT_REASONS } from '@ctr-stream/ctr-schema';
 * const telecomProblems = DISCONNECT_REASONS.filter((reason) => reason.startsWith('TELECOM_'));
 * ```
 */
export const DISCONNECT_REASONS = [
  'CUSTOMER_DISCONNECT',
  'AGENT_DISCONNECT',
  'THIRD_PARTY_DISCONNECT',
  'TELECOM_PROBLEM',
  'BARGED',
  'CONTACT_FLOW_DISCONNECT',
  'OTHER',
  'EXPIRED',
  'API',
  'TELECOM_BUSY',
  'TELECOM_NUMBER_INVALID',
  'TELECOM_POTENTIAL_BLOCKING',
  'TELECOM_UNANSWERED',
  'TELECOM_TIMEOUT',
  'TELECOM_ORIGINATOR_CANCEL',
  'CUSTOMER_NEVER_ARRIVED',
  'OUTBOUND_DESTINATION_ENDPOINT_ERROR',
  'OUTBOUND_RESOURCE_ERROR',
  'OUTBOUND_ATTEMPT_FAILED',
  'AGENT_NETWORK_DISCONNECT',
  'CUSTOMER_CONNECTION_NOT_ESTABLISHED',
  'IDLE_DISCONNECT',
  'SYSTEM_ERROR',
  'AGENT_COMPLETED',
  'TRANSFERRED',
  'DISCARDED',
] as const;

/**
 * Known values of `Type` on `CustomerEndpoint`, `SystemEndpoint` and `TransferredToEndpoint`.
 * Only `TELEPHONE_NUMBER` endpoints carry a phone number in `Address`.
 *
 * @example
 * ```ts
 * import { ENDPOINT_TYPES } from '@ctr-stream/ctr-schema';
 * const [telephoneNumber] = ENDPOINT_TYPES; // 'TELEPHONE_NUMBER'
 * ```
 */
export const ENDPOINT_TYPES = [
  'TELEPHONE_NUMBER',
  'VOIP',
  'CONTACT_FLOW',
  'CONNECT_PHONENUMBER_ARN',
  'EMAIL_ADDRESS',
] as const;

/**
 * Known values of `MediaStreams[].Type` and `Recordings[].MediaStreamType`.
 *
 * @example
 * ```ts
 * import { MEDIA_STREAM_TYPES } from '@ctr-stream/ctr-schema';
 * console.log(MEDIA_STREAM_TYPES.includes('AUDIO')); // true
 * ```
 */
export const MEDIA_STREAM_TYPES = ['AUDIO', 'VIDEO', 'CHAT', 'AUTOMATED_INTERACTION'] as const;

/**
 * Known values of `Recording.Status` and `Recordings[].Status` (`'NULL'` is a string Connect sends).
 *
 * @example
 * ```ts
 * import { RECORDING_STATUSES } from '@ctr-stream/ctr-schema';
 * console.log(RECORDING_STATUSES); // ['AVAILABLE', 'DELETED', 'NULL']
 * ```
 */
export const RECORDING_STATUSES = ['AVAILABLE', 'DELETED', 'NULL'] as const;

/**
 * Known values of `Recording.Type`.
 *
 * @example
 * ```ts
 * import { RECORDING_TYPES } from '@ctr-stream/ctr-schema';
 * console.log(RECORDING_TYPES); // ['AUDIO']
 * ```
 */
export const RECORDING_TYPES = ['AUDIO'] as const;

/**
 * Known values of `Recordings[].StorageType`: an S3 object (`Location` is `bucket/key`, no `s3://`)
 * or a Kinesis Video Stream (`Location` is the stream ARN, fragments numbered).
 *
 * @example
 * ```ts
 * import { RECORDING_STORAGE_TYPES } from '@ctr-stream/ctr-schema';
 * console.log(RECORDING_STORAGE_TYPES); // ['S3', 'KINESIS_VIDEO_STREAM']
 * ```
 */
export const RECORDING_STORAGE_TYPES = ['S3', 'KINESIS_VIDEO_STREAM'] as const;

/**
 * Known values of `Recordings[].ParticipantType`.
 *
 * @example
 * ```ts
 * import { RECORDING_PARTICIPANT_TYPES } from '@ctr-stream/ctr-schema';
 * console.log(RECORDING_PARTICIPANT_TYPES.includes('CUSTOMER')); // true
 * ```
 */
export const RECORDING_PARTICIPANT_TYPES = [
  'ALL',
  'MANAGER',
  'AGENT',
  'CUSTOMER',
  'THIRDPARTY',
  'SUPERVISOR',
  'IVR',
] as const;

/**
 * Known values of `AnsweringMachineDetectionStatus` (outbound campaigns).
 *
 * @example
 * ```ts
 * import { ANSWERING_MACHINE_DETECTION_STATUSES } from '@ctr-stream/ctr-schema';
 * console.log(ANSWERING_MACHINE_DETECTION_STATUSES[0]); // 'ANSWERED'
 * ```
 */
export const ANSWERING_MACHINE_DETECTION_STATUSES = [
  'ANSWERED',
  'UNDETECTED',
  'ERROR',
  'HUMAN_ANSWERED',
  'SIT_TONE_DETECTED',
  'SIT_TONE_BUSY',
  'SIT_TONE_INVALID_NUMBER',
  'FAX_MACHINE_DETECTED',
  'VOICEMAIL_BEEP',
  'VOICEMAIL_NO_BEEP',
  'AMD_UNRESOLVED',
  'AMD_UNANSWERED',
  'AMD_ERROR',
  'AMD_NOT_APPLICABLE',
  'AMD_UNRESOLVED_SILENCE',
] as const;

/**
 * Known values of `Agent.StateTransitions[].state` (supervisor monitoring).
 *
 * @example
 * ```ts
 * import { AGENT_STATE_TRANSITION_STATES } from '@ctr-stream/ctr-schema';
 * console.log(AGENT_STATE_TRANSITION_STATES); // ['SILENT_MONITOR', 'BARGE']
 * ```
 */
export const AGENT_STATE_TRANSITION_STATES = ['SILENT_MONITOR', 'BARGE'] as const;

/**
 * Known values of `DisconnectDetails.PotentialDisconnectIssue`.
 *
 * @example
 * ```ts
 * import { POTENTIAL_DISCONNECT_ISSUES } from '@ctr-stream/ctr-schema';
 * console.log(POTENTIAL_DISCONNECT_ISSUES.length); // 4
 * ```
 */
export const POTENTIAL_DISCONNECT_ISSUES = [
  'AGENT_CONNECTIVITY_ISSUE',
  'AGENT_DEVICE_ISSUE',
  'CUSTOMER_CONNECTIVITY_ISSUE',
  'CUSTOMER_DEVICE_ISSUE',
] as const;

/**
 * Known values of `QualityMetrics.*.Audio.PotentialQualityIssues[]`.
 *
 * @example
 * ```ts
 * import { POTENTIAL_QUALITY_ISSUES } from '@ctr-stream/ctr-schema';
 * console.log(POTENTIAL_QUALITY_ISSUES); // ['HighPacketLoss', 'HighRoundTripTime', 'HighJitterBuffer']
 * ```
 */
export const POTENTIAL_QUALITY_ISSUES = ['HighPacketLoss', 'HighRoundTripTime', 'HighJitterBuffer'] as const;

/**
 * Known values of `RoutingCriteria.Steps[].Status`.
 *
 * @example
 * ```ts
 * import { ROUTING_STEP_STATUSES } from '@ctr-stream/ctr-schema';
 * console.log(ROUTING_STEP_STATUSES.includes('EXPIRED')); // true
 * ```
 */
export const ROUTING_STEP_STATUSES = [
  'ACTIVE',
  'INACTIVE',
  'JOINED',
  'EXPIRED',
  'DEACTIVATED',
  'INTERRUPTED',
] as const;

/**
 * Known values of `VoiceIdResult.Authentication.Result` (they contain spaces).
 *
 * @example
 * ```ts
 * import { VOICE_ID_AUTHENTICATION_RESULTS } from '@ctr-stream/ctr-schema';
 * console.log(VOICE_ID_AUTHENTICATION_RESULTS[0]); // 'Authenticated'
 * ```
 */
export const VOICE_ID_AUTHENTICATION_RESULTS = [
  'Authenticated',
  'Not Authenticated',
  'Not Enrolled',
  'Opted Out',
  'Inconclusive',
  'Error',
] as const;

/**
 * Known values of `VoiceIdResult.FraudDetection.Result`.
 *
 * @example
 * ```ts
 * import { VOICE_ID_FRAUD_DETECTION_RESULTS } from '@ctr-stream/ctr-schema';
 * console.log(VOICE_ID_FRAUD_DETECTION_RESULTS[0]); // 'High Risk'
 * ```
 */
export const VOICE_ID_FRAUD_DETECTION_RESULTS = ['High Risk', 'Low Risk', 'Inconclusive', 'Error'] as const;

/**
 * Known values of `ContactLens.ConversationalAnalytics.Configuration.ChannelConfiguration.AnalyticsModes[]`.
 *
 * @example
 * ```ts
 * import { CONTACT_LENS_ANALYTICS_MODES } from '@ctr-stream/ctr-schema';
 * console.log(CONTACT_LENS_ANALYTICS_MODES); // ['PostContact', 'RealTime', 'ContactLens']
 * ```
 */
export const CONTACT_LENS_ANALYTICS_MODES = ['PostContact', 'RealTime', 'ContactLens'] as const;

/**
 * Statuses of the ctr-stream enrichment `CtrStream.CallerLookup.Status` that apps/lambda adds
 * to every record it transforms (not an Amazon Connect field).
 *
 * @example
 * ```ts
 * import { CALLER_LOOKUP_STATUSES } from '@ctr-stream/ctr-schema';
 * console.log(CALLER_LOOKUP_STATUSES.includes('no_phone_number')); // true
 * ```
 */
export const CALLER_LOOKUP_STATUSES = [
  'found',
  'not_found',
  'invalid_number',
  'error',
  'no_phone_number',
] as const;

/** A value that is one of the known `values` or any other string, e.g. `OpenEnum<'VOICE' | 'CHAT'>`. */
export type OpenEnum<Known extends string> = Known | (string & {});

export type KnownChannel = (typeof CHANNELS)[number];
export type KnownInitiationMethod = (typeof INITIATION_METHODS)[number];
export type KnownDisconnectReason = (typeof DISCONNECT_REASONS)[number];
export type KnownEndpointType = (typeof ENDPOINT_TYPES)[number];
export type KnownMediaStreamType = (typeof MEDIA_STREAM_TYPES)[number];
export type KnownRecordingStatus = (typeof RECORDING_STATUSES)[number];
export type KnownRecordingStorageType = (typeof RECORDING_STORAGE_TYPES)[number];

/** `'VOICE' | 'CHAT' | 'TASK' | 'EMAIL'` or any future string. */
export type Channel = OpenEnum<KnownChannel>;
/** A known initiation method or any future string. */
export type InitiationMethod = OpenEnum<KnownInitiationMethod>;
/** A known disconnect reason or any future string. */
export type DisconnectReason = OpenEnum<KnownDisconnectReason>;
/** A known endpoint type (`'TELEPHONE_NUMBER'`, ...) or any future string. */
export type EndpointType = OpenEnum<KnownEndpointType>;
/** A known media stream type or any future string. */
export type MediaStreamType = OpenEnum<KnownMediaStreamType>;
/** A known recording status or any future string. */
export type RecordingStatus = OpenEnum<KnownRecordingStatus>;
/** A known recording storage type or any future string. */
export type RecordingStorageType = OpenEnum<KnownRecordingStorageType>;

/**
 * True when `value` is one of the `known` values (narrows the open enum to its known literals).
 *
 * @example
 * ```ts
 * import { CHANNELS, isKnownValue } from '@ctr-stream/ctr-schema';
 * if (isKnownValue(CHANNELS, record.Channel)) {
 *   // record.Channel is 'VOICE' | 'CHAT' | 'TASK' | 'EMAIL' here
 * }
 * ```
 */
export function isKnownValue<const Known extends string>(
  known: readonly Known[],
  value: unknown,
): value is Known {
  return typeof value === 'string' && (known as readonly string[]).includes(value);
}
