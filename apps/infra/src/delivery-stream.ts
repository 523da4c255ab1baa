import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream, type CfnDeliveryStreamProps } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, LogStream } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { CtrStreamStackOptions, DestinationOptions } from './stack-options.js';

/** Settings of {@link CtrDeliveryStream}. */
export interface CtrDeliveryStreamProps {
  readonly options: CtrStreamStackOptions;
  readonly transformFunction: IFunction;
  readonly backupBucket: Bucket;
  readonly backupKey?: IKey;
}

/** Log stream names inside the Firehose log group (the names the Firehose console uses). */
export const FIREHOSE_LOG_STREAMS = { destination: 'DestinationDelivery', backup: 'BackupDelivery' } as const;

/** S3 key prefix of the backup of all records (Firehose appends `YYYY/MM/DD/HH/`). */
export const BACKUP_PREFIX = 'ctr-backup/';
/**
 * Where Firehose writes what failed: `processing-failed/YYYY/MM/DD/HH/` (and the destination's failed-documents
 * prefix) at the bucket's root, where `ctr-replay` and the alarm texts look. Without it Firehose would put them under
 * the backup prefix.
 */
export const ERROR_OUTPUT_PREFIX = '!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/';

/** The CloudWatch metric name prefix of each destination, e.g. `DeliveryToAmazonOpenSearchService.DataFreshness`. */
export function deliveryMetricPrefix(destination: DestinationOptions): string {
  if (destination.kind === 'elastic-cloud') return 'DeliveryToHttpEndpoint';
  return destination.api === 'opensearch' ? 'DeliveryToAmazonOpenSearchService' : 'DeliveryToElasticsearch';
}

/**
 * The Direct PUT delivery stream (`CTRFHStream` by default) with the transform Lambda as processor, delivering to an
 * OpenSearch Service / Elasticsearch domain or to Elastic Cloud, backing up every record to S3, logging errors to
 * CloudWatch Logs, and assuming a role that can touch only those resources.
 *
 * @example
 * ```ts
 * const stream = new CtrDeliveryStream(stack, 'DeliveryStream', {
 *   options,
 *   transformFunction: transform.function,
 *   backupBucket: backup.bucket,
 * });
 * stream.deliveryStream.attrArn;
 * ```
 */
export class CtrDeliveryStream extends Construct {
  readonly deliveryStream: CfnDeliveryStream;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** The Elastic API key secret, when the stack created it (Elastic Cloud destination without elasticApiKeySecretArn). */
  readonly createdApiKeySecret?: Secret;

