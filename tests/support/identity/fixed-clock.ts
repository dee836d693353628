import type { Clock } from '../../../src/shared/domain/clock.ts';

/** A clock that moves only when a test says so. */
export class FixedClock implements Clock {
  private current: Date;

  constructor(start: Date | string = '2030-01-01T00:00:00.000Z') {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): void {
    this.current = new Date(to);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
