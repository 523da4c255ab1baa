import type { AwsSigV4Options } from '@ctr-stream/es-index-setup';
import { createRequestSigning, type RequestSigning } from './aws-sigv4.js';
import { InvalidOptionError } from './errors.js';

/**
 * How to reach and authenticate to Kibana / OpenSearch Dashboards. Every optional option also takes `undefined`
 * (so `apiKey: process.env.KIBANA_API_KEY` compiles under `exactOptionalPropertyTypes`); an empty string counts
 * as not given.
 */
export interface KibanaConnectionOptions {
  /** The server URL, e.g. `http://localhost:5601` or `https://search-x.eu-west-1.es.amazonaws.com/_dashboards`. */
  kibanaUrl: string;
  /** A path prefix to add to `kibanaUrl` (`/_dashboards`, `/_plugin/kibana`, a `server.basePath`). */
  basePath?: string | undefined;
  /** Kibana space id; objects go to `/s/<space>`. Omit (or `default`) for the default space. Kibana only. */
  space?: string | undefined;
  /** OpenSearch Dashboards security tenant (sent as the `securitytenant` header). OpenSearch Dashboards only. */
  tenant?: string | undefined;
  /** Kibana API key: the base64 `encoded` value, or `id:api_key` (encoded for you). Sent as `Authorization: ApiKey`. */
  apiKey?: string | undefined;
  /** Basic auth user (with `password`). */
  username?: string | undefined;
  password?: string | undefined;
  /**
   * Sign every request with AWS Signature Version 4, for Amazon OpenSearch Service domains whose Dashboards
   * authorise IAM identities: `{ region, service?: 'es' | 'aoss', credentials?, clock? }` (es-index-setup's
   * `AwsSigV4Options`). Credentials default to the standard AWS chain. Not together with an API key or a username
   * and password. `installSavedObjects` signs the field check (`elasticsearch`) with it too.
   */
  awsSigV4?: AwsSigV4Options | undefined;
}

/** Which server the credentials are for, and the names of its options (for messages and `InvalidOptionError.option`). */
export interface CredentialOptionNames {
  /** `Kibana` or `Elasticsearch`. */
  product: string;
  apiKey: string;
  username: string;
  password: string;
}

const KIBANA_CREDENTIAL_OPTIONS: CredentialOptionNames = {
  product: 'Kibana',
  apiKey: 'apiKey',
  username: 'username',
  password: 'password',
};

/** A validated connection: the base URL (no credentials) and the headers that authenticate. */
export interface ResolvedConnection {
  /** Origin plus base path, without a trailing slash; never contains credentials. */
  baseUrl: string;
  /** `/s/<space>` or ''. */
  spacePrefix: string;
  space: string | undefined;
  tenant: string | undefined;
  authorization: string | undefined;
  /** Set when every request is signed with AWS SigV4 (then `authorization` is undefined). */
  signing: RequestSigning | undefined;
}

/**
 * The headers of one request to Kibana or Dashboards: `headers`, the connection's authorization, its security tenant
 * when `inTenant` (saved objects live in one; `/api/status` does not), all signed when the connection signs, over
 * `body` as sent. Called before the request's own try: missing AWS credentials are no network error.
 */
export async function requestHeaders(
  connection: ResolvedConnection,
  request: { method: string; url: string; body?: Uint8Array; inTenant: boolean },
  headers: Record<string, string>,
): Promise<Record<string, string>> {
  const all = { ...headers };
  if (connection.authorization !== undefined) all.authorization = connection.authorization;
  if (request.inTenant && connection.tenant !== undefined) all.securitytenant = connection.tenant;
  return connection.signing === undefined
    ? all
    : connection.signing.headersFor(request.method, request.url, all, request.body);
}

const SPACE_ID = /^[a-z0-9_-]+$/;

/** Shows a URL without user info, query or fragment, for messages. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/**
 * Parses a server URL, refusing credentials inside it (they would end up in logs and shell history).
 * `option` names the option in error messages.
 */
