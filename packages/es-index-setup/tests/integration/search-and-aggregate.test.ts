import type { ContactTraceRecord } from '@ctr-stream/ctr-schema';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsPerDayAggregation, parseCallsPerDay } from '../../src/calls-per-day.js';
import { InvalidOptionError } from '../../src/errors.js';
import { CTR_FIELDS } from '../../src/fields.js';
import { installIndexTemplate } from '../../src/installer.js';
import {
  loadCtrFixtures,
  type NodeUnderTest,
  nodeUnderTest,
  removeInstall,
  restCall,
  uniqueIndexName,
} from './helpers.js';

// What a user of the detected server (Elasticsearch, or OpenSearch as apps/infra deploys by default) relies on,
// through the plain REST API (fetch), as Firehose, Kibana and OpenSearch Dashboards use it: no client library.

let node: NodeUnderTest;
const created: string[] = [];

beforeAll(async () => {
  node = await nodeUnderTest();
});
afterAll(async () => {
  for (const index of created) await removeInstall(node.client, index);
  await node.client.close();
});

/** One REST call to the test node (`restCall` of ./helpers.js). */
const rest = (method: string, path: string, body?: unknown) => restCall(node.url, method, path, body);

/** A fixture CTR (cloned) with another ContactId and LastUpdateTimestamp, as a re-delivery or another contact. */
function contact(fixture: string, contactId: string, lastUpdate: string): ContactTraceRecord {
  const found = loadCtrFixtures().find(({ name }) => name === fixture);
  if (!found) throw new Error(`no ctr-schema fixture ${fixture}`);
  return { ...(found.record as ContactTraceRecord), ContactId: contactId, LastUpdateTimestamp: lastUpdate };
}

async function hitCount(index: string, query: unknown): Promise<number> {
  const answer = await rest('POST', `/${index}/_search`, { size: 0, track_total_hits: true, query });
  return (answer.hits as { total: { value: number } }).total.value;
}

