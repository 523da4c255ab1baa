/** One record of the event Firehose sends to a transformation Lambda (Direct PUT shape). */
export interface FirehoseTransformationEventRecord {
  recordId: string;
  /** Epoch milliseconds. */
  approximateArrivalTimestamp: number;
  /** Base64 of the record bytes as the producer sent them. */
  data: string;
}

/** The event Firehose sends to a transformation Lambda. */
export interface FirehoseTransformationEvent {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: FirehoseTransformationEventRecord[];
}

/** The result values Firehose accepts. Anything else fails the invocation. */
export type FirehoseTransformationResultStatus = 'Ok' | 'Dropped' | 'ProcessingFailed';

/** One record of the response a transformation Lambda returns. */
export interface FirehoseTransformationResultRecord {
  recordId: string;
  result: FirehoseTransformationResultStatus;
  /** Base64 of the transformed record. Required for `Ok`. */
  data?: string;
  metadata?: { partitionKeys: Record<string, string> };
}

/** The response a transformation Lambda returns. */
export interface FirehoseTransformationResponse {
  records: FirehoseTransformationResultRecord[];
}

/** The Lambda context passed to the processor, as AWS Lambda's Node.js runtime builds it. */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/**
 * A Firehose transformation handler: async (`(event, context) => Promise<response>`) or callback style
 * (`(event, context, callback) => void`). The return type is `unknown` on purpose: the endpoint validates
 * whatever comes back exactly as Firehose does.
 */
export type FirehoseProcessorHandler = (
  event: FirehoseTransformationEvent,
  context: LambdaContext,
  callback: (error?: unknown, response?: unknown) => void,
) => unknown;
