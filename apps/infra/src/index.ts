export { type CreateCtrStreamAppOptions, createCtrStreamApp } from './app.js';
export { BackupBucket, type BackupBucketProps } from './backup-bucket.js';
export { ConnectDataStreaming, type ConnectDataStreamingProps } from './connect-data-streaming.js';
export { CtrStreamStack, type CtrStreamStackProps } from './ctr-stream-stack.js';
export { DeliveryAlarms, type DeliveryAlarmsProps } from './delivery-alarms.js';
export {
  BACKUP_PREFIX,
  CtrDeliveryStream,
  type CtrDeliveryStreamProps,
  deliveryMetricPrefix,
  FIREHOSE_LOG_STREAMS,
} from './delivery-stream.js';
export {
  CtrStreamInfraError,
  InvalidStackOptionsError,
  LambdaBundleMissingError,
  type StackOptionIssue,
} from './errors.js';
export { assertLambdaBundle, LAMBDA_BUNDLE_ENTRY, resolveLambdaBundleDirectory } from './lambda-bundle.js';
export {
  BACKUP_ENCRYPTIONS,
  type BackupEncryption,
  type CtrStreamStackOptions,
  DEFAULT_STACK_OPTIONS,
  type DestinationOptions,
  DOCUMENT_ID_FORMATS,
  DOMAIN_DESTINATION_APIS,
  type DocumentIdFormat,
  type DomainDestinationApi,
  type DomainDestinationOptions,
  defaultDeliveryStreamName,
  type ElasticCloudDestinationOptions,
  EXAMPLE_CONTEXT,
  INDEX_ROTATION_PERIODS,
  type IndexRotationPeriod,
  LAMBDA_ARCHITECTURES,
  type LambdaArchitecture,
  LOG_RETENTION_DAYS,
  parseStackOptions,
  STACK_OPTION_NAMES,
  type StackPlacement,
} from './stack-options.js';
export { TransformFunction, type TransformFunctionProps } from './transform-function.js';
