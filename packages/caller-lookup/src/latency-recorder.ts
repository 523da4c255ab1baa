/** Percentiles of the last `capacity` request latencies (a ring buffer, nearest-rank percentiles). */
export class LatencyRecorder {
  readonly #samples: Float64Array;
  #next = 0;
  #count = 0;

  constructor(capacity = 10_000) {
    this.#samples = new Float64Array(capacity);
  }

  record(durationMs: number): void {
    this.#samples[this.#next] = durationMs;
    this.#next = (this.#next + 1) % this.#samples.length;
    this.#count++;
  }

  summary(): { count: number; p50: number | null; p95: number | null; p99: number | null } {
    const size = Math.min(this.#count, this.#samples.length);
    if (size === 0) return { count: this.#count, p50: null, p95: null, p99: null };
    const sorted = this.#samples.slice(0, size).sort();
    const at = (fraction: number) => round(sorted[Math.min(size - 1, Math.ceil(fraction * size) - 1)] ?? 0);
    return { count: this.#count, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
