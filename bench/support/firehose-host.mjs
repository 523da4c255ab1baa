#!/usr/bin/env node
// The local Firehose of bench/pipeline.bench.mjs, in its own process as the service is on AWS (so the
// benchmark's own heap, which holds the dataset, does not weigh on its garbage collector). Driven over IPC:
//   { command: 'start', config }        -> { url }
//   { command: 'flush' }                -> {}           (every buffer delivered)
//   { command: 'measure', file? }       -> {}           (event-loop delay from now; a V8 CPU profile of the
//                                                        main thread into `file` when given)
//   { command: 'close' }                -> { metrics, eventLoopDelayMs } and exits (profile written first)
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startFirehoseLocal } from '../../packages/firehose-local/dist/index.js';

let firehose;
let profiler;
let profileFile;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

/** CPU seconds of this process's main thread and of all its other threads. */
function threadCpu() {
  const byName = {};
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Node names every other thread "node": the Lambda environments, V8's garbage-collection and compiler
      // threads, libuv's pool. Only the main thread can be told apart.
      const key = task === String(process.pid) ? 'main thread' : `other threads (${name})`;
      byName[key] = (byName[key] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {}
  }
  return byName;
}

const commands = {
  async threads() {
    return { threads: threadCpu() };
  },
  async start({ config }) {
    firehose = await startFirehoseLocal(config);
    loopDelay.enable();
    return { url: firehose.url };
  },
  async flush() {
    await firehose.flush();
    return {};
  },
  async measure({ file }) {
    loopDelay.reset();
    if (file === undefined) return {};
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    profileFile = file;
    return {};
  },
  async close() {
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      await writeFile(profileFile, JSON.stringify(profile));
      profiler.disconnect();
    }
    loopDelay.disable();
    await firehose.close();
    return {
      metrics: firehose.metrics()[0],
      eventLoopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
    };
  },
};

process.on('message', async (message) => {
  try {
    const answer = await commands[message.command](message);
    process.send({ ok: true, ...answer });
    if (message.command === 'close') process.disconnect();
  } catch (error) {
    process.send({ ok: false, error: error.stack ?? String(error) });
  }
});
process.send('ready');
