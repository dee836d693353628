import { describe, expect, it } from 'vitest';
import { BoundedQueue, OverloadedError } from '../../../src/shared/infra/bounded-queue.ts';

/** A job the test finishes by hand, so the queue's state is known at every step. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const started: { value: boolean } = { value: false };
  const job = async () => {
    started.value = true;
    await opened;
    return 'done';
  };
  return { job, open, started };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BoundedQueue', () => {
  it('runs at most `concurrency` jobs at once and starts the next in arrival order', async () => {
    const queue = new BoundedQueue({ name: 'test', concurrency: 2, maxWaiting: 5 });
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g) => queue.run(g.job));
    await settle();
    expect(gates.map((g) => g.started.value)).toEqual([true, true, false, false]);
    expect(queue.load).toEqual({ running: 2, waiting: 2, reserved: 0 });

    gates[1]!.open();
    await settle();
    expect(gates.map((g) => g.started.value)).toEqual([true, true, true, false]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual(['done', 'done', 'done', 'done']);
    expect(queue.load).toEqual({ running: 0, waiting: 0, reserved: 0 });
  });

  it('refuses a job beyond `concurrency + maxWaiting` with a Retry-After of at least a second', async () => {
    const queue = new BoundedQueue({ name: 'test', concurrency: 1, maxWaiting: 1 });
    const first = gate();
    const second = gate();
    const runs = [queue.run(first.job), queue.run(second.job)];

    let refusal: unknown;
    try {
      void queue.run(gate().job);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(OverloadedError);
    expect((refusal as OverloadedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    first.open();
    second.open();
    await Promise.all(runs);
    await expect(queue.run(async () => 'again')).resolves.toBe('again');
  });

  it('keeps a reserved place: the reserved job runs even when the queue filled up meanwhile', async () => {
    const queue = new BoundedQueue({ name: 'test', concurrency: 1, maxWaiting: 0 });
    const reservation = queue.reserve();
    expect(() => queue.run(async () => 'other')).toThrow(OverloadedError);
    await expect(reservation.run(async () => 'mine')).resolves.toBe('mine');
    await expect(queue.run(async () => 'after')).resolves.toBe('after');
  });

  it('gives an unused reservation back when released, once', async () => {
    const queue = new BoundedQueue({ name: 'test', concurrency: 1, maxWaiting: 0 });
    const reservation = queue.reserve();
    expect(() => queue.reserve()).toThrow(OverloadedError);
    reservation.release();
    reservation.release();
    expect(queue.load.reserved).toBe(0);
    const next = queue.reserve();
    expect(() => reservation.run(async () => 'stale')).toThrow(/already used or released/);
    next.release();
  });

  it('frees the slot of a job that fails', async () => {
    const queue = new BoundedQueue({ name: 'test', concurrency: 1, maxWaiting: 0 });
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses nonsensical sizes', () => {
    expect(() => new BoundedQueue({ name: 't', concurrency: 0, maxWaiting: 1 })).toThrow(
      RangeError,
    );
    expect(() => new BoundedQueue({ name: 't', concurrency: 1, maxWaiting: -1 })).toThrow(
      RangeError,
    );
  });
});
