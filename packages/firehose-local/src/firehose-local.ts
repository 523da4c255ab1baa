import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type BulkTransport, clientBulkTransport, HttpBulkTransport } from './bulk-transport.js';
import { type Clock, systemClock } from './clock.js';
import {
  type FirehoseLocalOptions,
  parseFirehoseLocalOptions,
  type ResolvedDeliveryStreamConfig,
  resolveIsolation,
} from './config.js';
import { DeliveryStream, processorFunctionArn } from './delivery-stream.js';
import { FirehoseLocalClosedError, FirehoseLocalListenError, UnknownDeliveryStreamError } from './errors.js';
import {
  FIREHOSE_LIMITS,
  FIREHOSE_TARGET_PREFIX,
  FirehoseApiError,
  handleFirehoseOperation,
} from './firehose-api.js';
import { type FirehoseLocalLogger, silentLogger } from './logger.js';
import type { DeliveryStreamMetrics } from './metrics.js';
import { loadProcessorHandler } from './processor-invoker.js';
import { InProcessProcessorRuntime, type ProcessorRuntime } from './processor-runtime.js';
import { WorkerProcessorRuntime } from './worker-processor-runtime.js';

/** A running local Firehose endpoint. */
export interface FirehoseLocal {
  /** The endpoint to give `new FirehoseClient({ endpoint })`, e.g. `http://127.0.0.1:4573`. */
  readonly url: string;
  /**
   * The endpoint for processors that put records back into a stream (the overflow of a response, say): `url` with
   * a path of this instance's own. Execution environments get it as `AWS_ENDPOINT_URL_FIREHOSE`; an in-process
   * handler should use it too. Unlike `url`, it accepts records while `close()` drains the processor stage.
   */
  readonly processorEndpointUrl: string;
  /** Metrics of one stream. */
  metrics(streamName: string): DeliveryStreamMetrics;
  /** Metrics of every stream. */
  metrics(): DeliveryStreamMetrics[];
  /** Flushes the buffers of one stream (or all) and waits until every accepted record is settled. */
  flush(streamName?: string): Promise<void>;
  /**
   * Refuses records from producers at once (ServiceUnavailableException, so a producer that keeps sending cannot
   * hold the shutdown), flushes the processor stage while still accepting the records processors put back through
   * `processorEndpointUrl`, then refuses those too, flushes every buffer, waits for every delivery and closes the
   * server. Idempotent.
   */
  close(): Promise<void>;
}

/** The largest request body read: a 4 MiB batch in base64 plus JSON framing. */
const MAX_REQUEST_BODY_BYTES = Math.ceil((FIREHOSE_LIMITS.maxBytesPerBatch * 4) / 3) + 512 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  return tooLarge ? 'too-large' : Buffer.concat(chunks);
}

function sendJson(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(payload);
}

function sendApiError(response: ServerResponse, error: FirehoseApiError) {
  sendJson(
    response,
    error.statusCode,
    { __type: error.errorType, message: error.message },
    { 'x-amzn-errortype': error.errorType },
  );
}

/**
 * The runtime of a stream's processor: worker-thread execution environments for a module (after checking that
 * it loads), or the function itself on this thread. Throws `ProcessorLoadError` for a module that does not load.
 */
async function createProcessorRuntime(
  config: ResolvedDeliveryStreamConfig,
  processor: NonNullable<ResolvedDeliveryStreamConfig['processor']>,
  baseDirectory: string,
  logger: FirehoseLocalLogger,
): Promise<ProcessorRuntime> {
  const processorFunction = {
    functionName: processor.functionName,
    functionArn: processorFunctionArn(config),
    region: config.region,
    timeoutMs: processor.timeoutSeconds * 1000,
    memorySizeInMB: processor.memorySizeInMB,
  };
  if (processor.handler !== undefined)
    return new InProcessProcessorRuntime(processor.handler, processorFunction);
  const modulePath = resolve(baseDirectory, processor.modulePath!);
  if (resolveIsolation(processor) === 'in-process') {
    const handler = await loadProcessorHandler(modulePath, processor.exportName, baseDirectory);
    return new InProcessProcessorRuntime(handler, processorFunction);
  }
  // Its load check runs once the server listens (see startFirehoseLocal).
  return new WorkerProcessorRuntime({
    modulePath,
    exportName: processor.exportName,
    processorFunction,
    environment: processor.environment,
    logger,
  });
}

