/**
 * A local HTTP server that enforces the documented contract of Kibana's and OpenSearch Dashboards'
 * `GET /api/status`, `GET /api/saved_objects/<type>/<id>` and `POST /api/saved_objects/_import` for one product and
 * version (see
 * /work/shared/reference/kibana.md). It rejects what the real server rejects, so a wrong installer fails:
 * - auth (401), the CSRF header per product (400 with the exact message), `kbn-version`/`osd-version` mismatch (400);
 * - multipart only (415), a part named `file` (400), a filename ending `.ndjson` (400 `Invalid file extension`);
 * - query keys the version does not know (400 `definition for this key is missing`), overwrite + createNewCopies (400);
 * - non-JSON lines (400), duplicate type:id (400 `Non-unique import objects detected`), > maxImportExportSize (400);
 * - version fields newer than the server (422 with the documented wording);
 * - 8.8+ attribute schemas (per-object 400 errors), missing index-pattern/search references, unsupported types,
 *   conflicts without overwrite, ids that exist in another space (regenerated, 8.x) -- all as 200 with errors.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';

export type ContractProduct = 'kibana' | 'opensearch-dashboards';

export interface ContractServerOptions {
  product: ContractProduct;
  version: string;
  /** e.g. `/_dashboards`: requests outside it get 404. */
  basePath?: string;
  /** When set, API requests must carry exactly this Authorization header. */
  authorization?: string;
  /** Kibana 8+: unauthenticated `GET /api/status` gets the redacted body instead of 401. */
  redactUnauthenticatedStatus?: boolean;
  /** Objects already stored, per space ('default' for the default space / OSD); `attributes` beside the title. */
  existing?: {
    space: string;
    type: string;
    id: string;
    title?: string;
    attributes?: Record<string, unknown>;
    versions?: Record<string, unknown>;
  }[];
  maxImportExportSize?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  fileName: string | undefined;
  lines: Record<string, unknown>[];
  statusCode: number;
}

export interface ContractServer {
  url: string;
  requests: RecordedRequest[];
  /** Stored objects: `space/type/id` -> object. */
  store: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

interface Semver {
  major: number;
  minor: number;
  patch: number;
}

function semver(version: string): Semver {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return { major, minor, patch };
}

function greater(left: string, right: string): boolean {
  const a = semver(left);
  const b = semver(right);
  return (
    a.major - b.major > 0 ||
    (a.major === b.major && (a.minor - b.minor > 0 || (a.minor === b.minor && a.patch > b.patch)))
  );
}

/** The latest migration each version knows per type (from exports of that version, kibana.md 2.1). */
function latestMigrations(product: ContractProduct, version: string): Record<string, string> {
  const v = semver(version);
  if (product === 'opensearch-dashboards' || (v.major === 7 && v.minor <= 10)) {
    return { 'index-pattern': '7.6.0', visualization: '7.10.0', dashboard: '7.9.3', search: '7.9.3' };
  }
  if (v.major === 7)
    return { 'index-pattern': '7.11.0', visualization: '7.14.0', dashboard: '7.17.3', search: '7.9.3' };
  if (v.major === 8 && v.minor < 8) {
    return {
      'index-pattern': '8.0.0',
      visualization: `8.${Math.min(v.minor, 5)}.0`,
      dashboard: `8.${v.minor}.0`,
      search: '8.0.0',
    };
  }
  return { 'index-pattern': '8.0.0', visualization: '8.5.0', dashboard: '10.2.0', search: '10.5.0' };
}

const IMPORTABLE = new Set([
  'index-pattern',
  'visualization',
  'dashboard',
  'search',
  'lens',
  'config',
  'url',
]);
/** Kibana 8.8+ create-time attribute schema of a visualization (unknown keys are rejected). */
export const VISUALIZATION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'title',
  'description',
  'version',
  'kibanaSavedObjectMeta',
  'uiStateJSON',
  'visState',
  'savedSearchRefName',
]);
/** Kibana 8.8+ create-time attribute schema of a dashboard (unknown keys are rejected). */
export const DASHBOARD_ATTRIBUTES: ReadonlySet<string> = new Set([
  'title',
  'description',
  'kibanaSavedObjectMeta',
  'timeRestore',
  'timeFrom',
  'timeTo',
  'refreshInterval',
  'controlGroupInput',
  'panelsJSON',
  'optionsJSON',
  'hits',
  'version',
]);

