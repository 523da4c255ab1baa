import { AwsCredentialsError, InvalidOptionError } from './errors.js';
import { errorText } from './sentence.js';

/** The signing name: `es` for Amazon OpenSearch Service domains, `aoss` for OpenSearch Serverless collections. */
export type AwsService = 'es' | 'aoss';

/** AWS credentials, as the AWS SDK's credential providers return them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary credentials (SSO, an assumed role, a container or instance role). */
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

/** How to sign every request with AWS Signature Version 4 (IAM authorisation of Amazon OpenSearch Service). */
export interface AwsSigV4Options {
  /** The domain's region, e.g. `eu-west-1`. */
  region: string;
  /** `es` (default) for a managed domain, `aoss` for an OpenSearch Serverless collection. */
  service?: AwsService | undefined;
  /**
   * Fixed credentials, or a function returning them (called before every request, so it may refresh them).
   * Default: the standard AWS chain (`@aws-sdk/credential-provider-node`'s `defaultProvider`): environment,
   * shared config and credentials files (`AWS_PROFILE`, SSO), web identity, container and instance roles.
   */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>) | undefined;
  /** The signing time. Default: now. Tests pass a fixed clock. */
  clock?: (() => Date) | undefined;
}

/**
 * A request about to be sent: what SigV4 covers (method, path, query, host, headers, payload). Every header given is
 * signed (but `authorization`, `user-agent` and the other headers SigV4 never signs), so send exactly these.
 *
 * @example
 * ```ts
 * const request: RequestToSign = {
 *   method: 'POST',
 *   url: new URL('https://search-ctr-xxxx.eu-west-1.es.amazonaws.com/_dashboards/api/saved_objects/_import?overwrite=true'),
 *   headers: { 'content-type': 'multipart/form-data; boundary=x', 'osd-xsrf': 'true' },
 *   body: multipartBytes,
 * };
 * ```
 */
export interface RequestToSign {
  method: string;
  /** The URL as it will be sent: its path (base path included) and query are signed. */
  url: URL;
  headers: Record<string, string>;
  /** The exact body sent: text (hashed as UTF-8) or bytes (a multipart upload); `undefined` for none. */
  body: string | Uint8Array | undefined;
}

/**
 * Returns the headers to send: the given ones plus `host`, `x-amz-date`, `x-amz-content-sha256` (the SHA-256 of the
 * body), `x-amz-security-token` (temporary credentials only) and `authorization`.
 *
 * @example
 * ```ts
 * const sign: RequestSigner = createAwsSigV4Signer({ region: 'eu-west-1' });
 * const headers = await sign({ method: 'GET', url: new URL('https://search-ctr-xxxx.eu-west-1.es.amazonaws.com/'), headers: {}, body: undefined });
 * ```
 */
export type RequestSigner = (request: RequestToSign) => Promise<Record<string, string>>;

/**
 * What to set when the AWS chain finds no credentials; names variables, never values.
 *
 * @example
 * ```ts
 * console.error(`No AWS credentials. ${MISSING_AWS_CREDENTIALS_HINT}`);
 * ```
 */
export const MISSING_AWS_CREDENTIALS_HINT =
  'Set AWS_PROFILE (a profile in ~/.aws/config, e.g. after aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary credentials), or run where a container or instance role provides them.';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * A message from an AWS service as it may be shown. When a signature does not verify, Amazon OpenSearch Service
 * goes on after its first paragraph with "The Canonical String for this request should have been" and the string to
 * sign: the value of every signed header, the session token of temporary credentials included. Keeps what comes
 * before that, on one line, and masks any `x-amz-security-token` value still in it.
 *
 * @example
 * ```ts
 * import { withoutSigningDetails } from '@ctr-stream/es-index-setup';
 * withoutSigningDetails("The request signature we calculated does not match ...\n\nThe Canonical String for this request should have been\n'GET ...x-amz-security-token:IQo...'");
 * // 'The request signature we calculated does not match ...'
 * ```
 */
