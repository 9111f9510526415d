/**
 * Reconnect delays: exponential from `backoffBaseMs`, capped at `backoffMaxMs`, with jitter (a random 50..100 %
 * of the step) so a restarted server is not hit by every operator's browser in the same millisecond.
 */
export const backoffBaseMs = 500;
export const backoffMaxMs = 15_000;

export function backoffDelayMs(attempt: number, random: () => number): number {
  const step = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(attempt, 16));
  return Math.round(step * (0.5 + random() / 2));
}
