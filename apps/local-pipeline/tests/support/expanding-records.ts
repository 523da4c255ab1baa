import { readFileSync } from 'node:fs';

const tutorialRecord = JSON.parse(
  readFileSync(
    new URL('../../../../packages/ctr-schema/tests/events/tutorial-abandoned-2018.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

/** The small scenario the overflow tests run next to their expanding records. */
export const OVERFLOW_SCENARIO = { days: 1, contactsPerDay: 10, seed: 5, startDate: '2026-03-02' } as const;

/**
 * `count` valid CTRs that the Lambda's transform makes about 2.8 times larger: an unknown field (kept, stored
 * but not indexed by the template) holds numbers written `1e20`, which come out of JSON.stringify as
 * `100000000000000000000`. A 3 MB processor buffer of them transforms to a response far over 6 MB.
 * `contactIdPrefix` (8 hex digits) keeps each test's ContactIds apart.
 */
export function expandingRecords(count: number, contactIdPrefix: string): string[] {
  return Array.from({ length: count }, (_, index) =>
    JSON.stringify({
      ...structuredClone(tutorialRecord),
      ContactId: `${contactIdPrefix}-0000-4000-8000-${String(index).padStart(12, '0')}`,
      LastUpdateTimestamp: `${OVERFLOW_SCENARIO.startDate}T12:00:00Z`,
      // Spliced in as text below: JSON.stringify would already write the long form.
      OverflowProbe: '__NUMBERS__',
    }).replace('"__NUMBERS__"', `[${Array.from({ length: 600 }, () => '1e20').join(',')}]`),
  );
}
