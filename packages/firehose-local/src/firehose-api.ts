import { canonicalBase64ByteLength, decodeCanonicalBase64 } from './base64.js';
import type { DeliveryStream, ProducerRecord } from './delivery-stream.js';
import { redactUrlCredentials } from './redact-url.js';

/** Firehose's producer limits. */
export const FIREHOSE_LIMITS = {
  /** Records per PutRecordBatch call. */
  maxRecordsPerBatch: 500,
  /** Bytes (decoded) per PutRecordBatch call. */
  maxBytesPerBatch: 4 * 1024 * 1024,
  /** Bytes (decoded) per record: 1,000 KiB. */
  maxBytesPerRecord: 1_024_000,
} as const;

/** The JSON 1.1 target prefix of the Firehose API. */
export const FIREHOSE_TARGET_PREFIX = 'Firehose_20150804.';

/** An error answered to the SDK as `{"__type", "message"}` with the `x-amzn-ErrorType` header. */
export class FirehoseApiError extends Error {
  override readonly name = 'FirehoseApiError';
  readonly errorType: string;
  readonly statusCode: number;

  constructor(errorType: string, message: string, statusCode = 400) {
    super(message);
    this.errorType = errorType;
    this.statusCode = statusCode;
  }
}

type Streams = ReadonlyMap<string, DeliveryStream>;

const invalidArgument = (message: string) => new FirehoseApiError('InvalidArgumentException', message);

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FirehoseApiError('SerializationException', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function findStream(streams: Streams, body: Record<string, unknown>): DeliveryStream {
  const name = body.DeliveryStreamName;
  if (typeof name !== 'string' || name === '') {
    throw invalidArgument('1 validation error detected: DeliveryStreamName must be a non-empty string.');
  }
  const stream = streams.get(name);
  if (stream === undefined) {
    throw new FirehoseApiError(
      'ResourceNotFoundException',
      `Firehose ${name} under account ${[...streams.values()][0]?.config.accountId ?? '000000000000'} not found.`,
    );
  }
  return stream;
}

/**
 * Validates one record's `Data` (canonical base64, at most 1,000 KiB decoded). For a stream with a processor
 * the producer's base64 is kept as it is (the Lambda event carries exactly that) and only measured; for one
 * without, it is decoded once into the bytes to index.
 */
function readRecord(record: unknown, path: string, keepBase64: boolean): ProducerRecord {
  if (typeof record !== 'object' || record === null) {
    throw new FirehoseApiError('SerializationException', `${path} must be an object with a Data field.`);
  }
  const data = (record as { Data?: unknown }).Data;
  let producerRecord: ProducerRecord | undefined;
  if (typeof data === 'string') {
    if (keepBase64) {
      const byteLength = canonicalBase64ByteLength(data);
      producerRecord = byteLength < 0 ? undefined : { base64: data, byteLength };
    } else {
      producerRecord = decodeCanonicalBase64(data);
    }
  }
  if (producerRecord === undefined) {
    throw new FirehoseApiError('SerializationException', `${path}.Data must be a base64-encoded blob.`);
  }
  const byteLength = Buffer.isBuffer(producerRecord) ? producerRecord.length : producerRecord.byteLength;
  if (byteLength > FIREHOSE_LIMITS.maxBytesPerRecord) {
    throw invalidArgument(
      `1 validation error detected: Value at '${path}.data' failed to satisfy constraint: Member must have length less than or equal to ${FIREHOSE_LIMITS.maxBytesPerRecord} (was ${byteLength} bytes).`,
    );
  }
  return producerRecord;
}

const throttled = () => new FirehoseApiError('ServiceUnavailableException', 'Slow down.', 503);

/** Answers one Firehose API call. Throws `FirehoseApiError` for the SDK's error shapes. */
export function handleFirehoseOperation(streams: Streams, operation: string, rawBody: unknown): unknown {
  switch (operation) {
    case 'PutRecord': {
      const body = requireObject(rawBody);
      const stream = findStream(streams, body);
      const data = readRecord(body.Record, 'record', stream.hasProcessor);
      const results = stream.put([data], 'PutRecord');
      if (results === 'throttled') throw throttled();
      const [result] = results;
      if (result === undefined || !('recordId' in result)) throw throttled();
      return { RecordId: result.recordId, Encrypted: false };
    }
    case 'PutRecordBatch': {
      const body = requireObject(rawBody);
      const stream = findStream(streams, body);
      const records = body.Records;
      if (!Array.isArray(records)) throw invalidArgument('Records must be a list of records.');
      if (records.length === 0 || records.length > FIREHOSE_LIMITS.maxRecordsPerBatch) {
        throw invalidArgument(
          `1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length between 1 and ${FIREHOSE_LIMITS.maxRecordsPerBatch} (was ${records.length}).`,
        );
      }
      const decoded = records.map((record, index) =>
        readRecord(record, `records.${index + 1}.member`, stream.hasProcessor),
      );
      let totalBytes = 0;
      for (const record of decoded) totalBytes += Buffer.isBuffer(record) ? record.length : record.byteLength;
      if (totalBytes > FIREHOSE_LIMITS.maxBytesPerBatch) {
        throw invalidArgument(
          `Records size exceeds ${FIREHOSE_LIMITS.maxBytesPerBatch} bytes (was ${totalBytes} bytes). Send fewer or smaller records per PutRecordBatch call.`,
        );
      }
      const results = stream.put(decoded, 'PutRecordBatch');
      if (results === 'throttled') throw throttled();
      return {
        FailedPutCount: results.filter((result) => 'errorCode' in result).length,
        Encrypted: false,
        RequestResponses: results.map((result) =>
          'recordId' in result
            ? { RecordId: result.recordId }
            : { ErrorCode: result.errorCode, ErrorMessage: result.errorMessage },
        ),
      };
    }
    case 'DescribeDeliveryStream': {
      const stream = findStream(streams, requireObject(rawBody));
      return { DeliveryStreamDescription: describeDeliveryStream(stream) };
    }
    case 'ListDeliveryStreams': {
      const body = requireObject(rawBody ?? {});
      const limit = typeof body.Limit === 'number' ? body.Limit : 10;
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw invalidArgument('Limit must be an integer between 1 and 10000.');
      }
      const type = body.DeliveryStreamType;
      const start =
        typeof body.ExclusiveStartDeliveryStreamName === 'string'
          ? body.ExclusiveStartDeliveryStreamName
          : '';
      const names = [...streams.keys()]
        .filter(() => type === undefined || type === 'DirectPut')
        .sort()
        .filter((name) => name > start);
      return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
    }
    default:
      throw new FirehoseApiError(
        'UnknownOperationException',
        `firehose-local does not implement ${operation}. It serves PutRecord, PutRecordBatch, DescribeDeliveryStream and ListDeliveryStreams.`,
      );
  }
}

