import type { FirehoseProcessorHandler, FirehoseTransformationEvent } from './lambda-types.js';
import { invokeProcessor } from './processor-invoker.js';
import { checkProcessorResponse, type ProcessorResponseCheck } from './processor-response.js';
import { lambdaLogGroupName, newLogStreamName } from './reserved-environment-variables.js';

/** One invocation as the delivery stream hands it over: records keep the producer's base64. */
export interface ProcessorInvocation {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: readonly { recordId: string; arrivalTimestamp: number; data: string }[];
}

/** How many execution environments a processor has had and has now (always 0 in-process). */
export interface ProcessorEnvironmentCounts {
  coldStarts: number;
  active: number;
}

/** Where a stream's processor runs: invokes it and checks the response against Firehose's contract. */
export interface ProcessorRuntime {
  invoke(invocation: ProcessorInvocation): Promise<ProcessorResponseCheck>;
  environmentCounts(): ProcessorEnvironmentCounts;
  /** Stops every execution environment. */
  close(): Promise<void>;
}

/** The Lambda settings both runtimes need. */
export interface ProcessorFunction {
  functionName: string;
  functionArn: string;
  /** The region the function runs in: the delivery stream's. */
  region: string;
  timeoutMs: number;
  memorySizeInMB: number;
}

/** The event object a transformation Lambda receives (a fresh one per attempt: handlers may mutate it). */
export function buildTransformationEvent(invocation: ProcessorInvocation): FirehoseTransformationEvent {
  return {
    invocationId: invocation.invocationId,
    deliveryStreamArn: invocation.deliveryStreamArn,
    region: invocation.region,
    records: invocation.records.map((record) => ({
      recordId: record.recordId,
      approximateArrivalTimestamp: record.arrivalTimestamp,
      data: record.data,
    })),
  };
}

/**
 * The same event as JSON text (as Lambda's runtime API delivers it), written as ASCII bytes into one buffer that
 * is handed to the execution environment without a copy. Everything in it is ASCII: record IDs (base64url and
 * base36), timestamps and canonical base64 data never need escaping, and the stream-level strings (ARN, region,
 * UUID) are validated ASCII stringified once. No megabyte-sized string is built on firehose-local's thread.
 */
export function buildTransformationEventJson(invocation: ProcessorInvocation): Buffer {
  const head = `{"invocationId":${JSON.stringify(invocation.invocationId)},"deliveryStreamArn":${JSON.stringify(invocation.deliveryStreamArn)},"region":${JSON.stringify(invocation.region)},"records":[`;
  const recordHead = '{"recordId":"';
  const timestampHead = '","approximateArrivalTimestamp":';
  const dataHead = ',"data":"';
  const recordTail = '"}';
  let size = head.length + 2;
  const timestamps: string[] = [];
  for (const record of invocation.records) {
    const timestamp = String(record.arrivalTimestamp);
    timestamps.push(timestamp);
    size +=
      recordHead.length +
      record.recordId.length +
      timestampHead.length +
      timestamp.length +
      dataHead.length +
      record.data.length +
      recordTail.length +
      1;
  }
  // Its own ArrayBuffer (never the shared pool), so it can be transferred.
  const json = Buffer.allocUnsafeSlow(size);
  let offset = json.write(head, 0, 'latin1');
  for (const [index, record] of invocation.records.entries()) {
    if (index > 0) offset += json.write(',', offset, 'latin1');
    offset += json.write(recordHead, offset, 'latin1');
    offset += json.write(record.recordId, offset, 'latin1');
    offset += json.write(timestampHead, offset, 'latin1');
    offset += json.write(timestamps[index]!, offset, 'latin1');
    offset += json.write(dataHead, offset, 'latin1');
    offset += json.write(record.data, offset, 'latin1');
    offset += json.write(recordTail, offset, 'latin1');
  }
  offset += json.write(']}', offset, 'latin1');
  return json.subarray(0, offset);
}

/**
 * Runs a handler function on firehose-local's own thread (`isolation: 'in-process'`): one execution environment
 * for the runtime's lifetime, so one log stream name. It sets no environment variables: the handler shares
 * firehose-local's `process.env`.
 */
export class InProcessProcessorRuntime implements ProcessorRuntime {
  readonly #handler: FirehoseProcessorHandler;
  readonly #function: ProcessorFunction;
  readonly #logStreamName = newLogStreamName();

  constructor(handler: FirehoseProcessorHandler, processorFunction: ProcessorFunction) {
    this.#handler = handler;
    this.#function = processorFunction;
  }

  async invoke(invocation: ProcessorInvocation): Promise<ProcessorResponseCheck> {
    const outcome = await invokeProcessor(this.#handler, buildTransformationEvent(invocation), {
      ...this.#function,
      logGroupName: lambdaLogGroupName(this.#function.functionName),
      logStreamName: this.#logStreamName,
    });
    if (!outcome.completed) {
      return { valid: false, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage };
    }
    return checkProcessorResponse(
      outcome.response,
      invocation.records.map((record) => record.recordId),
    );
  }

  environmentCounts(): ProcessorEnvironmentCounts {
    return { coldStarts: 0, active: 0 };
  }

  async close(): Promise<void> {}
}
