import { expect, test } from 'vitest';
import { DEFAULT_STACK_OPTIONS } from '../../apps/infra/src/stack-options.js';
import { LAMBDA_MEMORY_MB } from '../../apps/local-pipeline/src/run-local-pipeline.js';

// The memory sizes the function's heap, and so how often its garbage collector runs: `npm start` and the pipeline
// benchmark run the Lambda with the memory the stack deploys it with.
test('the local pipeline runs the Lambda with the memory apps/infra deploys it with', () => {
  expect(LAMBDA_MEMORY_MB).toBe(DEFAULT_STACK_OPTIONS.lambdaMemoryMb);
});
