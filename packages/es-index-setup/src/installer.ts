import type { Dispatcher } from 'undici';
import type { AwsSigV4Options } from './aws-sigv4.js';
import {
  connectionFromClient,
  createHttpConnection,
  type ElasticsearchClientLike,
  type ElasticsearchConnection,
} from './connection.js';
import {
  ElasticsearchRequestError,
  InvalidOptionError,
  type MappingConflict,
  MappingConflictError,
  UnsupportedServerError,
} from './errors.js';
import { buildIndexTemplate, type IndexTemplateBundle, type IndexTemplateOptions } from './index-template.js';
import type { MappingProperty } from './json-schema-mappings.js';
import { compareMappings } from './mapping-conflicts.js';
import { detectSearchEngineServer, type SearchEngineServer } from './search-engine-server.js';
import { sentence } from './sentence.js';

export interface InstallIndexTemplateOptions extends Omit<IndexTemplateOptions, 'server'> {
  /** An `@elastic/elasticsearch` 8.x or 9.x client (Elasticsearch 8 and 9). Or give `node` (any supported server). */
  client?: ElasticsearchClientLike | undefined;
  /** A ready connection (see `createHttpConnection`); takes precedence over `client` and `node`. */
  connection?: ElasticsearchConnection | undefined;
  /** The node URL. Default: `ELASTICSEARCH_URL` from `env`. */
  node?: string | undefined;
  /** Where `ELASTICSEARCH_URL` is read when `node` is not given. Default `process.env`. */
  env?: Record<string, string | undefined> | undefined;
  apiKey?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** Sign every request with AWS SigV4 (Amazon OpenSearch Service with IAM); not with `apiKey` or `username`. */
  awsSigV4?: AwsSigV4Options | undefined;
  dispatcher?: Dispatcher | undefined;
  requestTimeoutMs?: number | undefined;
  /**
   * Skip detection and build for this server. With `dryRun` and no node, client or connection, the installer
   * runs offline: it plans for a cluster that has none of the objects yet and contacts nothing.
   */
  server?: SearchEngineServer | undefined;
  /** Create `<index>` when no index or alias has that name yet. Default true. */
  createIndex?: boolean | undefined;
  /** Read only: compare, report what would change, change nothing. */
  dryRun?: boolean | undefined;
}

export type InstallTarget =
  | 'ingest_pipeline'
  | 'component_template'
  | 'index_template'
  | 'index'
  | 'index_mapping'
  | 'index_settings';
export type InstallStatus = 'created' | 'updated' | 'unchanged' | 'would_create' | 'would_update';

export interface InstallAction {
  target: InstallTarget;
  name: string;
  status: InstallStatus;
  /** E.g. the fields a mapping update adds. */
  detail?: string;
}

/** One write the installer sent (or, in a dry run, would send). */
export interface InstallRequest {
  method: 'PUT';
  /** E.g. `/_ingest/pipeline/ctr-stream-connect-attribute-keywords`, `/_component_template/ctr-stream-connect-settings`, `/connect/_mapping`, `/connect`. */
  path: string;
  body: unknown;
}

export interface InstallReport {
  /** The node URL without credentials, or `offline`. */
  node: string;
  server: SearchEngineServer;
  dryRun: boolean;
  /** False when everything was already installed as wanted (a second run). */
  changed: boolean;
  actions: InstallAction[];
  /** Existing indices whose mapping disagrees (a dry run reports them; a real run throws `MappingConflictError`). */
  conflicts: MappingConflict[];
  /**
   * The writes, in order, one per action that is not `unchanged`: what was sent, or in a dry run what would be
   * sent (the `would_*` actions). Offline (a dry run with `server` and no node) the plan is for a cluster
   * that has none of the objects yet.
   */
  requests: InstallRequest[];
  /** Everything the template consists of (whether or not it had to be sent). */
  bundle: IndexTemplateBundle;
}

