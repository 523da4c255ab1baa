import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  iamStatements,
  normalisedTemplate,
  onlyResource,
  resourcesOfType,
  type Synthesized,
  statementBySid,
  synthesize,
} from './synthesize.js';

const ENDPOINT = 'https://ctr-stream.es.ap-southeast-2.aws.elastic-cloud.com';
const SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-2:111122223333:secret:ctr-stream/elastic-AbCdEf';

/** Elastic Cloud with a secret the stack creates. */
let createdSecret: Synthesized;
/** Elastic Cloud with an existing secret and an existing alarm topic. */
let existingSecret: Synthesized;

beforeAll(() => {
  createdSecret = synthesize({
    callerLookupUrl: 'https://directory.example.com/api/user/',
    elasticEndpointUrl: ENDPOINT,
  });
  existingSecret = synthesize({
    callerLookupUrl: 'https://directory.example.com/api/user/',
    elasticEndpointUrl: ENDPOINT,
    elasticApiKeySecretArn: SECRET_ARN,
    elasticDataStreamName: 'logs-connect-default',
    alarmTopicArn: 'arn:aws:sns:ap-southeast-2:111122223333:contact-center-ops',
    deliveryStreamName: 'CTRFHStreamElastic',
    retryDurationSeconds: '120',
  });
});

describe('Elastic Cloud destination', () => {
  it('delivers through the HTTP endpoint destination with GZIP, 1 MB buffers and every record backed up', () => {
    const { resource } = onlyResource(createdSecret.json, 'AWS::KinesisFirehose::DeliveryStream');
    expect(resource.Properties.AmazonopensearchserviceDestinationConfiguration).toBeUndefined();
    expect(resource.Properties.DeliveryStreamType).toBe('DirectPut');
    const destination = resource.Properties.HttpEndpointDestinationConfiguration;
    expect(destination).toMatchObject({
      EndpointConfiguration: { Url: ENDPOINT, Name: 'Elastic' },
      RequestConfiguration: {
        ContentEncoding: 'GZIP',
        CommonAttributes: [{ AttributeName: 'es_datastream_name', AttributeValue: 'connect' }],
      },
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
      RetryOptions: { DurationInSeconds: 300 },
      S3BackupMode: 'AllData',
      CloudWatchLoggingOptions: { Enabled: true, LogStreamName: 'DestinationDelivery' },
      S3Configuration: {
        Prefix: 'ctr-backup/',
        ErrorOutputPrefix: '!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/',
        CompressionFormat: 'GZIP',
      },
      ProcessingConfiguration: { Enabled: true },
    });
    expect(destination.EndpointConfiguration.AccessKey).toBeUndefined();
  });

  it('creates a secret in the shape Firehose reads ({"api_key": ...}) without writing a key into the template', () => {
    const { id, resource } = onlyResource(createdSecret.json, 'AWS::SecretsManager::Secret');
    expect(resource.Properties.GenerateSecretString).toMatchObject({
      SecretStringTemplate: '{}',
      GenerateStringKey: 'api_key',
    });
    expect(resource.Properties.SecretString).toBeUndefined();
    createdSecret.template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      HttpEndpointDestinationConfiguration: Match.objectLike({
        SecretsManagerConfiguration: {
          Enabled: true,
          SecretARN: { Ref: id },
          RoleARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliveryStreamRole'), 'Arn'] },
        },
      }),
    });
    expect(statementBySid(createdSecret.json, 'ReadElasticApiKey').Resource).toEqual({ Ref: id });
    expect(createdSecret.json.Outputs.ElasticApiKeySecretArn.Value).toEqual({ Ref: id });
  });

  it('uses an existing secret by ARN, scoping GetSecretValue to it', () => {
    existingSecret.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const read = statementBySid(existingSecret.json, 'ReadElasticApiKey');
    expect(read.Action).toBe('secretsmanager:GetSecretValue');
    expect(read.Resource).toBe(SECRET_ARN);
    const { resource } = onlyResource(existingSecret.json, 'AWS::KinesisFirehose::DeliveryStream');
    expect(resource.Properties.DeliveryStreamName).toBe('CTRFHStreamElastic');
    expect(resource.Properties.HttpEndpointDestinationConfiguration).toMatchObject({
      SecretsManagerConfiguration: { Enabled: true, SecretARN: SECRET_ARN },
      RequestConfiguration: {
        CommonAttributes: [{ AttributeName: 'es_datastream_name', AttributeValue: 'logs-connect-default' }],
      },
      RetryOptions: { DurationInSeconds: 120 },
    });
    expect(existingSecret.json.Outputs.ElasticApiKeySecretArn).toBeUndefined();
  });

  it('grants no OpenSearch permissions and no * resources', () => {
    for (const synthesized of [createdSecret, existingSecret]) {
      const statements = iamStatements(synthesized.json);
      for (const statement of statements) {
        expect(asArray(statement.Resource), statement.Sid).not.toContain('*');
        for (const action of asArray(statement.Action)) expect(action).not.toMatch(/^es:|\*/);
      }
      expect(statements.map((statement) => statement.Sid).sort()).toEqual([
        'InvokeTransform',
        'ReadElasticApiKey',
        'ReingestOverflowRecords',
        'WriteBackup',
        'WriteErrorLogs',
        'WriteOwnLogs',
      ]);
    }
  });

  it('alarms on the HTTP endpoint metrics and notifies the existing topic', () => {
    const alarms = Object.values(resourcesOfType(existingSecret.json, 'AWS::CloudWatch::Alarm'));
    const metricNames = alarms.map((alarm) => alarm.Properties.MetricName);
    expect(metricNames).toContain('DeliveryToHttpEndpoint.Success');
    expect(metricNames).toContain('DeliveryToHttpEndpoint.DataFreshness');
    expect(metricNames).toContain('RecordsProcessingFailed');
    expect(metricNames).toContain('CallerLookupErrors');
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([
        'arn:aws:sns:ap-southeast-2:111122223333:contact-center-ops',
      ]);
      expect(alarm.Properties.Dimensions?.[0]?.Value ?? 'lambda').not.toBe('CTRFHStream');
    }
    existingSecret.template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('has no Connect link without connectInstanceArn', () => {
    createdSecret.template.resourceCountIs('AWS::Connect::InstanceStorageConfig', 0);
  });

  it('matches the snapshot (asset hashes normalised)', () => {
    expect(normalisedTemplate(createdSecret.json)).toMatchSnapshot();
  });
});
