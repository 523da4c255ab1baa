import { createHash } from 'node:crypto';
import { InvalidStackOptionsError, type StackOptionIssue } from './errors.js';

/** Firehose index rotation periods for an OpenSearch Service / Elasticsearch destination. */
export const INDEX_ROTATION_PERIODS = ['NoRotation', 'OneHour', 'OneDay', 'OneWeek', 'OneMonth'] as const;
export type IndexRotationPeriod = (typeof INDEX_ROTATION_PERIODS)[number];

/** Which Firehose destination API talks to the domain: the current OpenSearch Service one, or the legacy Elasticsearch one. */
export const DOMAIN_DESTINATION_APIS = ['opensearch', 'elasticsearch'] as const;
export type DomainDestinationApi = (typeof DOMAIN_DESTINATION_APIS)[number];

/** Firehose document ID formats (FIREHOSE_DEFAULT keeps IDs stable across Firehose's own retries). */
export const DOCUMENT_ID_FORMATS = ['FIREHOSE_DEFAULT', 'NO_DOCUMENT_ID'] as const;
export type DocumentIdFormat = (typeof DOCUMENT_ID_FORMATS)[number];

export const LAMBDA_ARCHITECTURES = ['arm64', 'x86_64'] as const;
export type LambdaArchitecture = (typeof LAMBDA_ARCHITECTURES)[number];

export const BACKUP_ENCRYPTIONS = ['s3', 'kms'] as const;
/** `s3`: SSE-S3 (AES-256, no key to manage); `kms`: a customer-managed KMS key with rotation, created by the stack. */
export type BackupEncryption = (typeof BACKUP_ENCRYPTIONS)[number];

/** CloudWatch Logs retention periods that CloudFormation accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Delivery to an Amazon OpenSearch Service / Elasticsearch domain in this account and region. */
export interface DomainDestinationOptions {
  readonly kind: 'domain';
  /** `arn:aws:es:<region>:<account>:domain/<name>`. */
  readonly domainArn: string;
  readonly api: DomainDestinationApi;
  readonly indexName: string;
  readonly indexRotation: IndexRotationPeriod;
  /** Only for Elasticsearch 6.x domains (the tutorial used `CTR`); leave unset for 7.x and OpenSearch. */
  readonly typeName?: string;
  readonly retryDurationSeconds: number;
  readonly documentIdFormat: DocumentIdFormat;
}

/** Delivery to an Elastic Cloud deployment through Firehose's HTTP endpoint destination. */
export interface ElasticCloudDestinationOptions {
  readonly kind: 'elastic-cloud';
  /** The deployment's Firehose endpoint, `https://...`. */
  readonly endpointUrl: string;
  /** An existing secret holding `{"api_key":"..."}`; when absent the stack creates an empty secret for you to fill. */
  readonly apiKeySecretArn?: string;
  /** Sent as the `es_datastream_name` request attribute. */
  readonly dataStreamName: string;
  readonly retryDurationSeconds: number;
}

export type DestinationOptions = DomainDestinationOptions | ElasticCloudDestinationOptions;

/** Every setting of the ctr-stream stack, validated and with defaults applied. */
export interface CtrStreamStackOptions {
  /**
   * The option, or else `CTRFHStream` for the default stack and `<stackName>-CTRFHStream` for any other
   * ({@link defaultDeliveryStreamName}).
   */
  readonly deliveryStreamName: string;
  /** CALLER_LOOKUP_URL of the transform Lambda: the directory's base URL, ending in `/`. */
  readonly callerLookupUrl: string;
  /** Further environment variables of the transform Lambda (timeouts, concurrency, TTLs). */
  readonly lambdaEnvironment: Readonly<Record<string, string>>;
  /**
   * The Secrets Manager secret whose plain-text value is the caller directory's API key: the Lambda's
   * CALLER_LOOKUP_API_KEY_SECRET_ID, readable by the function alone; the key is then in no template.
   */
  readonly callerLookupApiKeySecretArn?: string;
  /**
   * CloudWatch namespace of the transform's own metrics (Embedded Metric Format): set as the Lambda's
   * METRICS_NAMESPACE and read by the RecordsProcessingFailed and CallerLookupErrors alarms, so the two agree.
   */
  readonly metricsNamespace: string;
  readonly lambdaMemoryMb: number;
  readonly lambdaReservedConcurrency?: number;
  readonly lambdaArchitecture: LambdaArchitecture;
  readonly logRetentionDays: number;
  readonly destination: DestinationOptions;
  readonly processorBufferSizeMb: number;
  readonly processorBufferIntervalSeconds: number;
  readonly processingRetries: number;
  readonly destinationBufferSizeMb: number;
  readonly destinationBufferIntervalSeconds: number;
  readonly backupEncryption: BackupEncryption;
  readonly backupExpirationDays: number;
  readonly connectInstanceArn?: string;
  readonly alarmTopicArn?: string;
  readonly alarmEmail?: string;
  readonly dataFreshnessThresholdSeconds: number;
}

