/**
 * Read-side views of one clinic: the board (counters and per-doctor counts for a day) and the filtered call
 * list of the operator desktop. Both read the incremental counters and indexes; neither scans history.
 *
 * Bounds: a list returns at most `callListLimitMax` calls; a filter over closed calls examines at most
 * `closedScanMax` of the latest ones.
 */
import type { AgeCategory } from './directory.ts';
import type { CallKind, CallStatus, HomeCall } from './home-call.ts';
import { openCallStatuses } from './home-call.ts';
import { localDate } from './domain/local-time.ts';
import { fold, fullName } from './patient.ts';
import { doctorDayKey, type ClinicState } from './clinic-state.ts';
import type { CallDimension } from './call-index.ts';

export const callListLimitMax = 1_000;
export const callListLimitDefault = 200;
export const closedScanMax = 20_000;

export interface BoardView {
  readonly clinicId: string;
  readonly date: string;
  readonly counters: { readonly received: number; readonly new: number; readonly overdue: number; readonly assigned: number; readonly completed: number };
  readonly doctors: ReadonlyArray<{ readonly doctorId: string; readonly name: string; readonly phone?: string; readonly assigned: number; readonly completed: number }>;
}

/** The board's doctor order: one collator, not one per comparison as `localeCompare` builds (same order). */
const nameOrder = new Intl.Collator();

export function clinicBoard(state: ClinicState, at: number): BoardView {
  const timeZone = state.info?.timeZone ?? 'UTC';
  const date = localDate(at, timeZone);
  const doctors = [...state.roster.values()]
    .map((doctor) => {
      const counts = state.doctorDays.get(doctorDayKey(doctor.id, date)) ?? { assigned: 0, completed: 0 };
      const row: { doctorId: string; name: string; phone?: string; assigned: number; completed: number } = {
        doctorId: doctor.id,
        name: doctor.name,
        assigned: counts.assigned,
        completed: counts.completed,
      };
      if (doctor.phone !== undefined) row.phone = doctor.phone;
      return row;
    })
    .sort((a, b) => nameOrder.compare(a.name, b.name));
  return {
    clinicId: state.id,
    date,
    counters: { ...state.counters, completed: state.completedByDate.get(date) ?? 0 },
    doctors,
  };
}

export interface CallFilter {
  readonly status?: CallStatus;
  readonly doctorId?: string;
  readonly kind?: CallKind;
  readonly ageCategory?: AgeCategory;
  readonly subdivisionId?: string;
  /** Part of the patient's full name, any case. */
  readonly name?: string;
  readonly overdueOnly?: boolean;
  readonly limit?: number;
}

/** Open calls: overdue first, then oldest first. Closed calls (by status): latest first. */
export function listCalls(state: ClinicState, filter: CallFilter): HomeCall[] {
  const limit = Math.min(Math.max(1, filter.limit ?? callListLimitDefault), callListLimitMax);
  const matches = matcher(filter);
  if (filter.status !== undefined && !openCallStatuses.has(filter.status)) {
    const ids = [...state.index.closed(filter.status)];
    const found: HomeCall[] = [];
    const stop = Math.max(0, ids.length - closedScanMax);
    for (let i = ids.length - 1; i >= stop && found.length < limit; i -= 1) {
      const call = state.calls.get(ids[i] as string);
      if (call !== undefined && matches(call)) found.push(call);
    }
    return found;
  }
  const candidates = smallestOpenSet(state, filter);
  const found: HomeCall[] = [];
  for (const id of candidates) {
    const call = state.calls.get(id);
    if (call !== undefined && openCallStatuses.has(call.status) && matches(call)) found.push(call);
  }
  found.sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  return found.slice(0, limit);
}

function smallestOpenSet(state: ClinicState, filter: CallFilter): Iterable<string> {
  const dimensions: Array<[CallDimension, string | undefined]> = [
    ['status', filter.status],
    ['doctor', filter.doctorId],
    ['kind', filter.kind],
    ['age', filter.ageCategory],
    ['subdivision', filter.subdivisionId],
  ];
  let best: ReadonlySet<string> | undefined;
  for (const [dimension, value] of dimensions) {
    if (value === undefined) continue;
    const set = state.index.open(dimension, value);
    if (best === undefined || set.size < best.size) best = set;
  }
  if (best !== undefined) return best;
  return (function* openIds() {
    for (const status of openCallStatuses) yield* state.index.open('status', status);
  })();
}

function matcher(filter: CallFilter): (call: HomeCall) => boolean {
  const name = filter.name === undefined ? undefined : fold(filter.name);
  return (call) =>
    (filter.status === undefined || call.status === filter.status) &&
    (filter.doctorId === undefined || call.doctorId === filter.doctorId) &&
    (filter.kind === undefined || call.kind === filter.kind) &&
    (filter.ageCategory === undefined || call.patient.ageCategory === filter.ageCategory) &&
    (filter.subdivisionId === undefined || call.subdivisionId === filter.subdivisionId) &&
    (filter.overdueOnly !== true || call.overdue) &&
    (name === undefined || fold(fullName(call.patient)).includes(name));
}
