import type { ContactTraceRecord } from '@ctr-stream/ctr-schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeKeywordsPipelineId } from '../../src/attribute-keywords.js';
import { UnsupportedServerError } from '../../src/errors.js';
import { installIndexTemplate } from '../../src/installer.js';
import {
  loadCtrFixtures,
  type NodeUnderTest,
  nodeUnderTest,
  removeInstall,
  restCall,
  uniqueIndexName,
} from './helpers.js';

// attributeFields on the detected server, over plain REST as Firehose and the dashboards use it: the chosen
// Attributes keys become AttributeKeywords.<key> (keyword), aggregatable on Elasticsearch and OpenSearch alike.

let node: NodeUnderTest;
/**
 * Whether the node runs `script` ingest processors. Every standard distribution does; the minimal Elasticsearch
 * integ-test distribution this repo's test node unpacks has neither ingest-common nor lang-painless.
 */
let scriptProcessor: boolean;
const created: string[] = [];

beforeAll(async () => {
  node = await nodeUnderTest();
  const ingest = await rest('GET', '/_nodes/_local/ingest?filter_path=nodes.*.ingest.processors');
  const processors = Object.values(
    (ingest.nodes ?? {}) as Record<string, { ingest?: { processors?: { type: string }[] } }>,
  )
    .flatMap((entry) => entry.ingest?.processors ?? [])
    .map((processor) => processor.type);
  scriptProcessor = processors.includes('script') && processors.includes('set');
});
afterAll(async () => {
  for (const index of created) await removeInstall(node.client, index);
  await node.client.close();
});

/** One REST call to the test node (`restCall` of ./helpers.js). */
const rest = (method: string, path: string, body?: unknown) => restCall(node.url, method, path, body);

/** A fixture CTR (cloned) with its own ContactId and, when given, other Attributes (`Attributes: undefined`: none at all). */
function contact(
  fixture: string,
  contactId: string,
  change?: { Attributes: unknown },
): Record<string, unknown> {
  const found = loadCtrFixtures().find(({ name }) => name === fixture);
  if (!found) throw new Error(`no ctr-schema fixture ${fixture}`);
  const record: Record<string, unknown> = { ...(found.record as ContactTraceRecord), ContactId: contactId };
  if (change) {
    if (change.Attributes === undefined) delete record.Attributes;
    else record.Attributes = change.Attributes;
  }
  return record;
}

/** Bulk-indexes the records (refreshing) and returns each item's error or status, in order. */
async function bulkIndex(deliveries: [string, string, Record<string, unknown>][]): Promise<unknown[]> {
  const bulk = await rest(
    'POST',
    '/_bulk?refresh=true',
    deliveries.flatMap(([target, id, record]) => [{ index: { _index: target, _id: id } }, record]),
  );
  return (bulk.items as { index: { status: number; error?: unknown } }[]).map(
    (item) => item.index.error ?? item.index.status,
  );
}

async function termsOf(pattern: string, field: string): Promise<{ key: string; doc_count: number }[]> {
  const answer = await rest('POST', `/${pattern}/_search`, {
    size: 0,
    aggs: { values: { terms: { field, size: 50 } } },
  });
  return (answer.aggregations as { values: { buckets: { key: string; doc_count: number }[] } }).values
    .buckets;
}

async function source(index: string, id: string): Promise<Record<string, unknown>> {
  return (await rest('GET', `/${index}/_doc/${id}`))._source as Record<string, unknown>;
}

