import { Blob } from 'node:buffer';
import { FormData, Response } from 'undici';
import { signedRefusalHint, unsignedRefusalHint } from './aws-sigv4.js';
import {
  type KibanaConnectionOptions,
  type ResolvedConnection,
  requestHeaders,
  resolveConnection,
} from './connection.js';
import {
  InvalidOptionError,
  KibanaRequestError,
  SavedObjectImportError,
  type SavedObjectImportFailure,
} from './errors.js';
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
import type { SavedObject } from './saved-object.js';
import { toNdjson } from './saved-objects.js';
import { parseTarget, type TargetName, type TargetSpecifier, targetProfile } from './targets.js';

/** The value of the CSRF header; any value works, this one names the sender in Kibana's logs. */
export const XSRF_VALUE = 'ctr-kibana-setup';
/**
 * The multipart file name; Kibana rejects anything not ending in `.ndjson`.
 *
 * @example
 * ```ts
 * form.append('file', new Blob([ndjson]), IMPORT_FILE_NAME);
 * ```
 */
export const IMPORT_FILE_NAME = 'ctr-stream-contact-center.ndjson';

/** One object Kibana confirmed. */
export interface ImportedObject {
  type: string;
  id: string;
  title: string | undefined;
  /** True when it replaced an object with the same id. */
  overwritten: boolean;
  /**
   * Set when Kibana 8+ stored the object under another id (the id existed in another space, so it could not be
   * shared): links to the fixed id will not reach it.
   */
  destinationId: string | undefined;
  /**
   * `installSavedObjects` only: the attributes of an existing index pattern it kept (scripted or runtime fields,
   * field formats...), when it replaced one that had any.
   */
  kept?: string[];
}

/** What an import did. */
export interface ImportResult {
  target: TargetName;
  /** `<base>/s/<space>/api/saved_objects/_import?...` without credentials. */
  url: string;
  imported: ImportedObject[];
}

export interface ImportSavedObjectsOptions extends KibanaConnectionOptions, HttpOptions {
  /** A target name or what `--target` takes (`kibana@8.6.2`, `kibana-9`); anything else throws `InvalidOptionError`. */
  target: TargetSpecifier;
  objects: readonly SavedObject[];
}

/**
 * The import's multipart body as the bytes that will be sent, and its content type (with the boundary): one part
 * `file` named `*.ndjson`. Encoded before sending so that a signature can cover exactly these bytes.
 */
async function multipartUpload(ndjson: string): Promise<{ body: Uint8Array; contentType: string }> {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), IMPORT_FILE_NAME);
  // undici's own encoder (as when FormData is the request body), with its random boundary.
  const encoded = new Response(form);
  const contentType = encoded.headers.get('content-type') ?? '';
  return { body: new Uint8Array(await encoded.arrayBuffer()), contentType };
}

/** Builds the import URL for a target: overwrite always, compatibilityMode only where accepted (8.8+). */
export function importUrl(connection: ResolvedConnection, target: TargetName): string {
  const profile = targetProfile(target);
  const query = new URLSearchParams({ overwrite: 'true' });
  if (profile.supportsCompatibilityMode) query.set('compatibilityMode', 'true');
  return `${connection.baseUrl}${connection.spacePrefix}/api/saved_objects/_import?${query.toString()}`;
}

/** Checks the space / tenant options against the target's product. */
export function checkConnectionForTarget(connection: ResolvedConnection, target: TargetName): void {
  const profile = targetProfile(target);
  if (connection.space !== undefined && !profile.supportsSpaces) {
    throw new InvalidOptionError(
      'space',
      `OpenSearch Dashboards has no spaces (got space "${connection.space}"); use a security tenant (--tenant) instead.`,
    );
  }
  if (connection.tenant !== undefined && profile.product !== 'opensearch-dashboards') {
    throw new InvalidOptionError(
      'tenant',
      'Tenants are an OpenSearch Dashboards feature; in Kibana use a space (--space).',
    );
  }
}