/** Where and under which name the stack is deployed. */
export interface StackPlacement {
  readonly stackName: string;
  /** Both unset: an environment-agnostic stack (the CLI's account and region at deploy time). */
  readonly account?: string;
  readonly region?: string;
  /** True when `example=true` filled in example values: synthesis only, never deploy. */
  readonly example: boolean;
  /** A Lambda bundle directory other than apps/lambda/dist (must contain index.mjs). */
  readonly lambdaBundleDirectory?: string;
}

export const DEFAULT_STACK_OPTIONS = {
  stackName: 'CtrStream',
  deliveryStreamName: 'CTRFHStream',
  indexName: 'connect',
  indexRotation: 'NoRotation',
  domainApi: 'opensearch',
  retryDurationSeconds: 300,
  documentIdFormat: 'FIREHOSE_DEFAULT',
  elasticDataStreamName: 'connect',
  lambdaMemoryMb: 512,
  lambdaArchitecture: 'arm64',
  logRetentionDays: 30,
  processorBufferSizeMb: 1,
  processorBufferIntervalSeconds: 60,
  processingRetries: 3,
  destinationBufferSizeMb: 1,
  destinationBufferIntervalSeconds: 60,
  backupEncryption: 's3',
  backupExpirationDays: 90,
  dataFreshnessThresholdSeconds: 900,
  metricsNamespace: 'CtrStream',
} as const;

/** Firehose's limit on a delivery stream name. */
const MAX_DELIVERY_STREAM_NAME_LENGTH = 64;

/**
 * The delivery stream name used when the deliveryStreamName option is not given: the tutorial's `CTRFHStream` for
 * the default stack name, `<stackName>-CTRFHStream` for any other, so that a second stack (staging, a test) in the
 * same account and region gets its own stream, log group and alarm names: Firehose stream names are unique per
 * account and region. A stack name too long for Firehose's 64 characters is cut to 43 and followed by 8 hex
 * characters of its SHA-256, so that two long names with a common start still differ.
 *
 * @example
 * ```ts
 * defaultDeliveryStreamName('CtrStream'); // 'CTRFHStream'
 * defaultDeliveryStreamName('CtrStreamStaging'); // 'CtrStreamStaging-CTRFHStream'
 * ```
 */
export function defaultDeliveryStreamName(stackName: string): string {
  const streamName = DEFAULT_STACK_OPTIONS.deliveryStreamName;
  if (stackName === DEFAULT_STACK_OPTIONS.stackName) return streamName;
  const suffix = `-${streamName}`;
  const room = MAX_DELIVERY_STREAM_NAME_LENGTH - suffix.length;
  if (stackName.length <= room) return `${stackName}${suffix}`;
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, 8);
  return `${stackName.slice(0, room - hash.length - 1)}-${hash}${suffix}`;
}

/** The values `example=true` fills in (account 123456789012 does not exist: synthesis only). */
export const EXAMPLE_CONTEXT: Readonly<Record<string, string>> = {
  callerLookupUrl: 'https://caller-directory.example.com/api/user/',
  domainArn: 'arn:aws:es:ap-southeast-2:123456789012:domain/ctr-stream',
  connectInstanceArn:
    'arn:aws:connect:ap-southeast-2:123456789012:instance/5a2f3b68-24d7-46c5-ba70-b70cd6918286',
  alarmEmail: 'contact-center-ops@example.com',
};

