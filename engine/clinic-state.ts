/**
 * The ClinicActor's state: its directory entry and roster, its calls, and the board counters kept
 * incrementally. Derived parts (the SLA deadline heap, the filter index) are rebuilt on restore.
 */
import type { ClinicInfo, DoctorInfo } from './directory.ts';
import type { CallStatus, HomeCall } from './home-call.ts';
import { openCallStatuses } from './home-call.ts';
import { CallIndex } from './call-index.ts';
import { IndexedHeap } from './lib/indexed-heap.ts';
import { copyRecord } from './lib/copy-record.ts';
import { addDays, instantOf, localDate } from './domain/local-time.ts';

/**
 * Closed calls stay in the actor's memory this many whole days after the day they closed, then leave it for
 * the call archive (persistence/call-archive.ts): the actor's size follows the live work, not the history.
 */
export const closedCallRetentionDays = 7;
/** Bound on the ids one eviction event carries; a larger backlog leaves over several timer turns. */
export const callsEvictedPerEventMax = 10_000;

export function doctorDayKey(doctorId: string, date: string): string {
  return `${doctorId}|${date}`;
}
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
  /** nextEvictionAt's answer for its oldest closed call (private: not state, never in a snapshot). */
  #evictionMemo: { readonly call: HomeCall; readonly timeZone: string; readonly at: number } | undefined;

  // Derived.
  readonly deadlines = new IndexedHeap<string>();
  readonly index = new CallIndex();
  /** Resident closed calls in close order (closing times never decrease), read from `closedHead`. */
  readonly closedQueue: string[] = [];
  closedHead = 0;

  constructor(id: string) {
    this.id = id;
  }

  doctorDay(doctorId: string, date: string): DoctorDayCounts {
    const key = doctorDayKey(doctorId, date);
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

  /** The instant a closed call leaves memory: the local midnight `closedCallRetentionDays` after its closing day. */
  evictionDueAt(call: HomeCall): number {
    const timeZone = this.info?.timeZone ?? 'UTC';
    return instantOf(addDays(localDate(call.closedAt ?? call.createdAt, timeZone), closedCallRetentionDays + 1), 0, timeZone);
  }

  /** The first resident closed call in close order, skipping ids already evicted. */
  oldestClosed(): HomeCall | undefined {
    while (this.closedHead < this.closedQueue.length) {
      const call = this.calls.get(this.closedQueue[this.closedHead] as string);
      if (call !== undefined) return call;
      this.closedHead += 1;
    }
    return undefined;
  }

  nextEvictionAt(): number | undefined {
    const oldest = this.oldestClosed();
    if (oldest === undefined) return undefined;
    // Asked after every event of the clinic (its timer refresh); the oldest closed call rarely changes, and
    // working out its local-midnight instant builds date strings each time.
    const timeZone = this.info?.timeZone ?? 'UTC';
    const memo = this.#evictionMemo;
    if (memo !== undefined && memo.call === oldest && memo.timeZone === timeZone) return memo.at;
    const at = this.evictionDueAt(oldest);
    this.#evictionMemo = { call: oldest, timeZone, at };
    return at;
  }

  /** The earliest of the SLA deadlines and the next eviction. O(1) amortised. */
  nextDeadline(): number | undefined {
    const sla = this.deadlines.peek()?.priority;
    const eviction = this.nextEvictionAt();
    if (sla === undefined) return eviction;
    return eviction === undefined ? sla : Math.min(sla, eviction);
  }

  /** Calls due to leave memory at `at`, in (closing time, id) order, at most `callsEvictedPerEventMax`. */
  dueForEviction(at: number): string[] {
    const due: HomeCall[] = [];
    for (let i = this.closedHead; i < this.closedQueue.length; i += 1) {
      const call = this.calls.get(this.closedQueue[i] as string);
      if (call === undefined) continue;
      if (this.evictionDueAt(call) > at) break;
      due.push(call);
    }
    due.sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return due.slice(0, callsEvictedPerEventMax).map((call) => call.id);
  }

  queueClosed(call: HomeCall): void {
    this.closedQueue.push(call.id);
  }

  /** Removes evicted calls, then day counts older than any resident call can touch. */
  evict(callIds: readonly string[], keepFromDate: string): void {
    for (const id of callIds) {
      const call = this.calls.get(id);
      if (call === undefined) continue;
      this.index.evict(call);
      this.calls.delete(id);
    }
    this.oldestClosed();
    if (this.closedHead > 1024 && this.closedHead * 2 > this.closedQueue.length) {
      this.closedQueue.splice(0, this.closedHead);
      this.closedHead = 0;
    }
    for (const date of this.completedByDate.keys()) if (date < keepFromDate) this.completedByDate.delete(date);
    for (const key of this.doctorDays.keys()) {
      const counts = this.doctorDays.get(key) as DoctorDayCounts;
      if (key.slice(key.lastIndexOf('|') + 1) < keepFromDate && counts.assigned === 0) this.doctorDays.delete(key);
    }
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
    const closed: HomeCall[] = [];
    for (const call of snapshot.calls) {
      const copy: { -readonly [K in keyof HomeCall]: HomeCall[K] } = copyRecord(call);
      copy.history = [...call.history];
      state.calls.set(copy.id, copy);
      state.index.add(copy);
      state.refreshDeadline(copy);
      if (!openCallStatuses.has(copy.status)) closed.push(copy);
    }
    closed.sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const call of closed) state.closedQueue.push(call.id);
    state.callSeq = snapshot.callSeq;
    Object.assign(state.counters, snapshot.counters);
    for (const [date, count] of snapshot.completedByDate) state.completedByDate.set(date, count);
    for (const [key, counts] of snapshot.doctorDays) state.doctorDays.set(key, { ...counts });
    state.calendar = ClinicCalendar.fromSnapshot(snapshot.calendar);
    return state;
  }
}
