import { describe, expect, it } from 'vitest';
import {
  createRetrySchedule,
  MAX_DELIVERY_ATTEMPTS,
  RETRY_DELAYS_MS,
  RETRY_JITTER,
} from '../../../../src/modules/webhooks/adapters/delivery/retry-schedule.ts';

const HOUR = 3_600_000;
const retries = Array.from({ length: MAX_DELIVERY_ATTEMPTS - 1 }, (_, i) => i + 2);
const total = (random: () => number) => {
  const schedule = createRetrySchedule(random);
  return retries.reduce((sum, attempt) => sum + schedule(attempt)!, 0);
};

describe('the webhook retry schedule', () => {
  it('makes 8 attempts: the first at once, then 7 retries, then gives up', () => {
    const schedule = createRetrySchedule(() => 0.5);
    expect(MAX_DELIVERY_ATTEMPTS).toBe(8);
    expect(schedule(1)).toBe(0);
    for (const attempt of retries) expect(schedule(attempt)).toBeGreaterThan(0);
    expect(schedule(9)).toBeUndefined();
    expect(schedule(100)).toBeUndefined();
  });

  it('has no delay for attempts that do not exist', () => {
    const schedule = createRetrySchedule();
    for (const attempt of [0, -1, 2.5, Number.NaN]) expect(schedule(attempt)).toBeUndefined();
  });

  it('retries the first time within 60 s, even with the most jitter', () => {
    expect(createRetrySchedule(() => 0.999_999)(2)).toBeLessThanOrEqual(60_000);
    expect(createRetrySchedule(() => 0)(2)).toBeGreaterThan(0);
  });

  it('waits longer before each retry than before the one earlier, for the same jitter', () => {
    for (const r of [0, 0.25, 0.5, 0.75, 0.999_999]) {
      const schedule = createRetrySchedule(() => r);
      const delays = retries.map((attempt) => schedule(attempt)!);
      for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);
    }
  });

  it('keeps each delay within ±20 % of its nominal value and reaches both ends', () => {
    expect(RETRY_JITTER).toBe(0.2);
    const low = createRetrySchedule(() => 0);
    const high = createRetrySchedule(() => 0.999_999_999);
    const middle = createRetrySchedule(() => 0.5);
    retries.forEach((attempt, i) => {
      const nominal = RETRY_DELAYS_MS[i]!;
      expect(middle(attempt)).toBe(nominal);
      expect(low(attempt)).toBe(Math.round(nominal * 0.8));
      expect(high(attempt)).toBeCloseTo(nominal * 1.2, -1);
    });
  });

  it('spreads the delays of many deliveries over the jitter range', () => {
    let seed = 7;
    const lcg = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const schedule = createRetrySchedule(lcg);
    const delays = Array.from({ length: 2_000 }, () => schedule(3)! / RETRY_DELAYS_MS[1]!);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1.2);
    expect(Math.min(...delays)).toBeLessThan(0.82);
    expect(Math.max(...delays)).toBeGreaterThan(1.18);
  });

  it('spans about 24 hours from the first attempt to the last', () => {
    expect(total(() => 0.5) / HOUR).toBeGreaterThan(23);
    expect(total(() => 0.5) / HOUR).toBeLessThan(25);
    expect(total(() => 0) / HOUR).toBeGreaterThan(19);
    expect(total(() => 0.999_999) / HOUR).toBeLessThan(30);
  });
});
