// Type tests (vitest typecheck, and `tsc` of the package's typecheck target): the README's TypeScript
// example must compile against the real @elastic/elasticsearch client types, without casts.
import type { Client, estypes } from '@elastic/elasticsearch';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type CallsPerDayAggregation,
  callsPerDayAggregation,
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
});
