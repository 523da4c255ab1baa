#!/usr/bin/env node
import { runCli } from './cli-main.js';

const shutdown = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => shutdown.abort());

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, shutdown.signal).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`ctr-firehose-local failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
