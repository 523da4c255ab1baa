// npm start's program (apps/local-pipeline's built `main`) in a process of its own, against a given node and work
// directory: what scripts/start.mjs runs, without its build step or the repository's .local directory.
// Usage: node start-runner.mjs <elasticsearch-url> <work-directory> [npm start arguments...]
import { main } from '../../dist/index.js';

const [url, workDirectory, ...argv] = process.argv.slice(2);
process.exitCode = await main(argv, {
  elasticsearch: async () => ({ url, startedHere: false }),
  workDirectory,
});
