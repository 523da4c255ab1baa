import { checkAttributeFields } from './attribute-fields.js';
import { buildContactCenterDashboard } from './dashboard.js';
import { buildIndexPattern } from './index-pattern.js';
import type { SavedObject } from './saved-object.js';
import { parseTarget, type TargetSpecifier } from './targets.js';

import { buildDataTable, contactCenterTables } from './visualizations.js';

export interface BuildSavedObjectsOptions {
  /** The index pattern's title (default `connect*`); set it when Firehose writes to another index. */
  indexPattern?: string | undefined;
  /**
   * Contact attribute keys to chart: one "Calls per <key>" table each (terms on `AttributeKeywords.<key>`), added
   * to the dashboard after the six fixed tables. The same keys must have been given to
   * `ctr-es-setup --attribute-fields`. Checked like es-index-setup's `attributeFields`; a bad key throws
   * `InvalidOptionError` (option `attributeFields`). Omitted or empty: exactly the objects without it.
   */
  attributeFields?: readonly string[] | undefined;
}

/**
 * All saved objects for a target, in import order: the index pattern, the six data tables, one "Calls per <key>"
 * table per key of `attributeFields`, the dashboard. `target` is a target name or what `--target` takes
 * (`kibana@8.6.2`, `kibana-9`); anything else throws `InvalidOptionError`.
 *
 * @example
 * ```ts
 * const objects = buildSavedObjects('kibana-8.8', { attributeFields: ['menuChoice'] });
 * objects.map((object) => object.type); // ['index-pattern', 'visualization', ..., 'dashboard']
 * ```
 */
export function buildSavedObjects(
  targetSpecifier: TargetSpecifier,
  options: BuildSavedObjectsOptions = {},
): SavedObject[] {
  const target = parseTarget(targetSpecifier);
  const attributeFields = checkAttributeFields(options.attributeFields);
  return [
    buildIndexPattern(target, options.indexPattern),
    ...contactCenterTables(attributeFields).map((table) => buildDataTable(target, table)),
    buildContactCenterDashboard(target, attributeFields),
  ];
}

/**
 * Serialises saved objects as an import file: one JSON object per line, each line ending in `\n`. The output is
 * deterministic (the golden files in tests/golden are byte-for-byte this).
 *
 * @example
 * ```ts
 * writeFileSync('contact-center.ndjson', toNdjson(buildSavedObjects('kibana-7.10')));
 * ```
 */
export function toNdjson(objects: readonly SavedObject[]): string {
  return objects.map((object) => `${JSON.stringify(object)}\n`).join('');
}
