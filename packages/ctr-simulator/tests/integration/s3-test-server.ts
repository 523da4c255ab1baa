import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local S3-compatible server for ctr-replay's tests: the two calls it makes, ListObjectsV2 and GetObject,
 * path-style (`/<bucket>` and `/<bucket>/<key>`), with S3's XML bodies and error shapes (NoSuchBucket,
 * NoSuchKey, AccessDenied). Listings come in key order, `pageSize` keys a page, with continuation tokens.
 */
export interface S3TestServerOptions {
  /** Objects by bucket, then by key. */
  readonly buckets: Readonly<Record<string, Readonly<Record<string, string | Buffer>>>>;
  /** Keys a listing page holds at most (S3: 1,000). */
  readonly pageSize?: number;
  /** Buckets whose listing is refused with 403 AccessDenied. */
  readonly deniedBuckets?: readonly string[];
  /** Keys (`bucket/key`) whose GetObject is refused with 403 AccessDenied. */
  readonly deniedObjects?: readonly string[];
  /** Truncated listings without NextContinuationToken (a broken S3-compatible service). */
  readonly omitContinuationToken?: boolean;
}

export interface S3TestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** True when the request carries a SigV4 Authorization header. */
  readonly signed: boolean;
}

export interface S3TestServer {
  readonly url: string;
  readonly requests: S3TestRequest[];
  close(): Promise<void>;
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>test</RequestId></Error>`,
  );
}

export async function startS3TestServer(options: S3TestServerOptions): Promise<S3TestServer> {
  const pageSize = options.pageSize ?? 1000;
  const requests: S3TestRequest[] = [];
  const buckets = new Map(
    Object.entries(options.buckets).map(([name, objects]) => [
      name,
      new Map(Object.entries(objects).map(([key, body]) => [key, Buffer.from(body)])),
    ]),
  );

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const [, bucketName = '', ...keyParts] = url.pathname.split('/');
    const key = keyParts.map(decodeURIComponent).join('/');
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query,
      signed: (request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '),
    });
    const bucket = buckets.get(bucketName);
    if (request.method !== 'GET') return sendError(response, 405, 'MethodNotAllowed', 'Only GET here');
    if (bucket === undefined)
      return sendError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (key === '') {
      if (query['list-type'] !== '2')
        return sendError(response, 400, 'InvalidArgument', 'ListObjectsV2 only');
      if (options.deniedBuckets?.includes(bucketName))
        return sendError(response, 403, 'AccessDenied', 'Access Denied');
      const prefix = query.prefix ?? '';
      const urlEncoded = query['encoding-type'] === 'url';
      const keys = [...bucket.keys()].filter((candidate) => candidate.startsWith(prefix)).sort();
      const start = query['continuation-token'] === undefined ? 0 : Number(query['continuation-token']);
      const page = keys.slice(start, start + pageSize);
      const truncated = start + pageSize < keys.length;
      const contents = page
        .map(
          (name) =>
            `<Contents><Key>${escapeXml(urlEncoded ? encodeURIComponent(name) : name)}</Key><LastModified>2026-11-27T10:17:00.000Z</LastModified><ETag>&quot;0&quot;</ETag><Size>${bucket.get(name)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join('');
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucketName}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${pageSize}</MaxKeys>${urlEncoded ? '<EncodingType>url</EncodingType>' : ''}<IsTruncated>${truncated}</IsTruncated>${contents}${truncated && !options.omitContinuationToken ? `<NextContinuationToken>${start + pageSize}</NextContinuationToken>` : ''}</ListBucketResult>`,
      );
      return;
    }
    if (options.deniedObjects?.includes(`${bucketName}/${key}`)) {
      return sendError(response, 403, 'AccessDenied', 'Access Denied');
    }
    const body = bucket.get(key);
    if (body === undefined) return sendError(response, 404, 'NoSuchKey', 'The specified key does not exist.');
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      etag: '"0"',
      'last-modified': 'Fri, 27 Nov 2026 10:17:00 GMT',
    });
    response.end(body);
  };

  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => handle(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
