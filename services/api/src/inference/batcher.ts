// A micro-batcher: keys asked for by concurrent callers are merged into one call of `run`.
//
// Keys queue up; a flush is scheduled for the end of the current turn of the event loop (setImmediate, so
// requests whose I/O completed together are merged), or `waitMs` later to collect more. At most `concurrency` calls run at once: keys that
// arrive while they are busy wait and go together into the next call, up to `maxBatch` keys per call. With
// concurrency 1 this is the natural batching of a serialised resource (the model): the busier it is, the
// larger its batches.

export interface BatcherOptions {
  /** Most distinct keys per call of `run`. */
  maxBatch: number;
  /** Calls of `run` in flight at once (default 1). */
  concurrency?: number;
  /**
   * Milliseconds to wait for more keys before a call starts (default 0: the end of the current event-loop
   * turn); a full batch starts at once.
   */
  waitMs?: number;
}

interface Pending<V> {
  promise: Promise<V>;
  resolve(value: V): void;
  reject(error: unknown): void;
}

export class MicroBatcher<K, V> {
  private readonly queue = new Map<K, Pending<V>>();
  private running = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Calls of `run` made so far. */
  calls = 0;

  constructor(
    /** Values for the keys, in order. */
    private readonly run: (keys: K[]) => Promise<V[]>,
    private readonly options: BatcherOptions,
  ) {}

  load(key: K): Promise<V> {
    const queued = this.queue.get(key);
    if (queued) return queued.promise;
    let resolve!: (value: V) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<V>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.queue.set(key, { promise, resolve, reject });
    this.schedule();
    return promise;
  }

  loadMany(keys: readonly K[]): Promise<V[]> {
    return Promise.all(keys.map((k) => this.load(k)));
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.queue.size === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running >= (this.options.concurrency ?? 1)) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.flush();
    };
    const wait = this.options.waitMs ?? 0;
    if (wait > 0 && this.queue.size < this.options.maxBatch) setTimeout(start, wait);
    else setImmediate(start);
  }

  private flush(): void {
    const limit = this.options.concurrency ?? 1;
    while (this.queue.size > 0 && this.running < limit) {
      const batch: [K, Pending<V>][] = [];
      for (const entry of this.queue) {
        batch.push(entry);
        if (batch.length >= this.options.maxBatch) break;
      }
      for (const [key] of batch) this.queue.delete(key);
      this.running++;
      this.calls++;
      void this.runBatch(batch);
    }
  }

  private async runBatch(batch: [K, Pending<V>][]): Promise<void> {
    try {
      const values = await this.run(batch.map(([key]) => key));
      if (values.length !== batch.length)
        throw new Error(`batch function returned ${values.length} values for ${batch.length} keys`);
      for (const [i, [, pending]] of batch.entries()) pending.resolve(values[i]!);
    } catch (error) {
      for (const [, pending] of batch) pending.reject(error);
    } finally {
      this.running--;
      if (this.queue.size > 0) this.schedule();
      else if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}