export function withoutSigningDetails(message: string): string {
  const details = message.search(/\n\s*The (Canonical String|String-to-Sign)\b/);
  return (details === -1 ? message : message.slice(0, details))
    .replace(/(x-amz-security-token\s*[:=]\s*)[^\s'"&;,]+/gi, '$1***')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Checks the options (region, service) before any request; throws `InvalidOptionError` for `awsSigV4`. Returns the
 * region and the service (`es` when not given).
 *
 * @example
 * ```ts
 * validateAwsSigV4Options({ region: 'eu-west-1' }); // { region: 'eu-west-1', service: 'es' }
 * validateAwsSigV4Options({ region: 'Ireland' }); // throws InvalidOptionError: The AWS region must look like eu-west-1 ...
 * ```
 */
export function validateAwsSigV4Options(options: AwsSigV4Options): { region: string; service: AwsService } {
  const region = options.region;
  if (typeof region !== 'string' || !REGION.test(region)) {
    throw new InvalidOptionError(
      'awsSigV4',
      `The AWS region must look like eu-west-1 or us-east-1 (got ${JSON.stringify(String(region).slice(0, 50))}): use the region in the domain's endpoint (search-<name>-<id>.<region>.es.amazonaws.com).`,
    );
  }
  const service = options.service ?? 'es';
  if (service !== 'es' && service !== 'aoss') {
    throw new InvalidOptionError(
      'awsSigV4',
      `The AWS service must be es (an OpenSearch Service domain) or aoss (OpenSearch Serverless), got ${JSON.stringify(String(service).slice(0, 50))}.`,
    );
  }
  return { region, service };
}

/**
 * The signing options of `--aws-sigv4 REGION` and `--aws-service es|aoss`, as the ctr-* commands take them, or
 * undefined without `--aws-sigv4`. `conflicting` is the first API key or basic-auth option or variable that is set
 * (`--api-key`, `ELASTICSEARCH_PASSWORD`...: the command's own list), named in the refusal, never its value. Throws
 * `InvalidOptionError` for `aws-service` or `aws-sigv4`, with the message the command prints.
 *
 * @example
 * ```ts
 * import { awsSigV4FromCommandLine } from '@ctr-stream/es-index-setup';
 * awsSigV4FromCommandLine('eu-west-1', undefined, undefined); // { region: 'eu-west-1', service: 'es' }
 * awsSigV4FromCommandLine('eu-west-1', undefined, '--api-key'); // throws: ... cannot be combined with an API key or basic auth: drop --api-key.
 * ```
 */
export function awsSigV4FromCommandLine(
  region: string | undefined,
  service: string | undefined,
  conflicting: string | undefined,
): { region: string; service: AwsService } | undefined {
  if (region === undefined) {
    if (service !== undefined) {
      throw new InvalidOptionError(
        'aws-service',
        '--aws-service needs --aws-sigv4 REGION (e.g. --aws-sigv4 eu-west-1).',
      );
    }
    return undefined;
  }
  if (service !== undefined && service !== 'es' && service !== 'aoss') {
    throw new InvalidOptionError(
      'aws-service',
      `--aws-service must be es (an OpenSearch Service domain) or aoss (OpenSearch Serverless), got ${JSON.stringify(service.slice(0, 50))}.`,
    );
  }
  if (conflicting !== undefined) {
    throw new InvalidOptionError(
      'aws-sigv4',
      `--aws-sigv4 signs the requests with AWS credentials and cannot be combined with an API key or basic auth: ${conflicting.startsWith('--') ? `drop ${conflicting}` : `unset ${conflicting}`}.`,
    );
  }
  const options = { region, service: service ?? 'es' } as const;
  try {
    validateAwsSigV4Options(options);
  } catch (error) {
    throw new InvalidOptionError('aws-sigv4', (error as Error).message);
  }
  return options;
}

/** The query string as SigV4 wants it: decoded keys and values (a key may repeat). */
function queryParameters(search: string): Record<string, string | string[]> {
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const query: Record<string, string | string[]> = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decode(pair.slice(equals + 1));
    const existing = query[key];
    query[key] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

function hasCredentials(value: unknown): value is AwsCredentials {
  const { accessKeyId, secretAccessKey } = (value ?? {}) as Partial<AwsCredentials>;
  return (
    typeof accessKeyId === 'string' &&
    accessKeyId !== '' &&
    typeof secretAccessKey === 'string' &&
    secretAccessKey !== ''
  );
}

/**
 * A SigV4 signer, as `createHttpConnection` (and @ctr-stream/kibana-saved-objects) use it: validates the options at
 * once (`InvalidOptionError`), then signs each request over its exact method, path, query, headers and body.
 * `@smithy/signature-v4`, `@smithy/hash-node` and `@aws-sdk/credential-provider-node` are imported on the first
 * signed request only, so connections that do not sign never load them. Credentials are resolved before every
 * request (the default chain caches them and refreshes them before they expire); when there are none, the request
 * throws `AwsCredentialsError`, naming what to set, never a value.
 *
 * @example
 * ```ts
 * import { createAwsSigV4Signer } from '@ctr-stream/es-index-setup';
 * import { request } from 'undici';
 * const sign = createAwsSigV4Signer({ region: 'eu-west-1' }); // service 'es'; credentials from the AWS chain
 * const url = new URL('https://search-ctr-xxxx.eu-west-1.es.amazonaws.com/_dashboards/api/status');
 * const headers = await sign({ method: 'GET', url, headers: { accept: 'application/json' }, body: undefined });
 * await request(url, { headers }); // exactly the headers (and body) that were signed
 * ```
 */
export function createAwsSigV4Signer(options: AwsSigV4Options): RequestSigner {
  const { region, service } = validateAwsSigV4Options(options);
  const given = options.credentials;
  const clock = options.clock ?? (() => new Date());
  let signerPromise: ReturnType<typeof loadSigner> | undefined;

  async function resolveCredentials(
    provider: () => Promise<unknown>,
    fromChain: boolean,
  ): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> {
    let credentials: unknown;
    try {
      credentials = await provider();
    } catch (cause) {
      // The SDK's reasons name providers, profiles and files, never secret values; first line only.
      const reason = (errorText(cause).split('\n')[0] ?? '').slice(0, 200);
      throw new AwsCredentialsError(
        fromChain
          ? `No AWS credentials to sign the requests with (${reason.replace(/\.$/, '')}). ${MISSING_AWS_CREDENTIALS_HINT}`
          : `The AWS credentials function failed (${reason.replace(/\.$/, '')}).`,
        { cause },
      );
    }
    if (!hasCredentials(credentials)) {
      throw new AwsCredentialsError(
        `The AWS credentials lack an access key id or a secret access key. ${MISSING_AWS_CREDENTIALS_HINT}`,
      );
    }
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }

  async function loadSigner() {
    const [{ SignatureV4 }, { Hash }] = await Promise.all([
      import('@smithy/signature-v4'),
      import('@smithy/hash-node'),
    ]);
    let provider: () => Promise<unknown>;
    if (typeof given === 'function') provider = given;
    else if (given !== undefined) provider = async () => given;
    else provider = (await import('@aws-sdk/credential-provider-node')).defaultProvider();
    const fromChain = given === undefined;
    const signer = new SignatureV4({
      service,
      region,
      credentials: () => resolveCredentials(provider, fromChain),
      sha256: Hash.bind(null, 'sha256'),
      // The path is signed as sent (already percent-encoded once) and escaped again, as for every service but S3.
      uriEscapePath: true,
      applyChecksum: true,
    });
    return signer;
  }

  return async ({ method, url, headers, body }) => {
    signerPromise ??= loadSigner();
    const signer = await signerPromise;
    const signed = await signer.sign(
      {
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port === '' ? {} : { port: Number(url.port) }),
        path: url.pathname,
        query: queryParameters(url.search),
        headers: { ...headers, host: url.host },
        ...(body === undefined ? {} : { body }),
      },
      { signingDate: clock() },
    );
    return signed.headers;
  };
}
