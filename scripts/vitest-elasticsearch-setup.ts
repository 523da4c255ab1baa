// Vitest global setup for projects whose integration tests need the real Elasticsearch node.
// Starts it (or reuses the running one, or ELASTICSEARCH_URL) and stops only what a test run started, once no
// other test run (another terminal or checkout) still uses it.
/// <reference path="./vitest-provided-context.d.ts" />
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM script shared with the npm scripts
import { releaseElasticsearch, startElasticsearch } from './elasticsearch.mjs';

export default async function setup(project: TestProject) {
  const node = await startElasticsearch({ lease: true });
  process.env.ELASTICSEARCH_URL = node.url;
  project.provide('elasticsearchUrl', node.url);
  return async () => {
    await releaseElasticsearch(node, { keep: Boolean(process.env.CTR_STREAM_KEEP_ELASTICSEARCH) });
  };
}
