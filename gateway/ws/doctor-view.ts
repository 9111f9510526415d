/**
 * What `doctor/<id>` subscribers see: the doctor, the route list of home visits by date, the slot calendar
 * (days with their slots, exceptions), the appointments of those days and the reception queue with the
 * cabinet's state — everything the DoctorState exposes, over `doctorSnapshotDaysMax` days from the doctor's
 * today. A diff carries only what the batch changed: route visits, slots, appointments (each with its slot),
 * the queue when it moved; events that reshape the calendar (a new template, the daily roll, an exception, a
 * reschedule whose old slot the event does not name) resend the calendar part whole.
 *
 * A held slot shows `heldBy`, a one-way tag of the holder (the welcome frame tells a client its own), never
 * the holder or the hold id: either would let another client claim the hold.
 *
 * Cost: a diff reads the changed items by id; only the rare reshaping events cost O(days × slots per day).
 */
import { addDays, formatHhmm, localDate } from '../../engine/domain/local-time.ts';
import { appointmentView, queueView, type DoctorEvent, type DoctorState, type ReadModel, type Slot } from '../../engine/index.ts';
import type { RouteVisit } from '../../engine/doctor-state.ts';
import { isoAt } from '../views.ts';
import { holderTagOf } from './operator-session.ts';
import { withIsoInstants } from './wire-instants.ts';

/** What one batch changed in one doctor, gathered event by event. */
export class DoctorChanges {
  /** `<visitDate>|<callId>` → the visit's key parts. */
  readonly visits = new Map<string, { readonly callId: string; readonly visitDate: string }>();
  readonly slots = new Set<string>();
  readonly appointments = new Set<string>();
  queue = false;
  calendar = false;
  profile = false;

  get size(): number {
    return this.visits.size + this.slots.size + this.appointments.size;
  }

  note(event: DoctorEvent): void {
    switch (event.type) {
      case 'DoctorOpened':
        this.profile = true;
        this.calendar = true;
        return;
      case 'VisitAdded':
        this.#visit(event.visit.callId, event.visit.visitDate);
        return;
      case 'VisitRemoved':
      case 'VisitCompleted':
        this.#visit(event.callId, event.visitDate);
        return;
      case 'DoctorCalendarSettingsChanged':
      case 'ScheduleSet':
      case 'CalendarRolled':
      case 'CalendarExceptionAdded':
      case 'CalendarExceptionLifted':
        this.calendar = true;
        this.queue = true;
        return;
      case 'SlotHeld':
      case 'HoldReleased':
        this.slots.add(event.slotId);
        return;
      case 'AppointmentBooked':
        this.appointments.add(event.appointment.id);
        this.slots.add(event.appointment.slotId);
        return;
      case 'AppointmentRescheduled':
        this.appointments.add(event.appointmentId);
        this.calendar = true;
        return;
      case 'AppointmentStatusChanged':
      case 'AppointmentCheckedIn':
        this.appointments.add(event.appointmentId);
        this.queue = true;
        return;
      case 'AppointmentMoveStarted':
      case 'AppointmentMoveAborted':
      case 'AppointmentMovedOut':
      case 'CalloutResultRecorded':
      case 'FeedbackRecorded':
        this.appointments.add(event.appointmentId);
        return;
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  /** Parts of at most `itemsMax` changed items each; the first keeps the flags (calendar, queue, profile). */
  split(itemsMax: number): DoctorChanges[] {
    if (this.size <= itemsMax) return [this];
    const parts: DoctorChanges[] = [];
    let part = new DoctorChanges();
    part.queue = this.queue;
    part.calendar = this.calendar;
    part.profile = this.profile;
    const next = (): void => {
      if (part.size < itemsMax) return;
      parts.push(part);
      part = new DoctorChanges();
    };
    for (const [key, visit] of this.visits) { part.visits.set(key, visit); next(); }
    for (const id of this.slots) { part.slots.add(id); next(); }
    for (const id of this.appointments) { part.appointments.add(id); next(); }
    if (part.size > 0) parts.push(part);
    return parts;
  }

  #visit(callId: string, visitDate: string): void {
    this.visits.set(`${visitDate}|${callId}`, { callId, visitDate });
  }
}

export function doctorSnapshot(read: ReadModel, doctorId: string, now: number, daysMax: number): Record<string, unknown> | undefined {
  const doctor = read.doctor(doctorId);
  if (doctor === undefined) return undefined;
  const dates = datesOf(doctor, now, daysMax);
  const routeList = dates
    .map((date) => ({ date, visits: [...doctor.visitsOn(date).values()].map((visit) => visitWire(visit, doctor.timeZone)) }))
    .filter((day) => day.visits.length > 0);
  const appointments = dates.flatMap((date) => doctor.appointments.onDate(date).map((appointment) => appointmentWire(doctor, appointment.id)));
  return {
    doctor: profileOf(doctor),
    routeList,
    calendar: calendarWire(doctor, now, dates),
    appointments,
    queue: withIsoInstants(queueView(doctor, now), doctor.timeZone),
  };
}

/** One diff frame's data for a doctor; the caller splits large change sets (see `DoctorChanges.size`). */
export function doctorDiff(read: ReadModel, doctorId: string, now: number, changes: DoctorChanges, daysMax: number): Record<string, unknown> | undefined {
  const doctor = read.doctor(doctorId);
  if (doctor === undefined) return undefined;
  const timeZone = doctor.timeZone;
  const data: Record<string, unknown> = {};
  if (changes.profile) data['doctor'] = profileOf(doctor);
  if (changes.visits.size > 0) {
    data['visits'] = [...changes.visits.values()].map(({ callId, visitDate }) => {
      const visit = doctor.visitsOn(visitDate).get(callId);
      return visit === undefined ? { callId, visitDate, removed: true } : visitWire(visit, timeZone);
    });
  }
  const slotIds = new Set(changes.slots);
  if (changes.appointments.size > 0) {
    const appointments: unknown[] = [];
    for (const id of changes.appointments) {
      const appointment = doctor.appointments.get(id);
      if (appointment === undefined) appointments.push({ id, removed: true });
      else {
        appointments.push(appointmentWire(doctor, id));
        slotIds.add(appointment.slotId);
      }
    }
    data['appointments'] = appointments;
  }
  if (changes.calendar) data['calendar'] = calendarWire(doctor, now, datesOf(doctor, now, daysMax));
  else if (slotIds.size > 0) {
    data['slots'] = [...slotIds].map((id) => {
      const slot = doctor.calendar.slot(id);
      return slot === undefined ? { id, removed: true } : slotWire(doctor, slot, now);
    });
  }
  if (changes.queue) data['queue'] = withIsoInstants(queueView(doctor, now), timeZone);
  return data;
}

function datesOf(doctor: DoctorState, now: number, daysMax: number): string[] {
  const today = localDate(now, doctor.timeZone);
  return Array.from({ length: daysMax }, (_, index) => addDays(today, index));
}

function profileOf(doctor: DoctorState): Record<string, unknown> {
  const info = doctor.info;
  return {
    id: doctor.id,
    clinicId: info?.clinicId,
    name: info?.name,
    specialty: info?.specialty,
    subdivisionId: info?.subdivisionId,
    timeZone: doctor.timeZone,
    holdTtlMinutes: doctor.calendar.settings.holdTtlMinutes,
    checkInOpensMinutesBefore: doctor.calendar.settings.checkInOpensMinutesBefore,
  };
}

function visitWire(visit: RouteVisit, timeZone: string): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...visit };
  if (visit.doneAt !== undefined) wire['doneAt'] = isoAt(visit.doneAt, timeZone);
  return wire;
}

