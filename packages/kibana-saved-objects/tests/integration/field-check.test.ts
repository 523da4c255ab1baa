import { readFileSync } from 'node:fs';
import { callsPerDayAggregation, parseCallsPerDay } from '@ctr-stream/es-index-setup';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildCallsPerDayTable,
  checkFields,
  ElasticsearchRequestError,
  FieldCheckError,
} from '../../src/index.js';
import {
  bulkIndex,
  installCtrIndex,
  removeCtrIndex,
  searchNodeCall,
  searchNodeUnderTest,
} from '../support/search-node.js';

const elasticsearchUrl = inject('elasticsearchUrl');
// Elasticsearch 8/9, or OpenSearch (OPENSEARCH_VERSION): the same checks on each.
const node = await searchNodeUnderTest(elasticsearchUrl);
const prefix = `kso-test-${process.pid}-${Date.now().toString(36)}`;
const mappedIndex = `${prefix}-mapped`;
const dynamicIndex = `${prefix}-dynamic`;

function fixture(name: string): Record<string, unknown> {
  // Cloned by JSON parsing on every read: the shared fixture files are never mutated.
  return JSON.parse(
    readFileSync(new URL(`../../../ctr-schema/tests/events/${name}.json`, import.meta.url), 'utf8'),
  );
}

/** The enriched CTRs as the Lambda emits them: a contact delivered twice, an abandoned one, an unknown caller, a failed lookup. */
function documents(): Record<string, unknown>[] {
  const answered = {
    ...fixture('synthetic-voice-inbound-agent'),
    CtrStream: { CallerLookup: { Status: 'found' } },
  };
  const redelivered = { ...structuredClone(answered), LastUpdateTimestamp: '2024-03-04T09:30:00Z' };
  const abandoned = {
    ...fixture('synthetic-voice-abandoned-in-queue'),
    CtrStream: { CallerLookup: { Status: 'not_found' } },
  };
  const chat = {
    ...fixture('synthetic-chat-no-agent'),
    CtrStream: { CallerLookup: { Status: 'error', Reason: 'timeout' } },
  };
  return [answered, redelivered, abandoned, chat];
}

beforeAll(async () => {
  // What ctr-es-setup installs (the template of @ctr-stream/es-index-setup, built for the detected server),
  // and the Lambda's documents written into the index it created.
  await installCtrIndex(node, mappedIndex);
  await bulkIndex(node, mappedIndex, documents());
  // The tutorial's index: no mapping, dynamic mapping decides (ContactId becomes text + .keyword).
  await bulkIndex(node, dynamicIndex, documents());
});

afterAll(async () => {
  await removeCtrIndex(node, mappedIndex);
  await searchNodeCall(node, 'DELETE', `/${dynamicIndex}?ignore_unavailable=true`);
});

