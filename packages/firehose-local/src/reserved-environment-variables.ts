import { randomUUID } from 'node:crypto';
import { basename, dirname, extname } from 'node:path';

/** Lambda's function version for an unpublished function, in the context and `AWS_LAMBDA_FUNCTION_VERSION`. */
export const FUNCTION_VERSION = '$LATEST';

/**
 * Credentials an execution environment gets when firehose-local's own environment has none (Lambda always
 * provides the execution role's). They only sign requests to firehose-local, which does not check SigV4; AWS
 * would reject them.
 */
export const LOCAL_CREDENTIAL_PLACEHOLDERS: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'FIREHOSELOCALPLACEHOLDER',
  AWS_SECRET_ACCESS_KEY: 'firehose-local-placeholder-secret',
  AWS_SESSION_TOKEN: 'firehose-local-placeholder-session-token',
};

/** What the reserved variables of one execution environment are made of. */
export interface LambdaFunctionIdentity {
  functionName: string;
  /** The delivery stream's region: Lambda runs the function in its own region. */
  region: string;
  memorySizeInMB: number;
  /** Absolute path of the handler module. */
  modulePath: string;
  exportName: string;
  /** This environment's log stream, as in the context's `logStreamName`. */
  logStreamName: string;
}

/** The log group Lambda writes a function's logs to (`context.logGroupName`). */
export function lambdaLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * A new execution environment's log stream name, in Lambda's form `YYYY/MM/DD/[$LATEST]<32 hex>` (the date
 * in UTC): one per environment, shared by all its invocations.
 */
export function newLogStreamName(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${FUNCTION_VERSION}]${randomUUID().replaceAll('-', '')}`;
}

/** `AWS_Lambda_nodejs<major>.x` of the Node.js running firehose-local (Lambda's runtime identifier). */
export function lambdaExecutionEnv(nodeVersion: string = process.versions.node): string {
  return `AWS_Lambda_nodejs${nodeVersion.split('.')[0]}.x`;
}

/** `_HANDLER`: the module's file name without its extension, a dot, the export (e.g. `index.handler`). */
export function lambdaHandlerSetting(modulePath: string, exportName: string): string {
  const file = basename(modulePath);
  return `${file.slice(0, file.length - extname(file).length)}.${exportName}`;
}

/**
 * The variables the Lambda runtime defines in every execution environment (reserved on AWS: a function's
 * configuration cannot set them), with this function's values. `TZ` is `:UTC` as on Lambda.
 */
export function lambdaReservedVariables(identity: LambdaFunctionIdentity): Record<string, string> {
  return {
    AWS_REGION: identity.region,
    AWS_DEFAULT_REGION: identity.region,
    AWS_LAMBDA_FUNCTION_NAME: identity.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: FUNCTION_VERSION,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(identity.memorySizeInMB),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: lambdaLogGroupName(identity.functionName),
    AWS_LAMBDA_LOG_STREAM_NAME: identity.logStreamName,
    AWS_EXECUTION_ENV: lambdaExecutionEnv(),
    LAMBDA_TASK_ROOT: dirname(identity.modulePath),
    _HANDLER: lambdaHandlerSetting(identity.modulePath, identity.exportName),
    TZ: ':UTC',
  };
}

const isSet = (value: string | undefined): boolean => value !== undefined && value !== '';

/**
 * The `process.env` of one execution environment, lowest precedence first:
 * 1. firehose-local's `process.env` (`parent`), without `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (it would send
 *    the SDK past the endpoint below, to AWS);
 * 2. `AWS_ENDPOINT_URL_FIREHOSE`: this firehose-local, the Firehose the processor lives in (even when the
 *    parent sets another one: a processor re-ingesting records must reach this stream, not a real one);
 * 3. Lambda's reserved variables;
 * 4. the function's configured variables (`processor.environment`), which may set any of the above;
 * then placeholder credentials when neither `AWS_ACCESS_KEY_ID` nor `AWS_PROFILE` is set (Lambda always
 * provides the execution role's). An empty value counts as unset, as the AWS SDK treats it.
 * The parent's environment is read, never written.
 */
export function executionEnvironmentVariables(options: {
  parent: Readonly<Record<string, string | undefined>>;
  reserved: Readonly<Record<string, string>>;
  configured: Readonly<Record<string, string>>;
  /** firehose-local's URL once it listens; undefined before. */
  firehoseEndpointUrl: string | undefined;
}): Record<string, string | undefined> {
  const { parent, reserved, configured, firehoseEndpointUrl } = options;
  const { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: _ignored, ...inherited } = parent;
  const variables: Record<string, string | undefined> = {
    ...inherited,
    ...(firehoseEndpointUrl === undefined ? {} : { AWS_ENDPOINT_URL_FIREHOSE: firehoseEndpointUrl }),
    ...reserved,
    ...configured,
  };
  if (!isSet(variables.AWS_ENDPOINT_URL_FIREHOSE)) {
    if (firehoseEndpointUrl === undefined) delete variables.AWS_ENDPOINT_URL_FIREHOSE;
    else variables.AWS_ENDPOINT_URL_FIREHOSE = firehoseEndpointUrl;
  }
  if (!isSet(variables.AWS_ACCESS_KEY_ID) && !isSet(variables.AWS_PROFILE)) {
    Object.assign(variables, LOCAL_CREDENTIAL_PLACEHOLDERS);
  }
  return variables;
}
