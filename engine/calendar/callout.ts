/**
 * Automated confirmation call-out. The robot takes the task list for a date (by default tomorrow in each
 * clinic's zone): every appointment still `booked` with attempts left, with its attempts, last result and the
 * clinic's template filled in. It writes results back by appointment id: `confirmed` confirms, `declined`
 * declines and frees the slot, `busy` / `no_answer` / `failed` count an attempt. A result for an attempt
 * number already recorded changes nothing (the robot retries its uploads).
 *
 * Bounds: attempts are numbered 1..`calloutAttemptsLimit`; a task list holds at most `calloutTasksMax` tasks;
 * talk time is at most `talkSecondsMax`.
 */
import { accept, rejected, type DecideContext, type Decision } from '../actor.ts';
import { addDays, formatHhmm, localDate } from '../domain/local-time.ts';
import type { DoctorState } from '../doctor-state.ts';
import type { DoctorEvent, DoctorInput } from '../messages.ts';
import type { ReadModel } from '../read-model.ts';
import { reject } from '../rejection.ts';
import { calloutResults, lastCalloutResult, type AppointmentStatus, type CalloutEntry, type CalloutResult } from './appointment.ts';
import { calloutAttemptsLimit, fillTemplate, type CalloutPlaceholder } from './calendar-settings.ts';
import { findAppointment, illegalAppointment, movingConflict } from './doctor-decide-support.ts';
import { parseSlotId } from './slot-template.ts';

export const calloutTasksMax = 10_000;
export const talkSecondsMax = 24 * 60 * 60;

type Message<T extends DoctorInput['type']> = Extract<DoctorInput, { type: T }>;

export function decideCalloutResult(state: DoctorState, message: Message<'RecordCalloutResult'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = findAppointment(state, message.appointmentId);
  if ('code' in appointment) return rejected(appointment);
  if (!calloutResults.includes(message.result)) return rejected(reject('invalid', `result must be one of ${calloutResults.join(', ')}`, '/result'));
  if (!Number.isInteger(message.attempt) || message.attempt < 1 || message.attempt > calloutAttemptsLimit) {
    return rejected(reject('invalid', `attempt must be 1..${calloutAttemptsLimit}`, '/attempt'));
  }
  const talk = message.talkSeconds;
  if (talk !== undefined && !(Number.isInteger(talk) && talk >= 0 && talk <= talkSecondsMax)) {
    return rejected(reject('invalid', `talkSeconds must be 0..${talkSecondsMax}`, '/talkSeconds'));
  }
  if (message.at !== undefined && !(Number.isFinite(message.at) && message.at >= 0)) return rejected(reject('invalid', 'at must be an instant', '/at'));
  // The idempotency key is (appointment, attempt): checked before any status rule, so a retried upload of a
  // result that already settled the appointment is still answered as accepted.
  if (appointment.callout.some((entry) => entry.attempt === message.attempt)) {
    const attempts = appointment.callout.length;
    return accept([], { appointmentId: appointment.id, attempt: message.attempt, changed: false, status: appointment.status, attempts });
  }
  const moving = movingConflict(appointment);
  if (moving !== undefined) return rejected(moving);
  if (appointment.movedTo !== undefined || (appointment.status !== 'booked' && appointment.status !== 'confirmed')) {
    return rejected(illegalAppointment(appointment, message.result === 'declined' ? 'declined' : 'confirmed'));
  }
  const entry: CalloutEntry = {
    attempt: message.attempt,
    result: message.result,
    at: message.at ?? context.at,
    ...(talk === undefined ? {} : { talkSeconds: talk }),
  };
  const events: DoctorEvent[] = [{ type: 'CalloutResultRecorded', appointmentId: appointment.id, entry }];
  let status: AppointmentStatus = appointment.status;
  if (message.result === 'confirmed' && appointment.status === 'booked') status = 'confirmed';
  if (message.result === 'declined') status = 'declined';
  if (status !== appointment.status) {
    const note = `call-out attempt ${message.attempt}`;
    events.push({ type: 'AppointmentStatusChanged', appointmentId: appointment.id, status, at: context.at, by: context.by, note });
  }
  return accept(events, { appointmentId: appointment.id, attempt: message.attempt, changed: true, status, attempts: appointment.callout.length + 1 });
}

// ---------------------------------------------------------------- read side

export interface CalloutTask {
  readonly appointmentId: string;
  readonly clinicId: string;
  readonly phone: string;
  readonly attempts: number;
  readonly lastResult: CalloutResult | null;
  readonly message: string;
  readonly fields: Readonly<Record<CalloutPlaceholder, string>>;
}

export interface CalloutQuery {
  /** Epoch ms of the request: "tomorrow" is computed from it in each clinic's zone. */
  readonly at: number;
  readonly date?: string;
  readonly clinicId?: string;
}

/**
 * The call-out list. Reads each clinic's roster and, per doctor, only the appointments of the date (indexed
 * by date), so its cost is the appointments of that day, not the history.
 */
export function calloutTasks(read: ReadModel, query: CalloutQuery): CalloutTask[] {
  const clinicIds = query.clinicId === undefined ? [...read.region().clinics.keys()].sort() : [query.clinicId];
  const tasks: CalloutTask[] = [];
  for (const clinicId of clinicIds) {
    const clinic = read.clinic(clinicId);
    if (clinic?.info === undefined) continue;
    const info = clinic.info;
    const settings = clinic.calendar.settings;
    const date = query.date ?? addDays(localDate(query.at, info.timeZone), 1);
    for (const doctorInfo of clinic.roster.values()) {
      const doctor = read.doctor(doctorInfo.id);
      if (doctor === undefined) continue;
      for (const appointment of doctor.appointments.onDate(date)) {
        if (appointment.status !== 'booked' || appointment.movingTo !== undefined) continue;
        if (appointment.callout.length >= settings.calloutAttemptsMax) continue;
        if (tasks.length >= calloutTasksMax) return tasks;
        const fields = {
          patient: appointment.patient.name,
          date: appointment.date,
          time: formatHhmm(parseSlotId(appointment.slotId)?.startMinutes ?? 0),
          doctor: doctorInfo.name,
          specialty: doctorInfo.specialty,
          services: appointment.services.join(', '),
          clinic: info.name,
          address: info.address,
          clinicPhone: info.phone ?? '',
        };
        tasks.push({
          appointmentId: appointment.id,
          clinicId,
          phone: appointment.patient.phone,
          attempts: appointment.callout.length,
          lastResult: lastCalloutResult(appointment) ?? null,
          message: fillTemplate(settings.calloutTemplate, fields),
          fields,
        });
      }
    }
  }
  return tasks;
}
