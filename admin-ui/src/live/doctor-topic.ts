/**
 * The `doctor/<id>` topic: profile, route list by date, calendar days with their slots, appointments and the
 * reception queue. A diff replaces each changed visit, slot or appointment by id, and the queue or the whole
 * calendar when it carries them. Pure functions returning new views.
 */
import type { Appointment, CalendarDay, DoctorProfile, QueueView, Slot, Visit } from '../api/types.ts';

export interface DoctorView {
  readonly doctor: DoctorProfile;
  readonly today: string;
  readonly days: readonly CalendarDay[];
  readonly visits: ReadonlyMap<string, Visit>;
  readonly appointments: ReadonlyMap<string, Appointment>;
  readonly queue: QueueView;
}

interface DoctorData {
  readonly doctor?: DoctorProfile;
  readonly routeList?: ReadonlyArray<{ readonly date: string; readonly visits: readonly Visit[] }>;
  readonly calendar?: { readonly today: string; readonly days: readonly CalendarDay[] };
  readonly appointments?: readonly Appointment[];
  readonly queue?: QueueView;
  readonly visits?: readonly Visit[];
  readonly slots?: readonly Slot[];
}

const visitKey = (visit: Pick<Visit, 'visitDate' | 'callId'>): string => `${visit.visitDate}|${visit.callId}`;

export function doctorFromSnapshot(data: unknown): DoctorView {
  const snapshot = data as DoctorData;
  const visits = new Map<string, Visit>();
  for (const day of snapshot.routeList ?? []) for (const visit of day.visits) visits.set(visitKey(visit), visit);
  const appointments = new Map<string, Appointment>();
  for (const appointment of snapshot.appointments ?? []) appointments.set(appointment.id, appointment);
  return {
    doctor: snapshot.doctor as DoctorProfile,
    today: snapshot.calendar?.today ?? '',
    days: snapshot.calendar?.days ?? [],
    visits,
    appointments,
    queue: snapshot.queue as QueueView,
  };
}

export function doctorWithDiff(view: DoctorView, data: unknown): DoctorView {
  const diff = data as DoctorData;
  let { visits, appointments, days, today } = view;
  if (diff.visits !== undefined) {
    const next = new Map(visits);
    for (const visit of diff.visits) {
      if (visit.removed === true) next.delete(visitKey(visit));
      else next.set(visitKey(visit), visit);
    }
    visits = next;
  }
  if (diff.appointments !== undefined) {
    const next = new Map(appointments);
    for (const appointment of diff.appointments) {
      if (appointment.removed === true) next.delete(appointment.id);
      else next.set(appointment.id, appointment);
    }
    appointments = next;
  }
  if (diff.calendar !== undefined) {
    days = diff.calendar.days;
    today = diff.calendar.today;
  } else if (diff.slots !== undefined) days = withSlots(days, diff.slots);
  return { doctor: diff.doctor ?? view.doctor, today, days, visits, appointments, queue: diff.queue ?? view.queue };
}

function withSlots(days: readonly CalendarDay[], slots: readonly Slot[]): CalendarDay[] {
  const byId = new Map(slots.map((slot) => [slot.id, slot]));
  return days.map((day) => {
    if (!day.slots.some((slot) => byId.has(slot.id))) return day;
    const next = day.slots.flatMap((slot) => {
      const changed = byId.get(slot.id);
      if (changed === undefined) return [slot];
      return changed.removed === true ? [] : [changed];
    });
    return { ...day, slots: next, freeCount: next.filter((slot) => slot.status === 'free').length };
  });
}

export function visitsOn(view: DoctorView, date: string): Visit[] {
  return [...view.visits.values()].filter((visit) => visit.visitDate === date).sort((a, b) => a.callId.localeCompare(b.callId));
}
