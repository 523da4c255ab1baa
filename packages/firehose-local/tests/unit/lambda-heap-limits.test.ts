import { describe, expect, it } from 'vitest';
import { lambdaHeapLimits } from '../../src/execution-environment.js';

describe('lambdaHeapLimits', () => {
  it.each([
    // MemorySize: young generation (three semi-spaces of a twentieth of the memory), old generation (nine tenths)
    [128, 18, 116],
    [512, 75, 461],
    [1769, 264, 1593],
    [10_240, 1_536, 9_216],
  ])(
    'a %i MB function: %i MB young, %i MB old, as Lambda’s Node.js bootstrap sets them',
    (memory, young, old) => {
      expect(lambdaHeapLimits(memory)).toEqual({
        maxYoungGenerationSizeMb: young,
        maxOldGenerationSizeMb: old,
      });
    },
  );
});