describe('a user of the detected server: install, index real CTRs, search Attributes, count calls per day', () => {
  it('installs the template, indexes the fixture CTRs into the index and its rotations, and serves the dashboards', async () => {
    const index = uniqueIndexName('user');
    created.push(index);

    // 1. The installer with a node URL (the only way on OpenSearch), detecting the server.
    const report = await installIndexTemplate({ node: node.url, index });
    expect(report.server).toMatchObject({ distribution: node.distribution, version: node.version });
    expect(report.actions.map((action) => `${action.target}:${action.status}`)).toEqual([
      'component_template:created',
      'component_template:created',
      'index_template:created',
      'index:created',
    ]);
    const templates = await rest('GET', `/_component_template/ctr-stream-${index}-mappings`);
    const installed = (
      templates.component_templates as {
        component_template: { template: { mappings: { properties: Record<string, { type?: string }> } } };
      }[]
    )[0]?.component_template.template.mappings.properties;
    expect(installed?.Attributes?.type).toBe(node.openMapType);

    // 2. Realistic CTRs, as Firehose delivers them: into <index> (NoRotation) and daily rotations <index>-YYYY-MM-DD.
    const inbound = 'aaaaaaaa-0000-4000-8000-000000000001';
    const transfer = 'aaaaaaaa-0000-4000-8000-000000000002';
    const abandoned = 'aaaaaaaa-0000-4000-8000-000000000003';
    const handMade = 'aaaaaaaa-0000-4000-8000-000000000004';
    const deliveries: [string, ContactTraceRecord][] = [
      [index, contact('synthetic-voice-inbound-enriched.json', inbound, '2024-03-04T09:22:41Z')],
      // Connect re-delivers the contact the same day after an attribute update: one call, two documents.
      [
        index,
        {
          ...contact('synthetic-voice-inbound-enriched.json', inbound, '2024-03-04T15:40:12Z'),
          Attributes: { greetingPlayed: 'true', language: 'en-AU', menuChoice: '3', vip: '' },
        },
      ],
      [`${index}-2024-03-04`, contact('synthetic-voice-transfer.json', transfer, '2024-03-04T09:30:12Z')],
      [
        `${index}-2024-03-05`,
        contact('synthetic-voice-abandoned-in-queue.json', abandoned, '2024-03-05T07:02:11Z'),
      ],
      [
        `${index}-2024-03-10`,
        contact('synthetic-hand-made-attribute-types.json', handMade, '2024-03-10T10:03:00Z'),
      ],
    ];
    const bulk = await rest(
      'POST',
      '/_bulk?refresh=true',
      deliveries.flatMap(([target, record]) => [{ index: { _index: target } }, record]),
    );
    const items = bulk.items as { index: { status: number; error?: unknown } }[];
    expect(items.map((item) => item.index.error ?? item.index.status)).toEqual([201, 201, 201, 201, 201]);
    // The rotations got the template too: Attributes has the same type in every index Kibana reads.
    const mappings = await rest('GET', `/${index}*/_mapping/field/Attributes`);
    expect(Object.keys(mappings).sort()).toEqual(
      [index, `${index}-2024-03-04`, `${index}-2024-03-05`, `${index}-2024-03-10`].sort(),
    );
    for (const [name, mapping] of Object.entries(mappings)) {
      const field = (mapping as { mappings: { Attributes?: { mapping: { Attributes: { type: string } } } } })
        .mappings.Attributes;
      expect(field?.mapping.Attributes.type, name).toBe(node.openMapType);
    }

    // 3. Attributes.<key> is searchable (flattened / flat_object), per key: a value under another key never matches.
    const pattern = `${index}*`;
    expect(await hitCount(pattern, { term: { 'Attributes.greetingPlayed': 'true' } })).toBe(4);
    expect(await hitCount(pattern, { term: { 'Attributes.transferReason': 'billing' } })).toBe(1);
    expect(await hitCount(pattern, { term: { 'Attributes.language': 'billing' } })).toBe(0);
    expect(await hitCount(pattern, { term: { 'Attributes.menuChoice': '3' } })).toBe(1);
    // What a user types in Discover's search bar (query_string), as the package README shows it.
    expect(await hitCount(pattern, { query_string: { query: 'Attributes.language:"en-AU"' } })).toBe(2);
    // A hand-made record's number and boolean values are searchable as their text.
    expect(await hitCount(pattern, { term: { 'Attributes.retries': '10' } })).toBe(1);
    expect(await hitCount(pattern, { term: { 'Attributes.isVip': 'true' } })).toBe(1);
    // Aggregating on an attribute key works on Elasticsearch (flattened) only. OpenSearch 2.x's flat_object answers a
    // terms aggregation with no buckets and no error (opensearch-project/OpenSearch#14225). OpenSearch 3.x (3.8.0
    // tested) returns that key's buckets right, plus junk buckets keyed `java.lang.Object@<hash>` for the values
    // under the other keys. The README says so.
    const byMenuChoice = await rest('POST', `/${pattern}/_search`, {
      size: 0,
      aggs: { menu: { terms: { field: 'Attributes.menuChoice' } } },
    });
    const buckets = (byMenuChoice.aggregations as { menu: { buckets: { key: string; doc_count: number }[] } })
      .menu.buckets;
    const isJunk = (bucket: { key: string }) => /^java\.lang\.Object@[0-9a-f]+$/.test(bucket.key);
    const menuChoices = [
      { key: '2', doc_count: 1 },
      { key: '3', doc_count: 1 },
    ];
    const openSearchMajor = Number(node.version.split('.')[0]);
    expect(buckets.filter((bucket) => !isJunk(bucket))).toEqual(
      node.distribution === 'elasticsearch' || openSearchMajor >= 3 ? menuChoices : [],
    );
    // The junk: the values under the other keys (greetingPlayed, language, transferReason, retries, isVip, ...).
    expect(buckets.filter(isJunk).length > 0).toBe(
      node.distribution === 'opensearch' && openSearchMajor >= 3,
    );

    // 4. The "Calls per day" visualization's aggregation over connect*: a unique count of ContactId per day of
    // LastUpdateTimestamp, so the re-delivered contact counts once.
    const search = await rest('POST', `/${pattern}/_search`, { size: 0, aggs: callsPerDayAggregation() });
    expect(parseCallsPerDay(search)).toEqual([
      { date: '2024-03-04', calls: 2 },
      { date: '2024-03-05', calls: 1 },
      { date: '2024-03-10', calls: 1 },
    ]);
    const caps = await rest(
      'GET',
      `/${pattern}/_field_caps?fields=${CTR_FIELDS.contactId},${CTR_FIELDS.lastUpdateTimestamp}`,
    );
    const fields = caps.fields as Record<string, Record<string, { aggregatable: boolean }>>;
    expect(fields[CTR_FIELDS.contactId]).toEqual({
      keyword: expect.objectContaining({ aggregatable: true }),
    });
    expect(fields[CTR_FIELDS.lastUpdateTimestamp]).toEqual({
      date: expect.objectContaining({ aggregatable: true }),
    });
  });

  it('accepts an @elastic/elasticsearch client on Elasticsearch, and on OpenSearch says to pass node instead', async () => {
    const index = uniqueIndexName('userclient');
    created.push(index);
    const stock = new Client({ node: node.url });
    try {
      const outcome = await installIndexTemplate({ client: stock, index, dryRun: true }).catch(
        (caught: unknown) => caught,
      );
      if (node.distribution === 'elasticsearch') {
        expect(outcome).toMatchObject({ dryRun: true, server: { distribution: 'elasticsearch' } });
      } else {
        expect(outcome).toBeInstanceOf(InvalidOptionError);
        expect(outcome).toMatchObject({ option: 'client' });
        expect((outcome as Error).message).toContain('Pass node');
      }
    } finally {
      await stock.close();
    }
  });

  it('indexes the members ctr-schema accepts in any shape when they have their documented shape, and refuses others', async () => {
    const index = uniqueIndexName('undocumented');
    created.push(index);
    await installIndexTemplate({ node: node.url, index });
    const base = contact('synthetic-voice-inbound-agent.json', 'undocumented-1', '2026-03-02T10:00:00Z');
    const documented = {
      ...base,
      Tags: { team: 'blue', cost: 7 },
      GlobalResiliencyMetadata: { ActiveRegion: 'us-east-1' },
      CustomerId: 'customer-1',
      References: 'ref-1',
    };
    const answer = await rest('POST', `/${index}/_doc?refresh=true`, documented);
    expect(answer.result).toBe('created');
    expect(await hitCount(index, { term: { 'GlobalResiliencyMetadata.ActiveRegion': 'us-east-1' } })).toBe(1);
    expect(await hitCount(index, { term: { CustomerId: 'customer-1' } })).toBe(1);
    // The same record with a scalar where the documented shape is an object: the node refuses it (Firehose then
    // keeps it under elasticsearch-failed/ with the reason), it never indexes it half.
    const refused = await rest('POST', `/${index}/_doc?refresh=true`, {
      ...base,
      ContactId: 'undocumented-2',
      GlobalResiliencyMetadata: 'x',
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/answered 400: .*pars/i);
    expect(await hitCount(index, { term: { ContactId: 'undocumented-2' } })).toBe(0);
  });
});
