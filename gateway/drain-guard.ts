/**
 * The gateway's half of a clean stop: once `drain()` is called, every new partner API request is refused with
 * 503 and Retry-After (a partner retries it against the restarted server), while the requests already inside a
 * handler run to their durable reply; `drain()` resolves when the last of them has returned. Counting at the
 * handler (after authentication and body reading) is deliberate: a request still reading its body has done
 * no work yet, so refusing it loses nothing.
 *
 * Bound: callers bound the wait themselves (main.ts: SHUTDOWN_TIMEOUT_MS).
 */
import type { Route, RouteReply } from './http/route.ts';
import { Problem } from './http/problem.ts';

/** What a refused partner is told to wait: about one restart (recovery from a snapshot takes seconds). */
export const drainRetryAfterSeconds = 5;

export class DrainGuard {
  #draining = false;
  #inFlight = 0;
  #idle: Array<() => void> = [];

  get draining(): boolean {
    return this.#draining;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** The route with its handler counted, and refused once draining. The route's schemas are unchanged. */
  wrap(route: Route): Route {
    return { ...route, handle: (context) => this.#run(() => route.handle(context)) };
  }

  async #run(handle: () => Promise<RouteReply> | RouteReply): Promise<RouteReply> {
    if (this.#draining) {
      throw new Problem(503, 'shutting_down', `the server is shutting down; retry in ${drainRetryAfterSeconds} s`, { headers: { 'Retry-After': String(drainRetryAfterSeconds) } });
    }
    this.#inFlight += 1;
    try {
      return await handle();
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0 && this.#draining) this.#wake();
    }
  }

  /** Refuses new requests from now on; resolves when none is in a handler. Idempotent. */
  drain(): Promise<void> {
    this.#draining = true;
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #wake(): void {
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }
}
