type LatencySummary = { count: number; p50: number | null; p95: number | null; p99: number | null };

/** Percentiles of the last `capacity` request latencies (a ring buffer, nearest-rank percentiles). */
export class LatencyRecorder {
  readonly #samples: Float64Array;
  /** Working copy for the selection (the ring itself keeps arrival order). */
  readonly #work: Float64Array;
  #next = 0;
  #count = 0;
  /** The last summary, valid while no sample was recorded since (`stats()` is called twice per batch). */
  #summary: LatencySummary | undefined;

  constructor(capacity = 10_000) {
    this.#samples = new Float64Array(capacity);
    this.#work = new Float64Array(capacity);
  }

  record(durationMs: number): void {
    this.#samples[this.#next] = durationMs;
    this.#next = (this.#next + 1) % this.#samples.length;
    this.#count++;
    this.#summary = undefined;
  }

  summary(): LatencySummary {
    if (this.#summary !== undefined) return { ...this.#summary };
    const size = Math.min(this.#count, this.#samples.length);
    if (size === 0) return { count: this.#count, p50: null, p95: null, p99: null };
    // Three selections in linear time instead of sorting up to 10,000 samples on every call.
    const work = this.#work;
    work.set(this.#samples.subarray(0, size));
    const rank = (fraction: number) => Math.min(size - 1, Math.ceil(fraction * size) - 1);
    const p50 = rank(0.5);
    const p95 = rank(0.95);
    const p99 = rank(0.99);
    select(work, p50, 0, size - 1);
    select(work, p95, p50, size - 1); // everything at or above p50 is already to its right
    select(work, p99, p95, size - 1);
    this.#summary = {
      count: this.#count,
      p50: round(work[p50]!),
      p95: round(work[p95]!),
      p99: round(work[p99]!),
    };
    return { ...this.#summary };
  }
}

/**
 * Moves the `k`-th smallest of `values[left..right]` to index `k`, smaller values before it and larger ones
 * after (Hoare's quickselect with a median-of-three pivot). The samples are durations: never NaN.
 */
function select(values: Float64Array, k: number, left: number, right: number): void {
  let low = left;
  let high = right;
  while (high > low) {
    const middle = (low + high) >>> 1;
    // Median of three as the pivot keeps sorted and reversed input linear.
    if (values[middle]! < values[low]!) swap(values, middle, low);
    if (values[high]! < values[low]!) swap(values, high, low);
    if (values[high]! < values[middle]!) swap(values, high, middle);
    const pivot = values[middle]!;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else return;
  }
}

function swap(values: Float64Array, a: number, b: number): void {
  const value = values[a]!;
  values[a] = values[b]!;
  values[b] = value;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
