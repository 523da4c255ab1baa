import { defineConfig } from 'tsup';

// One self-contained ESM file for the Node.js 22 Lambda runtime: every dependency (the AWS SDK too) is
// bundled. CommonJS dependencies call `require`, which ESM lacks: the banner provides one.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outExtension: () => ({ js: '.mjs' }),
  noExternal: [/.*/],
  splitting: false,
  bundle: true,
  dts: false,
  sourcemap: true,
  // Smaller file, faster cold-start parse; names kept so error and class names stay readable.
  minify: true,
  keepNames: true,
  clean: true,
  banner: {
    js: "import { createRequire as __ctrStreamCreateRequire } from 'node:module';\nconst require = __ctrStreamCreateRequire(import.meta.url);",
  },
});
