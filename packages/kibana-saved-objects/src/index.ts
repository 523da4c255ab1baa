export type { AwsCredentials, AwsService, AwsSigV4Options } from '@ctr-stream/es-index-setup';
export {
  type CheckedField,
  type CheckFieldsOptions,
  checkFields,
  type FieldCheckResult,
} from './check-fields.js';
export { type KibanaConnectionOptions, resolveConnection } from './connection.js';
export { buildContactCenterDashboard, contactCenterLayout, type PanelPlacement } from './dashboard.js';
export { type DetectedTarget, detectTarget, targetFromStatusBody } from './detect-target.js';
export {
  AwsCredentialsError,
  ElasticsearchRequestError,
  FieldCheckError,
  type FieldProblem,
  InvalidOptionError,
  KibanaRequestError,
  KibanaSavedObjectsError,
  type KibanaSavedObjectsErrorFields,
  OutputFileError,
  SavedObjectImportError,
  type SavedObjectImportFailure,
  TargetDetectionError,
} from './errors.js';
export { type FieldRequirement, fieldRequirements } from './field-requirements.js';
export type { HttpOptions } from './http.js';
export { attributeTableId, SAVED_OBJECT_IDS } from './ids.js';
export {
  IMPORT_FILE_NAME,
  type ImportedObject,
  type ImportResult,
  type ImportSavedObjectsOptions,
  importSavedObjects,
} from './import-saved-objects.js';
export { buildIndexPattern } from './index-pattern.js';
export {
  type InstallResult,
  type InstallSavedObjectsOptions,
  installSavedObjects,
} from './install-saved-objects.js';
export { type CliIo, runCli } from './run-cli.js';
export type { SavedObject, SavedObjectReference, SavedObjectType } from './saved-object.js';
export { type BuildSavedObjectsOptions, buildSavedObjects, toNdjson } from './saved-objects.js';
export {
  compareVersions,
  type Product,
  parseTarget,
  TARGET_NAMES,
  type TargetName,
  type TargetProfile,
  type TargetSpecifier,
  targetForVersion,
  targetProfile,
} from './targets.js';
export {
  attributeTable,
  buildCallsPerDayTable,
  buildDataTable,
  contactCenterTables,
  type DataTableDefinition,
  type TableAggregation,
} from './visualizations.js';
