import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  type CfnJson,
  iamStatements,
  normalisedTemplate,
  onlyResource,
  resourcesOfType,
  type Synthesized,
  statementBySid,
  synthesize,
} from './synthesize.js';

const DOMAIN_ARN = 'arn:aws:es:ap-southeast-2:111122223333:domain/ctr-analytics';
const CONNECT_ARN =
  'arn:aws:connect:ap-southeast-2:111122223333:instance/5a2f3b68-24d7-46c5-ba70-b70cd6918286';

const METRICS_NAMESPACE = 'ContactCenter/CtrStream';

/** OpenSearch Service destination with every option that adds resources: Connect, KMS, alarm email; own metrics namespace. */
let full: Synthesized;
/** Legacy Elasticsearch destination API with defaults everywhere else: no Connect, no topic, SSE-S3. */
let minimal: Synthesized;

beforeAll(() => {
  full = synthesize({
    account: '111122223333',
    region: 'ap-southeast-2',
    callerLookupUrl: 'https://directory.example.com/api/user/',
    domainArn: DOMAIN_ARN,
    connectInstanceArn: CONNECT_ARN,
    backupEncryption: 'kms',
    backupExpirationDays: '30',
    lambdaMemoryMb: '1024',
    lambdaReservedConcurrency: '20',
    lambdaEnvironment: '{"CALLER_LOOKUP_TIMEOUT_MS":"800","CALLER_LOOKUP_CONCURRENCY":32}',
    logRetentionDays: '90',
    alarmEmail: 'ops@example.com',
    retryDurationSeconds: '600',
    metricsNamespace: METRICS_NAMESPACE,
  });
  minimal = synthesize({
    callerLookupUrl: 'https://directory.example.com/api/user/',
    domainArn: DOMAIN_ARN,
    domainApi: 'elasticsearch',
    typeName: 'CTR',
    indexRotation: 'OneDay',
  });
});

describe('transform Lambda', () => {
  it('runs the apps/lambda bundle on Node.js 22 with the tutorial timeout and the options', () => {
    full.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 60,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 20,
      Architectures: ['arm64'],
      Code: { S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
      Environment: {
        Variables: {
          CALLER_LOOKUP_URL: 'https://directory.example.com/api/user/',
          DELIVERY_STREAM_NAME: 'CTRFHStream',
          METRICS_NAMESPACE: METRICS_NAMESPACE,
          CALLER_LOOKUP_TIMEOUT_MS: '800',
          CALLER_LOOKUP_CONCURRENCY: '32',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^TransformLogGroup') } },
    });
  });

  it('sets exactly the lookup URL, the stream name, the metrics namespace and lambdaEnvironment', () => {
    const { resource } = onlyResource(full.json, 'AWS::Lambda::Function');
    expect(resource.Properties.Environment.Variables).toEqual({
      CALLER_LOOKUP_URL: 'https://directory.example.com/api/user/',
      DELIVERY_STREAM_NAME: 'CTRFHStream',
      METRICS_NAMESPACE: METRICS_NAMESPACE,
      CALLER_LOOKUP_TIMEOUT_MS: '800',
      CALLER_LOOKUP_CONCURRENCY: '32',
    });
  });

  it('defaults to 512 MB, no reserved concurrency, and only the lookup URL, stream name and namespace CtrStream in its environment', () => {
    const { resource } = onlyResource(minimal.json, 'AWS::Lambda::Function');
    expect(resource.Properties.MemorySize).toBe(512);
    expect(resource.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(resource.Properties.Environment.Variables).toEqual({
      CALLER_LOOKUP_URL: 'https://directory.example.com/api/user/',
      DELIVERY_STREAM_NAME: 'CTRFHStream',
      METRICS_NAMESPACE: 'CtrStream',
    });
  });

  it('reads the API key from the callerLookupApiKeySecretArn secret: its ARN in the environment, read access to it alone', () => {
    const secretArn = 'arn:aws:secretsmanager:ap-southeast-2:111122223333:secret:directory-key-AbCdEf';
    const withSecret = synthesize({
      callerLookupUrl: 'https://directory.example.com/api/user/',
      domainArn: DOMAIN_ARN,
      callerLookupApiKeySecretArn: secretArn,
    });
    const { resource } = onlyResource(withSecret.json, 'AWS::Lambda::Function');
    expect(resource.Properties.Environment.Variables).toMatchObject({
      CALLER_LOOKUP_API_KEY_SECRET_ID: secretArn,
    });
    expect(JSON.stringify(resource.Properties.Environment.Variables)).not.toContain('CALLER_LOOKUP_API_KEY"');
    const read = statementBySid(withSecret.json, 'ReadCallerLookupApiKey');
    expect(read).toMatchObject({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: secretArn,
    });
    withSecret.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ReadCallerLookupApiKey' })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^TransformRole') }],
    });
    // Without the option, no such permission and no such variable.
    expect(() => statementBySid(full.json, 'ReadCallerLookupApiKey')).toThrow();
  });

  it('logs to its own log group with the retention option', () => {
    const groups = resourcesOfType(full.json, 'AWS::Logs::LogGroup');
    const transformGroup = Object.entries(groups).find(([id]) => id.startsWith('TransformLogGroup'));
    expect(transformGroup?.[1].Properties.RetentionInDays).toBe(90);
    const minimalGroups = Object.values(resourcesOfType(minimal.json, 'AWS::Logs::LogGroup'));
    expect(minimalGroups.map((group) => group.Properties.RetentionInDays)).toEqual([30, 30]);
  });
});

