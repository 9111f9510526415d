/**
 * The calendar's read side: slot lists and free-slot search (by clinic, specialty, doctor, dates; the nearest
 * free slot), appointments, the doctor's live queue, the rebooking list of stopped days, alerts and the outbox.
 * Read-only; each query walks the clinic roster (filtered by specialty), then only the days in its range, and
 * skips a day whose free count is zero without looking at its slots — never every slot of the region.
 *
 * Bounds: a slot list returns at most `slotListMax` slots (`truncated` says so), an outbox page at most
 * `outboxPageMax` items.
 */
import { addDays, localDate } from '../domain/local-time.ts';
import type { DoctorState } from '../doctor-state.ts';
import type { ReadModel } from '../read-model.ts';
import { ownerOf } from '../address.ts';
import { appointmentView, type AppointmentView } from './appointment.ts';
import type { Alert } from './alert-board.ts';
import type { OutboxItem } from './outbox.ts';
import { queuePosition, queueView, type QueueEntry, type QueueView } from './reception-queue.ts';
import { activeHold, type Slot, type SlotStatus } from './slot-calendar.ts';

export const slotListMax = 2_000;
export const outboxPageMax = 1_000;

export interface SlotView {
  readonly id: string;
  readonly doctorId: string;
  readonly date: string;
  readonly start: number;
  readonly end: number;
  readonly status: SlotStatus;
  readonly cabinet: string;
  /** The viewer holds it (it is still `held`: not free for anyone, bookable by the viewer). */
  readonly heldByViewer?: true;
}

export interface SlotQuery {
  readonly at: number;
  /** Omitted: every clinic of the region. */
  readonly clinicId?: string;
  readonly doctorId?: string;
  readonly specialty?: string;
  /** Local dates, inclusive; default from today to the end of the horizon. */
  readonly from?: string;
  readonly to?: string;
  /** Instants (ms), half-open: only slots starting at or after `fromMs` and before `toMs` (an RFC 3339 range). */
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly status?: SlotStatus;
  /** The holder asking (operator session or partner token). */
  readonly viewer?: string;
  readonly limit?: number;
}

export interface SlotList {
  readonly slots: SlotView[];
  readonly truncated: boolean;
}

/** The doctors a query covers: a clinic's roster (or every clinic's), filtered by doctor and specialty. */
export function doctorsFor(read: ReadModel, query: Pick<SlotQuery, 'clinicId' | 'doctorId' | 'specialty'>): DoctorState[] {
  const clinicIds = query.clinicId === undefined ? [...read.region().clinics.keys()].sort() : [query.clinicId];
  const doctors: DoctorState[] = [];
  for (const clinicId of clinicIds) {
    const clinic = read.clinic(clinicId);
    if (clinic === undefined) continue;
    for (const info of clinic.roster.values()) {
      if (query.doctorId !== undefined && info.id !== query.doctorId) continue;
      if (query.specialty !== undefined && info.specialty !== query.specialty) continue;
      const doctor = read.doctor(info.id);
      if (doctor !== undefined) doctors.push(doctor);
    }
  }
  return doctors;
}

export function slotView(doctor: DoctorState, slot: Slot, at: number, viewer?: string): SlotView {
  const status = doctor.calendar.statusOf(slot, at);
  const view = { id: slot.id, doctorId: doctor.id, date: slot.date, start: slot.startAt, end: slot.endAt, status, cabinet: slot.cabinet };
  return status === 'held' && viewer !== undefined && activeHold(slot, at)?.holder === viewer ? { ...view, heldByViewer: true } : view;
}

/**
 * Slots in the date range, by start time; with `status: 'free'` only bookable ones (future, free). Walks the
 * range date by date across the doctors, so it can stop at the first date that fills the limit.
 */
export function listSlots(read: ReadModel, query: SlotQuery): SlotList {
  const limit = Math.min(query.limit ?? slotListMax, slotListMax);
  const doctors = doctorsFor(read, query).filter((doctor) => doctor.calendar.today !== undefined);
  if (doctors.length === 0) return { slots: [], truncated: false };
  let first: string | undefined;
  let last: string | undefined;
  for (const doctor of doctors) {
    const today = doctor.calendar.today as string;
    const end = addDays(today, Math.max(doctor.calendar.days.size - 1, 0));
    if (first === undefined || today < first) first = today;
    if (last === undefined || end > last) last = end;
  }
  const from = query.from === undefined || query.from < (first as string) ? (first as string) : query.from;
  const to = query.to === undefined || query.to > (last as string) ? (last as string) : query.to;
  const slots: SlotView[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const ofDate: SlotView[] = [];
    for (const doctor of doctors) {
      const day = doctor.calendar.days.get(date);
      if (day === undefined || (query.status === 'free' && day.freeCount === 0)) continue;
      for (const slot of day.slots) {
        const view = slotView(doctor, slot, query.at, query.viewer);
        if (query.status !== undefined && view.status !== query.status) continue;
        if (query.status === 'free' && slot.startAt <= query.at) continue;
        if ((query.fromMs !== undefined && slot.startAt < query.fromMs) || (query.toMs !== undefined && slot.startAt >= query.toMs)) continue;
        ofDate.push(view);
      }
    }
    ofDate.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const view of ofDate) {
      if (slots.length >= limit) return { slots, truncated: true };
      slots.push(view);
    }
  }
  return { slots, truncated: false };
}

