import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const elasticsearchSetup = fileURLToPath(new URL('./scripts/vitest-elasticsearch-setup.ts', import.meta.url));

export interface ProjectOptions {
  /** The project's name in vitest output (the package directory name). */
  name: string;
  /** True when tests/integration needs the real Elasticsearch node. */
  elasticsearch?: boolean;
  /** Extra timeout for slow integration tests, in ms. */
  testTimeout?: number;
  /** True when the project has type tests (files ending in `.test-d.ts` under tests/, run with tsc). */
  typeTests?: boolean;
}

/** The one vitest project shape every package uses: unit and integration tests, typecheck tests. */
export function ctrStreamProject({
  name,
  elasticsearch = false,
  testTimeout = 30_000,
  typeTests = false,
}: ProjectOptions) {
  return defineProject({
    test: {
      name,
      include: ['tests/**/*.test.ts'],
      globalSetup: elasticsearch ? [elasticsearchSetup] : [],
      testTimeout,
      hookTimeout: 180_000,
      typecheck: { enabled: typeTests, include: ['tests/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    },
  });
}