describe('delivery stream', () => {
  it('is CTRFHStream, Direct PUT, encrypted, with the Lambda processor at 1 MB / 60 s', () => {
    full.template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'CTRFHStream',
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      AmazonopensearchserviceDestinationConfiguration: Match.objectLike({
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: [
                {
                  ParameterName: 'LambdaArn',
                  ParameterValue: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TransformFunction'), 'Arn'] },
                },
                { ParameterName: 'NumberOfRetries', ParameterValue: '3' },
                { ParameterName: 'BufferSizeInMBs', ParameterValue: '1' },
                { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '60' },
              ],
            },
          ],
        },
      }),
    });
  });

  it('delivers to the domain: index connect, no rotation, retry option, all documents backed up', () => {
    const { resource } = onlyResource(full.json, 'AWS::KinesisFirehose::DeliveryStream');
    const destination = resource.Properties.AmazonopensearchserviceDestinationConfiguration;
    expect(resource.Properties.ElasticsearchDestinationConfiguration).toBeUndefined();
    expect(destination).toMatchObject({
      DomainARN: DOMAIN_ARN,
      IndexName: 'connect',
      IndexRotationPeriod: 'NoRotation',
      RetryOptions: { DurationInSeconds: 600 },
      S3BackupMode: 'AllDocuments',
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
      DocumentIdOptions: { DefaultDocumentIdFormat: 'FIREHOSE_DEFAULT' },
      CloudWatchLoggingOptions: { Enabled: true, LogStreamName: 'DestinationDelivery' },
    });
    expect(destination.TypeName).toBeUndefined();
    expect(destination.S3Configuration).toMatchObject({
      BucketARN: { 'Fn::GetAtt': [expect.stringMatching(/^BackupBucket/), 'Arn'] },
      Prefix: 'ctr-backup/',
      // Failed records at the bucket's root, where ctr-replay and the alarm texts look (processing-failed/...).
      ErrorOutputPrefix: '!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/',
      CompressionFormat: 'GZIP',
      CloudWatchLoggingOptions: { Enabled: true, LogStreamName: 'BackupDelivery' },
      EncryptionConfiguration: {
        KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [expect.stringMatching(/^BackupKey/), 'Arn'] } },
      },
    });
  });

  it('uses the legacy Elasticsearch destination API with type name and rotation when asked, retry 300 s by default', () => {
    const { resource } = onlyResource(minimal.json, 'AWS::KinesisFirehose::DeliveryStream');
    expect(resource.Properties.AmazonopensearchserviceDestinationConfiguration).toBeUndefined();
    expect(resource.Properties.ElasticsearchDestinationConfiguration).toMatchObject({
      DomainARN: DOMAIN_ARN,
      IndexName: 'connect',
      IndexRotationPeriod: 'OneDay',
      TypeName: 'CTR',
      RetryOptions: { DurationInSeconds: 300 },
      S3BackupMode: 'AllDocuments',
    });
    expect(
      resource.Properties.ElasticsearchDestinationConfiguration.S3Configuration.EncryptionConfiguration,
    ).toBeUndefined();
  });

  it('logs errors to /aws/kinesisfirehose/CTRFHStream with both log streams', () => {
    full.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/kinesisfirehose/CTRFHStream',
    });
    const streams = Object.values(resourcesOfType(full.json, 'AWS::Logs::LogStream'));
    expect(streams.map((stream) => stream.Properties.LogStreamName).sort()).toEqual([
      'BackupDelivery',
      'DestinationDelivery',
    ]);
  });

  it('is created after its role policy, so Firehose finds its permissions', () => {
    const { resource } = onlyResource(full.json, 'AWS::KinesisFirehose::DeliveryStream');
    expect(resource.DependsOn).toEqual([expect.stringMatching(/^DeliveryStreamRoleDefaultPolicy/)]);
  });
});