describe('attributeFields on a node without the script processor', () => {
  it('fails with UnsupportedServerError before any template names the pipeline', async (context) => {
    if (scriptProcessor) context.skip('the node has the script processor: the suite below covers it');
    const index = uniqueIndexName('attrkwnone');
    created.push(index);
    const outcome = await installIndexTemplate({
      node: node.url,
      index,
      attributeFields: ['menuChoice'],
    }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(UnsupportedServerError);
    expect((outcome as Error).message).toContain('No processor type exists with name [script]');
    expect((outcome as Error).message).toContain(
      'Drop attributeFields (--attribute-fields) for this cluster',
    );
    const template = await fetch(new URL(`/_index_template/ctr-stream-${index}`, node.url));
    expect(template.status).toBe(404);
  });
});

describe('attributeFields on the detected server', () => {
  it('makes the chosen attribute keys aggregatable as AttributeKeywords.<key>, never failing a document', async (context) => {
    if (!scriptProcessor) context.skip('no script ingest processor on this node');
    const index = uniqueIndexName('attrkw');
    created.push(index);
    const pipelineId = attributeKeywordsPipelineId(index);
    const options = { node: node.url, index, attributeFields: ['menuChoice', 'language'] };

    const report = await installIndexTemplate(options);
    expect(report.actions.map((action) => `${action.target}:${action.status}`)).toEqual([
      'ingest_pipeline:created',
      'component_template:created',
      'component_template:created',
      'index_template:created',
      'index:created',
    ]);
    expect(Object.keys(await rest('GET', `/_ingest/pipeline/${pipelineId}`))).toEqual([pipelineId]);

    const long = 'x'.repeat(2000);
    const deliveries: [string, string, Record<string, unknown>][] = [
      [index, 'enriched', contact('synthetic-voice-inbound-enriched.json', 'c1')],
      [index, 'agent', contact('synthetic-voice-inbound-agent.json', 'c2')],
      [
        index,
        'redelivered',
        contact('synthetic-voice-inbound-enriched.json', 'c1', {
          Attributes: { greetingPlayed: 'true', language: 'en-AU', menuChoice: '3' },
        }),
      ],
      [`${index}-2024-03-04`, 'transfer', contact('synthetic-voice-transfer.json', 'c3')],
      [
        `${index}-2024-03-04`,
        'no-attributes',
        contact('synthetic-voice-outbound.json', 'c4', { Attributes: undefined }),
      ],
      [
        `${index}-2024-03-04`,
        'null-attributes',
        contact('synthetic-voice-outbound.json', 'c5', { Attributes: null }),
      ],
      [
        `${index}-2024-03-05`,
        'hand-made',
        contact('synthetic-hand-made-attribute-types.json', 'c6', {
          Attributes: { menuChoice: 4, language: true, retries: 10 },
        }),
      ],
      [
        `${index}-2024-03-05`,
        'odd',
        contact('synthetic-voice-abandoned-in-queue.json', 'c7', {
          Attributes: { menuChoice: { spoken: 'billing' }, language: null, greetingPlayed: 'true' },
        }),
      ],
      [
        `${index}-2024-03-05`,
        'long',
        contact('synthetic-voice-abandoned-in-queue.json', 'c8', { Attributes: { menuChoice: long } }),
      ],
    ];
    expect(await bulkIndex(deliveries)).toEqual(deliveries.map(() => 201));

    // Exactly the right buckets, on every server (no java.lang.Object@... junk, no empty answer).
    const pattern = `${index}*`;
    expect(await termsOf(pattern, 'AttributeKeywords.menuChoice')).toEqual([
      { key: '2', doc_count: 2 },
      { key: '3', doc_count: 1 },
      { key: '4', doc_count: 1 },
    ]);
    expect(await termsOf(pattern, 'AttributeKeywords.language')).toEqual([
      { key: 'en-AU', doc_count: 3 },
      { key: 'true', doc_count: 1 },
    ]);
    const caps = await rest('GET', `/${pattern}/_field_caps?fields=AttributeKeywords.menuChoice,Attributes`);
    const fields = caps.fields as Record<string, Record<string, { aggregatable: boolean }>>;
    expect(fields['AttributeKeywords.menuChoice']).toEqual({
      keyword: expect.objectContaining({ aggregatable: true }),
    });
    // Attributes itself keeps its type: flattened, or flat_object (searchable, not aggregatable) on OpenSearch.
    expect(Object.keys(fields.Attributes ?? {})).toEqual([node.openMapType]);

    // What the pipeline wrote, and left alone.
    expect((await source(index, 'enriched')).AttributeKeywords).toEqual({
      menuChoice: '2',
      language: 'en-AU',
    });
    expect((await source(`${index}-2024-03-05`, 'hand-made')).AttributeKeywords).toEqual({
      menuChoice: '4',
      language: 'true',
    });
    for (const [target, id] of [
      [`${index}-2024-03-04`, 'transfer'],
      [`${index}-2024-03-04`, 'no-attributes'],
      [`${index}-2024-03-04`, 'null-attributes'],
      [`${index}-2024-03-05`, 'odd'],
    ] as const) {
      const document = await source(target, id);
      expect(document, id).not.toHaveProperty('AttributeKeywords');
      expect(document.Attributes, id).toEqual(deliveries.find(([, name]) => name === id)?.[2].Attributes);
    }
    expect((await source(`${index}-2024-03-05`, 'long')).AttributeKeywords).toEqual({ menuChoice: long });
    const failures = await rest('POST', `/${pattern}/_search`, {
      size: 0,
      track_total_hits: true,
      query: { exists: { field: 'CtrStream.AttributeKeywordsFailure' } },
    });
    expect((failures.hits as { total: { value: number } }).total.value).toBe(0);
    // Still searchable through Attributes too.
    const searched = await rest('POST', `/${pattern}/_search`, {
      size: 0,
      track_total_hits: true,
      query: { term: { 'AttributeKeywords.language': 'en-AU' } },
    });
    expect((searched.hits as { total: { value: number } }).total.value).toBe(3);

    // A second run changes nothing: the pipeline, the templates and every index's default pipeline are as wanted.
    const second = await installIndexTemplate(options);
    expect(second.changed).toBe(false);
    expect(second.requests).toEqual([]);
    expect(second.actions.map((action) => `${action.target}:${action.status}`)).toEqual([
      'ingest_pipeline:unchanged',
      'component_template:unchanged',
      'component_template:unchanged',
      'index_template:unchanged',
      'index_settings:unchanged',
      'index_settings:unchanged',
      'index_settings:unchanged',
      'index:unchanged',
    ]);
  });

  it('adds the fields and the pipeline to an index installed without them, and can be removed again', async (context) => {
    if (!scriptProcessor) context.skip('no script ingest processor on this node');
    const index = uniqueIndexName('attrkwlater');
    created.push(index);
    const pipelineId = attributeKeywordsPipelineId(index);
    await installIndexTemplate({ node: node.url, index });
    expect(await bulkIndex([[index, 'before', contact('synthetic-voice-inbound-agent.json', 'd1')]])).toEqual(
      [201],
    );

    const later = await installIndexTemplate({ node: node.url, index, attributeFields: ['menuChoice'] });
    expect(later.actions.filter((action) => action.status !== 'unchanged')).toEqual([
      { target: 'ingest_pipeline', name: pipelineId, status: 'created' },
      { target: 'component_template', name: `ctr-stream-${index}-settings`, status: 'updated' },
      { target: 'component_template', name: `ctr-stream-${index}-mappings`, status: 'updated' },
      { target: 'index_mapping', name: index, status: 'updated', detail: 'adds 1 field(s)' },
      {
        target: 'index_settings',
        name: index,
        status: 'updated',
        detail: `sets index.default_pipeline ${pipelineId}`,
      },
    ]);
    expect(await bulkIndex([[index, 'after', contact('synthetic-voice-inbound-agent.json', 'd2')]])).toEqual([
      201,
    ]);
    // Only documents indexed after the install get the field.
    expect(await termsOf(index, 'AttributeKeywords.menuChoice')).toEqual([{ key: '2', doc_count: 1 }]);
    expect(await source(index, 'before')).not.toHaveProperty('AttributeKeywords');

    // Dropping the option: the templates no longer name the pipeline, which is left in place for the
    // existing index that still does (deleting it would make indexing into that index fail).
    const dropped = await installIndexTemplate({ node: node.url, index });
    expect(
      dropped.actions.filter((action) => action.status !== 'unchanged').map((action) => action.name),
    ).toEqual([`ctr-stream-${index}-settings`, `ctr-stream-${index}-mappings`]);
    expect(Object.keys(await rest('GET', `/_ingest/pipeline/${pipelineId}`))).toEqual([pipelineId]);
    expect(
      await bulkIndex([
        [index, 'kept', contact('synthetic-voice-inbound-agent.json', 'd3')],
        [`${index}-2024-03-04`, 'rotation', contact('synthetic-voice-inbound-agent.json', 'd4')],
      ]),
    ).toEqual([201, 201]);
    expect((await source(index, 'kept')).AttributeKeywords).toEqual({ menuChoice: '2' });
    expect(await source(`${index}-2024-03-04`, 'rotation')).not.toHaveProperty('AttributeKeywords');
  });
});