/** Settings as the server returns them (`{ index: { number_of_shards: '1' } }`) as flat `index.*` strings. */
export function normalizeSettings(settings: unknown, prefix = ''): Record<string, string> {
  const flat: Record<string, string> = {};
  if (settings === null || typeof settings !== 'object') return flat;
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix + key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      Object.assign(flat, normalizeSettings(value, `${path}.`));
    else {
      const name = path.startsWith('index.') ? path : `index.${path}`;
      flat[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
    }
  }
  return flat;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(canonical(left)) === JSON.stringify(canonical(right));
}

function componentTemplateMatches(
  installed: unknown,
  wanted: IndexTemplateBundle['componentTemplates'][number]['body'],
): boolean {
  const body = installed as
    | { template?: { settings?: unknown; mappings?: unknown }; version?: unknown; _meta?: unknown }
    | undefined;
  if (!body) return false;
  return (
    sameJson(
      normalizeSettings(body.template?.settings ?? {}),
      normalizeSettings(wanted.template.settings ?? {}),
    ) &&
    sameJson(body.template?.mappings ?? null, wanted.template.mappings ?? null) &&
    sameJson(body.version ?? null, wanted.version) &&
    sameJson(body._meta ?? null, wanted._meta)
  );
}

/**
 * The index template to install: ours, keeping the component templates of the user's own that the installed one
 * lists after ours in `composed_of` (an ILM policy, aliases, settings of their own: the one way to add to an index
 * template, since only one matches an index). Ours come first, so theirs override them.
 */
function withUserComponents(
  installed: unknown,
  wanted: IndexTemplateBundle['indexTemplate']['body'],
): { body: IndexTemplateBundle['indexTemplate']['body']; kept: string[] } {
  const listed = (installed as { composed_of?: unknown } | undefined)?.composed_of;
  const kept = Array.isArray(listed)
    ? listed.filter((name): name is string => typeof name === 'string' && !wanted.composed_of.includes(name))
    : [];
  return {
    body: kept.length === 0 ? wanted : { ...wanted, composed_of: [...wanted.composed_of, ...kept] },
    kept,
  };
}

function indexTemplateMatches(
  installed: unknown,
  wanted: IndexTemplateBundle['indexTemplate']['body'],
): boolean {
  if (!installed || typeof installed !== 'object') return false;
  const body = installed as Record<string, unknown>;
  const extraSections = ['template', 'data_stream'].filter(
    (key) => body[key] !== undefined && !sameJson(body[key], {}),
  );
  return (
    extraSections.length === 0 && Object.entries(wanted).every(([key, value]) => sameJson(body[key], value))
  );
}

function pipelineMatches(installed: unknown, wanted: Record<string, unknown>): boolean {
  if (!installed || typeof installed !== 'object') return false;
  // The server may add its own keys (Elasticsearch 9: created_date, modified_date): compare ours.
  const body = installed as Record<string, unknown>;
  return Object.entries(wanted).every(([key, value]) => sameJson(body[key], value));
}

function resolveConnection(options: InstallIndexTemplateOptions): ElasticsearchConnection | undefined {
  if (options.connection) return options.connection;
  if (options.client) return connectionFromClient(options.client);
  const node = options.node ?? (options.env ?? process.env).ELASTICSEARCH_URL;
  if (!node) return undefined;
  return createHttpConnection({
    node,
    apiKey: options.apiKey,
    username: options.username,
    password: options.password,
    awsSigV4: options.awsSigV4,
    dispatcher: options.dispatcher,
    requestTimeoutMs: options.requestTimeoutMs,
  });
}

function countLeaves(properties: Record<string, MappingProperty>): number {
  return Object.values(properties).reduce(
    (count, property) =>
      count + (property.properties && !property.type ? countLeaves(property.properties) : 1),
    0,
  );
}

