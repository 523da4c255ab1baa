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
  { timeoutMs = 5_000, client }: { timeoutMs?: number; client?: Pick<SecretsManagerClient, 'send'> } = {},
): Promise<string> {
  let secretString: string | undefined;
  // Bounded: a Secrets Manager that does not answer must not hold the invocation until the function's timeout.
  // Our own timer says whether it fired: the SDK's error then depends on when (none, or "aborted" mid-body).
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    const answer = await (client ?? new SecretsManagerClient({})).send(
      new GetSecretValueCommand({ SecretId: secretId }),
      { abortSignal: abort.signal },
    );
    secretString = answer.SecretString;
  } catch (error) {
    // The service's error name and message (AccessDeniedException: ... is not authorized ...; Region is missing)
    // never hold the secret's value; one line, at most 300 characters. An answer the SDK could not read is named
    // only: JSON.parse's message quotes the body, which may be the secret's own value.
    const unreadable =
      error instanceof Error &&
      (error.name === 'SyntaxError' || error.message.includes('Deserialization error'));
    const cause = timedOut
      ? `no answer within ${timeoutMs} ms`
      : unreadable
        ? `${error.name}: the answer was not Secrets Manager's JSON`
        : error instanceof Error
          ? `${error.name}${error.message ? `: ${error.message.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`
          : 'an error';
    throw new CtrLambdaError(
      `Could not read the caller directory's API key from Secrets Manager secret ${secretId} (${cause}): the invocation fails, so that Firehose retries it (the function's role needs secretsmanager:GetSecretValue on the secret, and kms:Decrypt on its key if it is a customer-managed one).`,
      { isRetryable: true },
    );
  } finally {
    clearTimeout(timer);
  }
  if (secretString === undefined || secretString === '') {
    throw new CtrLambdaError(
      `Secrets Manager secret ${secretId} holds no SecretString: store the caller directory's API key as its plain text value.`,
      { isRetryable: true },
    );
  }
  return secretString;
}
