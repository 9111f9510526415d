/**
 * Sign-in attempts, limited per login and per client address (docs/security.md, item 4).
 *
 * - An attempt is counted before its password is checked (`begin`), so concurrent guesses cannot all be
 *   evaluated: at most `failuresMax` attempts of a login are ever in flight or failed before it is slowed down.
 * - Past `failuresMax` failures, each further attempt waits a progressive delay — `delayMsBase` doubling per
 *   failure up to `delayMsMax` — and only one may be in flight: no 10-minute wall, and the owner is never locked
 *   out longer than `delayMsMax` after the guessing stops. An admin may clear a login's count (`clear`).
 * - The same applies per client address with its own, larger `failuresMax`: one address cannot spray guesses
 *   over many logins.
 * - Answers are the same whether or not the login exists, so the limiter tells a guesser nothing.
 *
 * Bounds: `trackedMax` keys per limiter. A failure is forgotten `forgetAfterMs` after it. Past the bound the
 * entries to forget are picked among those not slowed down, fewest failures first: a flood of made-up logins
 * cannot evict a real login's delay. When every tracked key is slowed down, a new key is refused as if slowed
 * down itself (429) until room frees — the flood then locks out only flooders' own attempts.
 */
export interface AttemptLimits {
  /** Failures before attempts are slowed down. */
  readonly failuresMax: number;
  /** The wait after the failure that reaches `failuresMax`; it doubles with each further failure. */
  readonly delayMsBase: number;
  /** The longest wait between attempts, however many failures. */
  readonly delayMsMax: number;
  /** A key's failures are forgotten this long after its last one. */
  readonly forgetAfterMs: number;
  /** Keys remembered at once. */
  readonly trackedMax: number;
}

export const loginLimits: AttemptLimits = { failuresMax: 5, delayMsBase: 15_000, delayMsMax: 15 * 60_000, forgetAfterMs: 60 * 60_000, trackedMax: 10_000 };
/**
 * Milder than the per-login limit: behind a reverse proxy every user shares one address, and their typos must not
 * slow a whole clinic down for long (docs/security.md).
 */
export const addressLimits: AttemptLimits = { failuresMax: 50, delayMsBase: 2_000, delayMsMax: 60_000, forgetAfterMs: 15 * 60_000, trackedMax: 10_000 };
/** Kept for callers that name the per-login bound. */
export const failuresMax = loginLimits.failuresMax;

interface Attempts {
  failures: number;
  inFlight: number;
  lastFailureMs: number;
  /** No attempt starts before this instant (0: none pending). */
  notBeforeMs: number;
}

export class AttemptLimiter {
  readonly #limits: AttemptLimits;
  readonly #attempts = new Map<string, Attempts>();

  constructor(limits: AttemptLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#attempts.size;
  }