/** The option names this stack reads from CDK context. */
export const STACK_OPTION_NAMES = [
  'example',
  'lambdaBundleDirectory',
  'stackName',
  'account',
  'region',
  'deliveryStreamName',
  'callerLookupUrl',
  'callerLookupApiKeySecretArn',
  'lambdaEnvironment',
  'metricsNamespace',
  'lambdaMemoryMb',
  'lambdaReservedConcurrency',
  'lambdaArchitecture',
  'logRetentionDays',
  'domainArn',
  'domainApi',
  'indexName',
  'indexRotation',
  'typeName',
  'documentIdFormat',
  'retryDurationSeconds',
  'elasticEndpointUrl',
  'elasticApiKeySecretArn',
  'elasticDataStreamName',
  'processorBufferSizeMb',
  'processorBufferIntervalSeconds',
  'processingRetries',
  'destinationBufferSizeMb',
  'destinationBufferIntervalSeconds',
  'backupEncryption',
  'backupExpirationDays',
  'connectInstanceArn',
  'alarmTopicArn',
  'alarmEmail',
  'dataFreshnessThresholdSeconds',
] as const;

const KNOWN_OPTIONS = new Set<string>(STACK_OPTION_NAMES);
/** An option name with case, dashes and underscores taken out: `Caller-Lookup_URL` -> `callerlookupurl`. */
const spelling = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
/** Options people may try that must never be passed as context: they would land in cdk.out and the template. */
const SECRET_OPTIONS = new Set(['elasticApiKey', 'apiKey', 'elasticPassword', 'password']);

const DOMAIN_ARN = /^arn:aws[a-z-]*:es:([a-z0-9-]+):(\d{12}):domain\/([a-z][a-z0-9-]{2,27})$/;
const CONNECT_INSTANCE_ARN = /^arn:aws[a-z-]*:connect:([a-z0-9-]+):(\d{12}):instance\/[0-9a-f-]{36}$/;
/** The complete ARN, with the 6-character suffix Secrets Manager appends (IAM needs it to match exactly). */
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const DELIVERY_STREAM_NAME = /^[a-zA-Z0-9._-]{1,64}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const INDEX_NAME = /^[a-z0-9][a-z0-9._+-]{0,79}$/;
const DATA_STREAM_NAME = /^[a-z0-9][a-z0-9._+-]{0,99}$/;
const ENVIRONMENT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** CloudWatch custom namespace: 1-255 printable ASCII characters, no ':', and not AWS/ (reserved for AWS services). */
const METRICS_NAMESPACE = /^(?!AWS\/)[\x20-\x39\x3B-\x7E]{1,255}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT = /^\d{12}$/;
/** Lambda refuses these environment variable names (reserved by the runtime). */
const RESERVED_ENVIRONMENT = /^(AWS_|_|LAMBDA_TASK_ROOT$|LAMBDA_RUNTIME_DIR$|TZ$)/;

/**
 * Reads and validates the stack options from CDK context values (`-c key=value`, strings, or typed values from
 * cdk.json). Collects every problem and throws one {@link InvalidStackOptionsError} listing them all.
 *
 * @example
 * ```ts
 * const { options, placement } = parseStackOptions({
 *   callerLookupUrl: 'https://directory.example.com/api/user/',
 *   domainArn: 'arn:aws:es:ap-southeast-2:123456789012:domain/ctr-stream',
 * });
 * options.destination.kind; // 'domain'
 * placement.stackName; // 'CtrStream'
 * ```
 */