/**
 * The server refused the pipeline because it lacks the `script` processor (a cluster without the ingest-common or
 * lang-painless module, e.g. Elasticsearch's minimal integ-test distribution): an `UnsupportedServerError` saying so,
 * else undefined. Nothing that names the pipeline has been sent yet.
 */
function missingProcessorError(
  error: unknown,
  server: SearchEngineServer,
): UnsupportedServerError | undefined {
  if (!(error instanceof ElasticsearchRequestError) || !/No processor type exists/i.test(error.reason ?? ''))
    return undefined;
  const product = server.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch';
  const unsupported = new UnsupportedServerError(
    server.distribution,
    server.version,
    `${product} ${server.version} refused the attribute-keywords ingest pipeline (${sentence(error.reason ?? '')}) attributeFields needs ingest pipelines with the script processor (modules ingest-common and lang-painless, part of the standard distributions). Drop attributeFields (--attribute-fields) for this cluster; the templates were not changed.`,
  );
  return Object.assign(unsupported, { cause: error });
}

type Apply = (
  action: { target: InstallTarget; name: string; exists: boolean; detail?: string },
  request: { path: string; body: unknown },
) => Promise<void>;

/**
 * Existing indices keep their settings when the template changes, so the ones matching the template (e.g. the
 * `connect` an earlier run created) get `index.default_pipeline` (a dynamic setting) too. An index whose default
 * pipeline is someone else's is not changed: `InvalidOptionError` says how to combine the two.
 */
async function applyDefaultPipeline(
  connection: ElasticsearchConnection,
  bundle: IndexTemplateBundle,
  pipelineId: string,
  existingIndices: readonly string[],
  apply: Apply,
  record: (action: InstallAction) => void,
): Promise<void> {
  const { statusCode, body } = await connection.request(
    'GET',
    `/${bundle.indexPatterns.map(encodeURIComponent).join(',')}/_settings?flat_settings=true&allow_no_indices=true&ignore_unavailable=true`,
  );
  const settings = (statusCode === 200 ? body : {}) as Record<string, { settings?: Record<string, unknown> }>;
  const foreign = existingIndices
    .map((index) => ({ index, current: settings?.[index]?.settings?.['index.default_pipeline'] }))
    .filter(
      ({ current }) =>
        typeof current === 'string' && current !== '' && current !== '_none' && current !== pipelineId,
    );
  const first = foreign[0];
  if (first) {
    throw new InvalidOptionError(
      'attributeFields',
      `Index ${first.index} already has index.default_pipeline ${JSON.stringify(first.current)}${foreign.length > 1 ? ` (and ${foreign.length - 1} more index(es) another one)` : ''}, so the pipeline ${pipelineId} cannot be its default: add a pipeline processor {"pipeline":{"name":"${pipelineId}"}} to ${JSON.stringify(first.current)} and drop attributeFields (--attribute-fields), or remove that setting and run again.`,
    );
  }
  for (const index of [...existingIndices].sort()) {
    if (settings?.[index]?.settings?.['index.default_pipeline'] === pipelineId) {
      record({ target: 'index_settings', name: index, status: 'unchanged' });
      continue;
    }
    await apply(
      {
        target: 'index_settings',
        name: index,
        exists: true,
        detail: `sets index.default_pipeline ${pipelineId}`,
      },
      { path: `/${encodeURIComponent(index)}/_settings`, body: { 'index.default_pipeline': pipelineId } },
    );
  }
}

