import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal Firehose endpoint for tests: the JSON 1.1 PutRecordBatch API as the AWS SDK v3 calls it
 * (POST /, X-Amz-Target Firehose_20150804.PutRecordBatch, application/x-amz-json-1.1), with AWS's
 * limits (500 records, 4 MiB request, 1,000 KiB record, unknown stream) and injectable faults.
 */
export interface PutRecordBatchCall {
  readonly streamName: string;
  readonly bodyBytes: number;
  readonly records: readonly Buffer[];
  /** Per entry: the ErrorCode returned, or undefined when accepted. */
  readonly errorCodes: readonly (string | undefined)[];
  /** The whole request was refused (status, __type). */
  readonly refused?: { status: number; type: string };
}

export interface FirehoseTestServerOptions {
  readonly streams?: readonly string[];
  /** Return an ErrorCode to fail this entry of this call (0-based call index among valid calls). */
  readonly failEntry?: (details: { call: number; position: number; data: Buffer }) => string | undefined;
  /** Return a status and __type to refuse the whole call. */
  readonly refuseCall?: (call: number) => { status: number; type: string } | undefined;
  /**
   * Take the records of this valid call (0-based), then close the connection without answering: the client cannot
   * tell whether they arrived.
   */
  readonly dropCall?: (call: number) => boolean;
  /** Milliseconds to wait before answering a valid call (records are taken when the answer is sent). */
  readonly answerDelayMs?: (call: number) => number;
}

export interface FirehoseTestServer {
  readonly url: string;
  readonly calls: PutRecordBatchCall[];
  /** Data of every accepted entry, in acceptance order. */
  readonly accepted: Buffer[];
  close(): Promise<void>;
}

export const MAX_RECORDS = 500;
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
export const MAX_RECORD_BYTES = 1_024_000;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': `test-${Math.floor(Math.random() * 1e9)}`,
  });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(response, status, { __type: type, message });
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFirehoseTestServer(
  options: FirehoseTestServerOptions = {},
): Promise<FirehoseTestServer> {
  const streams = new Set(options.streams ?? ['CTRFHStream']);
  const calls: PutRecordBatchCall[] = [];
  const accepted: Buffer[] = [];
  let validCalls = 0;

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    if (request.method !== 'POST' || request.url !== '/') {
      sendError(response, 404, 'UnknownOperationException', 'POST / expected');
      return;
    }
    if (request.headers['x-amz-target'] !== 'Firehose_20150804.PutRecordBatch') {
      sendError(
        response,
        400,
        'UnknownOperationException',
        `unexpected target ${String(request.headers['x-amz-target'])}`,
      );
      return;
    }
    if (request.headers['content-type'] !== 'application/x-amz-json-1.1') {
      sendError(
        response,
        400,
        'SerializationException',
        `unexpected content-type ${String(request.headers['content-type'])}`,
      );
      return;
    }
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      sendError(response, 403, 'MissingAuthenticationTokenException', 'request is not signed');
      return;
    }
    let payload: { DeliveryStreamName?: unknown; Records?: { Data?: unknown }[] };
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      sendError(response, 400, 'SerializationException', 'body is not JSON');
      return;
    }
    const streamName = String(payload.DeliveryStreamName);
    const entries = Array.isArray(payload.Records) ? payload.Records : [];
    const records = entries.map((entry) => Buffer.from(String(entry.Data), 'base64'));
    const refuse = (status: number, type: string, message: string) => {
      calls.push({ streamName, bodyBytes: body.length, records, errorCodes: [], refused: { status, type } });
      sendError(response, status, type, message);
    };
    // AWS checks the model's constraints first, the stream after: a ValidationException in its words.
    if (records.length === 0 || records.length > MAX_RECORDS) {
      refuse(
        400,
        'ValidationException',
        `1 validation error detected: Value '[...]' at 'records' failed to satisfy constraint: Member must have length ${records.length === 0 ? 'greater than or equal to 1' : `less than or equal to ${MAX_RECORDS}`}`,
      );
      return;
    }
    const oversize = records.findIndex((record) => record.length > MAX_RECORD_BYTES);
    if (oversize >= 0) {
      refuse(
        400,
        'ValidationException',
        `1 validation error detected: Value at 'records.${oversize + 1}.member.data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES}`,
      );
      return;
    }
    if (!streams.has(streamName)) {
      refuse(
        400,
        'ResourceNotFoundException',
        `Firehose ${streamName} under account 123456789012 not found.`,
      );
      return;
    }
    if (body.length > MAX_REQUEST_BYTES) {
      refuse(413, 'InvalidArgumentException', `request of ${body.length} bytes exceeds ${MAX_REQUEST_BYTES}`);
      return;
    }
    const call = validCalls++;
    const refusal = options.refuseCall?.(call);
    if (refusal) {
      refuse(refusal.status, refusal.type, 'injected refusal');
      return;
    }
    if (options.dropCall?.(call) === true) {
      calls.push({ streamName, bodyBytes: body.length, records, errorCodes: records.map(() => undefined) });
      accepted.push(...records);
      request.socket.destroy();
      return;
    }
    const delayMs = options.answerDelayMs?.(call) ?? 0;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (response.destroyed) return; // the client gave up: nothing was taken
    const errorCodes = records.map((data, position) => options.failEntry?.({ call, position, data }));
    calls.push({ streamName, bodyBytes: body.length, records, errorCodes });
    const responses = errorCodes.map((errorCode, position) => {
      if (errorCode === undefined) {
        accepted.push(records[position]!);
        return { RecordId: `record-${call}-${position}` };
      }
      return { ErrorCode: errorCode, ErrorMessage: 'injected failure' };
    });
    sendJson(response, 200, {
      Encrypted: false,
      FailedPutCount: errorCodes.filter((code) => code !== undefined).length,
      RequestResponses: responses,
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    accepted,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
