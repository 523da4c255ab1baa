/**
 * The delivery stream name in a Firehose ARN (`arn:aws:firehose:<region>:<account>:deliverystream/<name>`),
 * or `undefined` when the ARN is not a delivery-stream ARN (test events use `arn:aws:kinesis:EXAMPLE`).
 *
 * @example
 * ```ts
 * deliveryStreamNameFromArn('arn:aws:firehose:us-east-2:123456789012:deliverystream/ctr'); // 'ctr'
 * ```
 */
export function deliveryStreamNameFromArn(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:firehose:[^:]*:[^:]*:deliverystream\/([A-Za-z0-9_.-]{1,64})$/.exec(arn);
  return match?.[1];
}
