export { decodeStrictBase64 } from './base64.js';
export { createFirehoseTransformHandler, neverThrowingLogger } from './create-handler.js';
export { deliveryStreamNameFromArn } from './delivery-stream.js';
export {
  FirehoseEventError,
  type FirehoseIssue,
  FirehoseTransformError,
  FirehoseTransformOptionsError,
  RecordParseError,
} from './errors.js';
export {
  type FirehoseInputRecord,
  FirehoseInputRecordSchema,
  type FirehoseTransformationEvent,
  FirehoseTransformationEventSchema,
  parseFirehoseTransformationEvent,
} from './event-schema.js';
export {
  createJsonLogger,
  type FirehoseTransformLogger,
  type JsonLoggerOptions,
  type LogLevel,
  silentLogger,
} from './logger.js';
export {
  BUILT_IN_METRICS,
  embeddedMetricsLine,
  type FirehoseTransformMetricsOptions,
  type MetricUnit,
  type MetricValue,
} from './metrics.js';
export {
  type DroppedOutcome,
  dropped,
  type FirehoseRecordResult,
  type OkOutcome,
  ok,
  type ProcessingFailedOutcome,
  processingFailed,
  type RecordOutcome,
} from './outcomes.js';
export { parseJsonRecord, parseUtf8Record } from './parse.js';
export {
  PUT_RECORD_BATCH_MAX_BYTES,
  PUT_RECORD_BATCH_MAX_RECORDS,
  planPutRecordBatches,
} from './reingest.js';
export {
  entryBytes,
  type FirehoseTransformationResponse,
  type FirehoseTransformationResultRecord,
  LAMBDA_RESPONSE_LIMIT_BYTES,
} from './response-size.js';
export type {
  BatchPreparation,
  FirehoseRecord,
  FirehoseTransformHandler,
  FirehoseTransformOptions,
  FirehoseTransformSummary,
  LambdaContextLike,
  PrepareBatchContext,
  TransformRecordContext,
} from './types.js';