/**
 * Starts a local Firehose endpoint: the producer API of Amazon Data Firehose (PutRecord, PutRecordBatch,
 * DescribeDeliveryStream, ListDeliveryStreams) over HTTP, each stream with its Lambda processor run in worker-thread execution environments,
 * an Elasticsearch or OpenSearch destination and S3-style backups on disk. `GET /metrics` serves the counters as JSON.
 *
 * Throws `FirehoseLocalConfigError` for invalid options (unknown keys included), `ProcessorLoadError` for a
 * processor module that does not load, and `FirehoseLocalListenError` when it cannot listen on `host`/`port`.
 *
 * @example
 * ```ts
 * import { mkdtemp, writeFile } from 'node:fs/promises';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
 * import { startFirehoseLocal } from '@ctr-stream/firehose-local';
 *
 * // The transformation Lambda: any module exporting a Firehose handler. This one passes every record through.
 * const directory = await mkdtemp(join(tmpdir(), 'firehose-local-example-'));
 * await writeFile(
 *   join(directory, 'pass-through.mjs'),
 *   `export const handler = async (event) => ({
 *     records: event.records.map(({ recordId, data }) => ({ recordId, result: 'Ok', data })),
 *   });`,
 * );
 * const firehose = await startFirehoseLocal({
 *   baseDirectory: directory,
 *   streams: [{
 *     name: 'ctr-stream',
 *     processor: { modulePath: 'pass-through.mjs', exportName: 'handler', bufferIntervalInSeconds: 1 },
 *     elasticsearch: { url: 'http://127.0.0.1:9200', indexName: 'firehose-local-example', indexRotationPeriod: 'NoRotation' },
 *     backup: { directory: 'backup', mode: 'AllDocuments' },
 *   }],
 * });
 * const client = new FirehoseClient({
 *   endpoint: firehose.url,
 *   region: 'us-east-1',
 *   credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
 * });
 * await client.send(new PutRecordBatchCommand({
 *   DeliveryStreamName: 'ctr-stream',
 *   Records: [{ Data: Buffer.from(JSON.stringify({ ContactId: 'c-1' })) }],
 * }));
 * client.destroy();
 * await firehose.close(); // flushes: every record is in Elasticsearch/OpenSearch or a failed prefix
 * console.log(firehose.metrics('ctr-stream').cloudWatch['DeliveryToElasticsearch.Records']); // 1
 * ```
 */
