import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CtrStreamStack } from '../../src/ctr-stream-stack.js';
import { parseStackOptions } from '../../src/stack-options.js';
import {
  type CfnJson,
  cdkJsonContext,
  onlyResource,
  resourcesOfType,
  statementBySid,
  testBundleDirectory,
} from './synthesize.js';

/** The same options for both stacks, as `-c stackName=CtrStreamStaging` on top of the usual ones would give. */
const CONTEXT = {
  callerLookupUrl: 'https://directory.example.com/api/user/',
  domainArn: 'arn:aws:es:ap-southeast-2:111122223333:domain/ctr-analytics',
  backupEncryption: 'kms',
  alarmEmail: 'ops@example.com',
};

/**
 * The properties that name a resource across the account or region (two stacks setting the same value collide).
 * Every resource type of the template must be listed here or in {@link NO_PHYSICAL_NAME}, so that a new named
 * resource cannot slip past the test.
 */
const PHYSICAL_NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::KinesisFirehose::DeliveryStream': 'DeliveryStreamName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SecretsManager::Secret': 'Name',
};
/** Types without an account- or region-wide name (a log stream's and an inline policy's are scoped to their parent). */
const NO_PHYSICAL_NAME = new Set([
  'AWS::CDK::Metadata',
  'AWS::IAM::Policy',
  'AWS::KMS::Key',
  'AWS::Logs::LogStream',
  'AWS::S3::BucketPolicy',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::Connect::InstanceStorageConfig',
]);

/** Every physical name a template sets (tokens rendered as JSON), and the export names of its outputs. */
function physicalNames(json: Record<string, CfnJson>): string[] {
  const names: string[] = [];
  for (const [id, resource] of Object.entries(json.Resources as Record<string, CfnJson>)) {
    const property = PHYSICAL_NAME_PROPERTIES[resource.Type];
    if (property === undefined) {
      expect(NO_PHYSICAL_NAME.has(resource.Type), `${id}: classify ${resource.Type}`).toBe(true);
      continue;
    }
    const value = resource.Properties?.[property];
    if (value !== undefined) names.push(typeof value === 'string' ? value : JSON.stringify(value));
  }
  for (const output of Object.values((json.Outputs ?? {}) as Record<string, CfnJson>)) {
    if (output.Export) names.push(JSON.stringify(output.Export.Name));
  }
  return names;
}

let production: Record<string, CfnJson>;
let staging: Record<string, CfnJson>;

beforeAll(() => {
  const app = new App({ context: cdkJsonContext() });
  const [first, second] = [{}, { stackName: 'CtrStreamStaging' }].map((extra) => {
    const { options, placement } = parseStackOptions({ ...CONTEXT, ...extra });
    return new CtrStreamStack(app, placement.stackName, {
      options,
      lambdaBundleDirectory: testBundleDirectory(),
    });
  });
  production = Template.fromStack(first!).toJSON();
  staging = Template.fromStack(second!).toJSON();
});

describe('two stacks in one account and region', () => {
  it('share no physical name', () => {
    const productionNames = physicalNames(production);
    const stagingNames = physicalNames(staging);
    // 1 stream + 1 log group + 9 alarms: the names that collided.
    expect(stagingNames.length).toBeGreaterThanOrEqual(11);
    expect(stagingNames.filter((name) => productionNames.includes(name))).toEqual([]);
  });

  it('keeps the tutorial names in the default stack', () => {
    const { resource } = onlyResource(production, 'AWS::KinesisFirehose::DeliveryStream');
    expect(resource.Properties.DeliveryStreamName).toBe('CTRFHStream');
    expect(physicalNames(production)).toContain('/aws/kinesisfirehose/CTRFHStream');
    const alarmNames = Object.values(resourcesOfType(production, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmName,
    );
    expect(alarmNames).toHaveLength(9);
    for (const alarmName of alarmNames) expect(alarmName).toMatch(/^CTRFHStream-[A-Za-z]+$/);
  });

  it("names the other stack's stream after the stack, and its log group, alarms, Lambda and permissions follow", () => {
    const streamName = 'CtrStreamStaging-CTRFHStream';
    const { resource } = onlyResource(staging, 'AWS::KinesisFirehose::DeliveryStream');
    expect(resource.Properties.DeliveryStreamName).toBe(streamName);
    expect(physicalNames(staging)).toContain(`/aws/kinesisfirehose/${streamName}`);
    const alarms = Object.values(resourcesOfType(staging, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmName).toMatch(/^CtrStreamStaging-CTRFHStream-[A-Za-z]+$/);
      // The Firehose alarms watch this stack's stream, not the default one.
      if (alarm.Properties.Namespace === 'AWS/Firehose') {
        expect(alarm.Properties.Dimensions).toEqual([{ Name: 'DeliveryStreamName', Value: streamName }]);
      }
    }
    const lambda = onlyResource(staging, 'AWS::Lambda::Function').resource;
    expect(lambda.Properties.Environment.Variables.DELIVERY_STREAM_NAME).toBe(streamName);
    const logs = JSON.stringify(statementBySid(staging, 'WriteErrorLogs').Resource);
    expect(logs).toContain(`:log-group:/aws/kinesisfirehose/${streamName}:log-stream:DestinationDelivery`);
  });
});
