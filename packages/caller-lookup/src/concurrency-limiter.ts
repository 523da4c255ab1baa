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
  /** Releases not yet passed on: counted while a hand-over is running, handed over by its loop. */
  #pendingReleases = 0;
  #handingOver = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length - this.#head - this.#cancelled;
  }

  /**
   * `true` (or a promise of it) once a slot is held; `false` (no slot held) when the owner aborted first or
   * the queue was shed.
   */
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
   * is held, `granted(false)` if the owner aborts first or the queue is shed (no slot held). No promise:
   * cheap for many waiters. `granted` runs inside `release()`/`shed()` and should not throw.
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

  /**
   * Gives a slot back: the oldest live waiter gets it, else it is freed. A waiter granted here may release
   * at once (say its lookup fails fast while the circuit is open): that nested release is only counted, and
   * the outermost call hands the slots over in a loop, so a long queue never deepens the stack.
   */
  release(): void {
    this.#pendingReleases++;
    if (this.#handingOver) return; // the loop below passes this slot on
    this.#handingOver = true;
    let failure: { error: unknown } | undefined;
    try {
      while (this.#pendingReleases > 0) {
        this.#pendingReleases--;
        const waiter = this.#next();
        if (waiter === undefined) {
          this.#active--;
          continue;
        }
        try {
          waiter.resolve(true); // the slot passes straight to the waiter
        } catch (error) {
          failure ??= { error }; // the waiter holds its slot; keep handing over the others first
        }
      }
    } finally {
      this.#handingOver = false;
    }
    if (failure !== undefined) throw failure.error;
  }

  /**
   * Empties the queue in one loop: every waiter gets `granted(false)` without a slot although its owner did
   * not abort (the owner can tell the two apart by its `aborted` flag). Returns how many were shed.
   */
  shed(): number {
    let left = this.#queue.length - this.#head; // waiters queued by a callback below stay queued
    let shed = 0;
    let failure: { error: unknown } | undefined;
    while (left-- > 0 && this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head]!;
      this.#head++;
      if (waiter.cancelled) {
        this.#cancelled--;
        continue;
      }
      waiter.owner.onAbort = undefined;
      shed++;
      try {
        waiter.resolve(false);
      } catch (error) {
        failure ??= { error };
      }
    }
    this.#compact();
    if (failure !== undefined) throw failure.error;
    return shed;
  }

  /** Takes the oldest live waiter off the queue (no longer cancellable), or `undefined` when none is left. */
  #next(): Waiter | undefined {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head]!;
      this.#head++;
      if (waiter.cancelled) {
        this.#cancelled--;
        continue;
      }
      this.#compact();
      waiter.owner.onAbort = undefined;
      return waiter;
    }
    this.#compact();
    return undefined;
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
