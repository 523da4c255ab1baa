#!/usr/bin/env node
import { runCommandLine } from './command-line.js';

const status = await runCommandLine(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
});
process.exitCode = status;
