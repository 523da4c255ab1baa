import { CTR_FIELDS, INDEX_PATTERN } from '@ctr-stream/es-index-setup';
import { InvalidOptionError } from './errors.js';
import { SAVED_OBJECT_IDS } from './ids.js';
import { type SavedObject, withObjectVersions } from './saved-object.js';
import { type TargetName, targetProfile } from './targets.js';

/**
 * Builds the `index-pattern` saved object (a "data view" in Kibana 8+) for `connect*` with the time field
 * `ConnectedToSystemTimestamp`, like the tutorial's. It carries no `fields` list: Kibana 8+ reads fields live
 * and Kibana 7.10 / OpenSearch Dashboards refresh an empty list on first use.
 *
 * @example
 * ```ts
 * const indexPattern = buildIndexPattern('opensearch-dashboards-2');
 * indexPattern.attributes.timeFieldName; // 'ConnectedToSystemTimestamp'
 * ```
 */
export function buildIndexPattern(target: TargetName, title: string = INDEX_PATTERN): SavedObject {
  if (title.trim() === '' || /[\\/?"<>| #]/.test(title)) {
    throw new InvalidOptionError(
      'indexPattern',
      `"${title}" is not an index pattern (e.g. connect* or connect-*,archive-*): no spaces or \\/?"<>|#.`,
    );
  }
  return withObjectVersions(targetProfile(target), {
    type: 'index-pattern',
    id: SAVED_OBJECT_IDS.indexPattern,
    attributes: { title, timeFieldName: CTR_FIELDS.timeField },
    references: [],
  });
}
