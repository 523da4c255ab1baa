import {
  type ContactTraceRecord,
  contactTraceRecordJsonSchema,
  safeParseContactTraceRecord,
} from '@ctr-stream/ctr-schema';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsPerDayAggregation, parseCallsPerDay } from '../../src/calls-per-day.js';
import { ElasticsearchRequestError, MappingConflictError } from '../../src/errors.js';
import { CTR_FIELDS } from '../../src/fields.js';
import { defaultTemplatePriority } from '../../src/index-template.js';
import { installIndexTemplate } from '../../src/installer.js';
import type { JsonSchemaNode } from '../../src/json-schema-mappings.js';
import {
  elasticsearchUrl,
  loadCtrFixtures,
  type NodeUnderTest,
  nodeUnderTest,
  removeInstall,
  uniqueIndexName,
} from './helpers.js';

let node: NodeUnderTest;
let client: Client;
const created: string[] = [];

beforeAll(async () => {
  node = await nodeUnderTest();
  client = node.client;
});
afterAll(async () => {
  for (const index of created) await removeInstall(client, index);
  await client.close();
});

async function install(label: string) {
  const index = uniqueIndexName(label);
  created.push(index);
  const report = await installIndexTemplate({ node: elasticsearchUrl(), index });
  return { index, report };
}

/**
 * `GET /<index>/_field_caps?fields=...`, the fields in the query string as Kibana and OpenSearch Dashboards send
 * them (the 8.x client's `fields` goes in the body, which OpenSearch refuses: "specified fields can't be null").
 */
function fieldCaps(index: string | string[], fields: string[]) {
  return client.fieldCaps({ index }, { querystring: { fields: fields.join(',') } });
}

async function countMappedFields(index: string): Promise<number> {
  const response = await client.indices.getMapping({ index });
  const count = (
    properties: Record<string, { properties?: Record<string, unknown>; fields?: Record<string, unknown> }>,
  ): number =>
    Object.values(properties).reduce(
      (total, property) =>
        total +
        1 +
        (property.properties ? count(property.properties as never) : 0) +
        Object.keys(property.fields ?? {}).length,
      0,
    );
  return count((Object.values(response)[0]?.mappings.properties ?? {}) as never);
}

/** Every field the schema allows to be null set to null (recursively through the fixture's objects). */
function nullEverywhere(value: unknown, schema: JsonSchemaNode): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const objectSchema = schema.anyOf?.find((variant) => variant.type === 'object') ?? schema;
  const result: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, property] of Object.entries(objectSchema.properties ?? {})) {
    const nullable = property.anyOf?.some((variant) => variant.type === 'null') ?? false;
    if (nullable) result[name] = null;
    else if (name in result) result[name] = nullEverywhere(result[name], property);
  }
  return result;
}

async function bulkIndex(index: string, records: unknown[]) {
  const response = await client.bulk({
    refresh: true,
    operations: records.flatMap((record) => [{ index: { _index: index } }, record]),
  });
  const failures = response.items
    .map((item, position) => ({ position, error: item.index?.error }))
    .filter((item) => item.error !== undefined);
  return failures;
}

