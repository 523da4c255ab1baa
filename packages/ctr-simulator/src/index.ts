export {
  type CallerDirectory,
  type CallerDirectoryFormat,
  callerDirectoryFormatFromPath,
  formatCallerDirectory,
  writeCallerDirectory,
} from './caller-directory.js';
export { parseDurationOption } from './cli-arguments.js';
export { joinNegativeNumbers } from './cli-command.js';
export type { Clock } from './clock.js';
export type {
  ChannelName,
  SimulatedAgent,
  SimulatedContactCenter,
  SimulatedHierarchyGroup,
  SimulatedQueue,
  SimulatedRoutingProfile,
} from './contact-center.js';
export {
  BackupReadError,
  CtrSimulatorError,
  FirehoseSendError,
  OutputFileError,
  SendOptionsError,
  SimulationOptionsError,
} from './errors.js';
export {
  type BackupProblem,
  type BackupRecord,
  type BackupRecordKind,
  type FirehoseBackupContents,
  type JsonValueSpan,
  type ReadFirehoseBackupOptions,
  readFirehoseBackup,
  splitJsonValues,
} from './firehose-backup.js';
export { FIREHOSE_LIMITS } from './firehose-limits.js';
export { type GroundTruth, GroundTruthCounter, type GroundTruthDay } from './ground-truth.js';
export {
  type LiveRecords,
  type LiveTraffic,
  type LiveTrafficOptions,
  type ResolvedLiveTrafficOptions,
  simulateLiveTraffic,
} from './live-traffic.js';
export { type NdjsonWriteResult, writeNdjson } from './ndjson.js';
export { type CountryCodeMix, DEFAULT_COUNTRY_CODE_MIX } from './phone-numbers.js';
export type {
  GeneratedAgent,
  GeneratedContactTraceRecord,
  GeneratedEndpoint,
  GeneratedQueue,
  GeneratedRecording,
  GeneratedRecordingsEntry,
  SimulatedRecord,
  SimulatedRecordKind,
} from './record-types.js';
export type { S3BackupOptions } from './s3-backup.js';
export {
  type LiveSendEnd,
  type LiveSendProgress,
  type LiveSendSummary,
  type SendLiveTrafficOptions,
  sendLiveTraffic,
} from './send-live.js';
export type { SendDaySummary, SendProgress, SendSummary } from './send-summary.js';
export {
  type SendableRecord,
  type SendRecordOutcome,
  type SendRetryOptions,
  type SendToFirehoseOptions,
  sendToFirehose,
} from './send-to-firehose.js';
export {
  type ResolvedSimulationOptions,
  resolveSimulationOptions,
  type Simulation,
  type SimulationOptions,
  simulateContactTraffic,
  simulateContactTrafficAsync,
} from './simulate.js';
