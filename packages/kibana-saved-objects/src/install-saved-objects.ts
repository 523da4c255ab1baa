import { checkAttributeFields } from './attribute-fields.js';
import { type CheckFieldsOptions, checkFields, type FieldCheckResult } from './check-fields.js';
import { type KibanaConnectionOptions, resolveConnection } from './connection.js';
import { type DetectedTarget, detectTargetWith } from './detect-target.js';
import { mergeIndexPattern, readSavedObject } from './existing-index-pattern.js';
import type { HttpOptions } from './http.js';
import {
  checkConnectionForTarget,
  type ImportResult,
  importSavedObjectsWith,
} from './import-saved-objects.js';
import { buildSavedObjects } from './saved-objects.js';
import { parseTarget, type TargetSpecifier } from './targets.js';

export interface InstallSavedObjectsOptions extends KibanaConnectionOptions, HttpOptions {
  /**
   * The target: a target name or what `--target` takes (`kibana@8.6.2`, `kibana-9`, `osd-2`); detected from
   * `GET /api/status` when omitted. Anything else throws `InvalidOptionError` before a request is sent.
   */
  target?: TargetSpecifier | undefined;
  /**
   * Check the fields through Elasticsearch first (skipped when omitted). With `awsSigV4` given (here or as
   * `elasticsearch.awsSigV4`, which wins), the field check is signed too and takes no API key or username.
   * `elasticsearch.awsSigV4: false` leaves the field check unsigned while Dashboards requests are signed (a
   * separate cluster with its own API key or user).
   */
  elasticsearch?:
    | (Omit<CheckFieldsOptions, keyof HttpOptions | 'indexPattern' | 'awsSigV4' | 'attributeFields'> & {
        awsSigV4?: CheckFieldsOptions['awsSigV4'] | false;
      })
    | undefined;
  /** The index pattern's title (default `connect*`), also the pattern the field check looks at. */
  indexPattern?: string | undefined;
  /**
   * Contact attribute keys to chart: one "Calls per <key>" table each on `AttributeKeywords.<key>`, added to the
   * dashboard; the field check then requires each of those fields to be an aggregatable `keyword` (give the same
   * keys to `ctr-es-setup --attribute-fields` first). A bad key throws `InvalidOptionError` before any request.
   */
  attributeFields?: readonly string[] | undefined;
}

export interface InstallResult extends ImportResult {
  /** Set when the target was detected rather than given. */
  detected: DetectedTarget | undefined;
  /** Set when the fields were checked. */
  fieldCheck: FieldCheckResult | undefined;
  /** The dashboard's URL in the server's UI. */
  dashboardUrl: string;
}

/**
 * Installs the index pattern, the six tables (and one "Calls per <key>" table per key of `attributeFields`) and
 * the Contact center dashboard: validates the options, checks the
 * fields through Elasticsearch when `elasticsearch` is given, detects the target unless given, builds the
 * objects for it and imports them with overwrite. Idempotent: the ids are fixed, so running it again replaces
 * the objects in place, except what you added to the index pattern: an existing one is read first, and its
 * scripted and runtime fields, field formats, source filters and labels are imported back with it.
 *
 * @example
 * ```ts
 * const result = await installSavedObjects({
 *   kibanaUrl: 'http://localhost:5601',
 *   apiKey: process.env.KIBANA_API_KEY,
 *   elasticsearch: { elasticsearchUrl: 'http://localhost:9200' },
 * });
 * console.log(`Open ${result.dashboardUrl}`);
 * ```
 */
export async function installSavedObjects(options: InstallSavedObjectsOptions): Promise<InstallResult> {
  const connection = resolveConnection(options);
  const attributeFields = checkAttributeFields(options.attributeFields);
  const given = options.target === undefined ? undefined : parseTarget(options.target);
  if (given !== undefined) checkConnectionForTarget(connection, given);
  const fieldCheck =
    options.elasticsearch === undefined
      ? undefined
      : await checkFields({
          ...options.elasticsearch,
          // On Amazon OpenSearch Service the domain serves both the search API and Dashboards, under one policy.
          awsSigV4:
            options.elasticsearch.awsSigV4 === false
              ? undefined
              : (options.elasticsearch.awsSigV4 ?? options.awsSigV4),
          ...httpOf(options),
          ...(options.indexPattern === undefined ? {} : { indexPattern: options.indexPattern }),
          attributeFields,
        });
  const detected = given === undefined ? await detectTargetWith(connection, options) : undefined;
  const target = given ?? detected!.target;
  // Before the first request into the space or tenant.
  checkConnectionForTarget(connection, target);
  const objects = buildSavedObjects(target, {
    ...(options.indexPattern === undefined ? {} : { indexPattern: options.indexPattern }),
    attributeFields,
  });
  // An overwrite replaces the whole object: what the user added to the index pattern is read and imported back.
  const indexPatternAt = objects.findIndex((object) => object.type === 'index-pattern');
  const indexPattern = objects[indexPatternAt]!;
  const existing = await readSavedObject(connection, target, indexPattern.type, indexPattern.id, options);
  let kept: string[] = [];
  if (existing !== undefined) {
    const merged = mergeIndexPattern(indexPattern, existing);
    objects[indexPatternAt] = merged.object;
    kept = merged.kept;
  }
  const imported = await importSavedObjectsWith(connection, target, objects, options);
  const result = {
    ...imported,
    imported: imported.imported.map((object) =>
      object.type === 'index-pattern' && kept.length > 0 ? { ...object, kept } : object,
    ),
  };
  const dashboard = result.imported.find((object) => object.type === 'dashboard');
  const dashboardId = dashboard?.destinationId ?? dashboard?.id ?? 'ctr-stream-contact-center';
  // Kibana 7.9+ and OpenSearch Dashboards share the dashboards app route.
  const dashboardUrl = `${connection.baseUrl}${connection.spacePrefix}/app/dashboards#/view/${dashboardId}`;
  return { ...result, detected, fieldCheck, dashboardUrl };
}

function httpOf(options: HttpOptions): HttpOptions {
  return {
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
}
