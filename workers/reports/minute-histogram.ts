/**
 * Durations in whole minutes, counted in fixed buckets so percentiles over a million calls cost a fixed
 * amount of memory: one counter per minute up to `minutesTracked`, and one overflow counter beyond (reported
 * as the bound itself, which is far past any service level).
 */
export const minutesTracked = 14 * 24 * 60;

export interface MinutePercentiles {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export class MinuteHistogram {
  readonly #counts = new Uint32Array(minutesTracked + 1);
  #count = 0;
  #max = 0;

  record(durationMs: number): void {
    const minutes = Math.max(0, Math.floor(durationMs / 60_000));
    this.#counts[Math.min(minutes, minutesTracked)] = (this.#counts[Math.min(minutes, minutesTracked)] ?? 0) + 1;
    this.#count += 1;
    if (minutes > this.#max) this.#max = minutes;
  }

  get count(): number {
    return this.#count;
  }

  /** The smallest minute value at or below which `percent` of the durations fall. */
  percentile(percent: number): number | null {
    if (this.#count === 0) return null;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.#count));
    let seen = 0;
    for (let minute = 0; minute <= minutesTracked; minute += 1) {
      seen += this.#counts[minute] ?? 0;
      if (seen >= rank) return minute;
    }
    return minutesTracked;
  }

  summary(): MinutePercentiles {
    return { count: this.#count, p50: this.percentile(50), p90: this.percentile(90), p99: this.percentile(99), max: this.#count === 0 ? null : this.#max };
  }
}