describe('backup bucket', () => {
  it('is private, KMS-encrypted when asked, TLS-only, expires backups and is retained', () => {
    const { resource } = onlyResource(full.json, 'AWS::S3::Bucket');
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    expect(resource.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^BackupKey/), 'Arn'] },
        },
      },
    ]);
    expect(resource.Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'ExpireBackups',
        Status: 'Enabled',
        ExpirationInDays: 30,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
    expect(resource.Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    full.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    full.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('uses SSE-S3 and 90-day expiry by default', () => {
    const { resource } = onlyResource(minimal.json, 'AWS::S3::Bucket');
    expect(resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(resource.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(90);
    minimal.template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('denies every request that is not over TLS 1.2 or newer', () => {
    const { resource } = onlyResource(full.json, 'AWS::S3::BucketPolicy');
    const statements = resource.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      }),
    );
    expect(statements.every((statement: { Effect: string }) => statement.Effect === 'Deny')).toBe(true);
  });
});

describe('IAM least privilege', () => {
  it('has no statement with a * resource or a wildcard action, and no managed policies', () => {
    for (const synthesized of [full, minimal]) {
      const statements = iamStatements(synthesized.json);
      expect(statements.length).toBeGreaterThan(5);
      for (const statement of statements) {
        expect(asArray(statement.Resource), statement.Sid).not.toContain('*');
        for (const action of asArray(statement.Action)) expect(action, statement.Sid).not.toMatch(/\*/);
      }
      for (const role of Object.values(resourcesOfType(synthesized.json, 'AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });

  it('lets Firehose assume its role only for this account', () => {
    const roles = Object.entries(resourcesOfType(full.json, 'AWS::IAM::Role'));
    const firehoseRole = roles.find(([id]) => id.startsWith('DeliveryStreamRole'))?.[1];
    expect(firehoseRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'firehose.amazonaws.com' },
        Condition: { StringEquals: { 'sts:ExternalId': '111122223333' } },
      },
    ]);
  });

  it('scopes the es:ESHttp* actions to the domain and its paths', () => {
    const index = statementBySid(full.json, 'IndexDocuments');
    expect(asArray(index.Action).sort()).toEqual(['es:ESHttpPost', 'es:ESHttpPut']);
    expect(index.Resource).toEqual([DOMAIN_ARN, `${DOMAIN_ARN}/*`]);
    const describe = statementBySid(full.json, 'DescribeDomain');
    expect(describe.Resource).toEqual([DOMAIN_ARN, `${DOMAIN_ARN}/*`]);
    expect(asArray(describe.Action).sort()).toEqual([
      'es:DescribeDomain',
      'es:DescribeDomainConfig',
      'es:DescribeDomains',
    ]);
    const read = statementBySid(full.json, 'ReadDomainStatus');
    expect(read.Action).toBe('es:ESHttpGet');
    for (const resource of asArray(read.Resource)) expect(resource).toMatch(new RegExp(`^${DOMAIN_ARN}/`));
    expect(asArray(read.Resource)).toContain(`${DOMAIN_ARN}/connect*/_mapping/*`);
  });

  it('adds the es:DescribeElasticsearch* names that the legacy Elasticsearch destination is documented with', () => {
    const describe = statementBySid(minimal.json, 'DescribeDomain');
    expect(asArray(describe.Action).sort()).toEqual([
      'es:DescribeDomain',
      'es:DescribeDomainConfig',
      'es:DescribeDomains',
      'es:DescribeElasticsearchDomain',
      'es:DescribeElasticsearchDomainConfig',
      'es:DescribeElasticsearchDomains',
    ]);
    expect(describe.Resource).toEqual([DOMAIN_ARN, `${DOMAIN_ARN}/*`]);
  });

  it('lets Firehose invoke only the transform function', () => {
    const invoke = statementBySid(full.json, 'InvokeTransform');
    expect(asArray(invoke.Action).sort()).toEqual([
      'lambda:GetFunctionConfiguration',
      'lambda:InvokeFunction',
    ]);
    const functionArn = { 'Fn::GetAtt': [expect.stringMatching(/^TransformFunction/), 'Arn'] };
    expect(invoke.Resource).toEqual([functionArn, { 'Fn::Join': ['', [functionArn, ':$LATEST']] }]);
  });

  it('lets Firehose write only to the backup bucket, its KMS key through S3, and its two log streams', () => {
    const backup = statementBySid(full.json, 'WriteBackup');
    const bucketArn = { 'Fn::GetAtt': [expect.stringMatching(/^BackupBucket/), 'Arn'] };
    expect(backup.Resource).toEqual([bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }]);
    expect(asArray(backup.Action)).not.toContain('s3:DeleteObject');
    const kms = statementBySid(full.json, 'EncryptBackup');
    expect(kms.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackupKey/), 'Arn'] });
    expect(kms.Condition).toMatchObject({
      StringEquals: { 'kms:ViaService': 's3.ap-southeast-2.amazonaws.com' },
      // The bucket uses an S3 Bucket Key: the encryption context is then the bucket's ARN, not the object's.
      StringLike: {
        'kms:EncryptionContext:aws:s3:arn': [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
      },
    });
    expect(() => statementBySid(minimal.json, 'EncryptBackup')).toThrow(/found 0/);
    const logs = statementBySid(full.json, 'WriteErrorLogs');
    expect(logs.Action).toBe('logs:PutLogEvents');
    const rendered = JSON.stringify(logs.Resource);
    expect(rendered).toContain(':log-group:/aws/kinesisfirehose/CTRFHStream:log-stream:DestinationDelivery');
    expect(rendered).toContain(':log-group:/aws/kinesisfirehose/CTRFHStream:log-stream:BackupDelivery');
  });

  it('lets the Lambda write its own logs and re-ingest only into the stream', () => {
    const logs = statementBySid(full.json, 'WriteOwnLogs');
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TransformLogGroup/), 'Arn'] });
    const reingest = statementBySid(full.json, 'ReingestOverflowRecords');
    expect(reingest.Action).toBe('firehose:PutRecordBatch');
    expect(reingest.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^DeliveryStream[0-9A-F]{8}$/), 'Arn'],
    });
    full.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'ReingestOverflowRecords' })] },
      Roles: [{ Ref: Match.stringLikeRegexp('^TransformRole') }],
    });
  });
});