export async function startFirehoseLocal(options: FirehoseLocalOptions): Promise<FirehoseLocal> {
  const config = parseFirehoseLocalOptions(options);
  const baseDirectory = config.baseDirectory ?? process.cwd();
  const logger: FirehoseLocalLogger = config.logger ?? silentLogger;
  const clock: Clock = config.clock ?? systemClock;
  const listenHost = config.host ?? '127.0.0.1';
  const listenPort = config.port ?? 0;
  const streams = new Map<string, DeliveryStream>();
  const ownedTransports: HttpBulkTransport[] = [];
  const processorRuntimes: ProcessorRuntime[] = [];
  const closeOwnedResources = () =>
    Promise.all([
      ...ownedTransports.map((transport) => transport.close()),
      ...processorRuntimes.map((runtime) => runtime.close()),
    ]);

  try {
    for (const streamConfig of config.streams) {
      let processorRuntime: ProcessorRuntime | undefined;
      if (streamConfig.processor !== undefined) {
        processorRuntime = await createProcessorRuntime(
          streamConfig,
          streamConfig.processor,
          baseDirectory,
          logger,
        );
        processorRuntimes.push(processorRuntime);
      }
      const { client, url } = streamConfig.elasticsearch;
      let transport: BulkTransport;
      if (client !== undefined) transport = clientBulkTransport(client);
      else {
        const owned = new HttpBulkTransport({ url: url!, requestTimeoutMs: 60_000 });
        ownedTransports.push(owned);
        transport = owned;
      }
      streams.set(
        streamConfig.name,
        new DeliveryStream({
          config: streamConfig,
          processorRuntime,
          transport,
          backupDirectory: resolve(baseDirectory, streamConfig.backup.directory),
          clock,
          logger,
        }),
      );
    }
  } catch (error) {
    await closeOwnedResources();
    throw error;
  }

  const streamOrThrow = (name: string): DeliveryStream => {
    const stream = streams.get(name);
    if (stream === undefined) throw new UnknownDeliveryStreamError(name, [...streams.keys()]);
    return stream;
  };

  // Until every processor module is known to load, puts are answered ServiceUnavailableException.
  let ready = false;
  // Processors put records back through a path of this instance's own: while closing, only they are accepted.
  const processorPath = `/processors/${randomUUID()}/`;
  let closing: Promise<void> | undefined;
  const server = createServer((request, response) => {
    void handleRequest(request, response).catch((error: unknown) => {
      logger.error('unexpected error answering a request', { error: (error as Error).message });
      if (!response.headersSent) {
        sendApiError(response, new FirehoseApiError('InternalFailure', 'Internal error.', 500));
      } else response.destroy();
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'GET' && (path === '/metrics' || path.startsWith('/metrics/'))) {
      request.resume();
      const name = path.startsWith('/metrics/')
        ? decodeURIComponent(path.slice('/metrics/'.length))
        : undefined;
      const stream = name === undefined ? undefined : streams.get(name);
      if (name !== undefined && stream === undefined) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: `Delivery stream "${name}" is not configured.` }));
        return;
      }
      const body =
        stream === undefined ? [...streams.values()].map((each) => each.metrics()) : stream.metrics();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body, null, 2));
      return;
    }
    if (request.method === 'GET' && path === '/health') {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', streams: [...streams.keys()] }));
      return;
    }
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || typeof target !== 'string') {
      request.resume();
      sendApiError(
        response,
        new FirehoseApiError(
          'UnknownOperationException',
          'Send Firehose API calls as POST / with X-Amz-Target: Firehose_20150804.<Operation>, or GET /metrics.',
        ),
      );
      return;
    }
    if (!target.startsWith(FIREHOSE_TARGET_PREFIX)) {
      request.resume();
      sendApiError(response, new FirehoseApiError('UnknownOperationException', `Unknown target ${target}.`));
      return;
    }
    const raw = await readBody(request);
    const operation = target.slice(FIREHOSE_TARGET_PREFIX.length);
    if (
      closing !== undefined &&
      path !== processorPath &&
      (operation === 'PutRecord' || operation === 'PutRecordBatch')
    ) {
      sendApiError(
        response,
        new FirehoseApiError(
          'ServiceUnavailableException',
          'The local Firehose endpoint is shutting down.',
          503,
        ),
      );
      return;
    }
    if (!ready) {
      sendApiError(
        response,
        new FirehoseApiError('ServiceUnavailableException', 'The local Firehose endpoint is starting.', 503),
      );
      return;
    }
    if (raw === 'too-large') {
      sendApiError(
        response,
        new FirehoseApiError(
          'InvalidArgumentException',
          `The request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes; a PutRecordBatch call may carry at most ${FIREHOSE_LIMITS.maxBytesPerBatch} bytes of records.`,
        ),
      );
      return;
    }
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      sendApiError(
        response,
        new FirehoseApiError('SerializationException', 'The request body is not valid JSON.'),
      );
      return;
    }
    try {
      sendJson(response, 200, handleFirehoseOperation(streams, operation, body));
    } catch (error) {
      if (error instanceof FirehoseApiError) sendApiError(response, error);
      else throw error;
    }
  }

  try {
    await new Promise<void>((started, failed) => {
      server.once('error', failed);
      server.listen(listenPort, listenHost, () => {
        server.off('error', failed);
        started();
      });
    });
  } catch (error) {
    await closeOwnedResources();
    throw new FirehoseLocalListenError(listenHost, listenPort, error as Error);
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  // The processor reaches this endpoint over loopback when the server listens on every interface.
  const processorEndpointUrl = `${
    address.address === '0.0.0.0'
      ? `http://127.0.0.1:${address.port}`
      : address.address === '::'
        ? `http://[::1]:${address.port}`
        : url
  }${processorPath}`;
  try {
    for (const runtime of processorRuntimes) {
      if (!(runtime instanceof WorkerProcessorRuntime)) continue;
      runtime.setFirehoseEndpointUrl(processorEndpointUrl);
      await runtime.verifyLoads();
    }
  } catch (error) {
    await new Promise<void>((closed) => {
      server.close(() => closed());
      server.closeAllConnections();
    });
    await closeOwnedResources();
    throw error;
  }
  ready = true;
  logger.info('local Firehose endpoint listening', { url, streams: [...streams.keys()] });

  function metrics(streamName: string): DeliveryStreamMetrics;
  function metrics(): DeliveryStreamMetrics[];
  function metrics(streamName?: string): DeliveryStreamMetrics | DeliveryStreamMetrics[] {
    if (streamName !== undefined) return streamOrThrow(streamName).metrics();
    return [...streams.values()].map((stream) => stream.metrics());
  }

  return {
    url,
    processorEndpointUrl,
    metrics,
    async flush(streamName?: string) {
      if (closing !== undefined) throw new FirehoseLocalClosedError();
      const targets = streamName === undefined ? [...streams.values()] : [streamOrThrow(streamName)];
      await Promise.all(targets.map((stream) => stream.flush()));
    },
    close() {
      closing ??= (async () => {
        const all = [...streams.values()];
        // Producers are refused from now on (handleRequest); processors may still put records (e.g. overflow) into
        // any stream while it drains. Repeat until every processor stage is idle at the same time, then refuse
        // those too, and new connections.
        do {
          await Promise.all(all.map((stream) => stream.drainProcessorStage()));
        } while (!all.every((stream) => stream.processorStageIdle));
        for (const stream of all) stream.refuseNewRecords();
        const serverClosed = new Promise<void>((closed) => server.close(() => closed()));
        server.closeIdleConnections();
        await Promise.all(all.map((stream) => stream.close()));
        server.closeAllConnections();
        await serverClosed;
        await closeOwnedResources();
        logger.info('local Firehose endpoint closed', { url });
      })();
      return closing;
    },
  };
}
