#!/usr/bin/env node
// `ctr-simulate`: runs the built command line, dist/cli.js. This file is committed so that npm links the
// command when it installs the workspace, before anything is built.
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
import(cli.href).catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(fileURLToPath(cli))) {
    process.stderr.write(
      'ctr-simulate: not built yet: run npm run build (or npx nx run-many -t build) first\n',
    );
    process.exit(2);
  }
  throw error;
});
