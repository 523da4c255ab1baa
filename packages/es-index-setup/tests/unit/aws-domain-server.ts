import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

/** One request as the server received it: the raw request target, the headers, the body bytes. */
export interface ReceivedRequest {
  method: string;
  /** The request target exactly as sent (`/connect-2026.11,connect-*\/_mapping?filter_path=...`). */
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Why the server refused the signature, or undefined when it verified. */
  refusal: string | undefined;
}

export interface SigningSecret {
  secretAccessKey: string;
  /** The session token the request must carry (in `x-amz-security-token`, signed). */
  sessionToken?: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-._~`. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The signature AWS computes for a request it received, written from the SigV4 documentation with Node's crypto
 * (independent of `@smithy/signature-v4`): canonical request, string to sign, signing key.
 * Non-S3 services URI-encode the path as received once more, segment by segment.
 */
export function recomputeSignature(
  received: Pick<ReceivedRequest, 'method' | 'target' | 'headers' | 'body'>,
  secretAccessKey: string,
): string {
  const { date, region, service, stringToSign } = signingStrings(received);
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** The canonical request and the string to sign of a received request, as AWS computes them. */
function signingStrings(received: Pick<ReceivedRequest, 'method' | 'target' | 'headers' | 'body'>) {
  const match = AUTHORIZATION.exec(String(received.headers.authorization));
  if (match === null) throw new Error('authorization header is not AWS4-HMAC-SHA256');
  const [, , date, region, service, signedHeaderList] = match as unknown as string[];
  const [rawPath = '', rawQuery = ''] = received.target.split('?');
  const canonicalUri = rawPath.split('/').map(uriEncode).join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals === -1
        ? [decode(pair), '']
        : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
    })
    .map(([key, value]) => [uriEncode(key as string), uriEncode(value as string)])
    .sort(([keyA, valueA], [keyB, valueB]) =>
      keyA === keyB
        ? (valueA as string) < (valueB as string)
          ? -1
          : 1
        : (keyA as string) < (keyB as string)
          ? -1
          : 1,
    )
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const signedHeaders = (signedHeaderList as string).split(';');
  const canonicalHeaders = signedHeaders
    .map(
      (name) =>
        `${name}:${String(received.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [
    received.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    sha256Hex(received.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    String(received.headers['x-amz-date']),
    scope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  return {
    date: date as string,
    region: region as string,
    service: service as string,
    canonicalRequest,
    stringToSign,
  };
}

/** The first paragraph of AWS's answer to a signature that does not verify. */
export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Why Amazon OpenSearch Service would refuse this request's signature, or undefined. Also used by
 * @ctr-stream/kibana-saved-objects' tests (its stand-in domain serves Dashboards under /_dashboards).
 */
export function signatureRefusal(
  received: Omit<ReceivedRequest, 'refusal'>,
  secrets: Record<string, SigningSecret>,
): string | undefined {
  const match = AUTHORIZATION.exec(String(received.headers.authorization));
  if (match === null)
    return 'Authorization header requires AWS4-HMAC-SHA256 Credential, SignedHeaders, Signature';
  const [, accessKeyId, date, , , signedHeaderList, signature] = match as unknown as string[];
  const secret = secrets[accessKeyId as string];
  if (secret === undefined) return 'The security token included in the request is invalid.';
  const amzDate = String(received.headers['x-amz-date']);
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date as string))
    return 'x-amz-date missing or not the scope date';
  const signed = (signedHeaderList as string).split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!signed.includes(required)) return `${required} is not signed`;
  }
  if (received.headers['x-amz-content-sha256'] !== sha256Hex(received.body))
    return 'x-amz-content-sha256 is not the SHA-256 of the body';
  if (secret.sessionToken !== undefined) {
    if (
      received.headers['x-amz-security-token'] !== secret.sessionToken ||
      !signed.includes('x-amz-security-token')
    )
      return 'The security token included in the request is invalid.';
  }
  if (recomputeSignature(received, secret.secretAccessKey) !== signature) {
    // AWS's whole answer: the canonical request it expected holds every signed header's value, the session token
    // included, so a client must never show this message whole.
    const { canonicalRequest, stringToSign } = signingStrings(received);
    return `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonicalRequest}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`;
  }
  return undefined;
}

/**
 * A local stand-in for an Amazon OpenSearch Service domain with IAM authorisation (127.0.0.1 only): it verifies
 * every request's SigV4 signature with the secrets it knows and answers 403 `{"message": ...}` as the service does
 * when one does not verify; otherwise it answers as an empty OpenSearch 2.19 cluster (or `forbidden` for all).
 */
export async function startAwsDomainServer(
  secrets: Record<string, SigningSecret>,
  options: { forbidden?: string } = {},
) {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        target: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      const refusal = signatureRefusal(entry, secrets);
      received.push({ ...entry, refusal });
      const reply = (statusCode: number, body?: unknown) => {
        response.writeHead(statusCode, { 'content-type': 'application/json' });
        response.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (refusal !== undefined) return reply(403, { message: refusal });
      if (options.forbidden !== undefined) return reply(403, { message: options.forbidden });
      const path = entry.target.split('?')[0] ?? '';
      if (entry.method === 'GET' && path === '/_nodes/_local')
        return reply(200, { nodes: { n1: { version: '2.19.6' } } });
      if (entry.method === 'GET' && path === '/')
        return reply(200, { version: { distribution: 'opensearch', number: '2.19.6' } });
      if (entry.method === 'GET' && path.endsWith('/_mapping')) return reply(200, {});
      if (entry.method === 'GET' || entry.method === 'HEAD')
        return reply(404, entry.method === 'HEAD' ? undefined : {});
      return reply(200, { acknowledged: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * An environment in which the AWS credential chain can find nothing: no AWS_* variables, empty files, no IMDS. Undo with
 * `vi.unstubAllEnvs()`.
 */
export function emptyAwsEnvironment() {
  const directory = mkdtempSync(join(tmpdir(), 'ctr-es-setup-aws-'));
  writeFileSync(join(directory, 'config'), '');
  writeFileSync(join(directory, 'credentials'), '');
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('AWS_')) vi.stubEnv(name, undefined);
  }
  vi.stubEnv('HOME', directory);
  vi.stubEnv('USERPROFILE', directory);
  vi.stubEnv('AWS_CONFIG_FILE', join(directory, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(directory, 'credentials'));
  // The last link of the chain asks the EC2 instance metadata service (169.254.169.254): not from a unit test.
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}

export { sha256Hex };
