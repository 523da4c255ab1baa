#!/usr/bin/env node
import { CallerLookupError } from '../errors.js';
import { DIRECTORY_CLI_USAGE, runDirectoryCli } from './run-cli.js';

try {
  // Nothing outside this process can read `requests()`: keep none, and skip the work of describing each.
  const server = await runDirectoryCli(process.argv.slice(2), undefined, { recordRequests: 0 });
  if (server !== undefined) {
    const stop = () => {
      server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
} catch (error) {
  if (error instanceof CallerLookupError) {
    process.stderr.write(`ctr-caller-directory: ${error.message}\n`);
    if (error.code === 'INVALID_OPTIONS') process.stderr.write(`\n${DIRECTORY_CLI_USAGE}\n`);
    process.exit(2);
  }
  throw error;
}
