import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseContactTraceRecord } from '../../src/index.js';
import { canonicalJson } from '../canonical-json.js';
import { loadEvent, validEventNames } from '../load-events.js';
import { searchNodeUnderTest } from '../search-node.js';

// Every fixture goes through a real Elasticsearch or OpenSearch node (dynamic mapping, as the tutorial's index
// had) and must come back as the same record: what the Lambda writes is what Kibana, OpenSearch Dashboards and
// our code read. (The tutorial's dynamic mapping makes ContactId a text field with a .keyword sub-field.)
// OPENSEARCH_VERSION runs it against OpenSearch: the same assertions hold on both distributions.
const index = `ctr-schema-round-trip-${randomUUID()}`;
const { label, client } = await searchNodeUnderTest(inject('elasticsearchUrl'));
const names = validEventNames();

describe(`${label} round trip`, () => {
  beforeAll(async () => {
    await client.indices.create({ index });
    const operations = names.flatMap((name) => [
      { index: { _index: index, _id: name } },
      parseContactTraceRecord(loadEvent(name)),
    ]);
    const response = await client.bulk({ operations, refresh: true });
    const failures = response.items.filter((item) => item.index?.error);
    expect(failures.map((item) => [item.index?._id, item.index?.error?.reason])).toEqual([]);
  });

  afterAll(async () => {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  });

  it.each(names)('%s reads back and parses to the same record', async (name) => {
    const fixture = loadEvent(name);
    const document = await client.get<Record<string, unknown>>({ index, id: name });
    const readBack = parseContactTraceRecord(document._source);
    expect(canonicalJson(readBack)).toBe(canonicalJson(fixture));
  });

  it('lets the node detect the timestamps as dates (second and millisecond precision)', async () => {
    const mapping = await client.indices.getMapping({ index });
    const properties = mapping[index]?.mappings.properties ?? {};
    expect(properties.LastUpdateTimestamp?.type).toBe('date');
    expect(properties.InitiationTimestamp?.type).toBe('date');
    const chatMetrics = properties.ChatMetrics as {
      properties: Record<string, { properties: Record<string, { type: string }> }>;
    };
    expect(chatMetrics.properties.ContactMetrics?.properties.AgentFirstResponseTimestamp?.type).toBe('date');
  });

  it('counts one document per fixture, and the tutorial contact on its day', async () => {
    const response = await client.search({
      index,
      size: 0,
      query: { term: { 'ContactId.keyword': 'c54d7b3a-581d-45ce-9a3c-e4cbb62eca3f' } },
      aggs: { days: { date_histogram: { field: 'LastUpdateTimestamp', calendar_interval: 'day' } } },
    });
    expect(response.hits.total).toEqual({ value: 1, relation: 'eq' });
    const days = response.aggregations?.days as
      | { buckets: { key_as_string: string; doc_count: number }[] }
      | undefined;
    const buckets = days?.buckets ?? [];
    expect(buckets.map((bucket) => [bucket.key_as_string, bucket.doc_count])).toEqual([
      ['2018-11-02T00:00:00.000Z', 1],
    ]);
    const count = await client.count({ index });
    expect(count.count).toBe(names.length);
  });
});
