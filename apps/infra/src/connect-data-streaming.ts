import { CfnInstanceStorageConfig } from 'aws-cdk-lib/aws-connect';
import { Construct } from 'constructs';

/** Settings of {@link ConnectDataStreaming}. */
export interface ConnectDataStreamingProps {
  /** `arn:aws:connect:<region>:<account>:instance/<id>`. */
  readonly instanceArn: string;
  /** The delivery stream's ARN. */
  readonly deliveryStreamArn: string;
}

/**
 * The Amazon Connect "Data streaming" setting of the tutorial's step 4, as code: the instance sends its contact trace
 * records to the delivery stream.
 *
 * @example
 * ```ts
 * new ConnectDataStreaming(stack, 'ConnectDataStreaming', {
 *   instanceArn: 'arn:aws:connect:ap-southeast-2:123456789012:instance/5a2f3b68-24d7-46c5-ba70-b70cd6918286',
 *   deliveryStreamArn: stream.deliveryStream.attrArn,
 * });
 * ```
 */
export class ConnectDataStreaming extends Construct {
  readonly storageConfig: CfnInstanceStorageConfig;

  constructor(scope: Construct, id: string, props: ConnectDataStreamingProps) {
    super(scope, id);
    this.storageConfig = new CfnInstanceStorageConfig(this, 'Resource', {
      instanceArn: props.instanceArn,
      resourceType: 'CONTACT_TRACE_RECORDS',
      storageType: 'KINESIS_FIREHOSE',
      kinesisFirehoseConfig: { firehoseArn: props.deliveryStreamArn },
    });
  }
}
