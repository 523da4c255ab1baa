/**
 * The code that runs inside a worker-thread execution environment: the part of the Lambda Node.js runtime that
 * imports the handler module at cold start (init), then, per invocation, parses the event, builds the context,
 * calls the handler (async or callback style) and returns the response as JSON text, refusing it when it is over
 * Lambda's payload limit, as the Lambda service does.
 *
 * It is plain CommonJS evaluated with `new Worker(source, { eval: true })`: one self-contained string that runs
 * the same from the TypeScript sources (tests) and from `dist`, with nothing to resolve on disk.
 *
 * Messages in: `{ invocation, event, deadline, awsRequestId }` (`event` is the JSON text as ASCII bytes in a
 * transferred buffer, `deadline` epoch ms).
 * Messages out: `{ type: 'ready' }`, `{ type: 'init-failed', kind, problem, errorName?, errorStack? }`, and per
 * invocation `{ type: 'response', invocation, json }`, `{ type: 'too-large', invocation, bytes }`,
 * `{ type: 'not-serializable', invocation, reason }`, `{ type: 'error', invocation, description }`.
 */
export const EXECUTION_ENVIRONMENT_RUNTIME = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const {
  moduleUrl,
  exportName,
  functionName,
  functionArn,
  memoryLimitInMB,
  logGroupName,
  logStreamName,
  responseLimitBytes,
} = workerData;

function describeError(error) {
  if (error instanceof Error) return error.name + ': ' + error.message;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

function isPromiseLike(value) {
  return value !== null && value !== undefined && typeof value.then === 'function';
}

function invoke(handler, message) {
  const { invocation, event, deadline, awsRequestId } = message;
  let settled = false;
  const reply = (answer) => {
    if (settled) return;
    settled = true;
    parentPort.postMessage(answer);
  };
  const respond = (response) => {
    let json;
    try {
      json = JSON.stringify(response);
    } catch (error) {
      reply({ type: 'not-serializable', invocation, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    const bytes = json === undefined ? 0 : Buffer.byteLength(json);
    if (bytes > responseLimitBytes) reply({ type: 'too-large', invocation, bytes });
    else reply({ type: 'response', invocation, json });
  };
  const fail = (error) => reply({ type: 'error', invocation, description: describeError(error) });
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB,
    awsRequestId,
    logGroupName,
    logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const callback = (error, response) => {
    if (error !== undefined && error !== null) fail(error);
    else respond(response);
  };
  try {
    const eventJson = Buffer.from(event.buffer, event.byteOffset, event.byteLength).toString('latin1');
    const returned = handler(JSON.parse(eventJson), context, callback);
    if (handler.length < 3 || isPromiseLike(returned)) Promise.resolve(returned).then(respond, fail);
  } catch (error) {
    fail(error);
  }
}

import(moduleUrl).then(
  (loaded) => {
    const fromDefault = loaded.default;
    const candidate =
      loaded[exportName] ?? (typeof fromDefault === 'object' && fromDefault !== null ? fromDefault[exportName] : undefined);
    if (typeof candidate !== 'function') {
      parentPort.postMessage({
        type: 'init-failed',
        kind: 'export',
        problem: 'the export is ' + typeof candidate + ', not a function',
      });
      return;
    }
    parentPort.on('message', (message) => invoke(candidate, message));
    parentPort.postMessage({ type: 'ready' });
  },
  (error) => {
    parentPort.postMessage({
      type: 'init-failed',
      kind: 'import',
      problem: error instanceof Error ? error.message : String(error),
      errorName: error instanceof Error ? error.name : undefined,
      errorStack: error instanceof Error ? error.stack : undefined,
    });
  },
);
`;