describe(`checkFields against the real ${node.label}`, () => {
  it('accepts the es-index-setup mapping: every field exists, aggregatable, time fields are dates', async () => {
    const result = await checkFields({ elasticsearchUrl, indexPattern: `${mappedIndex}*` });
    expect(result.indices).toEqual([mappedIndex]);
    expect(result.fields.every((field) => field.ok)).toBe(true);
    expect(result.fields.find((field) => field.field === 'ContactId')!.types).toEqual(['keyword']);
    expect(result.fields.find((field) => field.field === 'ConnectedToSystemTimestamp')!.types).toEqual([
      'date',
    ]);
  });

  it('rejects a tutorial-style dynamic mapping, naming each unusable field and suggesting ctr-es-setup', async () => {
    const error = await checkFields({ elasticsearchUrl, indexPattern: `${dynamicIndex}*` }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FieldCheckError);
    const problems = (error as FieldCheckError).problems;
    const byField = Object.fromEntries(problems.map((problem) => [problem.field, problem.problem]));
    expect(byField).toMatchObject({
      ContactId: 'not_aggregatable',
      Channel: 'not_aggregatable',
      'CtrStream.CallerLookup.Reason': 'not_aggregatable',
    });
    expect(byField).not.toHaveProperty('ConnectedToSystemTimestamp');
    expect(byField).not.toHaveProperty('Queue.Name.keyword');
    expect((error as Error).message).toContain('ContactId: not aggregatable (mapped as text)');
    expect((error as Error).message).toContain('ctr-es-setup');
  });

  it('reports a field that is text in one index and keyword in another as a conflict', async () => {
    const error = await checkFields({ elasticsearchUrl, indexPattern: `${prefix}-*` }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FieldCheckError);
    const contactId = (error as FieldCheckError).problems.find((problem) => problem.field === 'ContactId');
    expect(contactId).toMatchObject({ problem: 'conflict' });
    expect([...contactId!.types].sort()).toEqual(['keyword', 'text']);
  });

  it('says no index matches when the pattern matches nothing', async () => {
    const error = await checkFields({ elasticsearchUrl, indexPattern: `${prefix}-absent*` }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FieldCheckError);
    expect((error as Error).message).toMatch(/^No index matches/);
    expect((error as FieldCheckError).problems.every((problem) => problem.problem === 'missing')).toBe(true);
  });

  it('with attributeFields: a missing AttributeKeywords.<key> says to run ctr-es-setup --attribute-fields first; mapped as keyword, it passes', async () => {
    // The test nodes lack the ingest modules the pipeline needs (except OpenSearch 3), so the field is mapped by
    // hand, exactly as ctr-es-setup --attribute-fields maps it.
    const attributeFields = ['menuChoice'];
    const error = await checkFields({
      elasticsearchUrl,
      indexPattern: `${mappedIndex}*`,
      attributeFields,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FieldCheckError);
    expect((error as FieldCheckError).problems).toEqual([
      {
        field: 'AttributeKeywords.menuChoice',
        problem: 'missing',
        types: [],
        usedBy: 'Calls per menuChoice (terms)',
      },
    ]);
    expect((error as Error).message).toContain('run `ctr-es-setup --attribute-fields menuChoice` first');
    expect((error as Error).message).toContain('Only documents indexed after that carry the fields');

    const mapping = await searchNodeCall(node, 'PUT', `/${mappedIndex}/_mapping`, {
      properties: {
        AttributeKeywords: { properties: { menuChoice: { type: 'keyword', ignore_above: 1024 } } },
      },
    });
    expect(mapping.statusCode).toBe(200);
    const result = await checkFields({ elasticsearchUrl, indexPattern: `${mappedIndex}*`, attributeFields });
    expect(result.fields.at(-1)).toEqual({
      field: 'AttributeKeywords.menuChoice',
      needs: 'keyword',
      types: ['keyword'],
      ok: true,
    });
  });

  it('fails clearly when Elasticsearch is unreachable, and refuses credentials in the URL', async () => {
    await expect(checkFields({ elasticsearchUrl: 'http://127.0.0.1:1', timeoutMs: 2000 })).rejects.toThrow(
      ElasticsearchRequestError,
    );
    await expect(checkFields({ elasticsearchUrl: 'http://elastic:pw@127.0.0.1:9200' })).rejects.toThrow(
      /must not contain credentials/,
    );
  });
});

describe(`the Calls per day table on the real ${node.label}`, () => {
  it('its aggregations, run as Kibana runs them, count a re-delivered contact once and equal callsPerDayAggregation()', async () => {
    const [metric, rows] = JSON.parse(buildCallsPerDayTable('kibana-8.8').attributes.visState as string)
      .aggs as {
      params: { field: string; interval: string; min_doc_count: number; json?: string };
    }[];
    expect(rows!.params.interval).toBe('d');
    // Kibana merges an agg's JSON input into its request body: the highest precision threshold.
    expect(JSON.parse(metric!.params.json!)).toEqual({ precision_threshold: 40000 });
    const kibanaStyle = {
      size: 0,
      aggs: {
        '2': {
          date_histogram: {
            field: rows!.params.field,
            calendar_interval: '1d',
            min_doc_count: rows!.params.min_doc_count,
            time_zone: 'UTC',
          },
          aggs: {
            '1': { cardinality: { field: metric!.params.field, ...JSON.parse(metric!.params.json!) } },
          },
        },
      },
    };
    const fromTable = await searchNodeCall(node, 'POST', `/${mappedIndex}/_search`, kibanaStyle);
    expect(fromTable.statusCode).toBe(200);
    const tableRows = (
      fromTable.json as {
        aggregations: { '2': { buckets: { key_as_string: string; '1': { value: number } }[] } };
      }
    ).aggregations['2'].buckets.map((bucket) => ({
      date: bucket.key_as_string.slice(0, 10),
      calls: bucket['1'].value,
    }));
    const reference = await searchNodeCall(node, 'POST', `/${mappedIndex}/_search`, {
      size: 0,
      aggs: callsPerDayAggregation(),
    });
    expect(tableRows).toEqual(parseCallsPerDay(reference.json));
    expect(tableRows).toEqual([
      { date: '2024-03-04', calls: 1 },
      { date: '2024-03-05', calls: 1 },
      { date: '2024-03-06', calls: 1 },
    ]);
  });
});
