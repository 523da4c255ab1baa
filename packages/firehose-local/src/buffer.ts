/**
 * A Firehose buffer: collects items until the size hint or the interval hint is reached, whichever comes
 * first, then hands the batch on. `hardLimit` keeps one batch under a ceiling (e.g. the 6 MB Lambda request).
 */
export class RecordBuffer<T> {
  #items: T[] = [];
  #bytes = 0;
  #weight = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #sizeHintBytes: number;
  readonly #intervalMs: number;
  readonly #hardLimit: number;
  readonly #emit: (items: T[]) => void;

  constructor(options: {
    sizeHintBytes: number;
    intervalMs: number;
    hardLimit?: number;
    emit: (items: T[]) => void;
  }) {
    this.#sizeHintBytes = options.sizeHintBytes;
    this.#intervalMs = options.intervalMs;
    this.#hardLimit = options.hardLimit ?? Number.POSITIVE_INFINITY;
    this.#emit = options.emit;
  }

  get isEmpty(): boolean {
    return this.#items.length === 0;
  }

  /** Adds an item of `bytes` bytes; `weight` counts against the hard limit (defaults to `bytes`). */
  add(item: T, bytes: number, weight = bytes): void {
    if (this.#items.length > 0 && this.#weight + weight > this.#hardLimit) this.flush();
    this.#items.push(item);
    this.#bytes += bytes;
    this.#weight += weight;
    if (this.#bytes >= this.#sizeHintBytes) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#intervalMs);
  }

  /** Hands on whatever is buffered now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    this.#weight = 0;
    this.#emit(items);
  }

  /** Stops the interval timer (items stay buffered until `flush`). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
