import { ATTRIBUTE_KEYWORDS_FIELD, validateAttributeFields } from '@ctr-stream/es-index-setup';
import { InvalidOptionError } from './errors.js';

/**
 * The field a "Calls per <key>" table aggregates on: `AttributeKeywords.<key>`, the `keyword` that the ingest
 * pipeline of `ctr-es-setup --attribute-fields` fills from `Attributes.<key>`.
 *
 * @example
 * ```ts
 * attributeKeywordField('menuChoice'); // 'AttributeKeywords.menuChoice'
 * ```
 */
export function attributeKeywordField(key: string): string {
  return `${ATTRIBUTE_KEYWORDS_FIELD}.${key}`;
}

/**
 * Checks `attributeFields` exactly as `ctr-es-setup` checks its own (`validateAttributeFields` of
 * @ctr-stream/es-index-setup: non-empty keys without `.`, surrounding spaces or control characters, at most 128
 * characters, each once, at most 100) and returns a copy; `undefined` is no keys. A bad list throws this package's
 * {@link InvalidOptionError} for `option`, with es-index-setup's message.
 */
export function checkAttributeFields(
  keys: readonly string[] | undefined,
  option = 'attributeFields',
): string[] {
  if (keys === undefined) return [];
  try {
    return validateAttributeFields(keys);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InvalidOptionError(option, /[.!?]$/.test(message) ? message : `${message}.`);
  }
}
