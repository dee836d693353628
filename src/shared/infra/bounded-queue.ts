/**
 * Raised when a bounded queue is full: the request is refused at once (503 with `Retry-After`)
 * instead of waiting behind work that would take longer than any client waits.
 */
export class OverloadedError extends Error {
  readonly retryAfterSeconds: number;
  constructor(what: string, retryAfterSeconds: number) {
    super(`${what}: too much work queued`);
    this.name = 'OverloadedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface BoundedQueueOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs (and reservations) waiting for a slot beyond those running; more are refused. */
  maxWaiting: number;
  /** Names the work in errors. */
  name: string;
}

/** A place in the queue claimed ahead of its job, so nothing done between can be refused. */
export interface Reservation {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Gives the place back unused; harmless after `run`. */
  release(): void;
}

/**
 * Runs at most `concurrency` jobs at once, queues up to `maxWaiting` more in order, and refuses
 * the rest with an `OverloadedError` whose `Retry-After` estimates when the queue will have drained.
 */
export class BoundedQueue {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #name: string;
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #reserved = 0;
  /** Moving average of a job's duration, for `Retry-After`. */
  #jobMs = 0;

  constructor(options: BoundedQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 0) {
      throw new RangeError(`maxWaiting must be a non-negative integer, got ${options.maxWaiting}`);
    }
    this.#concurrency = options.concurrency;
    this.#maxWaiting = options.maxWaiting;
    this.#name = options.name;
  }

  /** Jobs running, waiting, and places reserved. */
  get load(): { running: number; waiting: number; reserved: number } {
    return { running: this.#running, waiting: this.#waiting.length, reserved: this.#reserved };
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    this.#admit();
    return this.#execute(work);
  }

  reserve(): Reservation {
    this.#admit();
    this.#reserved++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.#reserved--;
    };
    return {
      run: <T>(work: () => Promise<T>) => {
        if (!held) throw new Error('reservation already used or released');
        release();
        return this.#execute(work);
      },
      release,
    };
  }

  #admit(): void {
    const queued = this.#running + this.#waiting.length + this.#reserved;
    if (queued < this.#concurrency + this.#maxWaiting) return;
    const rounds = Math.ceil(queued / this.#concurrency);
    throw new OverloadedError(this.#name, Math.max(1, Math.ceil((rounds * this.#jobMs) / 1000)));
  }

  async #execute<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running < this.#concurrency) this.#running++;
    // A finishing job hands its slot straight to the next in line (`#running` stays as it is),
    // so a newcomer cannot overtake the queue between the two.
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    const started = performance.now();
    try {
      return await work();
    } finally {
      const took = performance.now() - started;
      this.#jobMs = this.#jobMs === 0 ? took : this.#jobMs * 0.9 + took * 0.1;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