  /**
   * Starts an attempt: 0 when it may go ahead (it is now counted as in flight; call `failed` or `succeeded`
   * once it is decided), else the milliseconds to wait (nothing was counted).
   */
  begin(key: string, nowMs: number): number {
    let attempts = this.#current(key, nowMs);
    if (attempts === undefined) {
      if (this.#attempts.size >= this.#limits.trackedMax && !this.#makeRoom(nowMs)) return this.#limits.delayMsBase;
      attempts = { failures: 0, inFlight: 0, lastFailureMs: 0, notBeforeMs: 0 };
      this.#attempts.set(key, attempts);
    }
    const waitMs = this.#waitMs(attempts, nowMs);
    if (waitMs > 0) return waitMs;
    attempts.inFlight += 1;
    return 0;
  }

  /** The attempt begun for `key` failed. */
  failed(key: string, nowMs: number): void {
    const attempts = this.#attempts.get(key) ?? { failures: 0, inFlight: 1, lastFailureMs: 0, notBeforeMs: 0 };
    attempts.inFlight = Math.max(0, attempts.inFlight - 1);
    attempts.failures += 1;
    attempts.lastFailureMs = nowMs;
    const over = attempts.failures - this.#limits.failuresMax;
    if (over >= 0) attempts.notBeforeMs = nowMs + Math.min(this.#limits.delayMsMax, this.#limits.delayMsBase * 2 ** Math.min(over, 30));
    this.#attempts.set(key, attempts);
  }

  /** The attempt begun for `key` succeeded: its count is cleared. */
  succeeded(key: string): void {
    this.#attempts.delete(key);
  }

  /** The attempt begun for `key` was not decided (the server was busy): it does not count. */
  abandoned(key: string): void {
    const attempts = this.#attempts.get(key);
    if (attempts === undefined) return;
    attempts.inFlight = Math.max(0, attempts.inFlight - 1);
    if (attempts.failures === 0 && attempts.inFlight === 0) this.#attempts.delete(key);
  }

  /** An admin unlocks a login. */
  clear(key: string): void {
    this.#attempts.delete(key);
  }

  #current(key: string, nowMs: number): Attempts | undefined {
    const attempts = this.#attempts.get(key);
    if (attempts !== undefined && attempts.inFlight === 0 && attempts.failures > 0 && attempts.lastFailureMs + this.#limits.forgetAfterMs <= nowMs) {
      this.#attempts.delete(key);
      return undefined;
    }
    return attempts;
  }

  #waitMs(attempts: Attempts, nowMs: number): number {
    if (attempts.failures + attempts.inFlight < this.#limits.failuresMax) return 0;
    // Slowed down: one attempt at a time, after the delay.
    if (attempts.inFlight > 0) return Math.max(1_000, attempts.notBeforeMs - nowMs);
    return Math.max(0, attempts.notBeforeMs - nowMs);
  }

  /** Forgets the least valuable entries: expired ones, then those not slowed down, fewest failures first. */
  #makeRoom(nowMs: number): boolean {
    const candidates: Array<[string, Attempts]> = [];
    for (const [key, attempts] of this.#attempts) {
      if (attempts.inFlight > 0) continue;
      if (attempts.lastFailureMs + this.#limits.forgetAfterMs <= nowMs) {
        this.#attempts.delete(key);
        continue;
      }
      if (attempts.failures < this.#limits.failuresMax) candidates.push([key, attempts]);
    }
    if (this.#attempts.size < this.#limits.trackedMax) return true;
    candidates.sort((a, b) => a[1].failures - b[1].failures || a[1].lastFailureMs - b[1].lastFailureMs);
    const drop = Math.max(1, Math.ceil(this.#limits.trackedMax / 100));
    for (const [key] of candidates.slice(0, drop)) this.#attempts.delete(key);
    return this.#attempts.size < this.#limits.trackedMax;
  }
}

/** The sign-in's two limiters: per login and per client address. */
export class LoginLimiter {
  readonly logins: AttemptLimiter;
  readonly addresses: AttemptLimiter;

  constructor(limits: { readonly login?: AttemptLimits; readonly address?: AttemptLimits } = {}) {
    this.logins = new AttemptLimiter(limits.login ?? loginLimits);
    this.addresses = new AttemptLimiter(limits.address ?? addressLimits);
  }

  /** 0 when the attempt may go ahead (counted for both), else the milliseconds to wait. */
  begin(login: string, address: string, nowMs: number): number {
    const addressWait = this.addresses.begin(address, nowMs);
    if (addressWait > 0) return addressWait;
    const loginWait = this.logins.begin(login, nowMs);
    if (loginWait > 0) this.addresses.abandoned(address);
    return loginWait;
  }

  failed(login: string, address: string, nowMs: number): void {
    this.logins.failed(login, nowMs);
    this.addresses.failed(address, nowMs);
  }

  /** A right password clears the login's count; the address keeps its failures (it may be guessing others). */
  succeeded(login: string, address: string): void {
    this.logins.succeeded(login);
    this.addresses.abandoned(address);
  }

  abandoned(login: string, address: string): void {
    this.logins.abandoned(login);
    this.addresses.abandoned(address);
  }
}

/**
 * A global budget for scrypt work: at most `concurrentMax` password checks run at once (libuv's pool has four
 * threads by default, shared with file I/O) and at most `queuedMax` wait; beyond that a sign-in is answered
 * 503 at once instead of queueing behind a flood, so an attempt never waits longer than about
 * `queuedMax / concurrentMax` hash times.
 */
export class HashBudget {
  readonly concurrentMax: number;
  readonly queuedMax: number;
  #running = 0;
  readonly #queue: Array<() => void> = [];

  constructor(concurrentMax = 2, queuedMax = 16) {
    this.concurrentMax = concurrentMax;
    this.queuedMax = queuedMax;
  }

  /** Runs `work` within the budget; undefined (nothing ran) when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.#running >= this.concurrentMax) {
      if (this.#queue.length >= this.queuedMax) return undefined;
      // The finishing check hands its place over: `running` stays as it is.
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#running += 1;
    }
    try {
      return { value: await work() };
    } finally {
      const next = this.#queue.shift();
      if (next !== undefined) next();
      else this.#running -= 1;
    }
  }
}
