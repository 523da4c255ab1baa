import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CtrLambdaError } from './errors.js';

/**
 * Reads the caller directory's API key: the `SecretString` of a Secrets Manager secret (ARN or name), as is. The
 * client follows the standard configuration (the function's role, `AWS_REGION`, and `AWS_ENDPOINT_URL_SECRETS_MANAGER`
 * for a local stand-in). The key never appears in an error: only the secret's id and the service's error name.
 *
 * @throws {CtrLambdaError} (retryable) when the secret cannot be read or holds no string.
 * @example
 * ```ts
 * const key = await readApiKeySecret('arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:directory-key-AbCdEf');
 * ```
 */
export async function readApiKeySecret(
  secretId: string,
  client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
): Promise<string> {
  let secretString: string | undefined;
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    secretString = answer.SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'an error';
    throw new CtrLambdaError(
      `Could not read the caller directory's API key from Secrets Manager secret ${secretId} (${name}): the invocation fails, so that Firehose retries it (the function's role needs secretsmanager:GetSecretValue on the secret, and kms:Decrypt on its key if it is a customer-managed one).`,
      { isRetryable: true },
    );
  }
  if (secretString === undefined || secretString === '') {
    throw new CtrLambdaError(
      `Secrets Manager secret ${secretId} holds no SecretString: store the caller directory's API key as its plain text value.`,
      { isRetryable: true },
    );
  }
  return secretString;
}