/**
 * The nearest free slot from `at` (or on `date` only) among the doctors of the query. Per doctor it walks days
 * in order and stops at the first free one, so the cost is the days skipped plus one day's slots per doctor.
 */
export function nearestFreeSlot(read: ReadModel, query: Omit<SlotQuery, 'from' | 'to' | 'status' | 'limit'> & { readonly date?: string }): SlotView | undefined {
  let best: SlotView | undefined;
  for (const doctor of doctorsFor(read, query)) {
    const calendar = doctor.calendar;
    const today = calendar.today;
    if (today === undefined) continue;
    const first = query.date ?? (localDate(query.at, doctor.timeZone) > today ? localDate(query.at, doctor.timeZone) : today);
    const last = query.date ?? addDays(today, calendar.days.size - 1);
    for (let date = first; date <= last; date = addDays(date, 1)) {
      if (best !== undefined && date > best.date) break;
      const day = calendar.days.get(date);
      if (day === undefined || day.freeCount === 0) continue;
      const slot = day.slots.find((s) => s.startAt > query.at && calendar.statusOf(s, query.at) === 'free');
      if (slot === undefined) continue;
      if (best === undefined || slot.startAt < best.start || (slot.startAt === best.start && slot.id < best.id)) best = slotView(doctor, slot, query.at);
      break;
    }
  }
  return best;
}

export function appointmentOf(read: ReadModel, appointmentId: string): AppointmentView | undefined {
  const doctorId = ownerOf(appointmentId);
  const doctor = doctorId === undefined ? undefined : read.doctor(doctorId);
  const appointment = doctor?.appointments.get(appointmentId);
  return doctor === undefined || appointment === undefined ? undefined : appointmentView(appointment, doctor.needsRebooking(appointment.id));
}

export function doctorQueue(read: ReadModel, doctorId: string, at: number): QueueView | undefined {
  const doctor = read.doctor(doctorId);
  return doctor === undefined ? undefined : queueView(doctor, at);
}

export function queuePositionOf(read: ReadModel, appointmentId: string, at: number): QueueEntry | undefined {
  const doctorId = ownerOf(appointmentId);
  const doctor = doctorId === undefined ? undefined : read.doctor(doctorId);
  return doctor === undefined ? undefined : queuePosition(doctor, appointmentId, at);
}

/**
 * Live appointments on days the doctor no longer receives (vacation, sick day, stop notice, a slot dropped
 * from the template): the registry's list of patients to call and rebook. Walks blocked days and retired slots.
 */
export function rebookingList(read: ReadModel, clinicId: string): AppointmentView[] {
  const list: AppointmentView[] = [];
  for (const doctor of doctorsFor(read, { clinicId })) {
    for (const day of doctor.calendar.days.values()) {
      for (const slot of day.slots) {
        if (slot.appointmentId === undefined || !(day.blocked || slot.retired)) continue;
        const appointment = doctor.appointments.get(slot.appointmentId);
        if (appointment !== undefined && doctor.needsRebooking(appointment.id)) list.push(appointmentView(appointment, true));
      }
    }
  }
  return list.sort((a, b) => a.startAt - b.startAt || (a.id < b.id ? -1 : 1));
}

export function clinicAlerts(read: ReadModel, clinicId: string, openOnly = false): Alert[] {
  const clinic = read.clinic(clinicId);
  if (clinic === undefined) return [];
  const alerts: Alert[] = [];
  for (const alert of clinic.calendar.alerts.alerts.values()) if (!openOnly || alert.acknowledgedAt === undefined) alerts.push({ ...alert });
  return alerts;
}

/** Outbox items after `afterSeq`, oldest first: what a channel adapter takes next. */
export function outboxItems(read: ReadModel, clinicId: string, afterSeq = 0, limit = outboxPageMax): OutboxItem[] {
  const clinic = read.clinic(clinicId);
  if (clinic === undefined) return [];
  const page: OutboxItem[] = [];
  for (const item of clinic.calendar.outbox.items) {
    if (item.seq <= afterSeq) continue;
    if (page.length >= Math.min(limit, outboxPageMax)) break;
    page.push(item);
  }
  return page;
}
