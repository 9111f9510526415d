/**
 * A doctor's appointments and reception queue. Canonical: the appointments and the last queue number given
 * per day. Derived and rebuilt on restore: appointments by date (the call-out list and reminders read one
 * day without scanning the rest), the live queue of each day (checked-in patients by appointment time) and
 * the appointment in service (the cabinet is busy while there is one).
 *
 * Bounds: appointments are kept `appointmentRetentionDays` after their date, then dropped on the daily roll
 * (the log and the projection keep the history); queue numbers are kept for today only.
 */
import { IndexedHeap } from '../lib/indexed-heap.ts';
import { fail } from '../rejection.ts';
import { copyAppointment, type Appointment } from './appointment.ts';

export const appointmentRetentionDays = 30;

export interface AppointmentBookSnapshot {
  readonly appointments: Appointment[];
  readonly queueSeqs: Array<[string, number]>;
}

export class AppointmentBook {
  readonly byId = new Map<string, Appointment>();
  /** date → the last queue number given that day. */
  readonly queueSeqByDate = new Map<string, number>();

  // Derived.
  readonly idsByDate = new Map<string, Set<string>>();
  readonly queues = new Map<string, IndexedHeap<string>>();
  servingId: string | undefined;

  get(appointmentId: string): Appointment | undefined {
    return this.byId.get(appointmentId);
  }

  /** The appointments on a date, by time then id (an order that does not depend on the index's history). */
  onDate(date: string): Appointment[] {
    const ids = this.idsByDate.get(date);
    if (ids === undefined) return [];
    return [...ids]
      .map((id) => this.byId.get(id) as Appointment)
      .sort((a, b) => a.startAt - b.startAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Checked-in patients of the date in queue order: by appointment time, then id. */
  waitingOn(date: string): Appointment[] {
    const heap = this.queues.get(date);
    if (heap === undefined) return [];
    return heap.dueAtMost(Number.POSITIVE_INFINITY).map((entry) => this.byId.get(entry.key) as Appointment);
  }

  nextWaiting(date: string): Appointment | undefined {
    const top = this.queues.get(date)?.peek();
    return top === undefined ? undefined : this.byId.get(top.key);
  }

  // ------------------------------------------------------------ changes (evolve only)

  add(appointment: Appointment): void {
    if (this.byId.has(appointment.id)) fail(`appointment ${appointment.id} exists`);
    this.byId.set(appointment.id, appointment);
    this.#index(appointment);
  }

  /** Re-files the appointment after its date or status changed; call `unfile` before the change. */
  unfile(appointment: Appointment): void {
    const ids = this.idsByDate.get(appointment.date);
    ids?.delete(appointment.id);
    if (ids !== undefined && ids.size === 0) this.idsByDate.delete(appointment.date);
    const heap = this.queues.get(appointment.date);
    heap?.delete(appointment.id);
    if (heap !== undefined && heap.size === 0) this.queues.delete(appointment.date);
    if (this.servingId === appointment.id) this.servingId = undefined;
  }

  refile(appointment: Appointment): void {
    this.#index(appointment);
  }

  nextQueueNumber(date: string): number {
    return (this.queueSeqByDate.get(date) ?? 0) + 1;
  }

  takeQueueNumber(date: string, queueNumber: number): void {
    this.queueSeqByDate.set(date, Math.max(queueNumber, this.queueSeqByDate.get(date) ?? 0));
  }

  /** The daily roll: appointments dated before `keepFrom` go, and queue numbers of days before `today`. */
  dropBefore(keepFrom: string, today: string): void {
    for (const [date, ids] of [...this.idsByDate]) {
      if (date >= keepFrom) continue;
      for (const id of ids) {
        const appointment = this.byId.get(id) as Appointment;
        this.unfile(appointment);
        this.byId.delete(id);
      }
    }
    for (const date of [...this.queueSeqByDate.keys()]) if (date < today) this.queueSeqByDate.delete(date);
  }

  #index(appointment: Appointment): void {
    const ids = this.idsByDate.get(appointment.date) ?? new Set<string>();
    ids.add(appointment.id);
    this.idsByDate.set(appointment.date, ids);
    if (appointment.status === 'checked_in') {
      const heap = this.queues.get(appointment.date) ?? new IndexedHeap<string>();
      heap.set(appointment.id, appointment.startAt);
      this.queues.set(appointment.date, heap);
    }
    if (appointment.status === 'in_service') {
      if (!(this.servingId === undefined || this.servingId === appointment.id)) fail(`two appointments in service: ${this.servingId} and ${appointment.id}`);
      this.servingId = appointment.id;
    }
  }

  toSnapshot(): AppointmentBookSnapshot {
    return { appointments: [...this.byId.values()].map(copyAppointment), queueSeqs: [...this.queueSeqByDate] };
  }

  static fromSnapshot(snapshot: AppointmentBookSnapshot): AppointmentBook {
    const book = new AppointmentBook();
    for (const appointment of snapshot.appointments) book.add(copyAppointment(appointment));
    for (const [date, seq] of snapshot.queueSeqs) book.queueSeqByDate.set(date, seq);
    return book;
  }
}
