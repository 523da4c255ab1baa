import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { deliveryMetricPrefix } from './delivery-stream.js';
import type { CtrStreamStackOptions } from './stack-options.js';

/** Settings of {@link DeliveryAlarms}. */
export interface DeliveryAlarmsProps {
  readonly options: CtrStreamStackOptions;
  readonly transformFunction: IFunction;
  /** The backup bucket's name (a token is fine): the replay command in an alarm's description names it. */
  readonly backupBucketName?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * CloudWatch alarms on the pipeline: transform invocations failing, delivery to the destination or to the backup
 * bucket failing, data getting stale, the Lambda erroring or being throttled, and Firehose throttling Connect's
 * writes; and, on the transform's own metrics (namespace `metricsNamespace`, dimension `FunctionName`), records it
 * answered ProcessingFailed and caller lookups failing. They notify an existing SNS topic (`alarmTopicArn`) or one
 * the stack creates for `alarmEmail`.
 *
 * @example
 * ```ts
 * const alarms = new DeliveryAlarms(stack, 'Alarms', { options, transformFunction: transform.function });
 * alarms.alarms.map((alarm) => alarm.alarmArn);
 * ```
 */
export class DeliveryAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  /** The topic the alarms notify, if any. */
  readonly topic?: ITopic;

  constructor(scope: Construct, id: string, props: DeliveryAlarmsProps) {
    super(scope, id);
    const { options, transformFunction } = props;
    const streamName = options.deliveryStreamName;
    const destination = deliveryMetricPrefix(options.destination);

    if (options.alarmTopicArn) {
      this.topic = Topic.fromTopicArn(this, 'Topic', options.alarmTopicArn);
    } else if (options.alarmEmail) {
      const stack = Stack.of(this);
      // Not encrypted with a KMS key: CloudWatch would then also need kms:Decrypt and kms:GenerateDataKey* on it.
      const topic = new Topic(this, 'Topic', {
        displayName: `ctr-stream ${streamName} alarms`,
        enforceSSL: true,
      });
      // enforceSSL writes a topic policy, and a topic policy replaces SNS's default one: without this statement
      // nothing allows CloudWatch to publish, and every alarm action fails with "not authorized to perform:
      // SNS:Publish". Only alarms of this account and region may publish.
      topic.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowCloudWatchAlarmsToPublish',
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: {
              'aws:SourceArn': stack.formatArn({
                service: 'cloudwatch',
                resource: 'alarm',
                resourceName: '*',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );
      topic.addSubscription(new EmailSubscription(options.alarmEmail));
      this.topic = topic;
    }
    const action: IAlarmAction | undefined = this.topic ? new SnsAction(this.topic) : undefined;

    const firehoseMetric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/Firehose',
        metricName,
        dimensionsMap: { DeliveryStreamName: streamName },
        statistic,
        period: PERIOD,
      });
    // The transform's Embedded Metric Format metrics: one value per invocation, so Sum over a period is a total.
    const transformMetric = (metricName: string) =>
      new Metric({
        namespace: options.metricsNamespace,
        metricName,
        dimensionsMap: { FunctionName: transformFunction.functionName },
        statistic: 'Sum',
        period: PERIOD,
      });
    const add = (
      alarmId: string,
      description: string,
      metric: Metric,
      comparisonOperator: ComparisonOperator,
      threshold: number,
      evaluationPeriods = 1,
      datapointsToAlarm = evaluationPeriods,
    ) => {
      const alarm = new Alarm(this, alarmId, {
        alarmName: `${streamName}-${alarmId}`,
        alarmDescription: description,
        metric,
        comparisonOperator,
        threshold,
        evaluationPeriods,
        ...(datapointsToAlarm === evaluationPeriods ? {} : { datapointsToAlarm }),
        // No traffic is not a failure: Connect may be quiet at night.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (action) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      this.alarms.push(alarm);
    };

    add(
      'ProcessingFailures',
      'Firehose could not invoke the transform Lambda successfully (errors, timeouts or throttles); after NumberOfRetries the batch goes to the backup bucket under processing-failed/.',
      firehoseMetric('ExecuteProcessing.Success', 'Average'),
      ComparisonOperator.LESS_THAN_THRESHOLD,
      1,
    );
    add(
      'DeliveryFailures',
      `Some records could not be delivered to the destination (${destination}.Success < 1); after the retry duration they are written to the backup bucket.`,
      firehoseMetric(`${destination}.Success`, 'Average'),
      ComparisonOperator.LESS_THAN_THRESHOLD,
      1,
    );
    add(
      'BackupFailures',
      'Firehose could not write to the backup bucket (DeliveryToS3.Success < 1); if the destination fails too, delivery pauses.',
      firehoseMetric('DeliveryToS3.Success', 'Average'),
      ComparisonOperator.LESS_THAN_THRESHOLD,
      1,
    );
    add(
      'DataFreshness',
      `The oldest record in the stream is older than ${options.dataFreshnessThresholdSeconds} s (${destination}.DataFreshness): Kibana is falling behind.`,
      firehoseMetric(`${destination}.DataFreshness`, 'Maximum'),
      ComparisonOperator.GREATER_THAN_THRESHOLD,
      options.dataFreshnessThresholdSeconds,
    );
    add(
      'IncomingThrottled',
      'Firehose throttled incoming records (ThrottledRecords > 0): the stream is over its Direct PUT quota.',
      firehoseMetric('ThrottledRecords', 'Sum'),
      ComparisonOperator.GREATER_THAN_THRESHOLD,
      0,
    );
    add(
      'LambdaErrors',
      'The transform Lambda failed an invocation (the whole batch is retried, then goes to processing-failed/).',
      transformFunction.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      1,
    );
    add(
      'LambdaThrottles',
      'The transform Lambda was throttled (reserved or account concurrency exhausted).',
      transformFunction.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      1,
    );
    add(
      'RecordsProcessingFailed',
      'The transform Lambda answered ProcessingFailed for some records (RecordsProcessingFailed > 0 in 5 minutes): ' +
        'bad input reached the stream (not a contact trace record, or invalid JSON). Firehose wrote those records ' +
        "to the backup bucket under processing-failed/. The transform's log group names the problem of each record; " +
        'fix the producer (or the Lambda), then send them back with ' +
        `npx -p @ctr-stream/ctr-simulator ctr-replay s3://${props.backupBucketName ?? '<BackupBucketName>'}/processing-failed/YYYY/MM/DD/ --stream ${streamName} --region ${Stack.of(this).region} ` +
        '(--dry-run first shows what would be sent).',
      transformMetric('RecordsProcessingFailed'),
      ComparisonOperator.GREATER_THAN_THRESHOLD,
      0,
    );
    add(
      'CallerLookupErrors',
      'Caller lookups failed in 2 of the last 3 5-minute periods (CallerLookupErrors > 0): the caller directory ' +
        '(callerLookupUrl) is down or too slow (errors, timeouts, circuit open). Records are still delivered, but ' +
        'without CustomerEndpoint.Name (CtrStream.CallerLookup.Status is error, with a Reason). Check the ' +
        "directory's health and latency and the Reason in the transform's log group; raise CALLER_LOOKUP_TIMEOUT_MS " +
        '(lambdaEnvironment) only if the directory is healthy but slow.',
      transformMetric('CallerLookupErrors'),
      ComparisonOperator.GREATER_THAN_THRESHOLD,
      0,
      3,
      // 2 of 3, not 3 in a row: a quiet period (no invocation, so no data) must not hide an outage at night.
      2,
    );
  }
}
