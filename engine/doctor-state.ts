/**
 * The DoctorActor's state: the doctor's directory entry and time zone, and the route list (home visits by
 * date). The slot calendar and the reception queue join it here.
 */
import type { DoctorInfo, WeeklyShift } from './directory.ts';
import { weekdayOf } from './domain/local-time.ts';
import type { VisitSummary } from './messages.ts';

export interface RouteVisit extends VisitSummary {
  doneAt?: number;
}

export interface DoctorSnapshot {
  readonly info?: DoctorInfo;
  readonly timeZone: string;
  readonly visits: RouteVisit[];
}

export class DoctorState {
  readonly id: string;
  info: DoctorInfo | undefined;
  timeZone = 'UTC';
  /** date → callId → visit. */
  readonly visitsByDate = new Map<string, Map<string, RouteVisit>>();

  constructor(id: string) {
    this.id = id;
  }

  shiftsOn(date: string): WeeklyShift[] {
    if (this.info === undefined) return [];
    const weekday = weekdayOf(date);
    return this.info.weeklyShifts.filter((shift) => shift.weekday === weekday).sort((a, b) => a.startMinutes - b.startMinutes);
  }

  workingMinutesOn(date: string): number {
    return this.shiftsOn(date).reduce((sum, shift) => sum + shift.endMinutes - shift.startMinutes, 0);
  }

  visitsOn(date: string): ReadonlyMap<string, RouteVisit> {
    return this.visitsByDate.get(date) ?? emptyVisits;
  }

  toSnapshot(): DoctorSnapshot {
    const visits: RouteVisit[] = [];
    for (const byCall of this.visitsByDate.values()) for (const visit of byCall.values()) visits.push({ ...visit });
    const snapshot: { -readonly [K in keyof DoctorSnapshot]: DoctorSnapshot[K] } = { timeZone: this.timeZone, visits };
    if (this.info !== undefined) snapshot.info = this.info;
    return snapshot;
  }

  static fromSnapshot(id: string, snapshot: DoctorSnapshot): DoctorState {
    const state = new DoctorState(id);
    state.info = snapshot.info;
    state.timeZone = snapshot.timeZone;
    for (const visit of snapshot.visits) state.addVisit({ ...visit });
    return state;
  }

  addVisit(visit: RouteVisit): void {
    let byCall = this.visitsByDate.get(visit.visitDate);
    if (byCall === undefined) {
      byCall = new Map();
      this.visitsByDate.set(visit.visitDate, byCall);
    }
    byCall.set(visit.callId, visit);
  }

  removeVisit(callId: string, date: string): void {
    const byCall = this.visitsByDate.get(date);
    if (byCall === undefined) return;
    byCall.delete(callId);
    if (byCall.size === 0) this.visitsByDate.delete(date);
  }
}

const emptyVisits: ReadonlyMap<string, RouteVisit> = new Map();
