/**
 * The DoctorActor's calendar upkeep: the template, the settings from the clinic, exceptions (vacation, sick
 * day, stop notice) and the timer (expired holds, the daily roll of the horizon with tomorrow's reminders).
 *
 * Bounds: the horizon is `slotHorizonDays` (at most `slotHorizonDaysMax`) days; an exception spans at most
 * `exceptionDaysMax` days and a doctor has at most `exceptionsPerDoctorMax` of them; reminders of one roll are
 * bounded by one day's slots.
 */
import { accept, rejected, type DecideContext, type Decision } from '../actor.ts';
import type { DoctorInfo } from '../directory.ts';
import { addDays, daysBetween, instantOf, isIsoDate, localDate } from '../domain/local-time.ts';
import type { DoctorState } from '../doctor-state.ts';
import { reasonCharsMax, validateText } from '../intake.ts';
import type { DoctorEvent, DoctorInput } from '../messages.ts';
import { fail, reject, type Rejection } from '../rejection.ts';
import type { DoctorCalendarSettings } from './calendar-settings.ts';
import { doctorOf, noticeDraft, notices } from './doctor-decide-support.ts';
import type { NotificationDraft } from './outbox.ts';
import { exceptionDaysMax, exceptionKinds, exceptionsPerDoctorMax, type CalendarException } from './slot-calendar.ts';
import { validateSlotTemplate } from './slot-template.ts';

/** Reminders for tomorrow go out from this local time today (the roll queues them at midnight). */
export const reminderLocalMinutes = 10 * 60;

type Message<T extends DoctorInput['type']> = Extract<DoctorInput, { type: T }>;

function rolled(today: string, settings: DoctorCalendarSettings): DoctorEvent {
  return { type: 'CalendarRolled', today, openThrough: addDays(today, settings.slotHorizonDays - 1) };
}

/** The opening events of a doctor: the directory entry, then the template and the first horizon if it has one. */
export function decideOpenDoctor(state: DoctorState, message: Message<'OpenDoctor'>, context: DecideContext): Decision<DoctorEvent> {
  if (state.info !== undefined) fail(`doctor ${state.id} opened twice`);
  const events: DoctorEvent[] = [{ type: 'DoctorOpened', doctor: message.doctor, timeZone: message.timeZone }];
  if (message.doctor.slotTemplate !== undefined) {
    const template = validateSlotTemplate(message.doctor.slotTemplate, message.doctor.specialty);
    if ('code' in template) fail(`the region let an invalid template of ${state.id} through`);
    events.push({ type: 'ScheduleSet', template }, rolled(localDate(context.at, message.timeZone), state.calendar.settings));
  }
  return accept(events);
}

export function decideSetSchedule(state: DoctorState, message: Message<'SetSchedule'>, context: DecideContext): Decision<DoctorEvent> {
  const doctor = doctorOf(state);
  const template = validateSlotTemplate(message.template, doctor.specialty);
  if ('code' in template) return rejected(template);
  const events: DoctorEvent[] = [{ type: 'ScheduleSet', template }];
  const today = localDate(context.at, state.timeZone);
  if (state.calendar.today === undefined || state.calendar.today < today) events.push(rolled(today, state.calendar.settings));
  return accept(events, { doctorId: state.id, rules: template.length });
}

/** Validates a template in a doctor's directory entry (the region checks it before the doctor exists). */
export function templateError(doctor: DoctorInfo): Rejection | undefined {
  if (doctor.slotTemplate === undefined) return undefined;
  const template = validateSlotTemplate(doctor.slotTemplate, doctor.specialty, '/doctor/slotTemplate');
  return 'code' in template ? template : undefined;
}

export function decideApplySettings(state: DoctorState, message: Message<'ApplyCalendarSettings'>, context: DecideContext): Decision<DoctorEvent> {
  const events: DoctorEvent[] = [{ type: 'DoctorCalendarSettingsChanged', settings: message.settings }];
  const horizonChanged = message.settings.slotHorizonDays !== state.calendar.settings.slotHorizonDays;
  if (state.calendar.today !== undefined && horizonChanged) events.push(rolled(localDate(context.at, state.timeZone), message.settings));
  return accept(events);
}

