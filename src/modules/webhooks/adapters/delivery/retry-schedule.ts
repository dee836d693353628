import type { RetrySchedule } from '../../application/ports.ts';

/** Attempts in all, the first included. */
export const MAX_DELIVERY_ATTEMPTS = 8;

/**
 * Nominal wait before each retry, attempt 2 to 8: quick at first (a receiver restarting), then
 * spread out so an endpoint down for most of a day still gets the event (≈ 24.3 h in all).
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  30_000, // 30 s
  2 * 60_000, // 2 min
  15 * 60_000, // 15 min
  60 * 60_000, // 1 h
  3 * 3_600_000, // 3 h
  7 * 3_600_000, // 7 h
  13 * 3_600_000, // 13 h
];

/** Each wait is stretched or shrunk by up to this share, so retries after an outage spread out. */
export const RETRY_JITTER = 0.2;

/** `random` returns a number in [0, 1), as Math.random does. */
export function createRetrySchedule(random: () => number = Math.random): RetrySchedule {
  return (attempt) => {
    if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_DELIVERY_ATTEMPTS) {
      return undefined;
    }
    if (attempt === 1) return 0;
    const nominal = RETRY_DELAYS_MS[attempt - 2]!;
    return Math.round(nominal * (1 + RETRY_JITTER * (2 * random() - 1)));
  };
}
