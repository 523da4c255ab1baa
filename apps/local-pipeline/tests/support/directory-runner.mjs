// Starts the caller directory as npm start does (apps/local-pipeline's built startDirectoryProcess), prints its
// base URL, and lives on, taking SIGINT as npm start --live takes the first Ctrl-C: without ending. SIGTERM ends
// it by process.exit, without closing the directory (as a second Ctrl-C quits npm start).
// Usage: node directory-runner.mjs <caller-directory.csv> [own-group]
import { startDirectoryProcess } from '../../dist/index.js';

const directory = await startDirectoryProcess({
  file: process.argv[2],
  latencyMs: 0,
  ownProcessGroup: process.argv[3] === 'own-group',
});
process.on('SIGINT', () => process.stdout.write('SIGINT taken\n'));
process.on('SIGTERM', () => process.exit(130));
process.stdout.write(`directory ${directory.baseUrl}\n`);
setInterval(() => {}, 1_000);
