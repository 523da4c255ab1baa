import { defineConfig } from 'vitest/config';

// One run for every project: `npm test` and `npx vitest run` from the root.
// Each project's own vitest.config.ts decides whether it needs the local Elasticsearch.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      { test: { name: 'scripts', include: ['scripts/tests/**/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
});
