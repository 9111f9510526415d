/**
 * The DoctorActor's state: the doctor's directory entry and time zone, the route list (home visits by date),
 * the slot calendar and the appointments with their reception queue. Canonical parts are snapshotted; the
 * indexes inside the calendar and the appointment book are rebuilt on restore.
 */
import { keepsSlot } from './calendar/appointment.ts';
import { AppointmentBook, type AppointmentBookSnapshot } from './calendar/appointment-book.ts';
import { SlotCalendar, type SlotCalendarSnapshot } from './calendar/slot-calendar.ts';
import type { DoctorInfo, WeeklyShift } from './directory.ts';
import { addDays, weekdayOf } from './domain/local-time.ts';
import type { VisitSummary } from './messages.ts';
import { copyRecord } from './lib/copy-record.ts';

/** Route-list days whose visits are all done leave memory this many days behind the newest visit date. */
export const routeRetentionDays = 35;

export interface RouteVisit extends VisitSummary {
  doneAt?: number;
}

export interface DoctorSnapshot {
  readonly info?: DoctorInfo;
  readonly timeZone: string;
  readonly visits: RouteVisit[];
  /** Absent in snapshots taken before the calendars existed. */
  readonly calendar?: SlotCalendarSnapshot;
  readonly appointments?: AppointmentBookSnapshot;
}

export class DoctorState {
  readonly id: string;
  info: DoctorInfo | undefined;
  timeZone = 'UTC';
  /** date → callId → visit. */
  readonly visitsByDate = new Map<string, Map<string, RouteVisit>>();
  calendar: SlotCalendar;
  appointments = new AppointmentBook();
  /** shiftsOn's answers per ISO weekday, for `#shiftsInfo` (private: derived, never in a snapshot). */
  #shiftsByWeekday: WeeklyShift[][] = [];
  #shiftsInfo: DoctorInfo | undefined;

  constructor(id: string) {
    this.id = id;
    this.calendar = new SlotCalendar(id);
  }

  /** The doctor's shifts on the date's weekday, by start; read-only (shared between calls). */
  shiftsOn(date: string): readonly WeeklyShift[] {
    const info = this.info;
    if (info === undefined) return noShifts;
    // Asked for every visit reserved; the week's shifts change only with the directory entry.
    if (this.#shiftsInfo !== info) {
      this.#shiftsByWeekday = [];
      for (let weekday = 1; weekday <= 7; weekday += 1) {
        this.#shiftsByWeekday[weekday] = info.weeklyShifts.filter((shift) => shift.weekday === weekday).sort((a, b) => a.startMinutes - b.startMinutes);
      }
      this.#shiftsInfo = info;
    }
    return this.#shiftsByWeekday[weekdayOf(date)] ?? noShifts;
  }

  workingMinutesOn(date: string): number {
    return this.shiftsOn(date).reduce((sum, shift) => sum + shift.endMinutes - shift.startMinutes, 0);
  }

  visitsOn(date: string): ReadonlyMap<string, RouteVisit> {
    return this.visitsByDate.get(date) ?? emptyVisits;
  }

  /** The earliest instant the actor wants `TimersDue`: a hold's deadline or the next daily roll. O(1). */
  nextDeadline(): number | undefined {
    const hold = this.calendar.holdDeadlines.peek()?.priority;
    const roll = this.calendar.nextRollAt;
    if (hold === undefined) return roll;
    return roll === undefined ? hold : Math.min(hold, roll);
  }

  /** A live appointment whose slot the doctor no longer receives in (a stopped day, a dropped template slot). */
  needsRebooking(appointmentId: string): boolean {
    const appointment = this.appointments.get(appointmentId);
    if (appointment === undefined || (appointment.status !== 'booked' && appointment.status !== 'confirmed')) return false;
    const slot = this.calendar.slot(appointment.slotId);
    return slot !== undefined && slot.appointmentId === appointment.id && this.calendar.isBlocked(slot);
  }

  toSnapshot(): DoctorSnapshot {
    const visits: RouteVisit[] = [];
    for (const byCall of this.visitsByDate.values()) for (const visit of byCall.values()) visits.push({ ...visit });
    const snapshot: { -readonly [K in keyof DoctorSnapshot]: DoctorSnapshot[K] } = {
      timeZone: this.timeZone,
      visits,
      calendar: this.calendar.toSnapshot(),
      appointments: this.appointments.toSnapshot(),
    };
    if (this.info !== undefined) snapshot.info = this.info;
    return snapshot;
  }

  static fromSnapshot(id: string, snapshot: DoctorSnapshot): DoctorState {
    const state = new DoctorState(id);
    state.info = snapshot.info;
    state.timeZone = snapshot.timeZone;
    for (const visit of snapshot.visits) state.addVisit(copyRecord(visit));
    if (snapshot.calendar !== undefined) state.calendar = SlotCalendar.fromSnapshot(id, snapshot.timeZone, snapshot.calendar);
    else state.calendar.setTimeZone(snapshot.timeZone);
    if (snapshot.appointments !== undefined) state.appointments = AppointmentBook.fromSnapshot(snapshot.appointments);
    // A slot's booking is the appointment's pointer read backwards: one source of truth, linked here.
    for (const appointment of state.appointments.byId.values()) {
      if (keepsSlot(appointment) && state.calendar.slot(appointment.slotId) !== undefined) state.calendar.link(appointment.slotId, appointment.id);
    }
    return state;
  }

  addVisit(visit: RouteVisit): void {
    this.#pruneRouteDays(visit.visitDate);
    let byCall = this.visitsByDate.get(visit.visitDate);
    if (byCall === undefined) {
      byCall = new Map();
      this.visitsByDate.set(visit.visitDate, byCall);
    }
    byCall.set(visit.callId, visit);
  }

  /** Drops old days whose visits are all done, oldest first; stops at the first it must keep. Amortised O(1). */
  #pruneRouteDays(newestDate: string): void {
    const keepFrom = addDays(newestDate, -routeRetentionDays);
    for (const [date, visits] of this.visitsByDate) {
      if (date >= keepFrom || [...visits.values()].some((visit) => visit.doneAt === undefined)) break;
      this.visitsByDate.delete(date);
    }
  }

  removeVisit(callId: string, date: string): void {
    const byCall = this.visitsByDate.get(date);
    if (byCall === undefined) return;
    byCall.delete(callId);
    if (byCall.size === 0) this.visitsByDate.delete(date);
  }
}

const emptyVisits: ReadonlyMap<string, RouteVisit> = new Map();
const noShifts: readonly WeeklyShift[] = [];
