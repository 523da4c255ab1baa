export {
  ATTRIBUTE_KEYWORDS_FIELD,
  attributeKeywordsMapping,
  attributeKeywordsPipelineId,
  buildAttributeKeywordsPipeline,
  type IngestPipelineBody,
  MAX_ATTRIBUTE_FIELDS,
  MAX_ATTRIBUTE_KEY_LENGTH,
  validateAttributeFields,
} from './attribute-keywords.js';
export {
  type AwsCredentials,
  type AwsService,
  type AwsSigV4Options,
  awsSigV4FromCommandLine,
  createAwsSigV4Signer,
  MISSING_AWS_CREDENTIALS_HINT,
  type RequestSigner,
  type RequestToSign,
  validateAwsSigV4Options,
  withoutSigningDetails,
} from './aws-sigv4.js';
export {
  CALLS_AGGREGATION_NAME,
  CALLS_PER_DAY_AGGREGATION_NAME,
  CALLS_PRECISION_THRESHOLD,
  type CallsPerDayAggregation,
  type CallsPerDayOptions,
  type CallsPerDayRow,
  callsPerDayAggregation,
  parseCallsPerDay,
} from './calls-per-day.js';
export {
  connectionFromClient,
  createHttpConnection,
  type ElasticsearchClientLike,
  type ElasticsearchConnection,
  type ElasticsearchResponse,
  type HttpConnectionOptions,
  redactUrl,
} from './connection.js';
export {
  buildCtrMappings,
  CTR_DATE_FORMAT,
  type CtrMappings,
  type CtrMappingsOptions,
  type DynamicMapping,
  KEYWORD_IGNORE_ABOVE,
  listMappedFields,
  OPEN_MAP_FIELDS,
} from './ctr-mappings.js';
export {
  AwsCredentialsError,
  ElasticsearchRequestError,
  EsIndexSetupError,
  InvalidOptionError,
  type MappingConflict,
  MappingConflictError,
  UnexpectedResponseError,
  UnsupportedServerError,
} from './errors.js';
export { CTR_FIELDS, type CtrFieldName, DEFAULT_INDEX, INDEX_PATTERN } from './fields.js';
export {
  buildIndexTemplate,
  type ComponentTemplateBody,
  type IndexTemplateBody,
  type IndexTemplateBundle,
  type IndexTemplateOptions,
  indexTemplatePatterns,
  TEMPLATE_VERSION,
  validateIndexName,
} from './index-template.js';
export {
  describeMappingConflicts,
  type InstallAction,
  type InstallIndexTemplateOptions,
  type InstallReport,
  type InstallRequest,
  type InstallStatus,
  type InstallTarget,
  installIndexTemplate,
  normalizeSettings,
} from './installer.js';
export {
  type JsonSchemaNode,
  type MappingProperty,
  type MappingRules,
  mappingPropertiesFromJsonSchema,
  type SchemaKind,
} from './json-schema-mappings.js';
export { compareMappings, type MappingDifference } from './mapping-conflicts.js';
export {
  DEFAULT_OFFLINE_SERVER_VERSION,
  describeSearchEngineServer,
  detectSearchEngineServer,
  parseServerSpecification,
  type SearchEngineDistribution,
  type SearchEngineServer,
} from './search-engine-server.js';