/** What to do about an answer of the server that is not 200 (the import's, or the read of an existing object). */
export function hintFor(statusCode: number, serverMessage: string | undefined, target: TargetName): string {
  const profile = targetProfile(target);
  if (statusCode === 400 && serverMessage !== undefined && /osd-xsrf|kbn-xsrf/.test(serverMessage)) {
    const wanted = serverMessage.includes('osd-xsrf') ? 'OpenSearch Dashboards' : 'Kibana';
    return ` The server is ${wanted}, but the target was ${target} (${profile.xsrfHeader}); pass the right --target.`;
  }
  if (statusCode === 400 && serverMessage?.includes('definition for this key is missing')) {
    return ` This server does not accept an import option of target ${target}: it is older; pass the right --target.`;
  }
  switch (statusCode) {
    case 401:
      return ' Check the credentials (--api-key, --username/--password, KIBANA_API_KEY, KIBANA_USERNAME/KIBANA_PASSWORD).';
    case 403:
      return (
        unsignedRefusalHint(serverMessage) ||
        ' The user may not manage saved objects in this space: it needs the "Saved Objects Management" (or Kibana admin) privilege.'
      );
    case 404:
      return ' Check the base path (/_dashboards, /_plugin/kibana) and that the space exists.';
    case 413:
      return ' The server caps the import size (savedObjects.maxImportPayloadBytes) or a proxy in front of it limits the body size.';
    case 415:
      return ' The server did not receive a multipart upload: a proxy may rewrite the request body.';
    case 409:
      return ' Another write to the same objects happened at the same time (another import, or Kibana migrating its saved objects index); run the installer again: the import overwrites, so repeating it is safe.';
    case 422:
      return ` The objects are newer than this server accepts; the target was ${target}. Pass --target matching the server version (e.g. kibana@8.6.2).`;
    default:
      return statusCode >= 500 ? ' The server failed; try again later.' : '';
  }
}

function failuresOf(body: Record<string, unknown>): SavedObjectImportFailure[] {
  const errors = Array.isArray(body.errors) ? body.errors : [];
  return errors.map((entry): SavedObjectImportFailure => {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const meta = (item.meta ?? {}) as Record<string, unknown>;
    const error = (item.error ?? {}) as Record<string, unknown>;
    const title =
      typeof meta.title === 'string' ? meta.title : typeof item.title === 'string' ? item.title : undefined;
    const errorType = typeof error.type === 'string' ? error.type : 'unknown';
    let detail: string;
    switch (errorType) {
      case 'missing_references': {
        const references = Array.isArray(error.references)
          ? (error.references as { type?: unknown; id?: unknown }[])
          : [];
        detail = `references missing objects ${references.map((reference) => `${String(reference.type)}:${String(reference.id)}`).join(', ')} (install the whole set, or import into the space that holds them)`;
        break;
      }
      case 'conflict':
        detail = 'an object with this id exists (import with overwrite)';
        break;
      case 'ambiguous_conflict':
        detail = 'several existing objects match this object';
        break;
      case 'unsupported_type':
        detail = 'this server does not import objects of this type';
        break;
      default:
        detail = typeof error.message === 'string' ? error.message : JSON.stringify(error);
    }
    return { type: String(item.type), id: String(item.id), title, errorType, detail };
  });
}

/**
 * Imports saved objects with `POST <base>[/s/<space>]/api/saved_objects/_import?overwrite=true` (plus
 * `compatibilityMode=true` on Kibana 8.8+), the file in the multipart field `file` named `*.ndjson`, and the
 * target's CSRF header (`kbn-xsrf` or `osd-xsrf`; never `kbn-version`). Then checks the answer object by object:
 * HTTP 200 with `success: false` throws {@link SavedObjectImportError} listing each failed object, an object
 * missing from `successResults` fails too, and any other status throws {@link KibanaRequestError} with the
 * server's message and what to do.
 *
 * @example
 * ```ts
 * const result = await importSavedObjects({
 *   kibanaUrl: 'http://localhost:5601',
 *   target: 'kibana-8.8',
 *   objects: buildSavedObjects('kibana-8.8'),
 * });
 * console.log(result.imported.length);
 * ```
 */
export async function importSavedObjects(options: ImportSavedObjectsOptions): Promise<ImportResult> {
  const connection = resolveConnection(options);
  return importSavedObjectsWith(connection, parseTarget(options.target), options.objects, options);
}

