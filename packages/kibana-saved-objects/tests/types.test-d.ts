// Type tests (vitest typecheck, and `tsc` of the package's typecheck target): the README's TypeScript
// example compiles under the repository's `exactOptionalPropertyTypes`, with values straight from process.env.
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AwsSigV4Options,
  buildSavedObjects,
  type InstallResult,
  type InstallSavedObjectsOptions,
  installSavedObjects,
  type KibanaConnectionOptions,
  type TargetName,
  toNdjson,
} from '../src/index.js';

describe('the README example', () => {
  it('takes optional options as string | undefined (process.env values)', async () => {
    const result = await installSavedObjects({
      kibanaUrl: 'http://localhost:5601',
      apiKey: process.env.KIBANA_API_KEY,
      username: process.env.KIBANA_USERNAME,
      password: process.env.KIBANA_PASSWORD,
      space: process.env.KIBANA_SPACE,
      target: process.env.KIBANA_TARGET,
      elasticsearch: {
        elasticsearchUrl: 'http://localhost:9200',
        elasticsearchApiKey: process.env.ELASTICSEARCH_API_KEY,
      },
    });
    expectTypeOf(result).toEqualTypeOf<InstallResult>();
    expectTypeOf(result.target).toEqualTypeOf<TargetName>();
    expectTypeOf<{
      kibanaUrl: string;
      basePath: undefined;
      tenant: undefined;
    }>().toExtend<KibanaConnectionOptions>();
    expectTypeOf<{
      kibanaUrl: string;
      timeoutMs: undefined;
      indexPattern: undefined;
    }>().toExtend<InstallSavedObjectsOptions>();
  });

  it('builds objects for a target name or an alias', () => {
    expectTypeOf(toNdjson(buildSavedObjects('kibana-8.8'))).toEqualTypeOf<string>();
    expectTypeOf(toNdjson(buildSavedObjects('kibana@9.1.0'))).toEqualTypeOf<string>();
  });

  it("takes awsSigV4 (the README example) with es-index-setup's options type, re-exported", async () => {
    const result = await installSavedObjects({
      kibanaUrl: 'https://search-ctr-xxxx.eu-west-1.es.amazonaws.com/_dashboards',
      tenant: 'global',
      awsSigV4: { region: 'eu-west-1' },
      elasticsearch: { elasticsearchUrl: 'https://search-ctr-xxxx.eu-west-1.es.amazonaws.com' },
    });
    expectTypeOf(result).toEqualTypeOf<InstallResult>();
    expectTypeOf<{ region: string; service: 'aoss' }>().toExtend<AwsSigV4Options>();
    expectTypeOf<{ kibanaUrl: string; awsSigV4: undefined }>().toExtend<KibanaConnectionOptions>();
  });

  it('takes attributeFields (the README example) as a readonly list', async () => {
    const keys: readonly string[] = ['menuChoice', 'language'];
    const result = await installSavedObjects({
      kibanaUrl: 'http://localhost:5601',
      elasticsearch: { elasticsearchUrl: 'http://localhost:9200' },
      attributeFields: keys,
    });
    expectTypeOf(result).toEqualTypeOf<InstallResult>();
    expectTypeOf(
      toNdjson(buildSavedObjects('opensearch-dashboards-2', { attributeFields: ['menuChoice'] })),
    ).toBeString();
  });
});
