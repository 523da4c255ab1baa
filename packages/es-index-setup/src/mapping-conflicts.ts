import type { MappingConflict } from './errors.js';
import type { MappingProperty } from './json-schema-mappings.js';

const NUMERIC_TYPES = new Set([
  'byte',
  'short',
  'integer',
  'long',
  'unsigned_long',
  'float',
  'half_float',
  'double',
  'scaled_float',
]);

function compatible(existingType: string, wantedType: string): boolean {
  if (existingType === wantedType) return true;
  return NUMERIC_TYPES.has(existingType) && NUMERIC_TYPES.has(wantedType);
}

/** Where an existing index disagrees with the template, and what it lacks. */
export interface MappingDifference {
  conflicts: MappingConflict[];
  /** The wanted properties absent from the existing index (safe to add with `PUT <index>/_mapping`). */
  missing: Record<string, MappingProperty>;
}

function isObjectMapping(property: MappingProperty): boolean {
  return (
    property.properties !== undefined &&
    (property.type === undefined || property.type === 'object' || property.type === 'nested')
  );
}

/**
 * Compares an existing index's mapping properties with the wanted ones: a field indexed with another
 * type (numbers of any width are compatible), a `.keyword` sub-field that is missing, or an object
 * where an open map (`flattened`) is wanted is a conflict. Fields stored unindexed (`enabled: false`), in the
 * template or in the existing index, never conflict: they accept any value.
 *
 * @example
 * ```ts
 * import { compareMappings } from '@ctr-stream/es-index-setup';
 * compareMappings('connect', { ContactId: { type: 'text' } }, { ContactId: { type: 'keyword' } }).conflicts;
 * // [{ index: 'connect', field: 'ContactId', existingType: 'text', wantedType: 'keyword' }]
 * ```
 */
export function compareMappings(
  index: string,
  existing: Record<string, MappingProperty> | undefined,
  wanted: Record<string, MappingProperty>,
  prefix = '',
): MappingDifference {
  const conflicts: MappingConflict[] = [];
  const missing: Record<string, MappingProperty> = {};
  for (const [name, wantedProperty] of Object.entries(wanted)) {
    const field = prefix + name;
    const existingProperty = existing?.[name];
    if (!existingProperty) {
      missing[name] = wantedProperty;
      continue;
    }
    const existingType = existingProperty.type ?? 'object';
    if (isObjectMapping(wantedProperty)) {
      if (existingType !== 'object' && existingType !== 'nested') {
        conflicts.push({ index, field, existingType, wantedType: 'object' });
        continue;
      }
      const nested = compareMappings(
        index,
        existingProperty.properties,
        wantedProperty.properties ?? {},
        `${field}.`,
      );
      conflicts.push(...nested.conflicts);
      if (Object.keys(nested.missing).length > 0) missing[name] = { properties: nested.missing };
      continue;
    }
    const wantedType = wantedProperty.type ?? 'object';
    if (wantedType === 'object') continue; // stored, not indexed: any existing mapping will do
    // Stored, not indexed in the existing index (an open map from before the server had a flat type: Amazon ES
    // 7.10 oss, OpenSearch < 2.7): it accepts every value, so documents are never refused; the field becomes
    // searchable in the indices created from now on.
    if (
      (wantedType === 'flattened' || wantedType === 'flat_object') &&
      existingProperty.enabled === false &&
      existingProperty.properties === undefined
    )
      continue;
    if (!compatible(existingType, wantedType)) {
      const described = existingProperty.properties
        ? `object with ${Object.keys(existingProperty.properties).length} sub-fields`
        : existingType;
      conflicts.push({ index, field, existingType: described, wantedType });
      continue;
    }
    for (const [subName, subProperty] of Object.entries(wantedProperty.fields ?? {})) {
      const existingSub = existingProperty.fields?.[subName];
      const wantedSubType = subProperty.type ?? 'object';
      if (!existingSub || !compatible(existingSub.type ?? 'object', wantedSubType)) {
        conflicts.push({
          index,
          field: `${field}.${subName}`,
          existingType: existingSub?.type ?? 'absent',
          wantedType: wantedSubType,
        });
      }
    }
  }
  return { conflicts, missing };
}
