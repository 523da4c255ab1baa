import { signedRefusalHint } from './aws-sigv4.js';
import { type ResolvedConnection, requestHeaders } from './connection.js';
import { KibanaRequestError } from './errors.js';
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
import { hintFor } from './import-saved-objects.js';
import type { SavedObject } from './saved-object.js';
import type { TargetName } from './targets.js';

/** A saved object as `GET /api/saved_objects/<type>/<id>` returns it: the parts an import takes back. */
export interface StoredSavedObject {
  attributes: Record<string, unknown>;
  migrationVersion?: Record<string, string>;
  coreMigrationVersion?: string;
  typeMigrationVersion?: string;
}

/** The index pattern's attributes the installer sets; every other attribute of an existing one is the user's. */
const INSTALLER_ATTRIBUTES = new Set(['title', 'timeFieldName']);

/**
 * Reads one saved object with `GET <base>[/s/<space>]/api/saved_objects/<type>/<id>` (with the connection's
 * credentials and OpenSearch Dashboards tenant): undefined when it does not exist (404). Throws
 * `KibanaRequestError` for any other answer than 200 with an object.
 */
export async function readSavedObject(
  connection: ResolvedConnection,
  target: TargetName,
  type: string,
  id: string,
  http: HttpOptions,
): Promise<StoredSavedObject | undefined> {
  const url = `${connection.baseUrl}${connection.spacePrefix}/api/saved_objects/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
  const sentHeaders = await requestHeaders(
    connection,
    { method: 'GET', url, inTenant: true },
    { accept: 'application/json' },
  );
  let answer: Awaited<ReturnType<typeof send>>;
  try {
    answer = await send(url, { method: 'GET', headers: sentHeaders }, http);
  } catch (error) {
    throw new KibanaRequestError(
      `Could not read the existing ${type} ${id} at ${url} (${describeNetworkError(error)}). Nothing was changed.`,
      { isRetryable: true },
      { cause: error },
    );
  }
  if (answer.statusCode === 404) return undefined;
  const body = parseJson(answer.text);
  if (answer.statusCode >= 300 && answer.statusCode < 400) {
    throw new KibanaRequestError(`GET ${url} ${redirectMessage(answer, url)}`, {
      statusCode: answer.statusCode,
    });
  }
  const attributes = (body as { attributes?: unknown } | undefined)?.attributes;
  if (answer.statusCode === 200 && typeof attributes === 'object' && attributes !== null) {
    const stored = body as Record<string, unknown>;
    return {
      attributes: attributes as Record<string, unknown>,
      ...(isVersionMap(stored.migrationVersion) ? { migrationVersion: stored.migrationVersion } : {}),
      ...(typeof stored.coreMigrationVersion === 'string'
        ? { coreMigrationVersion: stored.coreMigrationVersion }
        : {}),
      ...(typeof stored.typeMigrationVersion === 'string'
        ? { typeMigrationVersion: stored.typeMigrationVersion }
        : {}),
    };
  }
  const serverMessage = errorMessageOf(body);
  const shown = serverMessage ?? (answer.text.length > 0 ? answer.text.slice(0, 200) : 'no body');
  const searchEngine = searchEngineBehind(answer, body);
  const hint =
    searchEngine !== undefined
      ? ` ${notKibanaMessage(searchEngine)}`
      : answer.statusCode === 200
        ? ' It is not a saved object: is a proxy answering instead of the server?'
        : connection.signing !== undefined && (answer.statusCode === 401 || answer.statusCode === 403)
          ? signedRefusalHint(connection.signing, 'dashboards')
          : hintFor(answer.statusCode, serverMessage, target);
  throw new KibanaRequestError(
    `Could not read the existing ${type} ${id} (the install keeps what you added to it): GET ${url} answered ${answer.statusCode}: ${sentence(shown)}${hint} Nothing was changed.`,
    {
      statusCode: answer.statusCode,
      isRetryable: searchEngine === undefined && (answer.statusCode >= 500 || answer.statusCode === 429),
      ...(serverMessage === undefined ? {} : { serverMessage }),
    },
  );
}

function isVersionMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((version) => typeof version === 'string')
  );
}

/** An attribute value that holds something: not empty, and not the `{}` / `[]` Kibana stores by default. */
function holdsSomething(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false) return false;
  if (typeof value === 'string') return !/^\s*(\{\s*\}|\[\s*\])\s*$/.test(value);
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** A field list (`fields`, a JSON string of field entries) with at least one scripted field in it. */
function holdsScriptedField(fields: unknown): boolean {
  let entries: unknown;
  try {
    entries = typeof fields === 'string' ? JSON.parse(fields) : fields;
  } catch {
    return false;
  }
  return (
    Array.isArray(entries) &&
    entries.some((entry) => typeof entry === 'object' && entry !== null && entry.scripted === true)
  );
}

/**
 * The index pattern to import over an existing one, so that installing again keeps what the user added: its
 * attributes (scripted and runtime fields, field formats, source filters, custom labels) with the installer's
 * title and time field, and the existing object's version fields (its attributes are in that version's shape).
 * The cached field list (`fields`) is left out, so that the server reads the fields again, unless it holds
 * scripted fields. `kept` names the user's attributes that hold something.
 *
 * @example
 * ```ts
 * const { object, kept } = mergeIndexPattern(buildIndexPattern('kibana-8.8'), {
 *   attributes: { title: 'connect*', fieldFormatMap: '{"Agent.Username":{"id":"url"}}' },
 *   typeMigrationVersion: '8.0.0',
 * });
 * kept; // ['fieldFormatMap']
 * ```
 */
export function mergeIndexPattern(
  ours: SavedObject,
  existing: StoredSavedObject,
): { object: SavedObject; kept: string[] } {
  const attributes = { ...existing.attributes };
  // The cached field list (7.10 and OpenSearch Dashboards write it back on read) goes, so that the server reads
  // the fields again, with the ones added since (kibana.md: refreshed when `fields` is missing or empty); kept
  // only when it holds scripted fields, which are the user's and live nowhere else.
  if (attributes.fields !== undefined && !holdsScriptedField(attributes.fields)) delete attributes.fields;
  const kept = Object.keys(attributes).filter(
    (key) => !INSTALLER_ATTRIBUTES.has(key) && holdsSomething(attributes[key]),
  );
  const hasVersions =
    existing.migrationVersion !== undefined ||
    existing.coreMigrationVersion !== undefined ||
    existing.typeMigrationVersion !== undefined;
  const {
    migrationVersion: _migrationVersion,
    coreMigrationVersion: _coreMigrationVersion,
    typeMigrationVersion: _typeMigrationVersion,
    ...rest
  } = ours;
  const versions = versionFieldsOf(hasVersions ? existing : ours);
  return {
    object: { ...rest, ...versions, attributes: { ...attributes, ...ours.attributes } },
    kept,
  };
}

/** The version fields an object has, and only those. */
function versionFieldsOf(object: {
  migrationVersion?: Record<string, string> | undefined;
  coreMigrationVersion?: string | undefined;
  typeMigrationVersion?: string | undefined;
}): Pick<SavedObject, 'migrationVersion' | 'coreMigrationVersion' | 'typeMigrationVersion'> {
  return {
    ...(object.coreMigrationVersion === undefined
      ? {}
      : { coreMigrationVersion: object.coreMigrationVersion }),
    ...(object.migrationVersion === undefined ? {} : { migrationVersion: object.migrationVersion }),
    ...(object.typeMigrationVersion === undefined
      ? {}
      : { typeMigrationVersion: object.typeMigrationVersion }),
  };
}
