import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LambdaArchitecture } from './stack-options.js';

/** Settings of {@link TransformFunction}. */
export interface TransformFunctionProps {
  /** The directory holding apps/lambda's bundle (`index.mjs`). */
  readonly bundleDirectory: string;
  readonly callerLookupUrl: string;
  /** Set as DELIVERY_STREAM_NAME: where the Lambda re-ingests records that do not fit in its 6 MB response. */
  readonly deliveryStreamName: string;
  /** Set as METRICS_NAMESPACE: the CloudWatch namespace of the function's Embedded Metric Format metrics. */
  readonly metricsNamespace: string;
  /** Further variables; CALLER_LOOKUP_URL, DELIVERY_STREAM_NAME and METRICS_NAMESPACE always come from the props above. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The Secrets Manager secret holding the caller directory's API key: set as CALLER_LOOKUP_API_KEY_SECRET_ID, and
   * the function's role may read it (secretsmanager:GetSecretValue on that secret only).
   */
  readonly callerLookupApiKeySecretArn?: string;
  readonly memoryMb: number;
  readonly reservedConcurrency?: number;
  readonly architecture: LambdaArchitecture;
  readonly logRetentionDays: number;
}

/** Files of apps/lambda/dist that the function does not need at run time. */
const BUNDLE_EXCLUDES = ['*.d.ts', '*.d.mts', '*.map', '*.zip'];

/**
 * The Firehose transform Lambda from apps/lambda's bundle: Node.js 22, 1 minute timeout (the tutorial's), its own
 * log group with a retention period, and a role that may only write to that log group.
 *
 * @example
 * ```ts
 * const transform = new TransformFunction(stack, 'Transform', {
 *   bundleDirectory: resolveLambdaBundleDirectory(),
 *   callerLookupUrl: 'https://directory.example.com/api/user/',
 *   deliveryStreamName: 'CTRFHStream',
 *   metricsNamespace: 'CtrStream',
 *   environment: {},
 *   memoryMb: 512,
 *   architecture: 'arm64',
 *   logRetentionDays: 30,
 * });
 * transform.function.functionArn;
 * ```
 */
export class TransformFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TransformFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // No AWSLambdaBasicExecutionRole: it allows logs:CreateLogGroup on every resource. This role writes to one group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'ctr-stream transform Lambda: write its own logs (and re-ingest overflow records, see ReingestPolicy).',
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new LambdaFunction(this, 'Function', {
      description: 'ctr-stream: Firehose transform that adds CustomerEndpoint.Name to Amazon Connect CTRs.',
      runtime: Runtime.NODEJS_22_X,
      architecture: props.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      handler: 'index.handler',
      code: Code.fromAsset(props.bundleDirectory, { exclude: BUNDLE_EXCLUDES }),
      timeout: Duration.minutes(1),
      memorySize: props.memoryMb,
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: {
        ...props.environment,
        CALLER_LOOKUP_URL: props.callerLookupUrl,
        DELIVERY_STREAM_NAME: props.deliveryStreamName,
        METRICS_NAMESPACE: props.metricsNamespace,
        ...(props.callerLookupApiKeySecretArn === undefined
          ? {}
          : { CALLER_LOOKUP_API_KEY_SECRET_ID: props.callerLookupApiKeySecretArn }),
      },
      role: this.role,
      logGroup: this.logGroup,
    });
    if (props.callerLookupApiKeySecretArn !== undefined) {
      // The function reads the key at its first invocation; a secret encrypted with a customer-managed key also
      // needs kms:Decrypt for this role in that key's policy (the README says so).
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'ReadCallerLookupApiKey',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.callerLookupApiKeySecretArn],
        }),
      );
    }
  }
}
