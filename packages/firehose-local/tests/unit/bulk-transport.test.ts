import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { BULK_FILTER_PATH, HttpBulkTransport } from '../../src/bulk-transport.js';
import { parseFirehoseLocalConfig } from '../../src/config.js';
import { DeliveryStream } from '../../src/delivery-stream.js';
import { BulkRequestError } from '../../src/errors.js';
import type { FirehoseLocalLogger } from '../../src/logger.js';

const NODE = 'http://search.test:9200';
const BULK_PATH = `/_bulk?${new URLSearchParams({ filter_path: BULK_FILTER_PATH })}`;
const BODY = Buffer.from('{"index":{"_index":"connect","_id":"r-1"}}\n{"ContactId":"c-1"}\n');

interface SeenRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

let agent: MockAgent;
const directories: string[] = [];

function mockAgent(): MockAgent {
  agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

afterEach(async () => {
  await agent?.close();
  await Promise.all(
    directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

/** Answers every `_bulk` call with `answer(call number)`, recording each request. */
function interceptBulk(
  origin: string,
  answer: (call: number, request: SeenRequest) => { statusCode: number; data: string | object },
  times = 1,
): SeenRequest[] {
  const seen: SeenRequest[] = [];
  agent
    .get(origin)
    .intercept({ path: (path) => path.includes('/_bulk'), method: 'POST' })
    .reply((options) => {
      const request: SeenRequest = {
        path: options.path,
        method: options.method,
        headers: options.headers as Record<string, string>,
        body: Buffer.from(options.body as Uint8Array).toString('utf8'),
      };
      seen.push(request);
      return answer(seen.length, request);
    })
    .times(times);
  return seen;
}

async function bulkError(transport: HttpBulkTransport): Promise<BulkRequestError> {
  const error = await transport.bulk(BODY).catch((rejection: unknown) => rejection);
  expect(error).toBeInstanceOf(BulkRequestError);
  return error as BulkRequestError;
}

describe('HttpBulkTransport: the request', () => {
  it('POSTs the NDJSON as it is to <node path>/_bulk with filter_path, as application/x-ndjson', async () => {
    mockAgent();
    const seen = interceptBulk(NODE, () => ({
      statusCode: 200,
      data: { errors: false, items: [{ index: { status: 201 } }] },
    }));
    const transport = new HttpBulkTransport({ url: `${NODE}/proxy/`, dispatcher: agent });
    await expect(transport.bulk(BODY)).resolves.toEqual({
      errors: false,
      items: [{ index: { status: 201 } }],
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: `/proxy${BULK_PATH}`, body: BODY.toString() });
    expect(seen[0]?.headers).toMatchObject({
      'content-type': 'application/x-ndjson',
      accept: 'application/json',
    });
    // No credentials in the URL: no authorization header, and none of the 8.x client's vendored media types.
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(seen[0]?.headers)).not.toMatch(/compatible-with/);
  });

  it('sends the user and password of the URL as Basic auth (decoded) and shows them in no message', async () => {
    mockAgent();
    const seen = interceptBulk(NODE, () => ({ statusCode: 200, data: 'Kibana is not ready yet' }));
    const transport = new HttpBulkTransport({
      url: 'http://elastic:pa%40ss%3Aword@search.test:9200',
      dispatcher: agent,
    });
    expect(transport.displayUrl).toBe(NODE);
    const error = await bulkError(transport);
    expect(seen[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('elastic:pa@ss:word').toString('base64')}`,
    );
    expect(error.message).toContain(NODE);
    expect(error.message).not.toMatch(/elastic:|pa%40ss|pa@ss/);
  });
});

describe('HttpBulkTransport: answers that settle nothing', () => {
  it('an error status becomes a BulkRequestError with the server error JSON, retryable for 429 and 5xx only', async () => {
    mockAgent();
    const reason = { error: { type: 'es_rejected_execution_exception', reason: 'queue full' }, status: 429 };
    interceptBulk(
      NODE,
      (call) =>
        call === 1
          ? { statusCode: 429, data: JSON.stringify(reason, null, 2) }
          : call === 2
            ? { statusCode: 400, data: { error: { type: 'parse_exception' }, status: 400 } }
            : { statusCode: 503, data: '' },
      3,
    );
    const transport = new HttpBulkTransport({ url: NODE, dispatcher: agent });
    expect(await bulkError(transport)).toMatchObject({
      statusCode: 429,
      errorCode: '429',
      isRetryable: true,
      message: JSON.stringify(reason), // compact, as elasticsearch-failed/ records it
    });
    expect(await bulkError(transport)).toMatchObject({
      statusCode: 400,
      errorCode: '400',
      isRetryable: false,
    });
    expect(await bulkError(transport)).toMatchObject({
      statusCode: 503,
      errorCode: '503',
      isRetryable: true,
      message: `${NODE} answered the bulk request 503 with an empty body.`,
    });
  });

  it.each([
    ['an HTML page', '<html><body>502 Bad Gateway</body></html>', /not JSON/],
    [
      'a truncated bulk response',
      '{"errors":true,"items":[{"index":{"status":201}},{"index":{"sta',
      /not JSON/,
    ],
    ['JSON that is no object', '[1,2]', /not a bulk response: it is not a JSON object/],
    [
      'an item without a status',
      '{"errors":false,"items":[{"index":{}}]}',
      /item 0 without an index or create result/,
    ],
  ])(
    'a 200 with %s is ES.ServiceException, retryable, quoting the start of the body',
    async (_name, body, message) => {
      mockAgent();
      interceptBulk(NODE, () => ({ statusCode: 200, data: body }));
      const error = await bulkError(new HttpBulkTransport({ url: NODE, dispatcher: agent }));
      expect(error).toMatchObject({ statusCode: 200, errorCode: 'ES.ServiceException', isRetryable: true });
      expect(error.message).toMatch(message);
      expect(error.message).toContain(`${NODE} answered the bulk request 200`);
      expect(error.message).toContain(JSON.stringify(body).slice(1, 20));
    },
  );

  it('an answer larger than maxResponseBytes is not read: ES.ServiceException, retryable', async () => {
    mockAgent();
    interceptBulk(NODE, () => ({ statusCode: 200, data: 'x'.repeat(4096) }));
    const error = await bulkError(
      new HttpBulkTransport({ url: NODE, dispatcher: agent, maxResponseBytes: 1024 }),
    );
    expect(error).toMatchObject({ statusCode: 200, errorCode: 'ES.ServiceException', isRetryable: true });
    expect(error.message).toBe(`${NODE} answered the bulk request 200 with more than 1024 bytes: not read.`);
  });

  it('no answer within requestTimeoutMs is ES.ConnectionFailed, retryable', async () => {
    mockAgent();
    agent
      .get(NODE)
      .intercept({ path: (path) => path.includes('/_bulk'), method: 'POST' })
      .reply(200, { errors: false, items: [] })
      .delay(2_000);
    const started = Date.now();
    const error = await bulkError(
      new HttpBulkTransport({ url: NODE, dispatcher: agent, requestTimeoutMs: 50 }),
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error).toMatchObject({
      statusCode: undefined,
      errorCode: 'ES.ConnectionFailed',
      isRetryable: true,
    });
    expect(error.message).toBe(`The bulk request to ${NODE} got no answer: no complete answer within 50 ms.`);
  });

  it('a refused connection is ES.ConnectionFailed, retryable, with the reason', async () => {
    mockAgent();
    agent
      .get(NODE)
      .intercept({ path: (path) => path.includes('/_bulk'), method: 'POST' })
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9200'), { code: 'ECONNREFUSED' }),
      );
    const error = await bulkError(new HttpBulkTransport({ url: NODE, dispatcher: agent }));
    expect(error).toMatchObject({ errorCode: 'ES.ConnectionFailed', isRetryable: true });
    expect(error.message).toMatch(/got no answer: connect ECONNREFUSED/);
  });
});

/** A logger that keeps every line, to check what reaches the logs. */
function recordingLogger(): FirehoseLocalLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, debug: record, info: record, warn: record, error: record };
}

/** A stream built directly on an HttpBulkTransport over the mock agent, without a processor. */
async function streamOnMockAgent(url: string, retryDurationInSeconds: number) {
  const directory = await mkdtemp(join(tmpdir(), 'firehose-local-transport-'));
  directories.push(directory);
  const [config] = parseFirehoseLocalConfig({
    streams: [
      {
        name: 'transport',
        elasticsearch: {
          url,
          indexName: 'connect',
          indexRotationPeriod: 'NoRotation',
          retryDurationInSeconds,
          bufferingHints: { intervalInSeconds: 900 },
        },
        backup: { directory },
      },
    ],
  }).streams;
  const logger = recordingLogger();
  const transport = new HttpBulkTransport({ url, dispatcher: agent });
  const stream = new DeliveryStream({
    config: config!,
    processorRuntime: undefined,
    transport,
    backupDirectory: directory,
    clock: { now: () => Date.now() },
    logger,
  });
  return { stream, directory, logger, transport };
}

async function elasticsearchFailedLines(directory: string): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  for (const entry of await readdir(join(directory, 'elasticsearch-failed'), {
    recursive: true,
    withFileTypes: true,
  }).catch(() => [])) {
    if (!entry.isFile()) continue;
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
    lines.push(
      ...text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
  }
  return lines;
}

const documents = (count: number) =>
  Array.from({ length: count }, (_, n) => Buffer.from(JSON.stringify({ ContactId: `c-${n}` })));

describe('a delivery stream on HttpBulkTransport', () => {
  it('retries a request answered 429 and counts as it always did', async () => {
    mockAgent();
    const seen = interceptBulk(
      NODE,
      (call) =>
        call === 1
          ? { statusCode: 429, data: { error: { type: 'es_rejected_execution_exception' }, status: 429 } }
          : { statusCode: 200, data: { errors: false, items: Array(3).fill({ index: { status: 201 } }) } },
      2,
    );
    const { stream, directory } = await streamOnMockAgent(NODE, 30);
    stream.put(documents(3), 'PutRecordBatch');
    await stream.close();
    expect(seen).toHaveLength(2);
    expect(seen[1]?.body).toBe(seen[0]?.body); // the same documents, the same IDs: a retry overwrites
    const { cloudWatch, local } = stream.metrics();
    expect(cloudWatch['DeliveryToElasticsearch.Records']).toBe(3);
    expect(local).toMatchObject({
      bulkRequests: 2,
      bulkRequestFailures: 1,
      retriedDocuments: 3,
      elasticsearchFailedRecords: 0,
      pendingRecords: 0,
    });
    expect(await elasticsearchFailedLines(directory)).toEqual([]);
  });

  it('keeps a rejected item under elasticsearch-failed/ with its reason, counts it, and retries a 429 item', async () => {
    mockAgent();
    const rejection = { type: 'document_parsing_exception', reason: 'failed to parse field [Count]' };
    const seen = interceptBulk(
      NODE,
      (call) =>
        call === 1
          ? {
              statusCode: 200,
              data: {
                errors: true,
                items: [
                  { index: { status: 201 } },
                  { index: { status: 400, error: rejection } },
                  { index: { status: 429, error: { type: 'es_rejected_execution_exception' } } },
                ],
              },
            }
          : { statusCode: 200, data: { errors: false, items: [{ index: { status: 201 } }] } },
      2,
    );
    const { stream, directory } = await streamOnMockAgent(NODE, 30);
    const sent = documents(3);
    stream.put(sent, 'PutRecordBatch');
    await stream.close();
    expect(seen[1]?.body.split('\n')[1]).toBe(sent[2]?.toString()); // only the 429 item goes again
    const { cloudWatch, local } = stream.metrics();
    expect(cloudWatch['DeliveryToElasticsearch.Records']).toBe(2);
    expect(cloudWatch['DeliveryToElasticsearch.Success']).toBeCloseTo(2 / 3);
    expect(local).toMatchObject({
      bulkRequests: 2,
      bulkRequestFailures: 0,
      retriedDocuments: 1,
      elasticsearchFailedRecords: 1,
      pendingRecords: 0,
    });
    const failed = await elasticsearchFailedLines(directory);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      errorCode: '400',
      errorMessage: JSON.stringify(rejection),
      attemptsMade: 1,
      esIndexName: 'connect',
    });
    expect(Buffer.from(failed[0]?.rawData as string, 'base64').toString()).toBe(sent[1]?.toString());
  });

  it('a garbled answer is retried until the retry duration runs out, then kept with a clear reason', async () => {
    mockAgent();
    const url = 'http://elastic:hunter2@search.test:9200';
    const seen = interceptBulk(NODE, () => ({ statusCode: 200, data: '{"errors":false,"ite' }), 100);
    const { stream, directory, logger } = await streamOnMockAgent(url, 0.5);
    stream.put(documents(2), 'PutRecordBatch');
    await stream.close();
    expect(seen.length).toBeGreaterThan(1);
    const { local } = stream.metrics();
    expect(local).toMatchObject({
      elasticsearchFailedRecords: 2,
      bulkRequestFailures: seen.length,
      pendingRecords: 0,
    });
    const failed = await elasticsearchFailedLines(directory);
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ errorCode: 'ES.ServiceException', attemptsMade: seen.length });
    expect(String(failed[0]?.errorMessage)).toMatch(
      /^http:\/\/search\.test:9200 answered the bulk request 200 with a body that is not JSON/,
    );
    // The password is sent (Basic auth) but written nowhere: not in the failed documents, not in the logs.
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('elastic:hunter2').toString('base64')}`);
    expect(JSON.stringify(failed)).not.toContain('hunter2');
    expect(logger.lines.join('\n')).not.toContain('hunter2');
  });
});