  constructor(scope: Construct, id: string, props: CtrDeliveryStreamProps) {
    super(scope, id);
    const { options, transformFunction, backupBucket, backupKey } = props;
    const stack = Stack.of(this);
    const destination = options.destination;

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com', {
        // Confused-deputy protection: only Firehose acting for this account may assume the role.
        conditions: { StringEquals: { 'sts:ExternalId': stack.account } },
      }),
      description: `ctr-stream: the ${options.deliveryStreamName} delivery stream's role`,
    });

    const logGroupName = `/aws/kinesisfirehose/${options.deliveryStreamName}`;
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName,
      retention: options.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const [key, logStreamName] of Object.entries(FIREHOSE_LOG_STREAMS)) {
      new LogStream(this, `${key === 'destination' ? 'Destination' : 'Backup'}LogStream`, {
        logGroup: this.logGroup,
        logStreamName,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    const logStreamArn = (logStreamName: string) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${logGroupName}:log-stream:${logStreamName}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });

    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'InvokeTransform',
        actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
        resources: [transformFunction.functionArn, `${transformFunction.functionArn}:$LATEST`],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteBackup',
        actions: [
          's3:AbortMultipartUpload',
          's3:GetBucketLocation',
          's3:GetObject',
          's3:ListBucket',
          's3:ListBucketMultipartUploads',
          's3:PutObject',
        ],
        resources: [backupBucket.bucketArn, backupBucket.arnForObjects('*')],
      }),
    );
    if (backupKey) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'EncryptBackup',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [backupKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
            // With an S3 Bucket Key (the bucket enables it) the encryption context is the bucket's ARN, not the
            // object's: both, or every write of a backup would be denied.
            StringLike: {
              'kms:EncryptionContext:aws:s3:arn': [backupBucket.bucketArn, backupBucket.arnForObjects('*')],
            },
          },
        }),
      );
    }
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteErrorLogs',
        actions: ['logs:PutLogEvents'],
        resources: Object.values(FIREHOSE_LOG_STREAMS).map(logStreamArn),
      }),
    );

    const cloudWatchLogging = (logStreamName: string) => ({
      enabled: true,
      logGroupName: this.logGroup.logGroupName,
      logStreamName,
    });
    const s3Configuration: CfnDeliveryStream.S3DestinationConfigurationProperty = {
      bucketArn: backupBucket.bucketArn,
      roleArn: this.role.roleArn,
      prefix: BACKUP_PREFIX,
      errorOutputPrefix: ERROR_OUTPUT_PREFIX,
      compressionFormat: 'GZIP',
      bufferingHints: { sizeInMBs: 5, intervalInSeconds: 300 },
      cloudWatchLoggingOptions: cloudWatchLogging(FIREHOSE_LOG_STREAMS.backup),
      ...(backupKey
        ? { encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: backupKey.keyArn } } }
        : {}),
    };
    const processingConfiguration: CfnDeliveryStream.ProcessingConfigurationProperty = {
      enabled: true,
      processors: [
        {
          type: 'Lambda',
          parameters: [
            { parameterName: 'LambdaArn', parameterValue: transformFunction.functionArn },
            { parameterName: 'NumberOfRetries', parameterValue: String(options.processingRetries) },
            { parameterName: 'BufferSizeInMBs', parameterValue: String(options.processorBufferSizeMb) },
            {
              parameterName: 'BufferIntervalInSeconds',
              parameterValue: String(options.processorBufferIntervalSeconds),
            },
          ],
        },
      ],
    };
    const bufferingHints = {
      sizeInMBs: options.destinationBufferSizeMb,
      intervalInSeconds: options.destinationBufferIntervalSeconds,
    };
    const common = {
      roleArn: this.role.roleArn,
      bufferingHints,
      retryOptions: { durationInSeconds: destination.retryDurationSeconds },
      processingConfiguration,
      cloudWatchLoggingOptions: cloudWatchLogging(FIREHOSE_LOG_STREAMS.destination),
      s3Configuration,
    };

    let destinationConfiguration: Partial<CfnDeliveryStreamProps>;
    if (destination.kind === 'domain') {
      const domainArn = destination.domainArn;
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'DescribeDomain',
          // The OpenSearch Service names; the legacy Elasticsearch destination API is documented with the
          // es:DescribeElasticsearch* names of the same calls, so it gets both.
          actions: [
            'es:DescribeDomain',
            'es:DescribeDomains',
            'es:DescribeDomainConfig',
            ...(destination.api === 'elasticsearch'
              ? [
                  'es:DescribeElasticsearchDomain',
                  'es:DescribeElasticsearchDomains',
                  'es:DescribeElasticsearchDomainConfig',
                ]
              : []),
          ],
          resources: [domainArn, `${domainArn}/*`],
        }),
      );
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'IndexDocuments',
          actions: ['es:ESHttpPost', 'es:ESHttpPut'],
          resources: [domainArn, `${domainArn}/*`],
        }),
      );
      const index = destination.indexName;
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'ReadDomainStatus',
          actions: ['es:ESHttpGet'],
          resources: [
            `${domainArn}/_all/_settings`,
            `${domainArn}/_cluster/stats`,
            `${domainArn}/${index}*/_mapping/*`,
            `${domainArn}/_nodes`,
            `${domainArn}/_nodes/stats`,
            `${domainArn}/_nodes/*/stats`,
            `${domainArn}/_stats`,
            `${domainArn}/${index}*/_stats`,
          ],
        }),
      );
      const domainConfiguration = {
        ...common,
        domainArn,
        indexName: index,
        indexRotationPeriod: destination.indexRotation,
        ...(destination.typeName === undefined ? {} : { typeName: destination.typeName }),
        s3BackupMode: 'AllDocuments',
        documentIdOptions: { defaultDocumentIdFormat: destination.documentIdFormat },
      };
      destinationConfiguration =
        destination.api === 'opensearch'
          ? { amazonopensearchserviceDestinationConfiguration: domainConfiguration }
          : { elasticsearchDestinationConfiguration: domainConfiguration };
    } else {
      let secretArn = destination.apiKeySecretArn;
      if (secretArn === undefined) {
        this.createdApiKeySecret = new Secret(this, 'ElasticApiKey', {
          description:
            'ctr-stream: Elastic Cloud API key for Firehose. Replace the generated placeholder: ' +
            'aws secretsmanager put-secret-value --secret-id <arn> --secret-string \'{"api_key":"<key>"}\'',
          // A random placeholder in the shape Firehose expects; nothing secret is written to the template.
          generateSecretString: {
            secretStringTemplate: '{}',
            generateStringKey: 'api_key',
            excludePunctuation: true,
          },
          removalPolicy: RemovalPolicy.DESTROY,
        });
        secretArn = this.createdApiKeySecret.secretArn;
      }
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'ReadElasticApiKey',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secretArn],
        }),
      );
      destinationConfiguration = {
        httpEndpointDestinationConfiguration: {
          ...common,
          endpointConfiguration: { url: destination.endpointUrl, name: 'Elastic' },
          secretsManagerConfiguration: { enabled: true, secretArn, roleArn: this.role.roleArn },
          requestConfiguration: {
            contentEncoding: 'GZIP',
            commonAttributes: [
              { attributeName: 'es_datastream_name', attributeValue: destination.dataStreamName },
            ],
          },
          s3BackupMode: 'AllData',
        },
      };
    }

    this.deliveryStream = new CfnDeliveryStream(this, 'Resource', {
      deliveryStreamName: options.deliveryStreamName,
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      ...destinationConfiguration,
    });
    // Firehose checks its permissions when the stream is created: attach the role's policy first.
    const rolePolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (rolePolicy) this.deliveryStream.node.addDependency(rolePolicy);
  }
}