export function decideAddException(state: DoctorState, message: Message<'AddCalendarException'>, context: DecideContext): Decision<DoctorEvent> {
  doctorOf(state);
  const input = message.exception;
  if (typeof input !== 'object' || input === null) return rejected(reject('invalid', 'exception is required', '/exception'));
  if (!exceptionKinds.includes(input.kind)) return rejected(reject('invalid', `kind must be one of ${exceptionKinds.join(', ')}`, '/exception/kind'));
  if (typeof input.from !== 'string' || !isIsoDate(input.from)) return rejected(reject('invalid', 'from must be a date YYYY-MM-DD', '/exception/from'));
  if (typeof input.to !== 'string' || !isIsoDate(input.to) || input.to < input.from) {
    return rejected(reject('invalid', 'to must be a date YYYY-MM-DD not before from', '/exception/to'));
  }
  if (daysBetween(input.from, input.to) + 1 > exceptionDaysMax) {
    return rejected(reject('invalid', `an exception covers at most ${exceptionDaysMax} days`, '/exception/to'));
  }
  if (input.to < localDate(context.at, state.timeZone)) return rejected(reject('rule_broken', 'the exception is in the past', '/exception/to'));
  const reasonError = validateText(input.reason, '/exception/reason', reasonCharsMax, false);
  if (reasonError !== undefined) return rejected(reasonError);
  if (state.calendar.exceptions.size >= exceptionsPerDoctorMax) {
    return rejected(reject('rule_broken', `a doctor has at most ${exceptionsPerDoctorMax} exceptions; lift one first`, '/exception'));
  }
  const exception: CalendarException = {
    id: `${state.id}.${context.ids.next()}`,
    kind: input.kind,
    from: input.from,
    to: input.to,
    ...(input.reason === undefined || input.reason.trim() === '' ? {} : { reason: input.reason.trim() }),
    at: context.at,
    by: context.by,
  };
  // Booked patients of the stopped days are listed for rebooking (and told), never dropped.
  const affected: string[] = [];
  const drafts: NotificationDraft[] = [];
  for (const day of state.calendar.days.values()) {
    if (day.date < exception.from || day.date > exception.to) continue;
    for (const slot of day.slots) {
      const appointment = slot.appointmentId === undefined ? undefined : state.appointments.get(slot.appointmentId);
      if (appointment === undefined || (appointment.status !== 'booked' && appointment.status !== 'confirmed')) continue;
      affected.push(appointment.id);
      drafts.push(noticeDraft(state, appointment, 'appointment_stopped', context.at));
    }
  }
  const reply = { exceptionId: exception.id, affectedAppointmentIds: affected };
  return accept([{ type: 'CalendarExceptionAdded', exception }], reply, notices(doctorOf(state).clinicId, drafts));
}

export function decideLiftException(state: DoctorState, message: Message<'LiftCalendarException'>): Decision<DoctorEvent> {
  if (!state.calendar.exceptions.has(message.exceptionId)) {
    return rejected(reject('not_found', `exception ${message.exceptionId} not found`, '/exceptionId'));
  }
  return accept([{ type: 'CalendarExceptionLifted', exceptionId: message.exceptionId }], { exceptionId: message.exceptionId, lifted: true });
}

/** Expired holds end; at local midnight the horizon rolls and tomorrow's patients get their reminders. */
export function decideDoctorTimers(state: DoctorState, at: number): Decision<DoctorEvent> {
  const calendar = state.calendar;
  const events: DoctorEvent[] = [];
  for (const entry of calendar.holdDeadlines.dueAtMost(at)) {
    const hold = calendar.slot(entry.key)?.hold;
    if (hold === undefined) fail(`stale hold deadline for ${entry.key}`);
    events.push({ type: 'HoldReleased', slotId: entry.key, holdId: hold.holdId, reason: 'expired' });
  }
  const drafts: NotificationDraft[] = [];
  if (calendar.nextRollAt !== undefined && at >= calendar.nextRollAt) {
    const today = localDate(at, state.timeZone);
    events.push(rolled(today, calendar.settings));
    const remindFrom = instantOf(today, reminderLocalMinutes, state.timeZone);
    for (const appointment of state.appointments.onDate(addDays(today, 1))) {
      if (appointment.status !== 'booked' && appointment.status !== 'confirmed') continue;
      drafts.push(noticeDraft(state, appointment, 'appointment_reminder', at, remindFrom));
    }
  }
  return accept(events, undefined, state.info === undefined ? [] : notices(state.info.clinicId, drafts));
}
