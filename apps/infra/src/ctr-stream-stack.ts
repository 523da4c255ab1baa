import { Annotations, CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { BackupBucket } from './backup-bucket.js';
import { ConnectDataStreaming } from './connect-data-streaming.js';
import { DeliveryAlarms } from './delivery-alarms.js';
import { CtrDeliveryStream } from './delivery-stream.js';
import { assertLambdaBundle, resolveLambdaBundleDirectory } from './lambda-bundle.js';
import type { CtrStreamStackOptions } from './stack-options.js';
import { TransformFunction } from './transform-function.js';

/** Props of {@link CtrStreamStack}. */
export interface CtrStreamStackProps extends StackProps {
  /** Validated options, usually from {@link parseStackOptions}. */
  readonly options: CtrStreamStackOptions;
  /** The Lambda bundle directory; defaults to apps/lambda/dist (which must contain index.mjs). */
  readonly lambdaBundleDirectory?: string;
}

/**
 * The whole AWS side of ctr-stream: transform Lambda, delivery stream (`CTRFHStream` in the default stack), backup
 * bucket, optional Amazon Connect data streaming, least-privilege IAM and CloudWatch alarms.
 *
 * @example
 * ```ts
 * const app = new App();
 * const { options } = parseStackOptions({
 *   callerLookupUrl: 'https://directory.example.com/api/user/',
 *   domainArn: 'arn:aws:es:ap-southeast-2:123456789012:domain/ctr-stream',
 * });
 * new CtrStreamStack(app, 'CtrStream', { options });
 * app.synth();
 * ```
 */
export class CtrStreamStack extends Stack {
  readonly transform: TransformFunction;
  readonly backup: BackupBucket;
  readonly delivery: CtrDeliveryStream;
  readonly alarms: DeliveryAlarms;
  readonly connectDataStreaming?: ConnectDataStreaming;

  constructor(scope: Construct, id: string, props: CtrStreamStackProps) {
    super(scope, id, {
      description:
        'ctr-stream: Amazon Connect CTRs -> Firehose (caller-name transform Lambda) -> Elasticsearch',
      ...props,
    });
    const { options } = props;
    const bundleDirectory = props.lambdaBundleDirectory ?? resolveLambdaBundleDirectory();
    assertLambdaBundle(bundleDirectory);
    Tags.of(this).add('project', 'ctr-stream');

    this.transform = new TransformFunction(this, 'Transform', {
      bundleDirectory,
      callerLookupUrl: options.callerLookupUrl,
      deliveryStreamName: options.deliveryStreamName,
      metricsNamespace: options.metricsNamespace,
      environment: options.lambdaEnvironment,
      ...(options.callerLookupApiKeySecretArn === undefined
        ? {}
        : { callerLookupApiKeySecretArn: options.callerLookupApiKeySecretArn }),
      memoryMb: options.lambdaMemoryMb,
      ...(options.lambdaReservedConcurrency === undefined
        ? {}
        : { reservedConcurrency: options.lambdaReservedConcurrency }),
      architecture: options.lambdaArchitecture,
      logRetentionDays: options.logRetentionDays,
    });
    if (options.callerLookupUrl.startsWith('http:')) {
      Annotations.of(this.transform).addWarningV2(
        'ctr-stream:plain-http-lookup',
        'callerLookupUrl uses plain http: phone numbers travel unencrypted. Prefer https.',
      );
    }

    if (options.lambdaEnvironment.CALLER_LOOKUP_API_KEY !== undefined) {
      Annotations.of(this.transform).addWarningV2(
        'ctr-stream:api-key-in-environment',
        'CALLER_LOOKUP_API_KEY is stored in plain text in cdk.out, the CloudFormation template and the function ' +
          'configuration. Store it in Secrets Manager and pass the secret as callerLookupApiKeySecretArn instead.',
      );
    }

    this.backup = new BackupBucket(this, 'Backup', {
      encryption: options.backupEncryption,
      expirationDays: options.backupExpirationDays,
    });

    this.delivery = new CtrDeliveryStream(this, 'DeliveryStream', {
      options,
      transformFunction: this.transform.function,
      backupBucket: this.backup.bucket,
      ...(this.backup.key ? { backupKey: this.backup.key } : {}),
    });

    // A separate policy (not the role's default policy): the function must exist before the stream, and this
    // statement needs the stream, so putting it in the default policy would make a dependency cycle.
    new Policy(this, 'ReingestPolicy', {
      roles: [this.transform.role],
      statements: [
        new PolicyStatement({
          sid: 'ReingestOverflowRecords',
          actions: ['firehose:PutRecordBatch'],
          resources: [this.delivery.deliveryStream.attrArn],
        }),
      ],
    });

    if (options.connectInstanceArn) {
      this.connectDataStreaming = new ConnectDataStreaming(this, 'ConnectDataStreaming', {
        instanceArn: options.connectInstanceArn,
        deliveryStreamArn: this.delivery.deliveryStream.attrArn,
      });
    }

    this.alarms = new DeliveryAlarms(this, 'Alarms', {
      options,
      transformFunction: this.transform.function,
      backupBucketName: this.backup.bucket.bucketName,
    });

    new CfnOutput(this, 'DeliveryStreamName', {
      description: 'Pass to ctr-simulate --stream',
      value: this.delivery.deliveryStream.ref,
    });
    new CfnOutput(this, 'DeliveryStreamArn', { value: this.delivery.deliveryStream.attrArn });
    new CfnOutput(this, 'FirehoseRoleArn', {
      description:
        'Map this role to a backend role with write access to the index when fine-grained access control is on',
      value: this.delivery.role.roleArn,
    });
    new CfnOutput(this, 'TransformFunctionName', { value: this.transform.function.functionName });
    new CfnOutput(this, 'TransformLogGroupName', { value: this.transform.logGroup.logGroupName });
    new CfnOutput(this, 'BackupBucketName', { value: this.backup.bucket.bucketName });
    if (this.delivery.createdApiKeySecret) {
      new CfnOutput(this, 'ElasticApiKeySecretArn', {
        description: 'Put the Elastic API key here as {"api_key":"..."} before sending data',
        value: this.delivery.createdApiKeySecret.secretArn,
      });
    }
    if (this.alarms.topic) new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
