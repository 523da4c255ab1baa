/**
 * A local stand-in for an Amazon OpenSearch Service domain whose access policy authorises IAM identities
 * (127.0.0.1 only). Like the service's front end it verifies every request's SigV4 signature before anything
 * else, with es-index-setup's independent verifier (`node:crypto`, written from the SigV4 steps, not
 * `@smithy/signature-v4`), and checks the credential scope (region, service). Refusals are 403 `{"message"}` as
 * the service sends them. Verified requests under `/_dashboards` go to the Kibana contract server (OpenSearch
 * Dashboards 2.11.0 by default), which enforces Dashboards' own contract (`osd-xsrf`, multipart, `.ndjson`);
 * `GET /<pattern>/_field_caps` is answered as OpenSearch answers it for the index ctr-es-setup makes.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ReceivedRequest,
  type SigningSecret,
  signatureRefusal,
} from '../../../es-index-setup/tests/unit/aws-domain-server.js';
import { fieldRequirements } from '../../src/index.js';
import {
  type ContractServer,
  type ContractServerOptions,
  startKibanaContractServer,
} from './kibana-contract-server.js';

export {
  emptyAwsEnvironment,
  recomputeSignature,
  SIGNATURE_MISMATCH,
  sha256Hex,
} from '../../../es-index-setup/tests/unit/aws-domain-server.js';
export type { ReceivedRequest };

export interface AwsDomainOptions {
  /** The key pairs the domain knows: access key id -> secret (and the session token it must carry). */
  secrets: Record<string, SigningSecret>;
  /** The domain's region and the signing name; a signature scoped to others is refused. Default eu-west-1, es. */
  region?: string;
  service?: string;
  /** The Dashboards behind `/_dashboards`. Default: OpenSearch Dashboards 2.11.0. */
  dashboards?: Omit<ContractServerOptions, 'basePath'>;
  /** Verified requests with this method are refused by the access policy: 403 `{"Message": message}`. */
  forbid?: { method: string; message: string };
}

export interface AwsDomain {
  /** The domain endpoint, e.g. `http://127.0.0.1:43210` (Dashboards at `${url}/_dashboards`). */
  url: string;
  /** Every request as the front end received it, with the reason its signature was refused (or undefined). */
  received: ReceivedRequest[];
  /** The Dashboards contract server behind `/_dashboards` (what it accepted and stored). */
  dashboards: ContractServer;
  close(): Promise<void>;
}

const CREDENTIAL_SCOPE = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9]+)\/aws4_request/;

/** The index ctr-es-setup makes, as `_field_caps` reports it: time fields dates, the rest keywords. */
function fieldCapabilities() {
  const fields: Record<
    string,
    Record<string, { type: string; searchable: boolean; aggregatable: boolean }>
  > = {};
  for (const { field, needs } of fieldRequirements()) {
    const type = needs === 'date' ? 'date' : 'keyword';
    fields[field] = { [type]: { type, searchable: true, aggregatable: true } };
  }
  return { indices: ['connect'], fields };
}

export async function startAwsDomain(options: AwsDomainOptions): Promise<AwsDomain> {
  const region = options.region ?? 'eu-west-1';
  const service = options.service ?? 'es';
  const dashboards = await startKibanaContractServer({
    ...(options.dashboards ?? { product: 'opensearch-dashboards', version: '2.11.0' }),
    basePath: '/_dashboards',
  });
  const received: ReceivedRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const entry = {
        method: incoming.method ?? '',
        target: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      const scope = CREDENTIAL_SCOPE.exec(String(entry.headers.authorization));
      const refusal =
        signatureRefusal(entry, options.secrets) ??
        (scope?.[1] !== region
          ? 'Credential should be scoped to a valid region.'
          : scope[2] !== service
            ? `Credential should be scoped to correct service: '${service}'.`
            : undefined);
      received.push({ ...entry, refusal });
      const reply = (statusCode: number, body: unknown) => {
        response.writeHead(statusCode, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (refusal !== undefined) return reply(403, { message: refusal });
      if (options.forbid !== undefined && entry.method === options.forbid.method)
        return reply(403, { Message: options.forbid.message });
      const path = entry.target.split('?')[0] ?? '';
      if (path === '/_dashboards' || path.startsWith('/_dashboards/')) {
        // Passed on as received: the contract server sees the same method, target, headers and bytes.
        const forwarded = httpRequest(
          `${dashboards.url}${entry.target}`,
          { method: entry.method, headers: entry.headers },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        forwarded.on('error', (error) => reply(502, { message: String(error) }));
        forwarded.end(entry.body);
        return;
      }
      if (entry.method === 'GET' && /^\/[^/]+\/_field_caps$/.test(path))
        return reply(200, fieldCapabilities());
      return reply(400, {
        error: `no handler found for uri [${path}] and method [${entry.method}]`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    dashboards,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dashboards.close();
    },
  };
}
