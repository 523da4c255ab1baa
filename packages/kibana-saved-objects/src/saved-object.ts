import type { TargetProfile } from './targets.js';

/** A reference from one saved object to another, as Kibana stores it. */
export interface SavedObjectReference {
  name: string;
  type: string;
  id: string;
}

/** The saved object types this package writes. */
export type SavedObjectType = 'index-pattern' | 'visualization' | 'dashboard';

/** One saved object as it appears on a line of an export / import NDJSON file. */
export interface SavedObject {
  attributes: Record<string, unknown>;
  coreMigrationVersion?: string;
  id: string;
  migrationVersion?: Record<string, string>;
  references: SavedObjectReference[];
  type: SavedObjectType;
  typeMigrationVersion?: string;
}

/** Adds the target's version fields to an object, keeping the key order of Kibana's own exports. */
export function withObjectVersions(
  profile: TargetProfile,
  object: {
    type: SavedObjectType;
    id: string;
    attributes: Record<string, unknown>;
    references: SavedObjectReference[];
  },
): SavedObject {
  const { style, coreMigrationVersion, types } = profile.objectVersions;
  const version = types[object.type];
  return {
    attributes: object.attributes,
    ...(coreMigrationVersion === undefined ? {} : { coreMigrationVersion }),
    id: object.id,
    ...(style === 'migrationVersion' ? { migrationVersion: { [object.type]: version } } : {}),
    references: object.references,
    type: object.type,
    ...(style === 'typeMigrationVersion' ? { typeMigrationVersion: version } : {}),
  };
}

/** The searchSourceJSON reference name every Kibana version uses for a visualization's index pattern. */
export const SEARCH_SOURCE_INDEX_REFERENCE = 'kibanaSavedObjectMeta.searchSourceJSON.index';
