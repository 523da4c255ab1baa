// The value the repository's vitest global setup provides (scripts/vitest-elasticsearch-setup.ts).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    elasticsearchUrl: string;
  }
}
