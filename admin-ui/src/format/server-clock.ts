/**
 * The server's clock in the browser: the socket's welcome says the server's time, and every countdown (waiting
 * time, SLA deadline, "slot already past") runs on it — a browser clock that is minutes off would otherwise
 * show a call overdue that is not, or hide one that is. `useServerNow` re-renders once per `periodMs`.
 */
import { useEffect, useState } from 'preact/hooks';

let offsetMs = 0;

export function setServerOffset(ms: number): void {
  offsetMs = ms;
}

export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** The server's time now, refreshed every `periodMs` (one timer per component). */
export function useServerNow(periodMs = 1_000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}
