import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BackupEncryption } from './stack-options.js';

/** Settings of {@link BackupBucket}. */
export interface BackupBucketProps {
  readonly encryption: BackupEncryption;
  /** Backups (and processing-failed / delivery-failed records) are deleted after this many days. */
  readonly expirationDays: number;
}

/**
 * The S3 bucket for Firehose's backup of every record: encrypted (SSE-S3 or a rotating KMS key), all public access
 * blocked, TLS enforced, ACLs disabled, expired by a lifecycle rule, and retained when the stack is deleted.
 *
 * @example
 * ```ts
 * const backup = new BackupBucket(stack, 'Backup', { encryption: 's3', expirationDays: 90 });
 * backup.bucket.bucketArn;
 * ```
 */
export class BackupBucket extends Construct {
  readonly bucket: Bucket;
  /** The KMS key when `encryption` is `kms`. */
  readonly key?: Key;

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    if (props.encryption === 'kms') {
      this.key = new Key(this, 'Key', {
        description: 'ctr-stream: encrypts the Firehose backup bucket',
        enableKeyRotation: true,
        // The retained bucket is unreadable without its key: keep the key too.
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.bucket = new Bucket(this, 'Bucket', {
      ...(this.key
        ? { encryption: BucketEncryption.KMS, encryptionKey: this.key, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'ExpireBackups',
          enabled: true,
          expiration: Duration.days(props.expirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
