import { signedRefusalHint, unsignedRefusalHint } from './aws-sigv4.js';
import {
  type KibanaConnectionOptions,
  type ResolvedConnection,
  requestHeaders,
  resolveConnection,
} from './connection.js';
import { KibanaRequestError, TargetDetectionError } from './errors.js';
import {
  describeNetworkError,
  errorMessageOf,
  type HttpOptions,
  notKibanaMessage,
  parseJson,
  redirectMessage,
  searchEngineBehind,
  send,
  sentence,
} from './http.js';
import { type Product, type TargetName, targetForVersion } from './targets.js';

/** What `GET /api/status` told about the server. */
export interface DetectedTarget {
  target: TargetName;
  product: Product;
  /** The server's version number, e.g. `8.15.2` or `2.11.0`. */
  version: string;
  /** `v7` (`status.overall.state`) or `v8` (`status.overall.level`). */
  statusFormat: 'v7' | 'v8' | 'unknown';
}

/**
 * Reads the product and version from a `GET /api/status` body (v7 or v8 format); throws
 * {@link TargetDetectionError} when it has no usable version (e.g. Kibana 8's redacted unauthenticated body).
 *
 * @example
 * ```ts
 * targetFromStatusBody({ version: { number: '2.11.0' }, status: { overall: { state: 'green' } } }).target; // 'opensearch-dashboards-2'
 * ```
 */
export function targetFromStatusBody(body: unknown): DetectedTarget {
  if (typeof body !== 'object' || body === null) {
    throw new TargetDetectionError(
      'GET /api/status did not answer with a JSON object: is this Kibana or OpenSearch Dashboards? Pass --target to skip detection.',
    );
  }
  const record = body as { version?: { number?: unknown }; status?: { overall?: Record<string, unknown> } };
  const overall = record.status?.overall;
  const statusFormat =
    overall === undefined ? 'unknown' : 'level' in overall ? 'v8' : 'state' in overall ? 'v7' : 'unknown';
  const number = record.version?.number;
  if (typeof number !== 'string') {
    if (statusFormat === 'v8') {
      throw new TargetDetectionError(
        'Kibana answered GET /api/status without its version: Kibana 8+ hides it from unauthenticated requests. ' +
          'Pass credentials (--api-key, or --username and --password) or the target (--target kibana-8.8 for Kibana 8.8+ and 9.x).',
      );
    }
    throw new TargetDetectionError(
      'GET /api/status has no version.number: pass --target (kibana-7.10, kibana-8.0, kibana-8.8 or opensearch-dashboards-2).',
    );
  }
  const major = Number.parseInt(number, 10);
  // Kibana numbers start at 7.10 for what we support; OpenSearch Dashboards restarted at 1.0.
  const product: Product = Number.isFinite(major) && major <= 3 ? 'opensearch-dashboards' : 'kibana';
  try {
    return { target: targetForVersion(product, number), product, version: number, statusFormat };
  } catch (error) {
    throw new TargetDetectionError((error as Error).message, {}, { cause: error });
  }
}

/**
 * Asks `GET <base>/api/status` which product and version the server runs and picks the target whose objects,
 * headers and import options it accepts. Handles the v7 (`state`) and v8 (`level`) status formats, OpenSearch
 * Dashboards' 1.x-3.x numbers, and Kibana 8's redacted body for unauthenticated callers (an error asking for
 * credentials or `--target`).
 *
 * @example
 * ```ts
 * const { target, version } = await detectTarget({ kibanaUrl: 'http://localhost:5601', apiKey: process.env.KIBANA_API_KEY });
 * ```
 */
export async function detectTarget(options: KibanaConnectionOptions & HttpOptions): Promise<DetectedTarget> {
  return detectTargetWith(resolveConnection(options), options);
}

export async function detectTargetWith(
  connection: ResolvedConnection,
  http: HttpOptions,
): Promise<DetectedTarget> {
  const url = `${connection.baseUrl}/api/status`;
  const sentHeaders = await requestHeaders(
    connection,
    { method: 'GET', url, inTenant: false },
    { accept: 'application/json' },
  );
  let answer: Awaited<ReturnType<typeof send>>;
  try {
    answer = await send(url, { method: 'GET', headers: sentHeaders }, http);
  } catch (error) {
    throw new KibanaRequestError(
      `Could not reach Kibana at ${url} (${describeNetworkError(error)}). Check --kibana and the base path.`,
      { isRetryable: true },
      { cause: error },
    );
  }
  const body = parseJson(answer.text);
  const searchEngine = answer.statusCode === 200 ? undefined : searchEngineBehind(answer, body);
  if (searchEngine !== undefined) {
    const serverMessage = errorMessageOf(body);
    throw new KibanaRequestError(
      `GET ${url} answered ${answer.statusCode}${serverMessage === undefined ? '' : ` (${serverMessage.trimEnd().replace(/\.$/, '')})`}. ${notKibanaMessage(searchEngine)}`,
      { statusCode: answer.statusCode, ...(serverMessage === undefined ? {} : { serverMessage }) },
    );
  }
  if (answer.statusCode === 200 || (answer.statusCode === 503 && body !== undefined)) {
    return targetFromStatusBody(body);
  }
  if (answer.statusCode >= 300 && answer.statusCode < 400) {
    throw new KibanaRequestError(`GET ${url} ${redirectMessage(answer, url)}`, {
      statusCode: answer.statusCode,
    });
  }
  if ((answer.statusCode === 401 || answer.statusCode === 403) && connection.signing !== undefined) {
    const serverMessage = errorMessageOf(body);
    throw new KibanaRequestError(
      `GET ${url} answered ${answer.statusCode}: ${sentence(serverMessage ?? (answer.text.slice(0, 200) || 'no body'))}${signedRefusalHint(connection.signing, 'dashboards')}`,
      { statusCode: answer.statusCode, ...(serverMessage === undefined ? {} : { serverMessage }) },
    );
  }
  if (answer.statusCode === 401 || answer.statusCode === 403) {
    const serverMessage = errorMessageOf(body);
    throw new KibanaRequestError(
      `Kibana refused GET ${url} (${answer.statusCode}): check the credentials (--api-key, --username/--password, KIBANA_API_KEY, KIBANA_USERNAME/KIBANA_PASSWORD), or pass --target.${unsignedRefusalHint(serverMessage)}`,
      { statusCode: answer.statusCode, ...(serverMessage === undefined ? {} : { serverMessage }) },
    );
  }
  if (answer.statusCode === 404) {
    throw new KibanaRequestError(
      `No Kibana API at ${url} (404). Check the base path: Amazon OpenSearch Service serves Dashboards under /_dashboards, legacy Amazon Elasticsearch Service Kibana under /_plugin/kibana.`,
      { statusCode: 404 },
    );
  }
  throw new KibanaRequestError(`GET ${url} answered ${answer.statusCode}; pass --target to skip detection.`, {
    statusCode: answer.statusCode,
    isRetryable: answer.statusCode >= 500,
  });
}