function send(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

function boom(statusCode: number, message: string): { statusCode: number; error: string; message: string } {
  const error =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      404: 'Not Found',
      415: 'Unsupported Media Type',
      422: 'Unprocessable Entity',
    }[statusCode] ?? 'Error';
  return { statusCode, error, message };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startKibanaContractServer(options: ContractServerOptions): Promise<ContractServer> {
  const { product, version } = options;
  const v = semver(version);
  const isKibana = product === 'kibana';
  const isKibana8 = isKibana && v.major >= 8;
  const xsrfHeader = isKibana ? 'kbn-xsrf' : 'osd-xsrf';
  const versionHeader = isKibana ? 'kbn-version' : 'osd-version';
  const basePath = options.basePath ?? '';
  const maxObjects = options.maxImportExportSize ?? 10_000;
  const allowedQuery = new Set(['overwrite', 'createNewCopies']);
  if (isKibana && (v.major > 8 || (v.major === 8 && v.minor >= 8))) allowedQuery.add('compatibilityMode');
  const store = new Map<string, Record<string, unknown>>();
  for (const object of options.existing ?? []) {
    store.set(`${object.space}/${object.type}/${object.id}`, {
      type: object.type,
      id: object.id,
      attributes: { ...object.attributes, title: object.title },
      references: [],
      ...object.versions,
    });
  }
  const requests: RecordedRequest[] = [];
  const latest = latestMigrations(product, version);

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    record: RecordedRequest,
  ): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(basePath)) return send(response, 404, boom(404, 'Not Found'));
    let path = url.pathname.slice(basePath.length);
    let space = 'default';
    const spaceMatch = /^\/s\/([a-z0-9_-]+)(\/.*)$/.exec(path);
    if (spaceMatch !== null) {
      if (!isKibana) return send(response, 404, boom(404, 'Not Found'));
      space = spaceMatch[1]!;
      path = spaceMatch[2]!;
    }
    record.path = path;
    const authorized =
      options.authorization === undefined || request.headers.authorization === options.authorization;
    if (isKibana) response.setHeader('kbn-name', 'contract-server');

    if (request.method === 'GET' && path === '/api/status') {
      if (!authorized) {
        if (isKibana8 && options.redactUnauthenticatedStatus === true) {
          return send(response, 200, { status: { overall: { level: 'available' } } });
        }
        return send(response, 401, boom(401, 'Unauthorized'));
      }
      const versionBody = { number: version, build_hash: 'abc', build_number: 1, build_snapshot: false };
      const v8Format = isKibana8
        ? url.searchParams.get('v7format') !== 'true'
        : url.searchParams.get('v8format') === 'true';
      const status = v8Format
        ? { overall: { level: 'available', summary: 'All services are available' }, core: {}, plugins: {} }
        : {
            overall: {
              state: 'green',
              title: 'Green',
              nickname: 'Looking good',
              icon: 'success',
              uiColor: 'secondary',
              since: '2024-01-01T00:00:00.000Z',
            },
            statuses: [],
          };
      return send(response, 200, {
        name: 'contract',
        uuid: '00000000-0000-0000-0000-000000000000',
        version: versionBody,
        status,
        metrics: {},
      });
    }

    if (!authorized) return send(response, 401, boom(401, 'Unauthorized'));
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const sentVersion = request.headers[versionHeader];
      if (typeof sentVersion === 'string' && sentVersion !== version) {
        return send(
          response,
          400,
          boom(
            400,
            `Browser client is out of date, please refresh the page ("${versionHeader}" header was "${sentVersion}" but should be "${version}")`,
          ),
        );
      }
      if (request.headers[xsrfHeader] === undefined && sentVersion === undefined) {
        return send(response, 400, boom(400, `Request must contain a ${xsrfHeader} header.`));
      }
    }

    // GET /api/saved_objects/<type>/<id>: the stored object, or 404 with Kibana's wording.
    const objectPath = /^\/api\/saved_objects\/([^/_][^/]*)\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && objectPath !== null) {
      const type = decodeURIComponent(objectPath[1]!);
      const id = decodeURIComponent(objectPath[2]!);
      const stored = store.get(`${space}/${type}/${id}`);
      if (stored === undefined)
        return send(response, 404, boom(404, `Saved object [${type}/${id}] not found`));
      return send(response, 200, {
        ...stored,
        updated_at: '2024-01-01T00:00:00.000Z',
        version: 'WzEsMV0=',
        ...(isKibana8 ? { namespaces: [space], managed: false } : {}),
      });
    }
    if (path !== '/api/saved_objects/_import') return send(response, 404, boom(404, 'Not Found'));
    if (request.method !== 'POST') return send(response, 404, boom(404, 'Not Found'));

    // Query validation (@kbn/config-schema: unknown keys are rejected).
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) {
      if (!allowedQuery.has(key))
        return send(response, 400, boom(400, `[request query.${key}]: definition for this key is missing`));
      if (value !== 'true' && value !== 'false') {
        return send(
          response,
          400,
          boom(400, `[request query.${key}]: expected value of type [boolean] but got [string]`),
        );
      }
      query[key] = value;
    }
    if (query.overwrite === 'true' && query.createNewCopies === 'true') {
      return send(response, 400, boom(400, 'cannot use [overwrite] with [createNewCopies]'));
    }
    if (query.compatibilityMode === 'true' && query.createNewCopies === 'true') {
      return send(response, 400, boom(400, 'cannot use [createNewCopies] with [compatibilityMode]'));
    }

    const contentType = request.headers['content-type'] ?? '';
    const body = await readBody(request);
    if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
      return send(response, 415, boom(415, 'Unsupported Media Type'));
    }
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    } catch {
      return send(response, 400, boom(400, 'Invalid multipart payload format'));
    }
    const file = form.get('file');
    if (file === null || typeof file === 'string') {
      return send(
        response,
        400,
        boom(
          400,
          `[request body.file]: expected value of type [Stream] but got [${file === null ? 'undefined' : 'string'}]`,
        ),
      );
    }
    record.fileName = file.name;
    const extension = extname(file.name).toLowerCase();
    if (extension !== '.ndjson') return send(response, 400, boom(400, `Invalid file extension ${extension}`));

    const lines: Record<string, unknown>[] = [];
    for (const line of (await file.text()).split('\n')) {
      if (line.trim() === '') continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (!('exportedCount' in parsed)) lines.push(parsed);
      } catch (error) {
        return send(response, 400, boom(400, (error as Error).message));
      }
    }
    record.lines = lines;
    if (lines.length > maxObjects)
      return send(response, 400, boom(400, `Can't import more than ${maxObjects} objects`));
    const keys = lines.map((object) => `${String(object.type)}:${String(object.id)}`);
    const duplicates = [...new Set(keys.filter((key, index) => keys.indexOf(key) !== index))];
    if (duplicates.length > 0) {
      return send(response, 400, boom(400, `Non-unique import objects detected: [${duplicates.join(',')}]`));
    }

    // Migrations: a version field newer than the server fails the whole request with 422.
    const versionKnown = isKibana && (v.major > 7 || v.minor >= 11);
    for (const object of lines) {
      const type = String(object.type);
      const id = String(object.id);
      const core = object.coreMigrationVersion;
      if (versionKnown && typeof core === 'string' && greater(core, version)) {
        return send(
          response,
          422,
          boom(
            422,
            `Document "${id}" has a "coreMigrationVersion" which belongs to a more recent version of Kibana [${core}]. The current version is [${version}].`,
          ),
        );
      }
      const typeVersion =
        isKibana && (v.major > 8 || (v.major === 8 && v.minor >= 8))
          ? object.typeMigrationVersion
          : undefined;
      const migrationVersion = (object.migrationVersion ?? {}) as Record<string, string>;
      const declared = typeof typeVersion === 'string' ? typeVersion : migrationVersion[type];
      const known = latest[type];
      if (declared !== undefined && known !== undefined && greater(declared, known)) {
        const message = isKibana8
          ? `Document "${id}" belongs to a more recent version of Kibana [${declared}] when the last known version is [${known}].`
          : `Document "${id}" has property "${type}" which belongs to a more recent version of Kibana [${declared}]. The last known version is [${known}]`;
        return send(response, 422, boom(422, message));
      }
    }

    const errors: Record<string, unknown>[] = [];
    const successResults: Record<string, unknown>[] = [];
    const inFile = new Set(keys);
    const overwrite = query.overwrite === 'true';
    for (const object of lines) {
      const type = String(object.type);
      const id = String(object.id);
      const attributes = (object.attributes ?? {}) as Record<string, unknown>;
      const title = typeof attributes.title === 'string' ? attributes.title : undefined;
      const meta = { title, icon: type };
      const failure = (error: Record<string, unknown>): void => {
        errors.push({ id, type, ...(isKibana8 ? {} : { title }), meta, error });
      };
      if (!IMPORTABLE.has(type)) {
        failure({ type: 'unsupported_type' });
        continue;
      }
      const references = Array.isArray(object.references)
        ? (object.references as Record<string, unknown>[])
        : [];
      const missing = references.filter(
        (reference) =>
          (reference.type === 'index-pattern' || reference.type === 'search') &&
          !inFile.has(`${String(reference.type)}:${String(reference.id)}`) &&
          !store.has(`${space}/${String(reference.type)}/${String(reference.id)}`),
      );
      if (missing.length > 0) {
        failure({
          type: 'missing_references',
          references: missing.map((reference) => ({ type: reference.type, id: reference.id })),
        });
        continue;
      }
      const exists = store.has(`${space}/${type}/${id}`);
      if (exists && !overwrite) {
        failure({ type: 'conflict' });
        continue;
      }
      // 8.x+ create-time attribute schemas.
      if (isKibana && (v.major > 8 || (v.major === 8 && v.minor >= 8))) {
        const allowed =
          type === 'visualization'
            ? VISUALIZATION_ATTRIBUTES
            : type === 'dashboard' && (v.major > 8 || v.minor >= 9)
              ? DASHBOARD_ATTRIBUTES
              : undefined;
        if (allowed !== undefined) {
          const unknown = Object.keys(attributes).find((key) => !allowed.has(key));
          if (unknown !== undefined || typeof attributes.title !== 'string') {
            failure({
              type: 'unknown',
              statusCode: 400,
              error: 'Bad Request',
              message:
                unknown === undefined
                  ? '[attributes.title]: expected value of type [string] but got [undefined]'
                  : `[attributes.${unknown}]: definition for this key is missing`,
            });
            continue;
          }
        }
      }
      // Shareable types (8.x): an id that exists only in another space cannot be shared, so it is regenerated.
      let destinationId: string | undefined;
      if (isKibana8 && !exists && [...store.keys()].some((key) => key.endsWith(`/${type}/${id}`))) {
        destinationId = `regenerated-${id}`;
      }
      store.set(`${space}/${type}/${destinationId ?? id}`, object);
      successResults.push({
        type,
        id,
        meta,
        ...(exists && overwrite ? { overwrite: true } : {}),
        ...(destinationId === undefined ? {} : { destinationId, createNewCopy: true }),
        ...(isKibana8 ? { managed: false } : {}),
      });
    }
    const result: Record<string, unknown> = {
      success: errors.length === 0,
      successCount: successResults.length,
      ...(successResults.length > 0 ? { successResults } : {}),
      ...(errors.length > 0 ? { errors } : {}),
      ...(isKibana8 ? { warnings: [] } : {}),
    };
    return send(response, 200, result);
  };

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = {
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...request.headers },
      fileName: undefined,
      lines: [],
      statusCode: 0,
    };
    requests.push(record);
    const originalWriteHead = response.writeHead.bind(response);
    response.writeHead = ((statusCode: number, ...rest: unknown[]) => {
      record.statusCode = statusCode;
      return (originalWriteHead as (...args: unknown[]) => ServerResponse)(statusCode, ...rest);
    }) as typeof response.writeHead;
    handle(request, response, record).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, boom(500, String(error)));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    store,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
