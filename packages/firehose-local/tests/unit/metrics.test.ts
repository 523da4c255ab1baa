import { describe, expect, it } from 'vitest';
import { formatMetrics } from '../../src/cli-main.js';
import { MetricsRecorder } from '../../src/metrics.js';

const freshness = (metrics: MetricsRecorder, now: number) =>
  metrics.snapshot('s', now).cloudWatch['DeliveryToElasticsearch.DataFreshness'];

describe('DeliveryToElasticsearch.DataFreshness', () => {
  it('is the age now of the oldest record not yet settled: null before any record, 0 when none is pending', () => {
    const metrics = new MetricsRecorder();
    expect(freshness(metrics, 1_000)).toBeNull();
    metrics.incomingRecords += 2;
    metrics.accept('first', 1_000, 10);
    metrics.accept('second', 5_000, 20);
    expect(freshness(metrics, 11_000)).toBe(10);
    expect(freshness(metrics, 71_000)).toBe(70); // it grows while the record waits
    metrics.settle([{ recordId: 'first', incomingBytes: 10 }]);
    expect(freshness(metrics, 71_000)).toBe(66);
    expect(metrics.snapshot('s', 71_000).local).toMatchObject({ pendingRecords: 1, pendingBytes: 20 });
    metrics.settle([{ recordId: 'second', incomingBytes: 20 }]);
    expect(freshness(metrics, 71_000)).toBe(0);
    expect(metrics.snapshot('s', 71_000).local).toMatchObject({ pendingRecords: 0, pendingBytes: 0 });
  });

  it('is not the latency of delivered records', () => {
    const metrics = new MetricsRecorder();
    metrics.incomingRecords += 1;
    metrics.accept('slow', 0, 1);
    metrics.recordDeliveryLatency(900_000);
    metrics.settle([{ recordId: 'slow', incomingBytes: 1 }]);
    const snapshot = metrics.snapshot('s', 900_000);
    expect(snapshot.cloudWatch['DeliveryToElasticsearch.DataFreshness']).toBe(0);
    expect(snapshot.local.deliveryLatencyMs).toEqual({
      p50: 900_000,
      p95: 900_000,
      max: 900_000,
      samples: 1,
    });
  });
});

describe('local.deliveryLatencyMs', () => {
  it('computes percentiles over the most recent 100,000 records, max and samples over all', () => {
    const metrics = new MetricsRecorder();
    for (let n = 0; n < 100_000; n += 1) metrics.recordDeliveryLatency(5_000);
    for (let n = 0; n < 100_000; n += 1) metrics.recordDeliveryLatency(n < 50_000 ? 10 : 20);
    expect(metrics.snapshot('s', 0).local.deliveryLatencyMs).toEqual({
      p50: 20,
      p95: 20,
      max: 5_000,
      samples: 200_000,
    });
    metrics.recordDeliveryLatency(30); // replaces the oldest of the window (a 10)
    expect(metrics.snapshot('s', 0).local.deliveryLatencyMs).toMatchObject({ p50: 20, samples: 200_001 });
  });
});

describe('formatMetrics (the bin prints it on exit)', () => {
  it('aligns every value in one column, after the longest metric name', () => {
    const metrics = new MetricsRecorder();
    const text = formatMetrics([metrics.snapshot('first', 0), metrics.snapshot('second-stream', 0)]);
    const rows = text.split('\n').filter((line) => line.startsWith('  '));
    expect(rows.some((row) => row.trimStart().startsWith('DeliveryToElasticsearch.DataFreshness '))).toBe(
      true,
    );
    const longestName = Math.max(...rows.map((row) => row.trim().split(' ')[0]!.length));
    // Every row: two spaces, the name padded to the longest one, one space, the value.
    for (const row of rows) {
      expect(row, row).toMatch(/^ {2}\S+ +\S/);
      expect(row.slice(2 + longestName, 2 + longestName + 1), row).toBe(' ');
      expect(row[2 + longestName + 1], row).not.toBe(' ');
    }
  });
});
