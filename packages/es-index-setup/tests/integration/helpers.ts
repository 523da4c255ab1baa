import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { inject } from 'vitest';

export const elasticsearchUrl = (): string => inject('elasticsearchUrl');

export function createClient(): Client {
  return new Client({ node: elasticsearchUrl() });
}

/** A unique index name whose `<name>*` pattern overlaps no other test's. */
export function uniqueIndexName(label: string): string {
  return `ctrtest-${label}-${randomBytes(4).toString('hex')}-x`;
}

/** Deletes what an install created: the index (and its rotations), the index template, the component templates. */
export async function removeInstall(client: Client, index: string): Promise<void> {
  await client.indices
    .delete({ index: `${index}*`, ignore_unavailable: true, allow_no_indices: true })
    .catch(() => undefined);
  await client.indices.deleteIndexTemplate({ name: `ctr-stream-${index}` }, { ignore: [404] });
  await client.cluster.deleteComponentTemplate(
    { name: `ctr-stream-${index}-settings,ctr-stream-${index}-mappings` },
    { ignore: [404] },
  );
}

const FIXTURE_DIRECTORY = new URL('../../../ctr-schema/tests/events/', import.meta.url);

/** The ctr-schema fixture CTRs (valid records only; the invalid/ and not-ctr/ folders are skipped). Fresh copies. */
export function loadCtrFixtures(): { name: string; record: Record<string, unknown> }[] {
  const directory = FIXTURE_DIRECTORY.pathname;
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      name,
      record: JSON.parse(readFileSync(join(directory, name), 'utf8')) as Record<string, unknown>,
    }));
}
