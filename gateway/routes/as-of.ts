/**
 * `?at=<RFC 3339 instant>` on the board and call routes: the state as it was then. The routes hand the request to
 * the reader the time-travel extension installs (gateway/time-travel/), which resolves the instant against the
 * log's time index and replays in a worker. The slot exists before the extension runs, so the core routes can
 * be built first; without the extension an `at` is answered 503.
 */
import type { BoardView, CallFilter, HomeCall } from '../../engine/index.ts';
import { Problem } from '../http/problem.ts';

export interface AsOfReader {
  board(clinicId: string, at: string): Promise<BoardView>;
  call(callId: string, at: string): Promise<HomeCall>;
  calls(clinicId: string, filter: CallFilter, at: string): Promise<HomeCall[]>;
}

export class AsOfSlot {
  reader: AsOfReader | undefined;

  require(): AsOfReader {
    if (this.reader === undefined) throw new Problem(503, 'time_travel_unavailable', 'time travel (?at=) is not running in this server');
    return this.reader;
  }
}

/** RFC 3339 with a time and an offset (`Z` or ±hh:mm), e.g. 2026-03-02T10:42:00+03:00. */
const rfc3339Pattern = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

export function parseInstant(at: string): number {
  const ms = rfc3339Pattern.test(at) ? Date.parse(at.replace(' ', 'T')) : Number.NaN;
  if (!Number.isFinite(ms)) throw new Problem(400, 'validation_failed', 'at must be an RFC 3339 instant with an offset, e.g. 2026-03-02T10:42:00+03:00', { errors: [{ path: '/at', message: 'not an RFC 3339 instant' }] });
  return ms;
}