/** The message of a `MappingConflictError`: which fields, which types, and the way out. */
export function describeMappingConflicts(
  conflicts: readonly MappingConflict[],
  bundle: IndexTemplateBundle,
): string {
  const byIndex = new Map<string, MappingConflict[]>();
  for (const conflict of conflicts)
    byIndex.set(conflict.index, [...(byIndex.get(conflict.index) ?? []), conflict]);
  const lines: string[] = [];
  for (const [index, list] of byIndex) {
    lines.push(
      `Index ${index} already maps ${list.length} field(s) with other types than the ctr-stream template:`,
    );
    for (const conflict of list.slice(0, 15)) {
      lines.push(`  - ${conflict.field}: existing ${conflict.existingType}, wanted ${conflict.wantedType}`);
    }
    if (list.length > 15) lines.push(`  - ... and ${list.length - 15} more`);
  }
  const first = conflicts[0]?.index ?? bundle.index;
  const target = `${first}-v2`;
  const copy = `POST /_reindex {"conflicts":"proceed","source":{"index":"${first}"},"dest":{"index":"${target}","op_type":"create"}}`;
  lines.push(
    'Elasticsearch cannot change the type of an existing field (this index was probably created by dynamic mapping before the template existed).',
    `The template ${bundle.indexTemplate.name} is installed, so new indices matching ${bundle.indexPattern} get the right mapping. To fix ${first}:`,
    `  1. Create a new index from the template: PUT /${target}`,
    `  2. Copy the documents:                   ${copy}`,
  );
  if (first === bundle.index) {
    // Firehose (NoRotation) keeps writing to this name: the swap must leave no moment without it.
    lines.push(
      '  3. Copy again what arrived meanwhile:    the same request (op_type create copies only the new documents)',
      `  4. Swap in one atomic request, so that no write lands between the two: POST /_aliases {"actions":[{"remove_index":{"index":"${first}"}},{"add":{"index":"${target}","alias":"${first}","is_write_index":true}}]}`,
      `  Firehose keeps writing to ${first}, now an alias. A document indexed between steps 3 and 4 is lost with the old index: pause the producers for that moment, or check the counts.`,
    );
  } else {
    // Another index of the pattern: an old rotation (connect-2024-03-04), today's (still written to until its period
    // ends), or the index behind the name <index> after an earlier fix (connect-v2). Which one, only its aliases say.
    lines.push(
      `  3. If ${first} has an alias (GET /${first}/_alias; e.g. ${bundle.index} after an earlier fix): copy again what arrived meanwhile (the same request: op_type create copies only the new documents), then move the alias over in one atomic request: POST /_aliases {"actions":[{"remove_index":{"index":"${first}"}},{"add":{"index":"${target}","alias":"<the alias>","is_write_index":true}}]}`,
      `     A document written through the alias between that copy and the swap is lost with ${first}: pause the producers for that moment, or check the counts.`,
      `  3. Otherwise, wait until nothing writes to it any more (an old rotation already; the current one when its period ends), copy again what arrived meanwhile (the same request), then delete it: DELETE /${first}`,
    );
  }
  lines.push('  If the old data does not matter, delete the index and run this installer again.');
  return lines.join('\n');
}

/**
 * Installs (or checks, with `dryRun`) the ctr-stream index template for `<index>` and `<index>-*`:
 * detects the server version, puts the component and index templates when they differ from what is
 * installed, creates `<index>` when missing (so Firehose with `NoRotation` and Kibana's field list see the
 * mapping at once), adds missing fields to the existing indices those two patterns match (and no other:
 * `<index>ions` is never read, changed or reported), and throws `MappingConflictError` when one of them
 * maps a field with another type. A second run changes nothing and reports `changed: false`.
 *
 * @example
 * ```ts
 * import { installIndexTemplate } from '@ctr-stream/es-index-setup';
 * const report = await installIndexTemplate({ node: 'http://127.0.0.1:9200', apiKey: process.env.ELASTICSEARCH_API_KEY });
 * console.log(report.changed, report.actions);
 * ```
 */
