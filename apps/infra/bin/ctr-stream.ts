#!/usr/bin/env node
import { createCtrStreamApp } from '../src/app.js';
import { CtrStreamInfraError } from '../src/errors.js';

try {
  createCtrStreamApp().app.synth();
} catch (error) {
  if (error instanceof CtrStreamInfraError) {
    // A configuration problem: print the message alone, not a stack trace.
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
