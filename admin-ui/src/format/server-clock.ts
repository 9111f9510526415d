/**
 * The server's clock in the browser: the socket's welcome says the server's time, and every countdown (waiting
 * time, SLA deadline, "slot already past") runs on it — a browser clock that is minutes off would otherwise
 * show a call overdue that is not, or hide one that is. `useServerNow` re-renders once per `periodMs`.
 */
import { useEffect, useState } from 'preact/hooks';

let offsetMs = 0;
const listeners = new Set<() => void>();

export function setServerOffset(ms: number): void {
  if (ms === offsetMs) return;
  offsetMs = ms;
  // A countdown rendered before the welcome (on the browser's clock) is redrawn at once, not at its next tick.
  for (const listener of listeners) listener();
}

export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** The server's time now, refreshed every `periodMs` (one timer per component). */
export function useServerNow(periodMs = 1_000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const tick = (): void => setNow(serverNow());
    const timer = setInterval(tick, periodMs);
    listeners.add(tick);
    return () => {
      clearInterval(timer);
      listeners.delete(tick);
    };
  }, [periodMs]);
  return now;
}
