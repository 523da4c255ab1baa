/**
 * Something that can give up while it waits: `aborted` is checked before waiting, and `onAbort` is set
 * while waiting so the owner can cancel the wait (a plain object is far cheaper than an AbortSignal).
 */
export interface Abortable {
  aborted: boolean;
  onAbort: (() => void) | undefined;
}

interface Waiter {
  owner: Abortable;
  resolve: (granted: boolean) => void;
  cancelled: boolean;
}

/** A counting semaphore: at most `limit` holders; a waiter leaves the queue when its owner aborts. */
export class ConcurrencyLimiter {
  readonly #limit: number;
  readonly #queue: Waiter[] = [];
  #head = 0;
  #active = 0;
  #cancelled = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length - this.#head - this.#cancelled;
  }

  /** `true` (or a promise of it) once a slot is held; `false` when the owner aborted first (no slot held). */
  acquire(owner: Abortable): Promise<boolean> | boolean {
    if (owner.aborted) return false;
    if (this.#active < this.#limit) {
      this.#active++;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { owner, cancelled: false, resolve };
      owner.onAbort = () => {
        owner.onAbort = undefined;
        waiter.cancelled = true;
        this.#cancelled++;
        resolve(false);
      };
      this.#queue.push(waiter);
    });
  }

  release(): void {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head]!;
      this.#head++;
      if (waiter.cancelled) {
        this.#cancelled--;
        continue;
      }
      this.#compact();
      waiter.owner.onAbort = undefined;
      waiter.resolve(true); // the slot passes straight to the waiter
      return;
    }
    this.#compact();
    this.#active--;
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
