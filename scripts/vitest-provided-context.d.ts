// What the vitest global setup (scripts/vitest-elasticsearch-setup.ts) provides to tests:
// `inject('elasticsearchUrl')`. Every project gets this through tsconfig.base.json's `files`.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    elasticsearchUrl: string;
  }
}
