import { ATTRIBUTE_KEYWORDS_FIELD, type AwsSigV4Options, INDEX_PATTERN } from '@ctr-stream/es-index-setup';
import { attributeKeywordField, checkAttributeFields } from './attribute-fields.js';
import { signedRefusalHint, unsignedRefusalHint } from './aws-sigv4.js';
import {
  authorizationHeader,
  type CredentialOptionNames,
  describeUrl,
  parseServerUrl,
  signingWithoutCredentials,
} from './connection.js';
import { ElasticsearchRequestError, FieldCheckError, type FieldProblem } from './errors.js';
import { type FieldRequirement, fieldRequirements } from './field-requirements.js';
import { describeNetworkError, errorMessageOf, type HttpOptions, parseJson, send, sentence } from './http.js';

export interface CheckFieldsOptions extends HttpOptions {
  /** Elasticsearch URL, e.g. `http://localhost:9200` (no credentials inside). */
  elasticsearchUrl: string;
  /** Elasticsearch API key (the base64 `encoded` value, or `id:api_key`). Empty counts as not given. */
  elasticsearchApiKey?: string | undefined;
  elasticsearchUsername?: string | undefined;
  elasticsearchPassword?: string | undefined;
  /**
   * Sign the `_field_caps` request with AWS SigV4 (an Amazon OpenSearch Service domain with IAM authorisation):
   * `{ region, service?, credentials?, clock? }`. Not together with an API key or a username and password. In
   * `installSavedObjects`, defaults to its own `awsSigV4`.
   */
  awsSigV4?: AwsSigV4Options | undefined;
  /** The index pattern to check (default `connect*`). */
  indexPattern?: string | undefined;
  /**
   * Contact attribute keys charted by "Calls per <key>" tables: each `AttributeKeywords.<key>` must then be an
   * aggregatable `keyword` (what `ctr-es-setup --attribute-fields` maps). Checked like es-index-setup's
   * `attributeFields`; a bad key throws `InvalidOptionError` before any request.
   */
  attributeFields?: readonly string[] | undefined;
}

/** One field as `_field_caps` reported it and whether it meets the requirement. */
export interface CheckedField {
  field: string;
  needs: FieldRequirement['needs'];
  types: string[];
  ok: boolean;
}

export interface FieldCheckResult {
  indexPattern: string;
  /** The concrete indices `_field_caps` looked at. */
  indices: string[];
  fields: CheckedField[];
}

const DATE_TYPES = new Set(['date', 'date_nanos']);

interface Capability {
  type?: string;
  searchable?: boolean;
  aggregatable?: boolean;
}

function evaluate(
  requirement: FieldRequirement,
  capabilities: Record<string, Capability> | undefined,
): { types: string[]; problem: FieldProblem['problem'] | undefined } {
  const entries = Object.entries(capabilities ?? {}).filter(([type]) => type !== 'unmapped');
  const types = entries.map(([type]) => type);
  if (entries.length === 0) return { types, problem: 'missing' };
  const aggregatable = entries.every(([, capability]) => capability.aggregatable === true);
  if (requirement.needs === 'date') {
    if (!types.every((type) => DATE_TYPES.has(type))) {
      return { types, problem: types.some((type) => DATE_TYPES.has(type)) ? 'conflict' : 'not_date' };
    }
    return { types, problem: aggregatable ? undefined : 'not_aggregatable' };
  }
  if (requirement.needs === 'keyword') {
    if (!types.every((type) => type === 'keyword')) {
      return { types, problem: types.includes('keyword') ? 'conflict' : 'not_keyword' };
    }
    return { types, problem: aggregatable ? undefined : 'not_aggregatable' };
  }
  if (requirement.needs === 'aggregatable' && !aggregatable) {
    return { types, problem: types.length > 1 ? 'conflict' : 'not_aggregatable' };
  }
  return { types, problem: undefined };
}

/**
 * Asks Elasticsearch (`GET /<pattern>/_field_caps`) whether the indices matching `connect*` have every field the
 * saved objects use, as the objects use it: the time fields as dates, the unique-count and split-rows fields
 * aggregatable (so `ContactId` mapped as `text` by dynamic mapping fails here instead of in the dashboard), and
 * with `attributeFields` each `AttributeKeywords.<key>` an aggregatable `keyword`.
 * Throws {@link FieldCheckError} naming each missing or unusable field, and suggesting `ctr-es-setup`.
 *
 * @example
 * ```ts
 * const { indices, fields } = await checkFields({ elasticsearchUrl: 'http://localhost:9200' });
 * ```
 */
