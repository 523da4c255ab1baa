import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/directory-server/index.ts', 'src/directory-server/cli.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
