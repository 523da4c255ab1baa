#!/usr/bin/env node
import { CallerLookupError, CallerLookupOptionsError } from '../errors.js';
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
    process.stderr.write(`ctr-caller-directory: ${usageLine(error)}\n`);
    if (error.code === 'INVALID_OPTIONS') process.stderr.write(`\n${DIRECTORY_CLI_USAGE}\n`);
    process.exit(2);
  }
  throw error;
}

/**
 * A mistake as one line, without the library's frame (`Invalid caller-lookup option "--port": ...`): the flag and
 * the problem, or for an unknown flag parseArgs' first sentence (`Unknown option '--bogus'.`; its advice on `--`
 * is about positionals, which this command takes none of).
 */
function usageLine(error: CallerLookupError): string {
  if (!(error instanceof CallerLookupOptionsError)) return error.message;
  const problem = error.message.replace(/^Invalid caller-lookup option "[^"]*": /, '');
  return error.option === 'arguments'
    ? (problem.split(/(?<=\.) /)[0] ?? problem)
    : `${error.option}: ${problem}`;
}
