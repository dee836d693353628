import { onTestFinished, vi } from 'vitest';

/**
 * Runs `work` with the timers faked, so nothing that waits on a deadline goes on until the test
 * moves time with `vi.advanceTimersByTimeAsync`. Only timers are faked: sockets, and so Redis and
 * the database, work as usual. Work that waited on a timer it was not given never settles, and
 * the test fails on its timeout.
 */
export async function withFrozenTimers<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  // Also when `work` never settles and the test times out, so later tests get real timers.
  onTestFinished(() => void vi.useRealTimers());
  try {
    return await work();
  } finally {
    vi.useRealTimers();
  }
}

/** The promise, and whether it has settled yet. */
export function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: boolean } {
  const state = { promise, settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}
