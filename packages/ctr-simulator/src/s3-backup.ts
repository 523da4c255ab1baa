import type { ListObjectsV2CommandOutput, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { BackupReadError, withoutFinalPeriod } from './errors.js';
import { credentialsAdvice, isCredentialsError } from './request-errors.js';

/** How `readFirehoseBackup` reaches `s3://` URLs. */
export interface S3BackupOptions {
  /**
   * A client of your own (credentials, endpoint, retries); it is not closed. Default: one made from the options
   * below and the standard AWS credential chain, closed when reading is done.
   */
  readonly client?: S3Client;
  /** The region of the first request (default: the SDK's, e.g. `AWS_REGION`); a bucket elsewhere is followed. */
  readonly region?: string;
  /** An S3-compatible endpoint (MinIO, LocalStack, a test server), addressed path-style: `<endpoint>/<bucket>/<key>`. */
  readonly endpoint?: string;
  /** Credentials instead of the standard chain. */
  readonly credentials?: S3ClientConfig['credentials'];
}

/** An `s3://bucket/prefix` URL, split. */
export interface S3Location {
  readonly bucket: string;
  /** Empty for the whole bucket. */
  readonly prefix: string;
}

/** A backup object: where it is, for messages, and how to read its bytes. */
export interface BackupObject {
  /** A file path, or `s3://bucket/key`. */
  readonly name: string;
  read(): Promise<Buffer>;
}

const S3_SCHEME = /^s3:\/\//i;
/** S3's rules for bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_ADVICE =
  'Check the bucket, the prefix and the region (--region), and that the credentials allow s3:ListBucket and s3:GetObject.';

export const isS3Url = (path: string): boolean => S3_SCHEME.test(path);

/** Splits an `s3://bucket/prefix` URL; throws `BackupReadError` when the bucket name cannot be one. */
export function parseS3Url(url: string): S3Location {
  const rest = url.replace(S3_SCHEME, '');
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (!BUCKET_NAME.test(bucket)) {
    throw new BackupReadError(
      url,
      new Error(
        `"${bucket}" is not a bucket name ctr-replay can read (3-63 lowercase letters, digits, dots, hyphens)`,
      ),
      'Write it as s3://<bucket>/<prefix>, e.g. s3://my-ctr-backup/processing-failed/2026/11/27/; for a legacy bucket name, copy the objects locally (aws s3 cp --recursive) and replay the copy.',
    );
  }
  return { bucket, prefix: slash === -1 ? '' : rest.slice(slash + 1) };
}

/**
 * Reads backup objects from S3 with one client, made on first use. `close()` closes it when it was made here.
 */
export class S3BackupSource {
  readonly #options: S3BackupOptions;
  #client: Promise<S3Client> | undefined;
  #commands: Promise<typeof import('@aws-sdk/client-s3')> | undefined;

  constructor(options: S3BackupOptions = {}) {
    this.#options = options;
  }

  /**
   * The objects an `s3://` URL names, in key order: every object under the prefix when it ends with `/` (or is
   * the whole bucket); otherwise the object with that key, and the objects under `<prefix>/`, as for a path that
   * is a file or a directory. Folder placeholders (keys ending with `/`) are left out. Throws `BackupReadError`
   * when the bucket cannot be listed.
   */
  async list(url: string): Promise<BackupObject[]> {
    const { bucket, prefix } = parseS3Url(url);
    const { ListObjectsV2Command, GetObjectCommand } = await this.#sdk();
    const client = await this.#s3();
    const wholePrefix = prefix === '' || prefix.endsWith('/');
    const objects: BackupObject[] = [];
    let continuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(prefix === '' ? {} : { Prefix: prefix }),
            ...(continuationToken === undefined ? {} : { ContinuationToken: continuationToken }),
          }),
        );
      } catch (error) {
        const name = (error as Error | undefined)?.name;
        const advice = typeof name === 'string' && isCredentialsError(name) ? credentialsAdvice() : S3_ADVICE;
        throw new BackupReadError(url, new Error(describeS3Error(error)), advice);
      }
      for (const { Key: key } of page.Contents ?? []) {
        if (key === undefined || key.endsWith('/')) continue;
        if (!wholePrefix && key !== prefix && !key.startsWith(`${prefix}/`)) continue;
        objects.push({
          name: `s3://${bucket}/${key}`,
          read: async () => {
            try {
              const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
              const bytes = await (
                object.Body as { transformToByteArray(): Promise<Uint8Array> }
              ).transformToByteArray();
              return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
            } catch (error) {
              throw new Error(describeS3Error(error));
            }
          },
        });
      }
      if (page.IsTruncated === true && !page.NextContinuationToken) {
        // Stopping here would replay part of the prefix and call it done.
        throw new BackupReadError(
          url,
          new Error('the listing is truncated but gives no continuation token'),
          'The S3-compatible service does not page ListObjectsV2 as S3 does: replay smaller prefixes, or copy the objects locally.',
        );
      }
      continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    if (objects.length === 0) {
      // A mistyped day or prefix must not look like a replay with nothing left to do.
      throw new BackupReadError(
        url,
        new Error('no objects under it'),
        'Check the bucket, the prefix and the date (Firehose writes <prefix>YYYY/MM/DD/HH/ in UTC, by arrival time), e.g. list it with aws s3 ls.',
      );
    }
    return objects;
  }

  /** Closes the client when it was made here. */
  async close(): Promise<void> {
    if (this.#client === undefined || this.#options.client !== undefined) return;
    (await this.#client).destroy();
  }

  #sdk(): Promise<typeof import('@aws-sdk/client-s3')> {
    // Loaded only when an s3:// URL is given: reading local files never pays for the S3 client.
    this.#commands ??= import('@aws-sdk/client-s3');
    return this.#commands;
  }

  #s3(): Promise<S3Client> {
    this.#client ??= this.#options.client
      ? Promise.resolve(this.#options.client)
      : this.#sdk().then(
          ({ S3Client }) =>
            new S3Client({
              followRegionRedirects: true,
              ...(this.#options.region === undefined ? {} : { region: this.#options.region }),
              ...(this.#options.endpoint === undefined
                ? {}
                : { endpoint: this.#options.endpoint, forcePathStyle: true }),
              ...(this.#options.credentials === undefined ? {} : { credentials: this.#options.credentials }),
            }),
        );
    return this.#client;
  }
}

/** An S3 error as one line: its code and message, and the HTTP status when the SDK has one. */
function describeS3Error(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const text = withoutFinalPeriod(error.message);
  const message = text === '' || text === 'UnknownError' ? '' : `: ${text}`;
  return `${error.name}${message}${status === undefined ? '' : ` (HTTP ${status})`}`;
}
