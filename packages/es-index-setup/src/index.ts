export { CTR_FIELDS, type CtrFieldName, DEFAULT_INDEX, INDEX_PATTERN } from './fields.js';
