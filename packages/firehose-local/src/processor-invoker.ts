import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProcessorLoadError } from './errors.js';
import type { FirehoseProcessorHandler, FirehoseTransformationEvent, LambdaContext } from './lambda-types.js';
import { FUNCTION_VERSION } from './reserved-environment-variables.js';

/**
 * Imports a handler module and returns its export, as the Lambda runtime does with `file.export`.
 * Throws `ProcessorLoadError` when the module cannot be imported or the export is not a function.
 */
export async function loadProcessorHandler(
  modulePath: string,
  exportName: string,
  baseDirectory: string,
): Promise<FirehoseProcessorHandler> {
  const absolutePath = resolve(baseDirectory, modulePath);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(absolutePath).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ProcessorLoadError(absolutePath, exportName, (error as Error).message, { cause: error });
  }
  const fromDefault = loaded.default as Record<string, unknown> | undefined;
  const candidate =
    loaded[exportName] ?? (typeof fromDefault === 'object' ? fromDefault?.[exportName] : undefined);
  if (typeof candidate !== 'function') {
    throw new ProcessorLoadError(
      absolutePath,
      exportName,
      `the export is ${typeof candidate}, not a function`,
    );
  }
  return candidate as FirehoseProcessorHandler;
}

/** The outcome of one Lambda invocation. */
export type InvocationOutcome =
  | { completed: true; response: unknown }
  | { completed: false; errorCode: string; errorMessage: string };

/** Invokes a handler once, in-process, with the Lambda context and timeout. */
export async function invokeProcessor(
  handler: FirehoseProcessorHandler,
  event: FirehoseTransformationEvent,
  options: {
    functionName: string;
    functionArn: string;
    timeoutMs: number;
    memorySizeInMB: number;
    logGroupName: string;
    logStreamName: string;
  },
): Promise<InvocationOutcome> {
  const startedAt = Date.now();
  const deadline = startedAt + options.timeoutMs;
  const awsRequestId = randomUUID();
  const context: LambdaContext = {
    functionName: options.functionName,
    functionVersion: FUNCTION_VERSION,
    invokedFunctionArn: options.functionArn,
    memoryLimitInMB: String(options.memorySizeInMB),
    awsRequestId,
    logGroupName: options.logGroupName,
    logStreamName: options.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<InvocationOutcome>((settle) => {
    timer = setTimeout(
      () =>
        settle({
          completed: false,
          errorCode: 'Lambda.FunctionError',
          errorMessage: `${awsRequestId} Task timed out after ${(options.timeoutMs / 1000).toFixed(2)} seconds`,
        }),
      options.timeoutMs,
    );
  });
  const ran = new Promise<InvocationOutcome>((settle) => {
    const fail = (error: unknown) =>
      settle({
        completed: false,
        errorCode: 'Lambda.FunctionError',
        errorMessage: `The Lambda function was successfully invoked but it returned an error result: ${describeError(error)}`,
      });
    const callback = (error?: unknown, response?: unknown) => {
      if (error !== undefined && error !== null) fail(error);
      else settle({ completed: true, response });
    };
    try {
      const returned = handler(event, context, callback);
      if (handler.length < 3 || isPromiseLike(returned)) {
        Promise.resolve(returned).then((response) => settle({ completed: true, response }), fail);
      }
    } catch (error) {
      fail(error);
    }
  });
  try {
    return await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    // An object without a prototype (or a throwing toString) cannot be turned into a string.
    return Object.prototype.toString.call(error);
  }
}