function appointmentWire(doctor: DoctorState, appointmentId: string): unknown {
  const appointment = doctor.appointments.get(appointmentId);
  return appointment === undefined ? { id: appointmentId, removed: true } : withIsoInstants(appointmentView(appointment, doctor.needsRebooking(appointmentId)), doctor.timeZone);
}

function calendarWire(doctor: DoctorState, now: number, dates: readonly string[]): Record<string, unknown> {
  const calendar = doctor.calendar;
  const days: unknown[] = [];
  for (const date of dates) {
    const day = calendar.days.get(date);
    if (day === undefined) continue;
    days.push({ date, blocked: day.blocked, freeCount: day.freeCount, slots: day.slots.map((slot) => slotWire(doctor, slot, now)) });
  }
  return {
    today: calendar.today,
    exceptions: [...calendar.exceptions.values()].map((exception) => withIsoInstants(exception, doctor.timeZone)),
    days,
  };
}

function slotWire(doctor: DoctorState, slot: Slot, now: number): Record<string, unknown> {
  const timeZone = doctor.timeZone;
  const status = doctor.calendar.statusOf(slot, now);
  const wire: Record<string, unknown> = {
    id: slot.id,
    date: slot.date,
    start: formatHhmm(slot.startMinutes),
    end: formatHhmm(slot.endMinutes),
    startAt: isoAt(slot.startAt, timeZone),
    endAt: isoAt(slot.endAt, timeZone),
    cabinet: slot.cabinet,
    status,
  };
  if (slot.appointmentId !== undefined) wire['appointmentId'] = slot.appointmentId;
  if (status === 'held' && slot.hold !== undefined) {
    wire['heldBy'] = holderTagOf(slot.hold.holder);
    wire['holdExpiresAt'] = isoAt(slot.hold.expiresAt, timeZone);
  }
  return wire;
}
