#!/usr/bin/env node
// `npm start [-- --days N --contacts-per-day N --seed N]`: the whole pipeline on this machine.
// Starts or reuses the local Elasticsearch (or uses ELASTICSEARCH_URL), builds what is not built yet
// (nx, cached), then runs apps/local-pipeline. Elasticsearch is left running with the data.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ElasticsearchSetupError, productName, redact, startElasticsearch } from './elasticsearch.mjs';

// The AWS SDK warns once that its 2027 releases need Node 22; the local run works on Node 20 (README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

process.stderr.write('Building the packages (nx, cached)... ');
const build = spawnSync('npx', ['nx', 'run', '@ctr-stream/local-pipeline:build', '--output-style=static'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, NX_TUI: 'false', NX_DAEMON: 'false' },
});
if (build.status !== 0) {
  process.stderr.write('failed\n');
  console.error(build.stdout, build.stderr);
  process.exit(1);
}
process.stderr.write(`done (${seconds()})\n`);

// Elasticsearch is started only once the arguments are known to be good (--help or a typo starts nothing).
async function elasticsearch() {
  let node;
  try {
    node = await startElasticsearch();
  } catch (error) {
    if (error instanceof ElasticsearchSetupError) {
      console.error(`npm start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  console.error(
    node.external
      ? `Elasticsearch: ${redact(node.url)} (ELASTICSEARCH_URL)`
      : `${productName(node.distribution)} ${node.version}: ${node.url} (${node.started ? 'started' : 'already running'}; log ${node.logPath})`,
  );
  return { url: node.url, startedHere: !node.external };
}

const { main } = await import(pathToFileURL(join(root, 'apps/local-pipeline/dist/cli.js')).href);
try {
  process.exitCode = await main(process.argv.slice(2), {
    elasticsearch,
    workDirectory: join(root, '.local'),
  });
} catch (error) {
  // The packages' errors say what failed and what to do; one line, no stack trace.
  console.error(`npm start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
}