export async function importSavedObjectsWith(
  connection: ResolvedConnection,
  target: TargetName,
  objects: readonly SavedObject[],
  http: HttpOptions,
): Promise<ImportResult> {
  checkConnectionForTarget(connection, target);
  const profile = targetProfile(target);
  const url = importUrl(connection, target);
  const { body: upload, contentType } = await multipartUpload(toNdjson(objects));
  // Signed over the exact bytes sent.
  const sentHeaders = await requestHeaders(
    connection,
    { method: 'POST', url, body: upload, inTenant: true },
    { accept: 'application/json', 'content-type': contentType, [profile.xsrfHeader]: XSRF_VALUE },
  );

  let answer: Awaited<ReturnType<typeof send>>;
  try {
    answer = await send(url, { method: 'POST', headers: sentHeaders, body: upload }, http);
  } catch (error) {
    throw new KibanaRequestError(
      `Could not send the import to ${url} (${describeNetworkError(error)}). Nothing was changed unless the server received it; importing again is safe.`,
      { isRetryable: true },
      { cause: error },
    );
  }
  const body = parseJson(answer.text);
  if (answer.statusCode >= 300 && answer.statusCode < 400) {
    throw new KibanaRequestError(`Import into ${url} was ${redirectMessage(answer, url)}`, {
      statusCode: answer.statusCode,
    });
  }
  if (answer.statusCode !== 200) {
    const serverMessage = errorMessageOf(body);
    const shown = serverMessage ?? (answer.text.length > 0 ? `${answer.text.slice(0, 200)}` : 'no body');
    const searchEngine = searchEngineBehind(answer, body);
    const hint =
      searchEngine !== undefined
        ? ` ${notKibanaMessage(searchEngine)}`
        : connection.signing !== undefined && (answer.statusCode === 401 || answer.statusCode === 403)
          ? signedRefusalHint(connection.signing, 'dashboards')
          : hintFor(answer.statusCode, serverMessage, target);
    throw new KibanaRequestError(
      `Import into ${url} failed with HTTP ${answer.statusCode}: ${sentence(shown)}${hint}`,
      {
        statusCode: answer.statusCode,
        isRetryable:
          searchEngine === undefined &&
          (answer.statusCode >= 500 || answer.statusCode === 429 || answer.statusCode === 409),
        ...(serverMessage === undefined ? {} : { serverMessage }),
      },
    );
  }
  if (
    typeof body !== 'object' ||
    body === null ||
    typeof (body as { success?: unknown }).success !== 'boolean'
  ) {
    throw new KibanaRequestError(
      `Import into ${url} answered 200 without a saved objects import result (got ${answer.contentType || 'no content type'}: ${answer.text.slice(0, 120)}); is a proxy answering instead of the server?`,
      { statusCode: 200 },
    );
  }
  const record = body as Record<string, unknown>;
  const failures = failuresOf(record);
  const results = Array.isArray(record.successResults)
    ? (record.successResults as Record<string, unknown>[])
    : [];
  const imported: ImportedObject[] = [];
  for (const object of objects) {
    const result = results.find((entry) => entry.type === object.type && entry.id === object.id);
    if (result === undefined) {
      if (!failures.some((failure) => failure.type === object.type && failure.id === object.id)) {
        failures.push({
          type: object.type,
          id: object.id,
          title: typeof object.attributes.title === 'string' ? object.attributes.title : undefined,
          errorType: 'not_confirmed',
          detail: 'the server did not list it among the imported objects',
        });
      }
      continue;
    }
    const meta = (result.meta ?? {}) as Record<string, unknown>;
    imported.push({
      type: object.type,
      id: object.id,
      title: typeof meta.title === 'string' ? meta.title : undefined,
      overwritten: result.overwrite === true,
      destinationId:
        typeof result.destinationId === 'string' && result.destinationId !== object.id
          ? result.destinationId
          : undefined,
    });
  }
  if (failures.length > 0 || record.success !== true) {
    if (failures.length === 0) {
      failures.push({
        type: '*',
        id: '*',
        title: undefined,
        errorType: 'unknown',
        detail: 'the server reported success: false without errors',
      });
    }
    throw new SavedObjectImportError(failures);
  }
  return { target, url, imported };
}