describe('Amazon Connect data streaming', () => {
  it('sends contact trace records to the stream when a Connect instance ARN is given', () => {
    full.template.resourceCountIs('AWS::Connect::InstanceStorageConfig', 1);
    full.template.hasResourceProperties('AWS::Connect::InstanceStorageConfig', {
      InstanceArn: CONNECT_ARN,
      ResourceType: 'CONTACT_TRACE_RECORDS',
      StorageType: 'KINESIS_FIREHOSE',
      KinesisFirehoseConfig: {
        FirehoseArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliveryStream'), 'Arn'] },
      },
    });
  });

  it('is absent without connectInstanceArn', () => {
    minimal.template.resourceCountIs('AWS::Connect::InstanceStorageConfig', 0);
  });
});

describe('alarms', () => {
  const expected = [
    ['ProcessingFailures', 'ExecuteProcessing.Success'],
    ['DeliveryFailures', 'DeliveryToAmazonOpenSearchService.Success'],
    ['BackupFailures', 'DeliveryToS3.Success'],
    ['DataFreshness', 'DeliveryToAmazonOpenSearchService.DataFreshness'],
    ['IncomingThrottled', 'ThrottledRecords'],
    ['LambdaErrors', 'Errors'],
    ['LambdaThrottles', 'Throttles'],
    ['RecordsProcessingFailed', 'RecordsProcessingFailed'],
    ['CallerLookupErrors', 'CallerLookupErrors'],
  ] as const;

  /** The alarm with this name (fails loudly when there is none). */
  function alarmNamed(synthesized: Synthesized, alarmName: string): { id: string; alarm: CfnJson } {
    const found = Object.entries(resourcesOfType(synthesized.json, 'AWS::CloudWatch::Alarm')).find(
      ([, alarm]) => alarm.Properties.AlarmName === alarmName,
    );
    if (!found) throw new Error(`no alarm named ${alarmName}`);
    return { id: found[0], alarm: found[1] };
  }

  it('watches processing, delivery, backup, freshness, throttling, the Lambda and its own metrics, notifying the email topic', () => {
    const alarms = Object.values(resourcesOfType(full.json, 'AWS::CloudWatch::Alarm'));
    expect(
      alarms.map((alarm) => [
        alarm.Properties.AlarmName.replace('CTRFHStream-', ''),
        alarm.Properties.MetricName,
      ]),
    ).toEqual(expected);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      expect(alarm.Properties.Period).toBe(300);
    }
    full.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    full.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DeliveryToAmazonOpenSearchService.DataFreshness',
      Namespace: 'AWS/Firehose',
      Dimensions: [{ Name: 'DeliveryStreamName', Value: 'CTRFHStream' }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 900,
    });
    full.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^TransformFunction') } }],
    });
  });

  it('lets CloudWatch alarms of this account and region publish to the topic it creates, over TLS only', () => {
    // A topic policy replaces SNS's default one: without the Allow, every alarm action fails with
    // "not authorized to perform: SNS:Publish" and no email is sent.
    const topic = onlyResource(full.json, 'AWS::SNS::Topic');
    const { resource } = onlyResource(full.json, 'AWS::SNS::TopicPolicy');
    expect(resource.Properties.Topics).toEqual([{ Ref: topic.id }]);
    expect(resource.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topic.id },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AllowCloudWatchAlarmsToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic.id },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111122223333' },
          ArnLike: {
            'aws:SourceArn': 'arn:aws:cloudwatch:ap-southeast-2:111122223333:alarm:*',
          },
        },
      },
    ]);
    // Every alarm notifies exactly this topic, so the statement covers them all.
    for (const alarm of Object.values(resourcesOfType(full.json, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic.id }]);
    }
    // Unencrypted: with a KMS key, CloudWatch would also need kms:Decrypt and kms:GenerateDataKey* on it.
    expect(topic.resource.Properties.KmsMasterKeyId).toBeUndefined();
  });

  it("scopes the alarms' publish permission to the deploying account and region when the stack is environment-agnostic", () => {
    const agnostic = synthesize({
      callerLookupUrl: 'https://directory.example.com/api/user/',
      domainArn: DOMAIN_ARN,
      alarmEmail: 'ops@example.com',
    });
    const statement = onlyResource(agnostic.json, 'AWS::SNS::TopicPolicy').resource.Properties.PolicyDocument
      .Statement[1];
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':cloudwatch:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':alarm:*',
              ],
            ],
          },
        },
      },
    });
  });

  it('alarms on any record the transform answered ProcessingFailed, in the namespace the Lambda writes to', () => {
    const { id, alarm } = alarmNamed(full, 'CTRFHStream-RecordsProcessingFailed');
    expect(id).toMatch(/^AlarmsRecordsProcessingFailed[0-9A-F]{8}$/);
    const lambda = onlyResource(full.json, 'AWS::Lambda::Function');
    expect(alarm.Properties).toEqual({
      AlarmName: 'CTRFHStream-RecordsProcessingFailed',
      // The replay command names the stack's own bucket.
      AlarmDescription: {
        'Fn::Join': [
          '',
          [
            expect.stringMatching(
              /under processing-failed\/\..*npx -p @ctr-stream\/ctr-simulator ctr-replay s3:\/\/$/,
            ),
            { Ref: onlyResource(full.json, 'AWS::S3::Bucket').id },
            // The stack's region: the Firehose client does not follow the bucket's.
            '/processing-failed/YYYY/MM/DD/ --stream CTRFHStream --region ap-southeast-2 (--dry-run first shows what would be sent).',
          ],
        ],
      },
      Namespace: lambda.resource.Properties.Environment.Variables.METRICS_NAMESPACE,
      MetricName: 'RecordsProcessingFailed',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: lambda.id } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
      OKActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
      Tags: [{ Key: 'project', Value: 'ctr-stream' }],
    });
    expect(alarm.Properties.Namespace).toBe(METRICS_NAMESPACE);
    // CloudWatch's limit is 1,024 characters, with the longest bucket name S3 allows (63) and a long region.
    const [, parts] = alarm.Properties.AlarmDescription['Fn::Join'];
    const fixed = parts.filter((part: unknown) => typeof part === 'string').join('');
    expect(fixed.length + 63 + 'ap-southeast-5'.length).toBeLessThanOrEqual(1024);
  });

  it('alarms when caller lookups fail in 2 of 3 periods, in the namespace the Lambda writes to', () => {
    const { id, alarm } = alarmNamed(full, 'CTRFHStream-CallerLookupErrors');
    expect(id).toMatch(/^AlarmsCallerLookupErrors[0-9A-F]{8}$/);
    const lambda = onlyResource(full.json, 'AWS::Lambda::Function');
    expect(alarm.Properties).toEqual({
      AlarmName: 'CTRFHStream-CallerLookupErrors',
      AlarmDescription: expect.stringMatching(
        /directory .* down or too slow.*without CustomerEndpoint\.Name/,
      ),
      Namespace: METRICS_NAMESPACE,
      MetricName: 'CallerLookupErrors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: lambda.id } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
      OKActions: [{ Ref: expect.stringMatching(/^AlarmsTopic/) }],
      Tags: [{ Key: 'project', Value: 'ctr-stream' }],
    });
    expect(alarm.Properties.AlarmDescription.length).toBeLessThanOrEqual(1024);
  });

  it('reads the transform metrics from the default namespace CtrStream when metricsNamespace is not given', () => {
    for (const alarmName of ['CTRFHStream-RecordsProcessingFailed', 'CTRFHStream-CallerLookupErrors']) {
      expect(alarmNamed(minimal, alarmName).alarm.Properties).toMatchObject({
        Namespace: 'CtrStream',
        Dimensions: [
          { Name: 'FunctionName', Value: { Ref: onlyResource(minimal.json, 'AWS::Lambda::Function').id } },
        ],
      });
    }
  });

  it('names the Elasticsearch destination metrics for the legacy API, with no actions without a topic', () => {
    const alarms = Object.values(resourcesOfType(minimal.json, 'AWS::CloudWatch::Alarm'));
    const metricNames = alarms.map((alarm) => alarm.Properties.MetricName);
    expect(metricNames).toContain('DeliveryToElasticsearch.Success');
    expect(metricNames).toContain('DeliveryToElasticsearch.DataFreshness');
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toBeUndefined();
    minimal.template.resourceCountIs('AWS::SNS::Topic', 0);
  });
});

describe('outputs and snapshot', () => {
  it('outputs what the README steps need', () => {
    expect(Object.keys(full.json.Outputs).filter((key) => !key.startsWith('Export'))).toEqual([
      'DeliveryStreamName',
      'DeliveryStreamArn',
      'FirehoseRoleArn',
      'TransformFunctionName',
      'TransformLogGroupName',
      'BackupBucketName',
      'AlarmTopicArn',
    ]);
  });

  it('matches the snapshot (asset hashes normalised)', () => {
    expect(normalisedTemplate(full.json)).toMatchSnapshot();
  });
});