describe('installIndexTemplate on the real node', () => {
  it('installs overlapping indices side by side (connect and connect-prod)', async () => {
    const base = uniqueIndexName('overlap');
    const longer = `${base}-prod`;
    try {
      await installIndexTemplate({ connection: node.connection(), index: base });
      // `<base>-*` covers `<base>-prod` and `<base>-prod-*`: with equal priorities Elasticsearch refuses the
      // second template, which is what the default priority (200 + name length) avoids.
      const samePriority = await installIndexTemplate({
        connection: node.connection(),
        index: longer,
        priority: defaultTemplatePriority(base),
      }).catch((caught: unknown) => caught);
      expect(samePriority).toBeInstanceOf(ElasticsearchRequestError);
      expect((samePriority as ElasticsearchRequestError).message).toContain(
        'multiple index templates may not match',
      );
      const second = await installIndexTemplate({ connection: node.connection(), index: longer });
      expect(second.changed).toBe(true);
      const mapping = await client.indices.getMapping({ index: longer });
      expect(mapping[longer]?.mappings.properties?.ContactId).toMatchObject({ type: 'keyword' });
      // A rotation of the longer index gets the longer index's template; the base one only overlaps.
      const simulated = (await client.transport.request({
        method: 'POST',
        path: `/_index_template/_simulate_index/${longer}-2026-01-01`,
      })) as { overlapping?: { name: string }[] };
      expect(simulated.overlapping?.map((template) => template.name)).toEqual([`ctr-stream-${base}`]);
    } finally {
      await removeInstall(client, longer);
      await removeInstall(client, base);
    }
  });

  it('installs once, then a second run changes nothing', async () => {
    const { index, report } = await install('twice');
    expect(report.server.distribution).toBe(node.distribution);
    expect(report.server.version).toBe(node.version);
    expect(report.changed).toBe(true);
    expect(report.actions.map((action) => `${action.target}:${action.status}`)).toEqual([
      'component_template:created',
      'component_template:created',
      'index_template:created',
      'index:created',
    ]);
    const again = await installIndexTemplate({ connection: node.connection(), index });
    expect(again.changed).toBe(false);
    expect(again.actions.every((action) => action.status === 'unchanged')).toBe(true);

    // Someone edits the template by hand: the next run puts it back.
    await client.cluster.putComponentTemplate({
      name: `ctr-stream-${index}-settings`,
      template: { settings: { 'index.refresh_interval': '1s' } },
    });
    const repaired = await installIndexTemplate({ node: elasticsearchUrl(), index });
    expect(repaired.actions.filter((action) => action.status !== 'unchanged')).toEqual([
      { target: 'component_template', name: `ctr-stream-${index}-settings`, status: 'updated' },
    ]);
  });

  it("keeps the user's own component templates in the index template's composed_of (an ILM policy, replicas), after ours", async () => {
    const { index } = await install('custom');
    const custom = `${index}@custom`;
    await client.cluster.putComponentTemplate({
      name: custom,
      template: { settings: { 'index.refresh_interval': '5s' } },
    });
    const name = `ctr-stream-${index}`;
    try {
      const installed = async () =>
        (await client.indices.getIndexTemplate({ name })).index_templates[0]!.index_template;
      const ours = await installed();
      // The user adds theirs, as Elastic's docs show for an ILM policy.
      await client.indices.putIndexTemplate({
        name,
        index_patterns: ours.index_patterns,
        composed_of: [...ours.composed_of, custom],
        priority: ours.priority,
        version: ours.version,
        _meta: ours._meta,
      });
      const again = await installIndexTemplate({ node: elasticsearchUrl(), index });
      expect(again.changed).toBe(false);
      // A change of ours (here the priority) rewrites the index template, with theirs still in it.
      const changed = await installIndexTemplate({
        node: elasticsearchUrl(),
        index,
        priority: Number(ours.priority) + 1,
      });
      expect(changed.actions.find((action) => action.target === 'index_template')).toEqual({
        target: 'index_template',
        name,
        status: 'updated',
        detail: `kept your component templates ${custom} in composed_of`,
      });
      expect((await installed()).composed_of).toEqual([...ours.composed_of, custom]);
      // Theirs wins over ours: a new rotation gets their refresh interval.
      const simulated = (await client.transport.request({
        method: 'POST',
        path: `/_index_template/_simulate_index/${index}-2026-01-01`,
      })) as { template: { settings: { index: { refresh_interval?: string } } } };
      expect(simulated.template.settings.index.refresh_interval).toBe('5s');
    } finally {
      // The index template first: a component template in use cannot be deleted.
      await client.indices.deleteIndexTemplate({ name }, { ignore: [404] });
      await client.cluster.deleteComponentTemplate({ name: custom }, { ignore: [404] });
    }
  });

  it('gives every shared field the type and aggregatability dashboards need, in the index and its rotations', async () => {
    const { index } = await install('fields');
    await client.indices.create({ index: `${index}-2024-03-04` }); // a Firehose OneDay rotation
    const caps = await fieldCaps(`${index}*`, Object.values(CTR_FIELDS));
    expect(caps.indices).toHaveLength(2);
    for (const field of Object.values(CTR_FIELDS)) {
      const types = Object.keys(caps.fields[field] ?? {});
      expect(types, field).toHaveLength(1);
      const type = types[0] as string;
      expect(caps.fields[field]?.[type]?.aggregatable, field).toBe(true);
      expect(type, field).toBe(field.endsWith('Timestamp') ? 'date' : 'keyword');
    }
  });

  it('indexes every ctr-schema fixture and null-everywhere variants, rejecting nothing the schema accepts', async () => {
    const { index } = await install('fixtures');
    const fixtures = loadCtrFixtures();
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
    const schema = contactTraceRecordJsonSchema() as JsonSchemaNode;
    const records: unknown[] = [];
    for (const { name, record } of fixtures) {
      const variants = [record, nullEverywhere(structuredClone(record), schema)];
      for (const variant of variants) {
        const parsed = safeParseContactTraceRecord(variant);
        expect(parsed.success, `${name}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`).toBe(
          true,
        );
        records.push(variant);
      }
    }
    const failures = await bulkIndex(index, records);
    expect(failures).toEqual([]);
    const { count } = await client.count({ index });
    expect(count).toBe(records.length);
    const ignored = await client.search({ index, size: 0, query: { exists: { field: '_ignored' } } });
    expect(ignored.hits.total).toMatchObject({ value: 0 });
    const byContact = await client.search({
      index,
      size: 0,
      query: { term: { [CTR_FIELDS.contactId]: fixtures[0]?.record.ContactId as string } },
    });
    expect(byContact.hits.total).toMatchObject({ value: 2 });
  });

  it('counts a re-delivered contact once per day in the calls-per-day aggregation', async () => {
    const { index } = await install('callsperday');
    const base = loadCtrFixtures()[0]?.record as ContactTraceRecord;
    const contact = (contactId: string, lastUpdate: string) => ({
      ...structuredClone(base),
      ContactId: contactId,
      LastUpdateTimestamp: lastUpdate,
    });
    const records = [
      contact('aaaaaaaa-0000-4000-8000-000000000001', '2024-03-04T09:22:00Z'),
      contact('aaaaaaaa-0000-4000-8000-000000000001', '2024-03-04T15:40:12Z'), // re-delivered the same day (attribute update)
      contact('aaaaaaaa-0000-4000-8000-000000000001', '2024-03-04T15:40:12Z'), // byte-identical duplicate
      contact('aaaaaaaa-0000-4000-8000-000000000002', '2024-03-04T23:30:00Z'),
      contact('aaaaaaaa-0000-4000-8000-000000000003', '2024-03-05T01:00:00Z'),
    ];
    expect(await bulkIndex(index, records)).toEqual([]);
    const utc = await client.search({ index: `${index}*`, size: 0, aggs: callsPerDayAggregation() });
    expect(parseCallsPerDay(utc)).toEqual([
      { date: '2024-03-04', calls: 2 },
      { date: '2024-03-05', calls: 1 },
    ]);
    // In Sydney (UTC+11 in March) 15:40Z and 23:30Z on the 4th are already the 5th: contact 1's first copy
    // counts on the 4th and its re-delivery on the 5th (each day counts the contacts updated that day).
    const sydney = await client.search({
      index: `${index}*`,
      size: 0,
      aggs: callsPerDayAggregation({ timeZone: 'Australia/Sydney' }),
    });
    expect(parseCallsPerDay(sydney)).toEqual([
      { date: '2024-03-04', calls: 1 },
      { date: '2024-03-05', calls: 3 },
    ]);
  });

  it('indexes 2,000 distinct attribute keys without growing the mapping', async () => {
    const { index } = await install('explosion');
    const before = await countMappedFields(index);
    const base = loadCtrFixtures()[0]?.record as ContactTraceRecord;
    const records = Array.from({ length: 4 }, (_, batch) => ({
      ...structuredClone(base),
      ContactId: `bbbbbbbb-0000-4000-8000-00000000000${batch}`,
      Attributes: Object.fromEntries(
        Array.from({ length: 500 }, (_, key) => [`customerKey${batch * 500 + key}`, `value-${key}`]),
      ),
    }));
    expect(await bulkIndex(index, records)).toEqual([]);
    expect(await countMappedFields(index)).toBe(before);
    expect(before).toBeLessThan(400);
    const found = await client.search({
      index,
      query: { term: { 'Attributes.customerKey1999': 'value-499' } },
    });
    expect(found.hits.hits).toHaveLength(1);
  });

  it('reports a tutorial-style index (dynamic mapping) as a conflict naming the field, types and the fix', async () => {
    const index = uniqueIndexName('tutorial');
    created.push(index);
    // What the tutorial does: Firehose writes into an index that dynamic mapping creates.
    await client.index({ index, document: loadCtrFixtures()[0]?.record, refresh: true });
    const dryRun = await installIndexTemplate({ node: elasticsearchUrl(), index, dryRun: true });
    expect(dryRun.conflicts).toContainEqual({
      index,
      field: 'ContactId',
      existingType: 'text',
      wantedType: 'keyword',
    });
    const template = await client.indices.existsIndexTemplate({ name: `ctr-stream-${index}` });
    expect(template).toBe(false);

    const error = await installIndexTemplate({ node: elasticsearchUrl(), index }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MappingConflictError);
    const conflict = error as MappingConflictError;
    expect(conflict.conflicts).toContainEqual({
      index,
      field: 'ContactId',
      existingType: 'text',
      wantedType: 'keyword',
    });
    expect(
      conflict.conflicts.some((item) => item.field === 'Attributes' && item.wantedType === node.openMapType),
    ).toBe(true);
    expect(conflict.message).toContain('ContactId: existing text, wanted keyword');
    expect(conflict.message).toContain('POST /_reindex');
    expect(conflict.message).toContain(`${index}-v2`);

    // Following the advice works: reindex into <index>-v2 (the template applies), alias the old name.
    await client.indices.create({ index: `${index}-v2` });
    // (This test node has no _reindex endpoint: copy the documents the way _reindex would.)
    const old = await client.search({ index, size: 100 });
    await client.bulk({
      refresh: true,
      operations: old.hits.hits.flatMap((hit) => [{ index: { _index: `${index}-v2` } }, hit._source]),
    });
    // The swap the message gives, one atomic request: no moment without the name Firehose writes to.
    expect(conflict.message).toContain(
      `POST /_aliases {"actions":[{"remove_index":{"index":"${index}"}},{"add":{"index":"${index}-v2","alias":"${index}","is_write_index":true}}]}`,
    );
    await client.indices.updateAliases({
      actions: [
        { remove_index: { index } },
        { add: { index: `${index}-v2`, alias: index, is_write_index: true } },
      ],
    });
    const fixed = await installIndexTemplate({ node: elasticsearchUrl(), index });
    expect(fixed.conflicts).toEqual([]);
    expect(fixed.actions.find((action) => action.target === 'index')).toMatchObject({ status: 'unchanged' });
    const { count } = await client.count({ index });
    expect(count).toBe(1);
  });

  it('adds fields missing from an index created by an older template, without touching the rest', async () => {
    const index = uniqueIndexName('older');
    created.push(index);
    await client.indices.create({
      index,
      mappings: { dynamic: false, properties: { ContactId: { type: 'keyword' } } },
    });
    const report = await installIndexTemplate({ node: elasticsearchUrl(), index });
    expect(report.actions.find((action) => action.target === 'index_mapping')).toMatchObject({
      name: index,
      status: 'updated',
    });
    const caps = await fieldCaps(index, [CTR_FIELDS.callerLookupStatus]);
    expect(Object.keys(caps.fields[CTR_FIELDS.callerLookupStatus] ?? {})).toEqual(['keyword']);
    const again = await installIndexTemplate({ node: elasticsearchUrl(), index });
    expect(again.changed).toBe(false);
  });

  it('leaves an unrelated <index>ions alone while covering <index>-2026-01-01', async () => {
    const index = uniqueIndexName('scope');
    created.push(index);
    const unrelated = `${index}ions`;
    const rotation = `${index}-2026-01-01`;
    // An unrelated index whose name starts with ours, mapping ContactId as text (a conflict if we looked).
    await client.indices.create({
      index: unrelated,
      mappings: { dynamic: false, properties: { ContactId: { type: 'text' } } },
    });
    // A rotation created by an older template: only ContactId mapped, so the installer adds the rest.
    await client.indices.create({
      index: rotation,
      mappings: { dynamic: false, properties: { ContactId: { type: 'keyword' } } },
    });
    const unrelatedBefore = await client.indices.getMapping({ index: unrelated });

    const dryRun = await installIndexTemplate({ node: elasticsearchUrl(), index, dryRun: true });
    expect(dryRun.conflicts).toEqual([]);
    const report = await installIndexTemplate({ node: elasticsearchUrl(), index });
    expect(report.conflicts).toEqual([]);
    expect(report.actions.filter((action) => action.target === 'index_mapping')).toEqual([
      expect.objectContaining({ name: rotation, status: 'updated' }),
    ]);
    expect(report.actions.some((action) => action.name === unrelated)).toBe(false);
    expect(await client.indices.getMapping({ index: unrelated })).toEqual(unrelatedBefore);
    const rotationCaps = await fieldCaps(rotation, [CTR_FIELDS.callerLookupStatus]);
    expect(Object.keys(rotationCaps.fields[CTR_FIELDS.callerLookupStatus] ?? {})).toEqual(['keyword']);

    // New indices: the template shapes the next rotation, not another unrelated name.
    const nextRotation = `${index}-2026-01-02`;
    const otherUnrelated = `${index}ions2`;
    const record = loadCtrFixtures()[0]?.record;
    await client.index({ index: nextRotation, document: record, refresh: true });
    await client.index({ index: otherUnrelated, document: record, refresh: true });
    const caps = await fieldCaps([nextRotation, otherUnrelated], ['ContactId']);
    expect(caps.fields.ContactId?.keyword?.indices).toEqual([nextRotation]);
    expect(Object.keys(caps.fields.ContactId ?? {}).sort()).toEqual(['keyword', 'text']);
    expect(caps.fields.ContactId?.text?.indices).toEqual([otherUnrelated]);

    // A second run: nothing to do, still nothing reported for the unrelated indices.
    const again = await installIndexTemplate({ node: elasticsearchUrl(), index });
    expect(again.changed).toBe(false);
    expect(again.conflicts).toEqual([]);
  });

  it('changes nothing in a dry run', async () => {
    const index = uniqueIndexName('dryrun');
    created.push(index);
    const report = await installIndexTemplate({ node: elasticsearchUrl(), index, dryRun: true });
    expect(report.actions.map((action) => action.status)).toEqual([
      'would_create',
      'would_create',
      'would_create',
      'would_create',
    ]);
    expect(await client.indices.exists({ index })).toBe(false);
    expect(await client.indices.existsIndexTemplate({ name: `ctr-stream-${index}` })).toBe(false);
  });
});
