import { CTR_FIELDS } from '@ctr-stream/es-index-setup';
import { attributeKeywordField, checkAttributeFields } from './attribute-fields.js';
import { contactCenterTables } from './visualizations.js';

/** What a field must be for the saved objects to work. */
export interface FieldRequirement {
  field: string;
  /**
   * `date`: a date field (time field, date histograms); `keyword`: an aggregatable `keyword` (the
   * `AttributeKeywords.<key>` fields); `aggregatable`: doc values (keyword, date, number); `searchable`: exists in
   * the mapping.
   */
  needs: 'date' | 'keyword' | 'aggregatable' | 'searchable';
  /** What uses it, for error messages. */
  usedBy: string[];
}

const STRENGTH = { searchable: 0, aggregatable: 1, keyword: 2, date: 2 } as const;

/**
 * The fields the saved objects use and what each must be, derived from the same definitions the builders use
 * (so adding a panel adds its fields here). With `attributeFields`, each `AttributeKeywords.<key>` must be an
 * aggregatable `keyword`.
 *
 * @example
 * ```ts
 * fieldRequirements().find((requirement) => requirement.field === 'ContactId')?.needs; // 'aggregatable'
 * fieldRequirements(['menuChoice']).at(-1); // { field: 'AttributeKeywords.menuChoice', needs: 'keyword', ... }
 * ```
 */
export function fieldRequirements(attributeFields: readonly string[] = []): FieldRequirement[] {
  const keys = checkAttributeFields(attributeFields);
  const keywordFields = new Set(keys.map(attributeKeywordField));
  const byField = new Map<string, FieldRequirement>();
  const add = (field: string, needs: FieldRequirement['needs'], usedBy: string): void => {
    const existing = byField.get(field);
    if (existing === undefined) {
      byField.set(field, { field, needs, usedBy: [usedBy] });
      return;
    }
    if (STRENGTH[needs] > STRENGTH[existing.needs]) existing.needs = needs;
    if (!existing.usedBy.includes(usedBy)) existing.usedBy.push(usedBy);
  };
  add(CTR_FIELDS.timeField, 'date', 'the index pattern (time field)');
  for (const table of contactCenterTables(keys)) {
    for (const aggregation of table.aggregations) {
      const kind = { uniqueCount: 'unique count', dailyHistogram: 'daily date histogram', terms: 'terms' }[
        aggregation.kind
      ];
      add(
        aggregation.field,
        aggregation.kind === 'dailyHistogram'
          ? 'date'
          : keywordFields.has(aggregation.field)
            ? 'keyword'
            : 'aggregatable',
        `${table.title} (${kind})`,
      );
    }
    for (const field of table.queryFields) add(field, 'searchable', `${table.title} (query)`);
  }
  return [...byField.values()];
}
