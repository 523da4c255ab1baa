#!/usr/bin/env node
// The producer of bench/pipeline.bench.mjs, in its own process as Amazon Connect is: reads NDJSON CTRs and
// sends them with ctr-simulator's PutRecordBatch sender. Answers the send summary and the CPU seconds the send took over IPC.
// usage: node send-ndjson.mjs <endpoint> <deliveryStreamName> <file.ndjson>
import { readFileSync } from 'node:fs';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { sendToFirehose } from '../../packages/ctr-simulator/dist/index.js';

const [endpoint, deliveryStreamName, file] = process.argv.slice(2);
const records = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((data) => ({ data }));
const client = new FirehoseClient({
  endpoint,
  region: 'ap-southeast-2',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
process.send?.('ready');
await new Promise((resolve) => process.once('message', resolve));
const cpuBefore = process.cpuUsage();
const summary = await sendToFirehose({ client, deliveryStreamName, records, concurrency: 2 });
client.destroy();
const cpu = process.cpuUsage(cpuBefore);
process.send?.({ summary, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
