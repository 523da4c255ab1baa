#!/usr/bin/env node
// The producer of bench/pipeline.bench.mjs, in its own process as Amazon Connect is: on each IPC message
// `{ file }` it reads that NDJSON file of CTRs and sends them with ctr-simulator's PutRecordBatch sender, then
// answers `{ summary, cpuSeconds }` (the CPU the send took). A `'stop'` message ends it.
// usage: node send-ndjson.mjs <endpoint> <deliveryStreamName>
import { readFileSync } from 'node:fs';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { sendToFirehose } from '../../packages/ctr-simulator/dist/index.js';

const [endpoint, deliveryStreamName] = process.argv.slice(2);
const client = new FirehoseClient({
  endpoint,
  region: 'ap-southeast-2',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
process.on('message', async (message) => {
  if (message === 'stop') {
    client.destroy();
    process.disconnect();
    return;
  }
  const records = readFileSync(message.file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((data) => ({ data }));
  const cpuBefore = process.cpuUsage();
  const summary = await sendToFirehose({ client, deliveryStreamName, records, concurrency: 2 });
  const cpu = process.cpuUsage(cpuBefore);
  process.send({ summary, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
});
process.send('ready');