export async function checkFields(options: CheckFieldsOptions): Promise<FieldCheckResult> {
  const url = parseServerUrl(
    'elasticsearchUrl',
    options.elasticsearchUrl,
    '--es-api-key, --es-username/--es-password or ELASTICSEARCH_API_KEY, ELASTICSEARCH_USERNAME, ELASTICSEARCH_PASSWORD',
  );
  const credentials = {
    apiKey: options.elasticsearchApiKey,
    username: options.elasticsearchUsername,
    password: options.elasticsearchPassword,
  };
  const names: CredentialOptionNames = {
    product: 'Elasticsearch',
    apiKey: 'elasticsearchApiKey',
    username: 'elasticsearchUsername',
    password: 'elasticsearchPassword',
  };
  const authorization = authorizationHeader(credentials, names);
  const signing = signingWithoutCredentials(options.awsSigV4, credentials, names);
  const indexPattern = options.indexPattern ?? INDEX_PATTERN;
  const attributeFields = checkAttributeFields(options.attributeFields);
  const requirements = fieldRequirements(attributeFields);
  const attributeKeywordFields = new Set(attributeFields.map(attributeKeywordField));
  // The attribute fields are asked for with one wildcard: a key may hold a comma or a `*` (the library takes
  // both), which would split or widen a list of names; the answer is then read by exact name.
  const askedFields = requirements
    .map((requirement) => requirement.field)
    .filter((field) => !attributeKeywordFields.has(field));
  if (attributeFields.length > 0) askedFields.push(`${ATTRIBUTE_KEYWORDS_FIELD}.*`);
  const query = new URLSearchParams({
    fields: askedFields.join(','),
    ignore_unavailable: 'true',
    allow_no_indices: 'true',
  });
  const base = describeUrl(url).replace(/\/+$/, '');
  const target = `${base}/${encodeURIComponent(indexPattern)}/_field_caps?${query.toString()}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  // Signed before the try below: missing AWS credentials are an AwsCredentialsError, not a network error.
  const sentHeaders =
    signing === undefined ? headers : await signing.headersFor('GET', target, headers, undefined);
  let answer: Awaited<ReturnType<typeof send>>;
  try {
    answer = await send(target, { method: 'GET', headers: sentHeaders }, options);
  } catch (error) {
    throw new ElasticsearchRequestError(
      `Could not reach Elasticsearch at ${base} for the field check (${describeNetworkError(error)}).`,
      { isRetryable: true },
      { cause: error },
    );
  }
  const body = parseJson(answer.text);
  if (answer.statusCode !== 200) {
    const message = errorMessageOf(body) ?? answer.text.slice(0, 200);
    const hint =
      answer.statusCode !== 401 && answer.statusCode !== 403
        ? ''
        : signing !== undefined
          ? signedRefusalHint(signing, 'field-check')
          : unsignedRefusalHint(errorMessageOf(body)) ||
            ' Check the Elasticsearch credentials (--es-api-key, --es-username/--es-password); the user needs view_index_metadata on the indices.';
    throw new ElasticsearchRequestError(
      `Elasticsearch answered ${answer.statusCode} to _field_caps on "${indexPattern}": ${sentence(message || 'no body')}${hint}`,
      { statusCode: answer.statusCode, isRetryable: answer.statusCode >= 500 },
    );
  }
  const record = body as { indices?: unknown; fields?: unknown } | undefined;
  if (
    typeof record !== 'object' ||
    record === null ||
    typeof record.fields !== 'object' ||
    record.fields === null
  ) {
    throw new ElasticsearchRequestError(
      `_field_caps on ${base} did not answer with a field capabilities body.`,
      {
        statusCode: answer.statusCode,
      },
    );
  }
  const indices = Array.isArray(record.indices)
    ? record.indices.filter((index): index is string => typeof index === 'string')
    : [];
  const capabilities = record.fields as Record<string, Record<string, Capability>>;
  const fields: CheckedField[] = [];
  const problems: FieldProblem[] = [];
  for (const requirement of requirements) {
    const { types, problem } = evaluate(requirement, capabilities[requirement.field]);
    fields.push({ field: requirement.field, needs: requirement.needs, types, ok: problem === undefined });
    if (problem !== undefined) {
      problems.push({ field: requirement.field, problem, types, usedBy: requirement.usedBy.join(', ') });
    }
  }
  if (problems.length > 0)
    throw new FieldCheckError(indexPattern, problems, indices.length === 0, attributeFields);
  return { indexPattern, indices, fields };
}
