/**
 * Sign-in attempts per login: after `failuresMax` wrong passwords within `windowMs` the login is locked until
 * the window of its first failure ends (429 with Retry-After), whether or not the login exists, so a guesser
 * learns nothing and tries at most `failuresMax` passwords per window. A successful sign-in clears the count.
 *
 * Bounds: `trackedLoginsMax` logins remembered; past it the entries whose window has ended are dropped, and if
 * none has, the oldest is (a flood of made-up logins cannot grow the map or unlock a real one for long).
 */
export const failuresMax = 5;
export const windowMs = 10 * 60 * 1000;
export const trackedLoginsMax = 10_000;

interface Attempts {
  failures: number;
  firstFailureMs: number;
}

export class LoginLimiter {
  readonly #attempts = new Map<string, Attempts>();

  /** Milliseconds until the login may try again; 0 when it may try now. */
  waitMs(login: string, nowMs: number): number {
    const attempts = this.#attempts.get(login);
    if (attempts === undefined) return 0;
    const endsMs = attempts.firstFailureMs + windowMs;
    if (endsMs <= nowMs) {
      this.#attempts.delete(login);
      return 0;
    }
    return attempts.failures >= failuresMax ? endsMs - nowMs : 0;
  }

  failed(login: string, nowMs: number): void {
    const attempts = this.#attempts.get(login);
    if (attempts !== undefined && attempts.firstFailureMs + windowMs > nowMs) {
      attempts.failures += 1;
      return;
    }
    if (this.#attempts.size >= trackedLoginsMax) this.#evict(nowMs);
    this.#attempts.set(login, { failures: 1, firstFailureMs: nowMs });
  }

  succeeded(login: string): void {
    this.#attempts.delete(login);
  }

  #evict(nowMs: number): void {
    for (const [login, attempts] of this.#attempts) if (attempts.firstFailureMs + windowMs <= nowMs) this.#attempts.delete(login);
    const oldest = this.#attempts.keys().next();
    if (this.#attempts.size >= trackedLoginsMax && oldest.done !== true) this.#attempts.delete(oldest.value);
  }
}