export function parseStackOptions(context: Readonly<Record<string, unknown>>): {
  options: CtrStreamStackOptions;
  placement: StackPlacement;
} {
  const issues: StackOptionIssue[] = [];
  const reader = new ContextReader(context, issues);
  const example = reader.boolean('example', false);
  if (example) reader.applyExample(EXAMPLE_CONTEXT);

  for (const key of Object.keys(context)) {
    if (SECRET_OPTIONS.has(key)) {
      issues.push({
        option: key,
        message:
          'never pass a secret as CDK context: it would be written to cdk.out and the CloudFormation template. ' +
          'Store the API key in AWS Secrets Manager as {"api_key":"..."} and pass elasticApiKeySecretArn.',
      });
    } else if (!KNOWN_OPTIONS.has(key)) {
      // Any spelling of an option (case, dashes, underscores) is a mistake; other unknown identifiers too. Keys
      // with ':' or '@', and kebab-case ones such as cli-telemetry, are CDK's own.
      const suggestion = STACK_OPTION_NAMES.find((name) => spelling(name) === spelling(key));
      if (suggestion === undefined && !/^[A-Za-z][A-Za-z0-9]*$/.test(key)) continue;
      issues.push({
        option: key,
        message: suggestion
          ? `unknown option; did you mean ${suggestion}?`
          : 'unknown option; see the options table in apps/infra/README.md.',
      });
    }
  }

  const lambdaBundleDirectory = reader.optionalString('lambdaBundleDirectory', /^.+$/, 'a directory path');
  const stackName = reader.string(
    'stackName',
    DEFAULT_STACK_OPTIONS.stackName,
    STACK_NAME,
    'a CloudFormation stack name',
  );
  const account = reader.optionalString('account', ACCOUNT, 'a 12-digit AWS account ID');
  const region = reader.optionalString('region', REGION, 'an AWS region such as ap-southeast-2');
  // Not given: derived from the stack name, so that two stacks never share a stream, log group or alarm name.
  const deliveryStreamName =
    reader.optionalString(
      'deliveryStreamName',
      DELIVERY_STREAM_NAME,
      '1-64 letters, digits, dots, dashes or underscores',
    ) ?? defaultDeliveryStreamName(stackName);

  const callerLookupUrl = reader.callerLookupUrl();
  const metricsNamespace = reader.string(
    'metricsNamespace',
    DEFAULT_STACK_OPTIONS.metricsNamespace,
    METRICS_NAMESPACE,
    "a CloudWatch namespace: 1-255 printable ASCII characters, no ':', not starting with AWS/ (reserved for AWS services)",
  );
  const callerLookupApiKeySecretArn = reader.optionalArn(
    'callerLookupApiKeySecretArn',
    SECRET_ARN,
    'arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (the complete ARN, as `aws secretsmanager describe-secret` prints it)',
  );
  const lambdaEnvironment = reader.lambdaEnvironment({
    CALLER_LOOKUP_URL: callerLookupUrl ?? '',
    DELIVERY_STREAM_NAME: deliveryStreamName,
    METRICS_NAMESPACE: metricsNamespace,
    ...(callerLookupApiKeySecretArn === undefined
      ? {}
      : { CALLER_LOOKUP_API_KEY_SECRET_ID: callerLookupApiKeySecretArn }),
  });
  if (callerLookupApiKeySecretArn !== undefined && lambdaEnvironment.CALLER_LOOKUP_API_KEY !== undefined) {
    issues.push({
      option: 'callerLookupApiKeySecretArn',
      message:
        'give the API key either as this secret or as CALLER_LOOKUP_API_KEY in lambdaEnvironment, not both (the secret keeps it out of the template).',
    });
  }
  const lambdaMemoryMb = reader.integer('lambdaMemoryMb', DEFAULT_STACK_OPTIONS.lambdaMemoryMb, 128, 10_240);
  const lambdaReservedConcurrency = reader.optionalInteger('lambdaReservedConcurrency', 1, 10_000);
  const lambdaArchitecture = reader.oneOf(
    'lambdaArchitecture',
    LAMBDA_ARCHITECTURES,
    DEFAULT_STACK_OPTIONS.lambdaArchitecture,
  );
  const logRetentionDays = reader.integer(
    'logRetentionDays',
    DEFAULT_STACK_OPTIONS.logRetentionDays,
    1,
    3653,
  );
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    issues.push({
      option: 'logRetentionDays',
      message: `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}.`,
    });
  }

  const destination = reader.destination();
  const processorBufferSizeMb = reader.number(
    'processorBufferSizeMb',
    DEFAULT_STACK_OPTIONS.processorBufferSizeMb,
    0.2,
    3,
  );
  const processorBufferIntervalSeconds = reader.integer(
    'processorBufferIntervalSeconds',
    DEFAULT_STACK_OPTIONS.processorBufferIntervalSeconds,
    0,
    900,
  );
  const processingRetries = reader.integer(
    'processingRetries',
    DEFAULT_STACK_OPTIONS.processingRetries,
    0,
    300,
  );
  // Elastic requires 1 MiB: a decompressed buffer must stay under its http.max_content_length.
  const maxDestinationBuffer = destination?.kind === 'elastic-cloud' ? 1 : 100;
  const destinationBufferSizeMb = reader.integer(
    'destinationBufferSizeMb',
    DEFAULT_STACK_OPTIONS.destinationBufferSizeMb,
    1,
    maxDestinationBuffer,
  );
  const destinationBufferIntervalSeconds = reader.integer(
    'destinationBufferIntervalSeconds',
    DEFAULT_STACK_OPTIONS.destinationBufferIntervalSeconds,
    0,
    900,
  );
  const backupEncryption = reader.oneOf(
    'backupEncryption',
    BACKUP_ENCRYPTIONS,
    DEFAULT_STACK_OPTIONS.backupEncryption,
  );
  const backupExpirationDays = reader.integer(
    'backupExpirationDays',
    DEFAULT_STACK_OPTIONS.backupExpirationDays,
    1,
    36_500,
  );
  const connectInstanceArn = reader.optionalArn(
    'connectInstanceArn',
    CONNECT_INSTANCE_ARN,
    'arn:aws:connect:<region>:<account>:instance/<instance-id>',
  );
  const alarmTopicArn = reader.optionalArn(
    'alarmTopicArn',
    TOPIC_ARN,
    'arn:aws:sns:<region>:<account>:<topic-name>',
  );
  const alarmEmail = reader.optionalString('alarmEmail', EMAIL, 'an email address');
  const dataFreshnessThresholdSeconds = reader.integer(
    'dataFreshnessThresholdSeconds',
    DEFAULT_STACK_OPTIONS.dataFreshnessThresholdSeconds,
    60,
    86_400,
  );

  // Everything the stream touches must live in the stack's account and region.
  const placed: { option: string; arn: string }[] = [];
  if (destination?.kind === 'domain') placed.push({ option: 'domainArn', arn: destination.domainArn });
  if (destination?.kind === 'elastic-cloud' && destination.apiKeySecretArn) {
    placed.push({ option: 'elasticApiKeySecretArn', arn: destination.apiKeySecretArn });
  }
  if (callerLookupApiKeySecretArn)
    placed.push({ option: 'callerLookupApiKeySecretArn', arn: callerLookupApiKeySecretArn });
  if (connectInstanceArn) placed.push({ option: 'connectInstanceArn', arn: connectInstanceArn });
  if (alarmTopicArn) placed.push({ option: 'alarmTopicArn', arn: alarmTopicArn });
  const first = placed[0];
  for (const { option, arn } of placed) {
    const [, , , arnRegion, arnAccount] = arn.split(':');
    const expectedRegion = region ?? (first ? first.arn.split(':')[3] : undefined);
    const expectedAccount = account ?? (first ? first.arn.split(':')[4] : undefined);
    const against = region ? 'the stack region (region option)' : `${first?.option}`;
    if (arnRegion !== expectedRegion) {
      issues.push({
        option,
        message: `is in region ${arnRegion} but ${against} is ${expectedRegion}; the delivery stream, the domain, the Connect instance and the alarm topic must share one region.`,
      });
    }
    const againstAccount = account ? 'the stack account (account option)' : `${first?.option}`;
    if (arnAccount !== expectedAccount) {
      issues.push({
        option,
        message: `is in account ${arnAccount} but ${againstAccount} is in ${expectedAccount}; cross-account delivery is not supported by this stack.`,
      });
    }
  }
  if (alarmTopicArn && alarmEmail) {
    issues.push({
      option: 'alarmEmail',
      message:
        'give either alarmTopicArn (an existing topic) or alarmEmail (the stack creates a topic), not both.',
    });
  }

  if (issues.length > 0 || !destination || callerLookupUrl === undefined) {
    throw new InvalidStackOptionsError(issues);
  }

  const options: CtrStreamStackOptions = {
    deliveryStreamName,
    callerLookupUrl,
    lambdaEnvironment,
    ...(callerLookupApiKeySecretArn === undefined ? {} : { callerLookupApiKeySecretArn }),
    metricsNamespace,
    lambdaMemoryMb,
    ...(lambdaReservedConcurrency === undefined ? {} : { lambdaReservedConcurrency }),
    lambdaArchitecture,
    logRetentionDays,
    destination,
    processorBufferSizeMb,
    processorBufferIntervalSeconds,
    processingRetries,
    destinationBufferSizeMb,
    destinationBufferIntervalSeconds,
    backupEncryption,
    backupExpirationDays,
    ...(connectInstanceArn === undefined ? {} : { connectInstanceArn }),
    ...(alarmTopicArn === undefined ? {} : { alarmTopicArn }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    dataFreshnessThresholdSeconds,
  };
  const placement: StackPlacement = {
    stackName,
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
    example,
    ...(lambdaBundleDirectory === undefined ? {} : { lambdaBundleDirectory }),
  };
  return { options, placement };
}

