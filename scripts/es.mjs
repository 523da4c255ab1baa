#!/usr/bin/env node
// npm run es:start | es:stop | es:status. The last line of es:start is the node's URL.
// OPENSEARCH_VERSION=2.19.6 (or 3.8.0) npm run es:start starts OpenSearch instead (see elasticsearch.mjs).
import {
  ElasticsearchSetupError,
  productName,
  redact,
  runningNode,
  startElasticsearch,
  stopElasticsearch,
} from './elasticsearch.mjs';

const command = process.argv[2];
try {
  if (command === 'start') {
    const started = Date.now();
    const node = await startElasticsearch();
    if (node.external) console.error('ELASTICSEARCH_URL is set: using that cluster, starting nothing.');
    else if (node.started)
      console.error(
        `${productName(node.distribution)} ${node.version} is up in ${((Date.now() - started) / 1000).toFixed(1)}s (log: ${node.logPath}).`,
      );
    console.log(node.external ? redact(node.url) : node.url);
  } else if (command === 'stop') {
    if (process.env.ELASTICSEARCH_URL)
      console.error('ELASTICSEARCH_URL is set: that cluster is not ours to stop.');
    else await stopElasticsearch();
  } else if (command === 'status') {
    if (process.env.ELASTICSEARCH_URL) {
      console.log(`external ${redact(process.env.ELASTICSEARCH_URL)}`);
    } else {
      const node = await runningNode();
      if (node)
        console.log(
          `running ${productName(node.distribution)} ${node.version} at ${node.url} (pid ${node.pid}, data ${node.dataDir}, log ${node.logPath})`,
        );
      else {
        console.log('stopped');
        process.exitCode = 3;
      }
    }
  } else {
    console.error('usage: node scripts/es.mjs start|stop|status');
    process.exitCode = 2;
  }
} catch (error) {
  if (error instanceof ElasticsearchSetupError) {
    console.error(`es:${command}: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
}
