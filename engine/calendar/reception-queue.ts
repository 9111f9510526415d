/**
 * The reception queue of a doctor's day. Check-in gives a queue number unique per doctor and day; the live
 * queue orders checked-in patients by appointment time; "call next" takes the first into the cabinet (busy),
 * completing frees it. A patient's position and expected wait are derived on read (`queueView`).
 *
 * Check-in opens `checkInOpensMinutesBefore` minutes (a clinic setting, 60 by default) before the appointment;
 * earlier it is refused with the local time it opens at (details.opensAt), so the desk can say when.
 *
 * The expected wait assumes the doctor serves in queue order and each visit takes its slot's length; the
 * visit in service is expected to take its slot's length from when it began (at least until now).
 */
import { accept, rejected, type DecideContext, type Decision } from '../actor.ts';
import { formatHhmm, localDate, localParts } from '../domain/local-time.ts';
import type { DoctorState } from '../doctor-state.ts';
import type { DoctorEvent, DoctorInput } from '../messages.ts';
import { reject } from '../rejection.ts';
import { changeableAppointment, describe, notice } from './doctor-decide-support.ts';

type Message<T extends DoctorInput['type']> = Extract<DoctorInput, { type: T }>;


export function decideCheckIn(state: DoctorState, message: Message<'CheckInAppointment'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = changeableAppointment(state, message.appointmentId, 'checked_in');
  if ('code' in appointment) return rejected(appointment);
  const today = localDate(context.at, state.timeZone);
  if (appointment.date !== today) {
    return rejected(reject('rule_broken', `check-in is open on the day of the appointment (${appointment.date})`, '/appointmentId'));
  }
  if (state.needsRebooking(appointment.id)) {
    return rejected(reject('rule_broken', 'the doctor does not receive at this time; rebook the appointment', '/appointmentId'));
  }
  const windowMinutes = state.calendar.settings.checkInOpensMinutesBefore;
  const opensAt = appointment.startAt - windowMinutes * 60_000;
  if (context.at < opensAt) {
    const opens = formatHhmm(localParts(opensAt, state.timeZone).minutes);
    const starts = formatHhmm(localParts(appointment.startAt, state.timeZone).minutes);
    return rejected(reject(
      'rule_broken',
      `check-in opens ${windowMinutes} minutes before the appointment: at ${opens} for the one at ${starts}`,
      '/appointmentId',
      { rule: 'check_in_window', opensAt: opens, startsAt: starts, windowMinutes: String(windowMinutes) },
    ));
  }
  const queueNumber = state.appointments.nextQueueNumber(today);
  const event: DoctorEvent = { type: 'AppointmentCheckedIn', appointmentId: appointment.id, queueNumber, at: context.at, by: context.by };
  return accept([event], undefined, [describe(appointment.id, context.self)]);
}

export function decideCallNext(state: DoctorState, context: DecideContext): Decision<DoctorEvent> {
  const serving = state.appointments.servingId;
  if (serving !== undefined) {
    return rejected(reject('rule_broken', 'the cabinet is busy: complete the current visit first', '/doctorId', { appointmentId: serving }));
  }
  const next = state.appointments.nextWaiting(localDate(context.at, state.timeZone));
  if (next === undefined) return rejected(reject('rule_broken', 'no patient is waiting', '/doctorId'));
  const event: DoctorEvent = { type: 'AppointmentStatusChanged', appointmentId: next.id, status: 'in_service', at: context.at, by: context.by };
  return accept([event], undefined, [describe(next.id, context.self)]);
}

export function decideComplete(state: DoctorState, message: Message<'CompleteAppointment'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = changeableAppointment(state, message.appointmentId, 'completed');
  if ('code' in appointment) return rejected(appointment);
  const event: DoctorEvent = { type: 'AppointmentStatusChanged', appointmentId: appointment.id, status: 'completed', at: context.at, by: context.by };
  return accept([event], undefined, [notice(state, appointment, 'feedback_request', context.at), describe(appointment.id, context.self)]);
}

export function decideNoShow(state: DoctorState, message: Message<'MarkNoShow'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = changeableAppointment(state, message.appointmentId, 'no_show');
  if ('code' in appointment) return rejected(appointment);
  if (context.at < appointment.startAt) return rejected(reject('rule_broken', 'the appointment time has not come yet', '/appointmentId'));
  const event: DoctorEvent = { type: 'AppointmentStatusChanged', appointmentId: appointment.id, status: 'no_show', at: context.at, by: context.by };
  return accept([event], undefined, [describe(appointment.id, context.self)]);
}

// ---------------------------------------------------------------- read side

export interface QueueEntry {
  readonly appointmentId: string;
  readonly queueNumber: number;
  readonly patientName: string;
  readonly startAt: number;
  /** 1 for the next to be called. */
  readonly position: number;
  readonly expectedWaitMinutes: number;
}

export interface QueueView {
  readonly doctorId: string;
  readonly date: string;
  readonly cabinet: { readonly state: 'free' | 'busy'; readonly cabinet?: string; readonly appointmentId?: string };
  readonly waiting: QueueEntry[];
}

/** The doctor's live queue for the local date of `at`. Cost: O(q log q) for q waiting patients. */
export function queueView(doctor: DoctorState, at: number): QueueView {
  const date = localDate(at, doctor.timeZone);
  const servingId = doctor.appointments.servingId;
  const serving = servingId === undefined ? undefined : doctor.appointments.get(servingId);
  let clock = at;
  if (serving !== undefined) clock = Math.max(at, (serving.serviceStartedAt ?? at) + (serving.endAt - serving.startAt));
  const waiting = doctor.appointments.waitingOn(date).map((appointment, index): QueueEntry => {
    const entry = {
      appointmentId: appointment.id,
      queueNumber: appointment.queueNumber ?? 0,
      patientName: appointment.patient.name,
      startAt: appointment.startAt,
      position: index + 1,
      expectedWaitMinutes: Math.ceil((clock - at) / 60_000),
    };
    clock += appointment.endAt - appointment.startAt;
    return entry;
  });
  const cabinet =
    serving === undefined
      ? { state: 'free' as const }
      : { state: 'busy' as const, cabinet: serving.cabinet, appointmentId: serving.id };
  return { doctorId: doctor.id, date, cabinet, waiting };
}

/** One patient's place in the queue, or undefined when the appointment is not waiting. */
export function queuePosition(doctor: DoctorState, appointmentId: string, at: number): QueueEntry | undefined {
  return queueView(doctor, at).waiting.find((entry) => entry.appointmentId === appointmentId);
}
