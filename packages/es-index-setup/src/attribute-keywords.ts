import { KEYWORD_IGNORE_ABOVE } from './ctr-mappings.js';
import { InvalidOptionError } from './errors.js';
import type { MappingProperty } from './json-schema-mappings.js';

/** The object the attribute-keywords pipeline fills: `AttributeKeywords.<key>`, one `keyword` per chosen attribute key. */
export const ATTRIBUTE_KEYWORDS_FIELD = 'AttributeKeywords';

/** The longest attribute key `attributeFields` takes (Connect allows 32,767 characters; a field name that long is no use). */
export const MAX_ATTRIBUTE_KEY_LENGTH = 128;

/** The most keys `attributeFields` takes: each is one field against `index.mapping.total_fields.limit`. */
export const MAX_ATTRIBUTE_FIELDS = 100;

/**
 * Checks the attribute keys of `attributeFields` and returns them: each non-empty, at most 128 characters, without
 * `.` (it would become an object path), without surrounding spaces or control characters, and no key twice; at most
 * 100 keys. Throws `InvalidOptionError` (option `attributeFields`) naming the bad key.
 *
 * @example
 * ```ts
 * import { validateAttributeFields } from '@ctr-stream/es-index-setup';
 * validateAttributeFields(['menuChoice', 'language']); // ['menuChoice', 'language']
 * validateAttributeFields(['menu.choice']); // throws InvalidOptionError
 * ```
 */
export function validateAttributeFields(keys: readonly string[]): string[] {
  const fail = (message: string): never => {
    throw new InvalidOptionError('attributeFields', message);
  };
  if (!Array.isArray(keys)) fail('attributeFields must be a list of attribute keys, e.g. ["menuChoice"].');
  if (keys.length > MAX_ATTRIBUTE_FIELDS)
    fail(`attributeFields takes at most ${MAX_ATTRIBUTE_FIELDS} attribute keys (got ${keys.length}).`);
  const seen = new Set<string>();
  for (const key of keys) {
    if (typeof key !== 'string') fail(`Attribute key ${String(key)} is not a string.`);
    const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}...` : key);
    if (key.length === 0) fail('An attribute key is empty: give keys such as menuChoice,language.');
    if (key.length > MAX_ATTRIBUTE_KEY_LENGTH)
      fail(
        `Attribute key ${shown} is ${key.length} characters long: at most ${MAX_ATTRIBUTE_KEY_LENGTH} are accepted.`,
      );
    if (key.includes('.'))
      fail(
        `Attribute key ${shown} contains a dot, which the mapping would read as an object path: choose a key without a dot.`,
      );
    if (key.trim() !== key) fail(`Attribute key ${shown} starts or ends with whitespace: remove it.`);
    if (/[\u0000-\u001f\u007f]/.test(key)) fail(`Attribute key ${shown} contains a control character.`);
    if (seen.has(key)) fail(`Attribute key ${shown} is given twice: list each key once.`);
    seen.add(key);
  }
  return [...keys];
}

/**
 * The id of the ingest pipeline that fills `AttributeKeywords` for `index` (and its rotations):
 * `ctr-stream-<index>-attribute-keywords`, beside the templates `ctr-stream-<index>-*`.
 *
 * @example
 * ```ts
 * import { attributeKeywordsPipelineId } from '@ctr-stream/es-index-setup';
 * attributeKeywordsPipelineId('connect'); // 'ctr-stream-connect-attribute-keywords'
 * ```
 */
export function attributeKeywordsPipelineId(index: string): string {
  return `ctr-stream-${index}-attribute-keywords`;
}

/** The body of `PUT _ingest/pipeline/<id>`: what Elasticsearch 7.10+ and OpenSearch 1+ both accept. */
export interface IngestPipelineBody {
  description: string;
  processors: Record<string, unknown>[];
  on_failure: Record<string, unknown>[];
}

/**
 * Painless, run once per document: for each chosen key whose value in a map `Attributes` is a scalar (not null,
 * not an object or a list), `AttributeKeywords[key] = String.valueOf(value)`. A document without a map
 * `Attributes`, or with none of the keys, is not touched.
 */
const COPY_ATTRIBUTES_SCRIPT = [
  "def attributes = ctx['Attributes'];",
  'if (attributes instanceof Map) {',
  '  Map keywords = new HashMap();',
  "  for (def key : params['keys']) {",
  '    def value = attributes.get(key);',
  '    if (value != null && !(value instanceof Map) && !(value instanceof List)) {',
  '      keywords.put(key, String.valueOf(value));',
  '    }',
  '  }',
  '  if (!keywords.isEmpty()) {',
  `    ctx['${ATTRIBUTE_KEYWORDS_FIELD}'] = keywords;`,
  '  }',
  '}',
].join('\n');

/**
 * The ingest pipeline that copies the chosen `Attributes` keys into `AttributeKeywords.<key>` as strings. It never
 * fails a document: odd values are skipped, and should the script fail anyway, `on_failure` records the reason in
 * `CtrStream.AttributeKeywordsFailure` (stored, not indexed) and the document is indexed.
 *
 * @example
 * ```ts
 * import { buildAttributeKeywordsPipeline } from '@ctr-stream/es-index-setup';
 * const pipeline = buildAttributeKeywordsPipeline('connect', ['menuChoice']);
 * pipeline.processors[0]; // { script: { lang: 'painless', source: '...', params: { keys: ['menuChoice'] }, ... } }
 * ```
 */
export function buildAttributeKeywordsPipeline(index: string, keys: readonly string[]): IngestPipelineBody {
  return {
    description: `ctr-stream: copies the Amazon Connect contact attributes ${keys.join(', ')} into ${ATTRIBUTE_KEYWORDS_FIELD}.<key> (keyword) for ${index} and ${index}-*.`,
    processors: [
      {
        script: {
          tag: 'copy-attribute-keywords',
          lang: 'painless',
          source: COPY_ATTRIBUTES_SCRIPT,
          params: { keys: [...keys] },
        },
      },
    ],
    on_failure: [
      {
        set: {
          field: 'CtrStream.AttributeKeywordsFailure',
          value: '{{{_ingest.on_failure_message}}}',
          ignore_failure: true,
        },
      },
    ],
  };
}

/**
 * The mapping of `AttributeKeywords`: exactly the chosen keys, each `keyword` (`ignore_above: 1024`), no others.
 *
 * @example
 * ```ts
 * import { attributeKeywordsMapping } from '@ctr-stream/es-index-setup';
 * attributeKeywordsMapping(['menuChoice']);
 * // { properties: { menuChoice: { type: 'keyword', ignore_above: 1024 } } }
 * ```
 */
export function attributeKeywordsMapping(keys: readonly string[]): MappingProperty {
  return {
    properties: Object.fromEntries(
      [...keys].sort().map((key) => [key, { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE }]),
    ),
  };
}
