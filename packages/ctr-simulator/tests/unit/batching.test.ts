import { describe, expect, it } from 'vitest';
import {
  defaultBatchLimits,
  encodedEntrySize,
  type PreparedRecord,
  packBatches,
} from '../../src/batching.js';
import { FIREHOSE_LIMITS } from '../../src/firehose-limits.js';

const record = (index: number, size: number): PreparedRecord => ({
  index,
  bytes: new Uint8Array(size),
  day: undefined,
});

function requestBodySize(batch: PreparedRecord[], streamName: string): number {
  return JSON.stringify({
    DeliveryStreamName: streamName,
    Records: batch.map((entry) => ({ Data: Buffer.from(entry.bytes).toString('base64') })),
  }).length;
}

describe('packBatches', () => {
  it('cuts at 500 records', () => {
    const batches = [
      ...packBatches(
        Array.from({ length: 1201 }, (_, index) => record(index, 100)),
        defaultBatchLimits('CTRFHStream'),
      ),
    ];
    expect(batches.map((batch) => batch.length)).toEqual([500, 500, 201]);
    expect(batches.flat().map((entry) => entry.index)).toEqual(
      Array.from({ length: 1201 }, (_, index) => index),
    );
  });

  it('keeps the JSON request body (base64) at or under 4 MiB, packing as much as fits', () => {
    const sizes = [700_000, 900_000, 1_024_000, 10, 1_000_000, 300_000, 1_024_000, 1_024_000, 5];
    const records = sizes.map((size, index) => record(index, size));
    const limits = defaultBatchLimits('CTRFHStream');
    const batches = [...packBatches(records, limits)];
    for (const [position, batch] of batches.entries()) {
      expect(requestBodySize(batch, 'CTRFHStream')).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBatchBytes);
      const next = batches[position + 1];
      // Greedy: the first record of the next batch would not have fitted.
      if (next)
        expect(requestBodySize([...batch, next[0]!], 'CTRFHStream')).toBeGreaterThan(
          FIREHOSE_LIMITS.maxBatchBytes,
        );
    }
    expect(batches.flat()).toHaveLength(sizes.length);
  });

  it('estimates the entry size exactly', () => {
    for (const size of [0, 1, 2, 3, 4, 1000, 1_024_000]) {
      const withEntry = requestBodySize([record(0, size), record(1, 0)], 'x');
      const without = requestBodySize([record(1, 0)], 'x');
      expect(encodedEntrySize(size)).toBe(withEntry - without);
    }
  });

  it('honours a smaller record cap and yields nothing for no records', () => {
    const batches = [
      ...packBatches(
        Array.from({ length: 25 }, (_, index) => record(index, 10)),
        defaultBatchLimits('s', 10),
      ),
    ];
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect([...packBatches([], defaultBatchLimits('s'))]).toEqual([]);
  });
});