class ContextReader {
  private values: Record<string, unknown>;

  constructor(
    context: Readonly<Record<string, unknown>>,
    private readonly issues: StackOptionIssue[],
  ) {
    this.values = { ...context };
  }

  applyExample(example: Readonly<Record<string, string>>): void {
    const hasDestination = this.present('domainArn') || this.present('elasticEndpointUrl');
    for (const [key, value] of Object.entries(example)) {
      if (key === 'domainArn' && hasDestination) continue;
      if (!this.present(key)) this.values[key] = value;
    }
  }

  present(option: string): boolean {
    const value = this.values[option];
    return value !== undefined && value !== null && value !== '';
  }

  private raw(option: string): string | undefined {
    if (!this.present(option)) return undefined;
    const value = this.values[option];
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.issues.push({
      option,
      message: `must be a string, number or boolean, got ${JSON.stringify(value)}.`,
    });
    return undefined;
  }

  boolean(option: string, fallback: boolean): boolean {
    const value = this.raw(option);
    if (value === undefined) return fallback;
    if (value === 'true') return true;
    if (value === 'false') return false;
    this.issues.push({ option, message: `must be true or false, got ${JSON.stringify(value)}.` });
    return fallback;
  }

  string(option: string, fallback: string, pattern: RegExp, description: string): string {
    return this.optionalString(option, pattern, description) ?? fallback;
  }

