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
const serialization = (message: string) => new FirehoseApiError('SerializationException', message);

/** The stream name's constraints in the API model: 1-64 characters of this pattern. */
const STREAM_NAME_PATTERN = '[a-zA-Z0-9_.-]+';
const STREAM_NAME = new RegExp(`^${STREAM_NAME_PATTERN}$`);
const STREAM_NAME_MAX_LENGTH = 64;

/**
 * The constraints a request breaks, in AWS's words (`Value null at 'records' failed to satisfy constraint: Member
 * must not be null`). AWS checks every member of a request against its model before it looks at anything else
 * (the stream included) and refuses the call with one `ValidationException` naming them all.
 */
class ValidationErrors {
  readonly #violations: string[] = [];

  notNull(path: string): void {
    this.#violations.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
  }

  /** `shown` is the value as AWS quotes it (`'name'`), or `undefined` for a blob, which AWS does not quote. */
  constraint(path: string, shown: string | undefined, constraint: string): void {
    this.#violations.push(
      `Value ${shown === undefined ? '' : `'${shown}' `}at '${path}' failed to satisfy constraint: ${constraint}`,
    );
  }

  /** Throws the `ValidationException` (400) AWS answers when any constraint was broken. */
  throwIfAny(): void {
    const count = this.#violations.length;
    if (count === 0) return;
    throw new FirehoseApiError(
      'ValidationException',
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.#violations.join('; ')}`,
    );
  }
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw serialization('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** Checks `DeliveryStreamName` against the model: a string (else the JSON does not read), 1-64 of the pattern. */
function readStreamName(body: Record<string, unknown>, errors: ValidationErrors): string | undefined {
  const name = body.DeliveryStreamName;
  if (name === undefined || name === null) {
    errors.notNull('deliveryStreamName');
    return undefined;
  }
  if (typeof name !== 'string') throw serialization('DeliveryStreamName must be a string.');
  if (name.length < 1) {
    errors.constraint('deliveryStreamName', name, 'Member must have length greater than or equal to 1');
  } else {
    if (name.length > STREAM_NAME_MAX_LENGTH) {
      errors.constraint(
        'deliveryStreamName',
        name,
        `Member must have length less than or equal to ${STREAM_NAME_MAX_LENGTH}`,
      );
    }
    if (!STREAM_NAME.test(name)) {
      errors.constraint(
        'deliveryStreamName',
        name,
        `Member must satisfy regular expression pattern: ${STREAM_NAME_PATTERN}`,
      );
    }
  }
  return name;
}

/** The stream of a name that passed validation; `ResourceNotFoundException` when none is configured. */
function findStream(streams: Streams, name: string): DeliveryStream {
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
 * Reads one record's `Data` (canonical base64, else `SerializationException`: the JSON does not read) and checks
 * its decoded size (at most 1,000 KiB, else a validation error). Returns `undefined` when `Data` is missing. For a
 * stream with a processor (or none found: the request is refused anyway) the producer's base64 is kept as it is
 * (the Lambda event carries exactly that) and only measured; for one without, it is decoded once into the bytes to
 * index.
 */
function readRecord(
  record: unknown,
  path: string,
  keepBase64: boolean,
  errors: ValidationErrors,
): ProducerRecord | undefined {
  if (record === undefined || record === null) {
    errors.notNull(path);
    return undefined;
  }
  if (typeof record !== 'object' || Array.isArray(record)) {
    throw serialization(`${path} must be an object with a Data field.`);
  }
  const data = (record as { Data?: unknown }).Data;
  if (data === undefined || data === null) {
    errors.notNull(`${path}.data`);
    return undefined;
  }
  let producerRecord: ProducerRecord | undefined;
  if (typeof data === 'string') {
    if (keepBase64) {
      const byteLength = canonicalBase64ByteLength(data);
      producerRecord = byteLength < 0 ? undefined : { base64: data, byteLength };
    } else {
      producerRecord = decodeCanonicalBase64(data);
    }
  }
  if (producerRecord === undefined) throw serialization(`${path}.Data must be a base64-encoded blob.`);
  const byteLength = Buffer.isBuffer(producerRecord) ? producerRecord.length : producerRecord.byteLength;
  if (byteLength > FIREHOSE_LIMITS.maxBytesPerRecord) {
    errors.constraint(
      `${path}.data`,
      undefined,
      `Member must have length less than or equal to ${FIREHOSE_LIMITS.maxBytesPerRecord}`,
    );
  }
  return producerRecord;
}

/** Whether the records of a call to `name` are kept in base64 (a processor's stream, or no stream at all). */
const keepsBase64 = (streams: Streams, name: string | undefined) =>
  name === undefined || (streams.get(name)?.hasProcessor ?? true);

const throttled = () => new FirehoseApiError('ServiceUnavailableException', 'Slow down.', 503);

/**
 * Answers one Firehose API call. Throws `FirehoseApiError` for the SDK's error shapes, in AWS's order: a body that
 * does not read (`SerializationException`), then every broken constraint of the model (`ValidationException`), then
 * an unknown stream (`ResourceNotFoundException`), then the service's own limits (`InvalidArgumentException`).
 */
export function handleFirehoseOperation(streams: Streams, operation: string, rawBody: unknown): unknown {
  switch (operation) {
    case 'PutRecord': {
      const body = requireObject(rawBody);
      const errors = new ValidationErrors();
      const name = readStreamName(body, errors);
      const data = readRecord(body.Record, 'record', keepsBase64(streams, name), errors);
      errors.throwIfAny();
      const stream = findStream(streams, name as string);
      const results = stream.put([data as ProducerRecord], 'PutRecord');
      if (results === 'throttled') throw throttled();
      const [result] = results;
      if (result === undefined || !('recordId' in result)) throw throttled();
      return { RecordId: result.recordId, Encrypted: false };
    }
    case 'PutRecordBatch': {
      const body = requireObject(rawBody);
      const errors = new ValidationErrors();
      const name = readStreamName(body, errors);
      const records = body.Records;
      const decoded: (ProducerRecord | undefined)[] = [];
      if (records === undefined || records === null) {
        errors.notNull('records');
      } else if (!Array.isArray(records)) {
        throw serialization('Records must be a list of records.');
      } else {
        if (records.length < 1) {
          errors.constraint('records', '[]', 'Member must have length greater than or equal to 1');
        } else if (records.length > FIREHOSE_LIMITS.maxRecordsPerBatch) {
          // AWS quotes the whole list here; it is left out.
          errors.constraint(
            'records',
            '[...]',
            `Member must have length less than or equal to ${FIREHOSE_LIMITS.maxRecordsPerBatch}`,
          );
        }
        const keepBase64 = keepsBase64(streams, name);
        for (const [index, record] of records.entries()) {
          decoded.push(readRecord(record, `records.${index + 1}.member`, keepBase64, errors));
        }
      }
      errors.throwIfAny();
      const stream = findStream(streams, name as string);
      const accepted = decoded as ProducerRecord[];
      let totalBytes = 0;
      for (const record of accepted)
        totalBytes += Buffer.isBuffer(record) ? record.length : record.byteLength;
      if (totalBytes > FIREHOSE_LIMITS.maxBytesPerBatch) {
        throw invalidArgument(
          `Records size exceeds ${FIREHOSE_LIMITS.maxBytesPerBatch} bytes (was ${totalBytes} bytes). Send fewer or smaller records per PutRecordBatch call.`,
        );
      }
      const results = stream.put(accepted, 'PutRecordBatch');
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
      const errors = new ValidationErrors();
      const name = readStreamName(requireObject(rawBody), errors);
      errors.throwIfAny();
      return { DeliveryStreamDescription: describeDeliveryStream(findStream(streams, name as string)) };
    }
    case 'ListDeliveryStreams': {
      const body = requireObject(rawBody ?? {});
      const errors = new ValidationErrors();
      const limit = body.Limit ?? 10;
      if (typeof limit !== 'number' || !Number.isInteger(limit))
        throw serialization('Limit must be an integer.');
      if (limit < 1)
        errors.constraint('limit', String(limit), 'Member must have value greater than or equal to 1');
      if (limit > 10_000) {
        errors.constraint('limit', String(limit), 'Member must have value less than or equal to 10000');
      }
      errors.throwIfAny();
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
