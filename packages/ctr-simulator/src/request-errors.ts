/**
 * Errors that happen before a request leaves the machine: no credentials to sign it with, an endpoint whose name
 * does not resolve, or a connection that is refused. A request that fails this way cannot have been delivered.
 */

/** Error names of the AWS SDK's credential and token providers (no credentials, an unusable profile or SSO token). */
const CREDENTIALS_ERRORS: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ProviderError',
]);

/** Node error codes of a connection that was never made: refused, or a host name that did not resolve. */
export const UNREACHED_ERRORS: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** True for an error name of the SDK's credential providers: the request was never signed, so never sent. */
export function isCredentialsError(name: string): boolean {
  return CREDENTIALS_ERRORS.has(name);
}

/** Text from outside (an error code, a profile name), safe to print: control characters become `?`. */
export const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/**
 * What to check when the SDK found no credentials, aware of the environment the standard chain reads (its values are
 * never quoted, except the profile name, which is not a secret).
 */
export function credentialsAdvice(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const profile = environment.AWS_PROFILE;
  if (profile !== undefined && profile !== '') {
    const name = printable(profile);
    return (
      `The profile ${name} (AWS_PROFILE) gives no credentials: check that ~/.aws/config or ~/.aws/credentials ` +
      `defines it, or run aws sso login --profile ${name}; or unset AWS_PROFILE to use the rest of the chain.`
    );
  }
  if (environment.AWS_ACCESS_KEY_ID && !environment.AWS_SECRET_ACCESS_KEY) {
    return 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both (and AWS_SESSION_TOKEN for temporary credentials), or neither.';
  }
  return (
    'No AWS credentials were found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), ' +
    'log in with aws sso login, or run where a role applies.'
  );
}
