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
    if (this.tryAcquire()) return true;
    return new Promise<boolean>((resolve) => this.wait(owner, resolve));
  }

  /** Takes a free slot if there is one: `true` when it is held now. */
  tryAcquire(): boolean {
    if (this.#active >= this.#limit) return false;
    this.#active++;
    return true;
  }

  /**
   * Queues `owner` for the next free slot (callers try `tryAcquire()` first): `granted(true)` once the slot
   * is held, `granted(false)` if the owner aborts first (no slot held). No promise: cheap for many waiters.
   */
  wait(owner: Abortable, granted: (granted: boolean) => void): void {
    if (owner.aborted) {
      granted(false);
      return;
    }
    const waiter: Waiter = { owner, cancelled: false, resolve: granted };
    owner.onAbort = () => {
      owner.onAbort = undefined;
      waiter.cancelled = true;
      this.#cancelled++;
      granted(false);
    };
    this.#queue.push(waiter);
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
