import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One record as the local Firehose API stored it. */
export interface StoredRecord {
  readonly deliveryStreamName: string;
  readonly data: Buffer;
}

/** What one PutRecordBatch request looked like on the wire. */
export interface ReceivedRequest {
  readonly deliveryStreamName: string;
  readonly records: number;
  readonly bodyBytes: number;
  readonly dataBytes: number;
}

export interface FirehoseApiServerOptions {
  /** Streams that exist; others answer ResourceNotFoundException. */
  readonly streams: readonly string[];
  /**
   * Decides per record and attempt whether the entry fails (partial failure). Receives the record's
   * data and how many times this exact data was received before.
   */
  readonly failEntry?: (data: Buffer, previousAttempts: number) => string | undefined;
  /** Answer the whole request with this HTTP status and error type (e.g. throttling), per request number. */
  readonly failRequest?: (requestNumber: number) => { status: number; type: string } | undefined;
}

/**
 * A minimal Amazon Data Firehose endpoint that speaks the JSON 1.1 protocol for PutRecordBatch, and
 * enforces its documented limits: 500 records and 4 MiB per request, 1,000 KiB per record.
 */
export async function startFirehoseApiServer(options: FirehoseApiServerOptions) {
  const stored: StoredRecord[] = [];
  const requests: ReceivedRequest[] = [];
  const seen = new Map<string, number>();
  let requestNumber = 0;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendError(response, 500, 'InternalFailure', String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (request.method !== 'POST' || request.url !== '/') {
      return sendError(response, 404, 'UnknownOperationException', 'POST / only');
    }
    if (request.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return sendError(
        response,
        400,
        'SerializationException',
        'Content-Type must be application/x-amz-json-1.1',
      );
    }
    if (request.headers['x-amz-target'] !== 'Firehose_20150804.PutRecordBatch') {
      return sendError(
        response,
        400,
        'UnknownOperationException',
        `unsupported ${request.headers['x-amz-target']}`,
      );
    }
    if (
      typeof request.headers.authorization !== 'string' ||
      !request.headers.authorization.startsWith('AWS4-HMAC-SHA256')
    ) {
      return sendError(response, 403, 'MissingAuthenticationTokenException', 'request is not signed');
    }
    requestNumber++;
    const input = JSON.parse(body.toString('utf8')) as {
      DeliveryStreamName?: string;
      Records?: { Data?: string }[];
    };
    const name = input.DeliveryStreamName ?? '';
    if (!options.streams.includes(name)) {
      return sendError(response, 400, 'ResourceNotFoundException', `Firehose ${name} not found.`);
    }
    const records = input.Records ?? [];
    const datas = records.map((record) => Buffer.from(record.Data ?? '', 'base64'));
    const dataBytes = datas.reduce((sum, data) => sum + data.length, 0);
    requests.push({ deliveryStreamName: name, records: records.length, bodyBytes: body.length, dataBytes });
    const forced = options.failRequest?.(requestNumber);
    if (forced !== undefined) return sendError(response, forced.status, forced.type, 'forced failure');
    if (records.length === 0 || records.length > 500) {
      return sendError(
        response,
        400,
        'ValidationException',
        `Records has ${records.length} entries; 1 to 500 allowed`,
      );
    }
    if (body.length > 4 * 1024 * 1024) {
      return sendError(
        response,
        400,
        'InvalidArgumentException',
        `request of ${body.length} bytes is over 4 MiB`,
      );
    }
    if (datas.some((data) => data.length > 1_024_000 || data.length === 0)) {
      return sendError(response, 400, 'ValidationException', 'Record.Data must be 1 to 1,024,000 bytes');
    }
    let failedPutCount = 0;
    const requestResponses = datas.map((data, index) => {
      const key = data.toString('base64');
      const previous = seen.get(key) ?? 0;
      seen.set(key, previous + 1);
      const errorCode = options.failEntry?.(data, previous);
      if (errorCode !== undefined) {
        failedPutCount++;
        return { ErrorCode: errorCode, ErrorMessage: 'Some internal error occurred. Retry.' };
      }
      stored.push({ deliveryStreamName: name, data });
      return { RecordId: `stored-${requestNumber}-${index}` };
    });
    response.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': `request-${requestNumber}`,
    });
    response.end(
      JSON.stringify({
        FailedPutCount: failedPutCount,
        Encrypted: false,
        RequestResponses: requestResponses,
      }),
    );
  }

  function sendError(response: ServerResponse, status: number, type: string, message: string): void {
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': type,
      'x-amzn-requestid': `request-${requestNumber}`,
    });
    response.end(JSON.stringify({ __type: type, message }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stored: () => stored,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
