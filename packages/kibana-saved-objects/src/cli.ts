#!/usr/bin/env node
import { runCli, unexpectedErrorReport } from './run-cli.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  // runCli answers every error itself; this is for a failure while it reports one (stderr closed...).
  process.stderr.write(unexpectedErrorReport(error, process.env));
  process.exitCode = 1;
}