  optionalString(option: string, pattern: RegExp, description: string): string | undefined {
    const value = this.raw(option);
    if (value === undefined) return undefined;
    if (!pattern.test(value)) {
      this.issues.push({ option, message: `must be ${description}, got ${JSON.stringify(value)}.` });
      return undefined;
    }
    return value;
  }

  optionalArn(option: string, pattern: RegExp, shape: string): string | undefined {
    return this.optionalString(option, pattern, `an ARN of the form ${shape}`);
  }

  number(option: string, fallback: number, min: number, max: number): number {
    const value = this.raw(option);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+(\.\d+)?$/.test(value) || !Number.isFinite(parsed) || parsed < min || parsed > max) {
      this.issues.push({
        option,
        message: `must be a number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
      });
      return fallback;
    }
    return parsed;
  }

  integer(option: string, fallback: number, min: number, max: number): number {
    return this.optionalInteger(option, min, max) ?? fallback;
  }

  optionalInteger(option: string, min: number, max: number): number | undefined {
    const value = this.raw(option);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      this.issues.push({
        option,
        message: `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
      });
      return undefined;
    }
    return parsed;
  }

  oneOf<T extends string>(option: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(option);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.issues.push({
        option,
        message: `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}.`,
      });
      return fallback;
    }
    return value as T;
  }

  callerLookupUrl(): string | undefined {
    const option = 'callerLookupUrl';
    const value = this.raw(option);
    if (value === undefined) {
      this.issues.push({
        option,
        message:
          "is required: the caller directory's base URL ending in '/', e.g. https://directory.example.com/api/user/ " +
          '(the Lambda requests <url><phone number>). It becomes the Lambda environment variable CALLER_LOOKUP_URL.',
      });
      return undefined;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.issues.push({ option, message: 'must be an absolute http(s) URL ending in /.' });
      return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      this.issues.push({ option, message: `must use https (or http), got ${url.protocol}` });
      return undefined;
    }
    if (url.username || url.password) {
      this.issues.push({
        option,
        message:
          'must not contain credentials (user:password@): Lambda environment variables are visible to anyone who can read the function configuration.',
      });
      return undefined;
    }
    if (!url.pathname.endsWith('/') || url.search || url.hash) {
      this.issues.push({
        option,
        message: `must end in / with no query or fragment (the Lambda appends the phone number), got ${url.origin}${url.pathname}.`,
      });
      return undefined;
    }
    return value;
  }

  /** The free-form Lambda environment; `stackVariables` are the ones the stack sets itself (counted in the 4 KB). */
  lambdaEnvironment(stackVariables: Readonly<Record<string, string>>): Record<string, string> {
    const option = 'lambdaEnvironment';
    const raw = this.values[option];
    if (raw === undefined || raw === null || raw === '') return {};
    let parsed: unknown = raw;
    if (typeof raw === 'string') {
      try {
        parsed = JSON.parse(raw);
      } catch {
        this.issues.push({
          option,
          message: 'must be a JSON object of strings, e.g. \'{"CALLER_LOOKUP_TIMEOUT_MS":"800"}\'.',
        });
        return {};
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.issues.push({ option, message: 'must be a JSON object mapping variable names to values.' });
      return {};
    }
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed)) {
      if (!ENVIRONMENT_NAME.test(name)) {
        this.issues.push({
          option,
          message: `${JSON.stringify(name)} is not a valid environment variable name.`,
        });
      } else if (RESERVED_ENVIRONMENT.test(name)) {
        this.issues.push({ option, message: `${name} is reserved by the Lambda runtime and cannot be set.` });
      } else if (name === 'CALLER_LOOKUP_URL') {
        this.issues.push({
          option,
          message: 'CALLER_LOOKUP_URL is set from the callerLookupUrl option; pass it there.',
        });
      } else if (name === 'CALLER_LOOKUP_API_KEY_SECRET_ID') {
        this.issues.push({
          option,
          message:
            'CALLER_LOOKUP_API_KEY_SECRET_ID is set from the callerLookupApiKeySecretArn option, which also lets the function read the secret; pass it there.',
        });
      } else if (name === 'DELIVERY_STREAM_NAME') {
        this.issues.push({
          option,
          message:
            'DELIVERY_STREAM_NAME is set from the deliveryStreamName option (the stream this stack creates).',
        });
      } else if (name === 'METRICS_NAMESPACE') {
        this.issues.push({
          option,
          message:
            'METRICS_NAMESPACE is set from the metricsNamespace option, which the alarms read too; pass it there.',
        });
      } else if (name === 'METRICS') {
        this.issues.push({
          option,
          message:
            'METRICS cannot be set: the RecordsProcessingFailed and CallerLookupErrors alarms read these metrics, and ' +
            "with METRICS=off they would stay OK whatever happens. The Lambda's default (on) is kept; choose the " +
            'namespace with the metricsNamespace option.',
        });
      } else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        this.issues.push({ option, message: `${name} must be a string, number or boolean.` });
      } else {
        environment[name] = String(value);
      }
    }
    const size = Object.entries({ ...environment, ...stackVariables }).reduce(
      (total, [name, value]) => total + Buffer.byteLength(name) + Buffer.byteLength(value),
      0,
    );
    if (size > 4096) {
      this.issues.push({
        option,
        message: `the Lambda environment would be ${size} bytes; Lambda allows 4 KB.`,
      });
    }
    return environment;
  }

  destination(): DestinationOptions | undefined {
    const hasDomain = this.present('domainArn');
    const hasElastic = this.present('elasticEndpointUrl');
    const retryDurationSeconds = this.integer(
      'retryDurationSeconds',
      DEFAULT_STACK_OPTIONS.retryDurationSeconds,
      0,
      7200,
    );
    if (hasDomain && hasElastic) {
      this.issues.push({
        option: 'domainArn',
        message:
          'give either domainArn (Amazon OpenSearch Service / Elasticsearch) or elasticEndpointUrl (Elastic Cloud), not both.',
      });
      return undefined;
    }
    if (!hasDomain && !hasElastic) {
      this.issues.push({
        option: 'domainArn',
        message:
          'a destination is required: pass domainArn=arn:aws:es:<region>:<account>:domain/<name> for an Amazon OpenSearch Service / Elasticsearch domain, ' +
          'or elasticEndpointUrl=https://... for Elastic Cloud.',
      });
      return undefined;
    }
    const domainOnly = ['domainApi', 'indexName', 'indexRotation', 'typeName', 'documentIdFormat'];
    const elasticOnly = ['elasticApiKeySecretArn', 'elasticDataStreamName'];
    for (const option of hasDomain ? elasticOnly : domainOnly) {
      if (this.present(option)) {
        this.issues.push({
          option,
          message: hasDomain
            ? 'applies only to the Elastic Cloud destination (elasticEndpointUrl), but domainArn was given.'
            : 'applies only to a domain destination (domainArn), but elasticEndpointUrl was given.',
        });
      }
    }
    if (hasDomain) {
      const domainArn = this.optionalArn(
        'domainArn',
        DOMAIN_ARN,
        'arn:aws:es:<region>:<account>:domain/<domain-name>',
      );
      const api = this.oneOf('domainApi', DOMAIN_DESTINATION_APIS, DEFAULT_STACK_OPTIONS.domainApi);
      const indexName = this.string(
        'indexName',
        DEFAULT_STACK_OPTIONS.indexName,
        INDEX_NAME,
        'a lowercase index name of up to 80 characters',
      );
      const indexRotation = this.oneOf(
        'indexRotation',
        INDEX_ROTATION_PERIODS,
        DEFAULT_STACK_OPTIONS.indexRotation,
      );
      const typeName = this.optionalString(
        'typeName',
        /^[A-Za-z0-9_-]{1,100}$/,
        'a mapping type name (Elasticsearch 6.x only)',
      );
      const documentIdFormat = this.oneOf(
        'documentIdFormat',
        DOCUMENT_ID_FORMATS,
        DEFAULT_STACK_OPTIONS.documentIdFormat,
      );
      if (domainArn === undefined) return undefined;
      return {
        kind: 'domain',
        domainArn,
        api,
        indexName,
        indexRotation,
        ...(typeName === undefined ? {} : { typeName }),
        retryDurationSeconds,
        documentIdFormat,
      };
    }
    const endpointUrl = this.elasticEndpointUrl();
    const apiKeySecretArn = this.optionalArn(
      'elasticApiKeySecretArn',
      SECRET_ARN,
      'arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (the complete ARN, as `aws secretsmanager describe-secret` prints it)',
    );
    const dataStreamName = this.string(
      'elasticDataStreamName',
      DEFAULT_STACK_OPTIONS.elasticDataStreamName,
      DATA_STREAM_NAME,
      'a lowercase data stream or index name',
    );
    if (endpointUrl === undefined) return undefined;
    return {
      kind: 'elastic-cloud',
      endpointUrl,
      ...(apiKeySecretArn === undefined ? {} : { apiKeySecretArn }),
      dataStreamName,
      retryDurationSeconds,
    };
  }

  private elasticEndpointUrl(): string | undefined {
    const option = 'elasticEndpointUrl';
    const value = this.raw(option);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.issues.push({
        option,
        message: 'must be an absolute https URL (the Elastic Cloud Firehose endpoint).',
      });
      return undefined;
    }
    if (url.protocol !== 'https:') {
      this.issues.push({ option, message: 'must use https: Firehose delivers only to https endpoints.' });
      return undefined;
    }
    if (url.username || url.password || url.search) {
      this.issues.push({
        option,
        message:
          'must not carry credentials or a query string; put the API key in Secrets Manager (elasticApiKeySecretArn).',
      });
      return undefined;
    }
    if (value.length > 1000) {
      this.issues.push({ option, message: 'must be at most 1000 characters.' });
      return undefined;
    }
    return value;
  }
}