export async function installIndexTemplate(
  options: InstallIndexTemplateOptions = {},
): Promise<InstallReport> {
  const dryRun = options.dryRun ?? false;
  if ((options.attributeFields?.length ?? 0) > 0 && options.awsSigV4?.service === 'aoss') {
    throw new InvalidOptionError(
      'attributeFields',
      'attributeFields (--attribute-fields) needs an ingest pipeline, which Amazon OpenSearch Serverless (aoss) does not support: drop it for a serverless collection, or use an OpenSearch Service domain (--aws-service es).',
    );
  }
  const connection = resolveConnection(options);
  if (!connection && !(dryRun && options.server)) {
    throw new InvalidOptionError(
      'node',
      'No Elasticsearch node: give node (or set ELASTICSEARCH_URL), or a client; for an offline dry run give server.',
    );
  }
  const server = options.server ?? (await detectSearchEngineServer(connection as ElasticsearchConnection));
  const bundle = buildIndexTemplate({ ...options, server });
  const report: InstallReport = {
    node: connection?.displayUrl ?? 'offline',
    server,
    dryRun,
    changed: false,
    actions: [],
    conflicts: [],
    requests: [],
    bundle,
  };

  const record = (action: InstallAction) => {
    report.actions.push(action);
    if (action.status !== 'unchanged') report.changed = true;
  };
  /** Records one write; sends it unless this is a dry run (`send` defaults to `PUT path body`). */
  const apply = async (
    action: { target: InstallTarget; name: string; exists: boolean; detail?: string },
    request: { path: string; body: unknown },
    send: () => Promise<unknown> = () =>
      (connection as ElasticsearchConnection).request('PUT', request.path, request.body),
  ) => {
    const { target, name, exists, detail } = action;
    const status: InstallStatus = dryRun
      ? exists
        ? 'would_update'
        : 'would_create'
      : exists
        ? 'updated'
        : 'created';
    if (!dryRun) await send();
    report.requests.push({ method: 'PUT', ...request });
    record({ target, name, status, ...(detail === undefined ? {} : { detail }) });
  };
  const componentPath = (name: string) => `/_component_template/${encodeURIComponent(name)}`;
  const templatePath = `/_index_template/${encodeURIComponent(bundle.indexTemplate.name)}`;
  const indexPath = `/${encodeURIComponent(bundle.index)}`;
  const pipeline = bundle.ingestPipeline;
  const pipelinePath = pipeline && `/_ingest/pipeline/${encodeURIComponent(pipeline.id)}`;

  if (!connection) {
    // Offline dry run: nothing to compare with, so plan for a cluster that has none of the objects.
    if (pipeline && pipelinePath) {
      await apply(
        { target: 'ingest_pipeline', name: pipeline.id, exists: false },
        { path: pipelinePath, body: pipeline.body },
      );
    }
    for (const component of bundle.componentTemplates) {
      await apply(
        { target: 'component_template', name: component.name, exists: false },
        { path: componentPath(component.name), body: component.body },
      );
    }
    await apply(
      { target: 'index_template', name: bundle.indexTemplate.name, exists: false },
      { path: templatePath, body: bundle.indexTemplate.body },
    );
    if (options.createIndex ?? true)
      await apply({ target: 'index', name: bundle.index, exists: false }, { path: indexPath, body: {} });
    return report;
  }

  // First the pipeline, so the settings that name it (index.default_pipeline) never point at nothing.
  if (pipeline && pipelinePath) {
    const { statusCode, body } = await connection.request('GET', pipelinePath);
    const installed = (body as Record<string, unknown> | undefined)?.[pipeline.id];
    if (statusCode === 200 && pipelineMatches(installed, { ...pipeline.body })) {
      record({ target: 'ingest_pipeline', name: pipeline.id, status: 'unchanged' });
    } else {
      await apply(
        {
          target: 'ingest_pipeline',
          name: pipeline.id,
          exists: statusCode === 200 && installed !== undefined,
        },
        { path: pipelinePath, body: pipeline.body },
        async () => {
          try {
            await connection.request('PUT', pipelinePath, pipeline.body);
          } catch (error) {
            throw missingProcessorError(error, server) ?? error;
          }
        },
      );
    }
  }

  for (const component of bundle.componentTemplates) {
    const path = componentPath(component.name);
    const { statusCode, body } = await connection.request('GET', path);
    const installed = (body as { component_templates?: { component_template?: unknown }[] } | undefined)
      ?.component_templates?.[0]?.component_template;
    if (statusCode === 200 && componentTemplateMatches(installed, component.body)) {
      record({ target: 'component_template', name: component.name, status: 'unchanged' });
    } else {
      await apply(
        { target: 'component_template', name: component.name, exists: statusCode === 200 },
        { path, body: component.body },
      );
    }
  }

  const template = await connection.request('GET', templatePath);
  const installedTemplate = (
    template.body as { index_templates?: { index_template?: unknown }[] } | undefined
  )?.index_templates?.[0]?.index_template;
  const wantedTemplate = withUserComponents(
    template.statusCode === 200 ? installedTemplate : undefined,
    bundle.indexTemplate.body,
  );
  if (template.statusCode === 200 && indexTemplateMatches(installedTemplate, wantedTemplate.body)) {
    record({ target: 'index_template', name: bundle.indexTemplate.name, status: 'unchanged' });
  } else {
    await apply(
      {
        target: 'index_template',
        name: bundle.indexTemplate.name,
        exists: template.statusCode === 200,
        ...(wantedTemplate.kept.length === 0
          ? {}
          : { detail: `kept your component templates ${wantedTemplate.kept.join(', ')} in composed_of` }),
      },
      { path: templatePath, body: wantedTemplate.body },
    );
  }

  const wanted = (bundle.componentTemplates.find((component) => component.body.template.mappings)?.body
    .template.mappings?.properties ?? {}) as Record<string, MappingProperty>;
  const existing = await connection.request(
    'GET',
    // Exactly the template's patterns: an unrelated `<index>ions` is neither read, changed nor reported.
    `/${bundle.indexPatterns.map(encodeURIComponent).join(',')}/_mapping?allow_no_indices=true&ignore_unavailable=true`,
  );
  const indices = (existing.statusCode === 200 ? existing.body : {}) as Record<
    string,
    { mappings?: { properties?: Record<string, MappingProperty> } }
  >;
  const updates: { index: string; missing: Record<string, MappingProperty> }[] = [];
  for (const [index, { mappings }] of Object.entries(indices ?? {})) {
    const difference = compareMappings(index, mappings?.properties, wanted);
    report.conflicts.push(...difference.conflicts);
    if (difference.conflicts.length === 0 && Object.keys(difference.missing).length > 0)
      updates.push({ index, missing: difference.missing });
  }
  if (report.conflicts.length > 0) {
    if (dryRun) return report;
    throw new MappingConflictError(describeMappingConflicts(report.conflicts, bundle), report.conflicts);
  }
  for (const { index, missing } of updates) {
    await apply(
      { target: 'index_mapping', name: index, exists: true, detail: `adds ${countLeaves(missing)} field(s)` },
      { path: `/${encodeURIComponent(index)}/_mapping`, body: { properties: missing } },
    );
  }
  if (pipeline && Object.keys(indices ?? {}).length > 0)
    await applyDefaultPipeline(connection, bundle, pipeline.id, Object.keys(indices), apply, record);

  const concrete = await connection.request('HEAD', indexPath);
  if (concrete.statusCode === 200) {
    record({ target: 'index', name: bundle.index, status: 'unchanged' });
  } else if (options.createIndex ?? true) {
    await apply(
      { target: 'index', name: bundle.index, exists: false },
      { path: indexPath, body: {} },
      async () => {
        try {
          await connection.request('PUT', indexPath, {});
        } catch (error) {
          // Firehose (or a parallel run) created it in between: the template applied to it all the same.
          if (
            !(
              error instanceof ElasticsearchRequestError &&
              error.errorType === 'resource_already_exists_exception'
            )
          )
            throw error;
        }
      },
    );
  }
  return report;
}
