/**
 * Per-principal request limits: a token bucket of `burst` requests refilled at `requestsPerSecond`. An empty
 * bucket is a 429 with `Retry-After` (whole seconds until one request fits). Buckets idle for a minute are
 * dropped, so memory follows the active callers, bounded by `bucketsMax`.
 */
export const requestsPerSecondDefault = 200;
export const burstDefault = 400;
export const bucketsMax = 200_000;

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #ratePerMs: number;
  readonly #burst: number;

  constructor(requestsPerSecond = requestsPerSecondDefault, burst = burstDefault) {
    this.#ratePerMs = requestsPerSecond / 1000;
    this.#burst = burst;
  }

  /** Takes one request from the caller's bucket: 0 when allowed, else the seconds to wait. */
  take(key: string, nowMs: number): number {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= bucketsMax) this.#evictIdle(nowMs);
      bucket = { tokens: this.#burst, updatedMs: nowMs };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (nowMs - bucket.updatedMs) * this.#ratePerMs);
    bucket.updatedMs = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#ratePerMs / 1000));
  }

  #evictIdle(nowMs: number): void {
    for (const [key, bucket] of this.#buckets) if (nowMs - bucket.updatedMs > 60_000) this.#buckets.delete(key);
    if (this.#buckets.size >= bucketsMax) this.#buckets.clear();
  }
}
