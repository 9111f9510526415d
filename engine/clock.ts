/**
 * The clock is injected: the engine reads no wall time. Drivers stamp every command with `at` from a Clock;
 * tests and simulation use a ManualClock that only moves when told.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  advance(deltaMs: number): number {
    if (!(deltaMs >= 0)) throw new RangeError(`ManualClock.advance needs a non-negative delta, got ${deltaMs}`);
    this.#nowMs += deltaMs;
    return this.#nowMs;
  }

  set(atMs: number): void {
    this.#nowMs = atMs;
  }
}
