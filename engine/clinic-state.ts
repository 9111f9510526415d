/**
 * The ClinicActor's state: its directory entry and roster, its calls, and the board counters kept
 * incrementally. Derived parts (the SLA deadline heap, the filter index) are rebuilt on restore.
 */
import type { ClinicInfo, DoctorInfo } from './directory.ts';
import type { CallStatus, HomeCall } from './home-call.ts';
import { openCallStatuses } from './home-call.ts';
import { CallIndex } from './call-index.ts';
import { IndexedHeap } from './lib/indexed-heap.ts';
import { ClinicCalendar, type ClinicCalendarSnapshot } from './calendar/clinic-calendar.ts';

export interface BoardCounters {
  received: number;
  new: number;
  assigned: number;
  overdue: number;
}

export interface DoctorDayCounts {
  /** Calls currently assigned to the doctor with this visit date. */
  assigned: number;
  /** Calls the doctor completed on this date. */
  completed: number;
}

export interface ClinicSnapshot {
  readonly info?: ClinicInfo;
  readonly roster: DoctorInfo[];
  readonly calls: HomeCall[];
  readonly callSeq: number;
  readonly counters: BoardCounters;
  readonly completedByDate: Array<[string, number]>;
  readonly doctorDays: Array<[string, DoctorDayCounts]>;
  /** Calendar settings, outbox and alerts; absent in snapshots taken before the calendars existed. */
  readonly calendar?: ClinicCalendarSnapshot;
}

export class ClinicState {
  readonly id: string;
  info: ClinicInfo | undefined;
  readonly roster = new Map<string, DoctorInfo>();
  readonly calls = new Map<string, HomeCall>();
  callSeq = 0;
  readonly counters: BoardCounters = { received: 0, new: 0, assigned: 0, overdue: 0 };
  readonly completedByDate = new Map<string, number>();
  /** `<doctorId>|<date>` → counts. */
  readonly doctorDays = new Map<string, DoctorDayCounts>();
  /** Calendar settings, the notification outbox and the alert board (engine/calendar/clinic-calendar.ts). */
  calendar = new ClinicCalendar();

  // Derived.
  readonly deadlines = new IndexedHeap<string>();
  readonly index = new CallIndex();

  constructor(id: string) {
    this.id = id;
  }

  doctorDay(doctorId: string, date: string): DoctorDayCounts {
    const key = `${doctorId}|${date}`;
    let counts = this.doctorDays.get(key);
    if (counts === undefined) {
      counts = { assigned: 0, completed: 0 };
      this.doctorDays.set(key, counts);
    }
    return counts;
  }

  countStatus(status: CallStatus, delta: number): void {
    if (status === 'received' || status === 'new' || status === 'assigned') this.counters[status] += delta;
  }

  /** Puts the call's live SLA deadline in the heap, or takes it out when none applies. */
  refreshDeadline(call: HomeCall): void {
    if (openCallStatuses.has(call.status) && !call.overdue && call.dueAt !== undefined) this.deadlines.set(call.id, call.dueAt);
    else this.deadlines.delete(call.id);
  }

  toSnapshot(): ClinicSnapshot {
    const snapshot: { -readonly [K in keyof ClinicSnapshot]: ClinicSnapshot[K] } = {
      roster: [...this.roster.values()],
      calls: [...this.calls.values()].map((call) => ({ ...call, history: [...call.history] })),
      callSeq: this.callSeq,
      counters: { ...this.counters },
      completedByDate: [...this.completedByDate],
      doctorDays: [...this.doctorDays].map(([key, counts]) => [key, { ...counts }]),
      calendar: this.calendar.toSnapshot(),
    };
    if (this.info !== undefined) snapshot.info = this.info;
    return snapshot;
  }

  static fromSnapshot(id: string, snapshot: ClinicSnapshot): ClinicState {
    const state = new ClinicState(id);
    state.info = snapshot.info;
    for (const doctor of snapshot.roster) state.roster.set(doctor.id, doctor);
    for (const call of snapshot.calls) {
      const copy: HomeCall = { ...call, history: [...call.history] };
      state.calls.set(copy.id, copy);
      state.index.add(copy);
      state.refreshDeadline(copy);
    }
    state.callSeq = snapshot.callSeq;
    Object.assign(state.counters, snapshot.counters);
    for (const [date, count] of snapshot.completedByDate) state.completedByDate.set(date, count);
    for (const [key, counts] of snapshot.doctorDays) state.doctorDays.set(key, { ...counts });
    state.calendar = ClinicCalendar.fromSnapshot(snapshot.calendar);
    return state;
  }
}