/** The `DeliveryStreamDescription` of a stream, in the API's shape. */
export function describeDeliveryStream(stream: DeliveryStream): Record<string, unknown> {
  const { config } = stream;
  const destination = config.elasticsearch;
  const bucketArn = `arn:aws:s3:::firehose-local-${config.name.toLowerCase()}`;
  const roleArn = `arn:aws:iam::${config.accountId}:role/firehose-local`;
  const processor = config.processor;
  return {
    DeliveryStreamName: config.name,
    DeliveryStreamARN: stream.arn,
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamType: 'DirectPut',
    VersionId: '1',
    CreateTimestamp: stream.createdAt.getTime() / 1000,
    DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
    HasMoreDestinations: false,
    Destinations: [
      {
        DestinationId: 'destinationId-000000000001',
        ElasticsearchDestinationDescription: {
          RoleARN: roleArn,
          ClusterEndpoint:
            destination.url === undefined ? 'injected-client' : redactUrlCredentials(destination.url),
          IndexName: destination.indexName,
          ...(destination.typeName === undefined ? {} : { TypeName: destination.typeName }),
          IndexRotationPeriod: destination.indexRotationPeriod,
          BufferingHints: {
            IntervalInSeconds: destination.bufferingHints.intervalInSeconds,
            SizeInMBs: destination.bufferingHints.sizeInMBs,
          },
          RetryOptions: { DurationInSeconds: destination.retryDurationInSeconds },
          S3BackupMode: config.backup.mode,
          DocumentIdOptions: { DefaultDocumentIdFormat: destination.documentIdFormat },
          S3DestinationDescription: {
            RoleARN: roleArn,
            BucketARN: bucketArn,
            Prefix: config.backup.prefix,
            BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
            CompressionFormat: 'UNCOMPRESSED',
            EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
          },
          ProcessingConfiguration: {
            Enabled: processor !== undefined,
            Processors:
              processor === undefined
                ? []
                : [
                    {
                      Type: 'Lambda',
                      Parameters: [
                        { ParameterName: 'LambdaArn', ParameterValue: stream.lambdaArn },
                        {
                          ParameterName: 'NumberOfRetries',
                          ParameterValue: String(processor.numberOfRetries),
                        },
                        {
                          ParameterName: 'BufferSizeInMBs',
                          ParameterValue: String(processor.bufferSizeInMBs),
                        },
                        {
                          ParameterName: 'BufferIntervalInSeconds',
                          ParameterValue: String(processor.bufferIntervalInSeconds),
                        },
                      ],
                    },
                  ],
          },
        },
      },
    ],
  };
}
