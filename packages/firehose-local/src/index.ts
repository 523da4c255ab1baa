export { type BackupArea, backupObjectKey } from './backup-store.js';
export type { ElasticsearchBulkClient } from './bulk-transport.js';
export { type Clock, systemClock } from './clock.js';
export {
  BACKUP_MODES,
  type BackupConfig,
  BackupConfigSchema,
  type BackupMode,
  type DeliveryStreamConfig,
  DeliveryStreamConfigSchema,
  type ElasticsearchDestinationConfig,
  ElasticsearchDestinationConfigSchema,
  FaultsConfigSchema,
  type FirehoseLocalConfigFile,
  FirehoseLocalConfigFileSchema,
  type FirehoseLocalOptions,
  INDEX_ROTATION_PERIODS,
  type IndexRotationPeriod,
  PROCESSOR_ISOLATIONS,
  type ProcessorConfig,
  ProcessorConfigSchema,
  type ProcessorIsolation,
  parseFirehoseLocalConfig,
  type ResolvedDeliveryStreamConfig,
} from './config.js';
export {
  type ConfigIssue,
  FirehoseLocalClosedError,
  FirehoseLocalConfigError,
  FirehoseLocalError,
  FirehoseLocalListenError,
  ProcessorLoadError,
  UnknownDeliveryStreamError,
} from './errors.js';
export { FIREHOSE_LIMITS } from './firehose-api.js';
export { type FirehoseLocal, startFirehoseLocal } from './firehose-local.js';
export { rotatedIndexName, usWeekOfYear } from './index-rotation.js';
export type {
  FirehoseProcessorHandler,
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResponse,
  FirehoseTransformationResultRecord,
  FirehoseTransformationResultStatus,
  LambdaContext,
} from './lambda-types.js';
export { type FirehoseLocalLogger, silentLogger } from './logger.js';
export type { DeliveryStreamMetrics } from './metrics.js';
export {
  checkProcessorResponse,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  type ProcessorResponseCheck,
} from './processor-response.js';
