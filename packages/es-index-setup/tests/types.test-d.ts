// Type tests (vitest typecheck, and `tsc` of the package's typecheck target): the README's TypeScript
// example must compile against the real @elastic/elasticsearch client types, without casts.
import type { Client, estypes } from '@elastic/elasticsearch';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type CallsPerDayAggregation,
  callsPerDayAggregation,
  connectionFromClient,
  type ElasticsearchClientLike,
  type InstallIndexTemplateOptions,
  type InstallReport,
  installIndexTemplate,
  parseCallsPerDay,
} from '../src/index.js';

declare const client: Client;

describe('the README example', () => {
  it('passes callsPerDayAggregation() to client.search({ aggs }) without a cast', async () => {
    expectTypeOf<CallsPerDayAggregation>().toExtend<
      Record<string, estypes.AggregationsAggregationContainer>
    >();
    const response = await client.search({
      index: 'connect*',
      size: 0,
      aggs: callsPerDayAggregation({ timeZone: 'Australia/Sydney' }),
    });
    expectTypeOf(parseCallsPerDay(response)).toEqualTypeOf<{ date: string; calls: number }[]>();
  });

  it('takes credentials straight from process.env (string | undefined)', async () => {
    const report = await installIndexTemplate({
      node: 'http://127.0.0.1:9200',
      apiKey: process.env.ELASTICSEARCH_API_KEY,
    });
    expectTypeOf(report).toEqualTypeOf<InstallReport>();
    expectTypeOf<{ apiKey: string | undefined }>().toExtend<InstallIndexTemplateOptions>();
  });

  it('takes the 8.x Client as a client, typed by what the installer uses (no dependency on the library)', () => {
    expectTypeOf<Client>().toExtend<ElasticsearchClientLike>();
    expectTypeOf<Client>().toExtend<NonNullable<InstallIndexTemplateOptions['client']>>();
    const stub: ElasticsearchClientLike = {
      transport: { request: async () => ({ statusCode: 200, body: { acknowledged: true } }) },
    };
    expectTypeOf(connectionFromClient(stub).request).toBeFunction();
  });
});
