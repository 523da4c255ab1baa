import {
  type AwsService,
  type AwsSigV4Options,
  createAwsSigV4Signer,
  AwsCredentialsError as SignerCredentialsError,
  InvalidOptionError as SignerOptionError,
} from '@ctr-stream/es-index-setup';
import { AwsCredentialsError, InvalidOptionError } from './errors.js';

/**
 * How the requests to one server are signed with AWS Signature Version 4. The signer is es-index-setup's
 * (`createAwsSigV4Signer`): one implementation, whose AWS libraries load on the first signed request only.
 */
export interface RequestSigning {
  region: string;
  service: AwsService;
  /**
   * The headers to send with this exact request: `headers` plus `host`, `x-amz-date`, `x-amz-content-sha256` (of
   * `body`, the bytes sent), `x-amz-security-token` for temporary credentials and `authorization`. Every header
   * given is signed, so send exactly these. Throws {@link AwsCredentialsError} when there are no credentials.
   */
  headersFor(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
  ): Promise<Record<string, string>>;
}

/**
 * Validates `awsSigV4` (region, service) before anything is sent and returns the signing, or undefined when
 * `options` is undefined. `option` names the option in `InvalidOptionError` (`awsSigV4`).
 */
export function createRequestSigning(
  options: AwsSigV4Options | undefined,
  option: string,
): RequestSigning | undefined {
  if (options === undefined) return undefined;
  let sign: ReturnType<typeof createAwsSigV4Signer>;
  try {
    sign = createAwsSigV4Signer(options);
  } catch (error) {
    if (error instanceof SignerOptionError) throw new InvalidOptionError(option, error.message);
    throw error;
  }
  return {
    region: options.region,
    service: options.service ?? 'es',
    async headersFor(method, url, headers, body) {
      try {
        // The URL parsed as undici sends it: the signed path (base path included) and query are those on the wire.
        return await sign({ method, url: new URL(url), headers, body });
      } catch (error) {
        if (error instanceof SignerCredentialsError)
          throw new AwsCredentialsError(error.message, {}, { cause: error });
        throw error;
      }
    },
  };
}

/**
 * What to check when a signed request gets 401 or 403: the access policy (the actions the request needs), the
 * region, and the fine-grained access control role mapping of the IAM identity. `request` says which request:
 * the Dashboards API or the field check's `_field_caps`.
 */
export function signedRefusalHint(signing: RequestSigning, request: 'dashboards' | 'field-check'): string {
  if (signing.service === 'aoss') {
    return ` The collection refused the signed request: check that its data access policy grants this IAM identity (the role or user of your AWS credentials) ${request === 'dashboards' ? 'access to the collection and its Dashboards' : 'aoss:DescribeIndex on the indices'}, and that the region (${signing.region}) is the collection's.`;
  }
  return request === 'dashboards'
    ? ` The domain refused the signed request: check that the domain's access policy allows this IAM identity (the role or user of your AWS credentials) es:ESHttpGet and es:ESHttpPost on domain/<name>/_dashboards/*, that the region (${signing.region}) is the domain's, and, with fine-grained access control, that the identity's ARN is mapped to a role that may write saved objects in the tenant (the domain's master user, or OpenSearch Dashboards > Security > Roles > Mapped users).`
    : ` The domain refused the signed request: check that the domain's access policy allows this IAM identity (the role or user of your AWS credentials) es:ESHttpGet on the indices, that the region (${signing.region}) is the domain's, and, with fine-grained access control, that the identity's ARN is mapped to a role with read or view_index_metadata on them (OpenSearch Dashboards > Security > Roles > Mapped users).`;
}

/**
 * For an unsigned request refused with Amazon OpenSearch Service's access policy message (`User: anonymous is not
 * authorized to perform: es:ESHttpGet ...`): the domain authorises IAM identities, so say how to sign. '' otherwise.
 */
export function unsignedRefusalHint(serverMessage: string | undefined): string {
  return serverMessage !== undefined && /\bes:ESHttp|\baoss:/.test(serverMessage)
    ? ' The domain authorises IAM identities: sign the requests with --aws-sigv4 REGION (awsSigV4 in the library).'
    : '';
}