export function parseServerUrl(option: string, value: string, envHint: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidOptionError(
      option,
      `${option} must be an http(s) URL such as http://localhost:5601 (got a malformed value).`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidOptionError(
      option,
      `${option} must use http or https, not ${url.protocol.replace(':', '')}.`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidOptionError(
      option,
      `${option} must not contain credentials (${url.protocol}//***@${url.host}): pass them with ${envHint} instead.`,
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidOptionError(
      option,
      `${option} must not have a query string or fragment (${describeUrl(url)}).`,
    );
  }
  return url;
}

/**
 * Builds the `Authorization` header from an API key or basic credentials; validates that they are complete.
 * Empty strings count as not given. `names` are the options errors report (default: Kibana's).
 */
export function authorizationHeader(
  credentials: { apiKey?: string | undefined; username?: string | undefined; password?: string | undefined },
  names: CredentialOptionNames = KIBANA_CREDENTIAL_OPTIONS,
): string | undefined {
  const given = (value: string | undefined) => (value === '' ? undefined : value);
  const apiKey = given(credentials.apiKey);
  const username = given(credentials.username);
  const password = given(credentials.password);
  if (apiKey !== undefined) {
    if (username !== undefined || password !== undefined) {
      throw new InvalidOptionError(
        names.apiKey,
        `Give either an API key or a username and password for ${names.product}, not both.`,
      );
    }
    const encoded = apiKey.includes(':') ? Buffer.from(apiKey, 'utf8').toString('base64') : apiKey;
    return `ApiKey ${encoded}`;
  }
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) {
    throw new InvalidOptionError(
      username === undefined ? names.username : names.password,
      `Give both a username and a password for ${names.product} (the ${username === undefined ? 'username' : 'password'} is missing).`,
    );
  }
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Refuses AWS SigV4 beside an API key or basic auth (a domain with IAM authorisation takes the signature alone) and
 * returns the signing. Empty credentials count as not given. `names` name the credential options in the message.
 */
export function signingWithoutCredentials(
  awsSigV4: AwsSigV4Options | undefined,
  credentials: { apiKey?: string | undefined; username?: string | undefined; password?: string | undefined },
  names: CredentialOptionNames = KIBANA_CREDENTIAL_OPTIONS,
): RequestSigning | undefined {
  if (awsSigV4 !== undefined) {
    const given = (value: string | undefined) => value !== undefined && value !== '';
    const sent = given(credentials.apiKey)
      ? `an API key (${names.apiKey})`
      : given(credentials.username) || given(credentials.password)
        ? `a username and password (${names.username}, ${names.password})`
        : undefined;
    if (sent !== undefined) {
      throw new InvalidOptionError(
        'awsSigV4',
        `Sign the ${names.product} requests with AWS SigV4 (awsSigV4) or send ${sent}, not both: a domain with IAM authorisation takes the signature alone.`,
      );
    }
  }
  return createRequestSigning(awsSigV4, 'awsSigV4');
}

/**
 * Validates the connection options: URL without credentials, base path, space id, credentials.
 *
 * @example
 * ```ts
 * const connection = resolveConnection({ kibanaUrl: 'https://example.com', basePath: '/_dashboards' });
 * connection.baseUrl; // 'https://example.com/_dashboards'
 * ```
 */
export function resolveConnection(options: KibanaConnectionOptions): ResolvedConnection {
  const url = parseServerUrl(
    'kibanaUrl',
    options.kibanaUrl,
    '--api-key, --username/--password or KIBANA_API_KEY, KIBANA_USERNAME, KIBANA_PASSWORD',
  );
  const urlPath = url.pathname.replace(/\/+$/, '');
  let basePath = urlPath;
  if (options.basePath !== undefined && options.basePath !== '' && options.basePath !== '/') {
    if (!/^\/[A-Za-z0-9._~\-/]*$/.test(options.basePath)) {
      throw new InvalidOptionError(
        'basePath',
        `basePath must start with "/" and contain only URL path characters, e.g. /_dashboards.`,
      );
    }
    if (urlPath !== '') {
      throw new InvalidOptionError(
        'basePath',
        `The Kibana URL already has a path (${urlPath}); give the base path either in the URL or as basePath, not both.`,
      );
    }
    basePath = options.basePath.replace(/\/+$/, '');
  }
  let spacePrefix = '';
  let space: string | undefined;
  if (options.space !== undefined && options.space !== '' && options.space !== 'default') {
    if (!SPACE_ID.test(options.space)) {
      throw new InvalidOptionError(
        'space',
        `"${options.space}" is not a Kibana space id (lowercase letters, digits, "_" and "-" only; the id, not the display name).`,
      );
    }
    space = options.space;
    spacePrefix = `/s/${options.space}`;
  }
  return {
    baseUrl: `${url.protocol}//${url.host}${basePath}`,
    spacePrefix,
    space,
    tenant: options.tenant === undefined || options.tenant === '' ? undefined : options.tenant,
    authorization: authorizationHeader(options),
    signing: signingWithoutCredentials(options.awsSigV4, options),
  };
}
