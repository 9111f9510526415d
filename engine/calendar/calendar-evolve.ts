/**
 * How the DoctorActor's calendar events change its state. Evolve trusts its events (decide checked them) but
 * asserts what would mean a bug: an illegal status change, a slot booked twice, a move that was not started.
 * Nothing here keeps a reference to an event's objects: events stay immutable for the log and for replay.
 */
import { addDays } from '../domain/local-time.ts';
import type { DoctorState } from '../doctor-state.ts';
import { fail } from '../rejection.ts';
import { assertNever } from '../router.ts';
import { copyAppointment, isLegalAppointmentTransition, keepsSlot, type Appointment } from './appointment.ts';
import { appointmentRetentionDays } from './appointment-book.ts';
import type { CalendarDoctorEvent } from './calendar-messages.ts';
import { withDoctorCalendarDefaults } from './calendar-settings.ts';

export function evolveCalendar(state: DoctorState, event: CalendarDoctorEvent): void {
  const { calendar, appointments } = state;
  switch (event.type) {
    case 'DoctorCalendarSettingsChanged':
      calendar.settings = withDoctorCalendarDefaults(event.settings);
      return;
    case 'ScheduleSet':
      calendar.setTemplate(event.template);
      return;
    case 'CalendarRolled':
      calendar.roll(event.today, event.openThrough);
      appointments.dropBefore(addDays(event.today, -appointmentRetentionDays), event.today);
      return;
    case 'CalendarExceptionAdded':
      calendar.addException(event.exception);
      return;
    case 'CalendarExceptionLifted':
      calendar.liftException(event.exceptionId);
      return;
    case 'SlotHeld':
      calendar.setHold(event.slotId, event.hold);
      return;
    case 'HoldReleased':
      calendar.clearHold(event.slotId, event.holdId);
      return;
    case 'AppointmentBooked': {
      const appointment = copyAppointment(event.appointment);
      appointments.add(appointment);
      calendar.link(appointment.slotId, appointment.id);
      return;
    }
    default:
      evolveAppointmentChange(state, event);
  }
}

type AppointmentChange = Exclude<
  CalendarDoctorEvent,
  {
    type:
      | 'DoctorCalendarSettingsChanged' | 'ScheduleSet' | 'CalendarRolled' | 'CalendarExceptionAdded' | 'CalendarExceptionLifted'
      | 'SlotHeld' | 'HoldReleased' | 'AppointmentBooked';
  }
>;

function evolveAppointmentChange(state: DoctorState, event: AppointmentChange): void {
  const { calendar, appointments } = state;
  const appointment = appointments.get(event.appointmentId);
  if (appointment === undefined) fail(`event ${event.type} for unknown appointment ${event.appointmentId}`);
  appointments.unfile(appointment);
  switch (event.type) {
    case 'AppointmentRescheduled': {
      const slot = calendar.slot(event.toSlotId);
      if (slot === undefined) fail(`reschedule of ${appointment.id} to missing slot ${event.toSlotId}`);
      calendar.unlink(appointment.slotId, appointment.id);
      const from = appointment.slotId;
      Object.assign(appointment, { slotId: slot.id, date: slot.date, startAt: slot.startAt, endAt: slot.endAt, cabinet: slot.cabinet });
      appointment.reschedules += 1;
      appointment.history.push({ at: event.at, status: appointment.status, by: event.by, note: `rescheduled from ${from}` });
      calendar.link(slot.id, appointment.id);
      break;
    }
    case 'AppointmentStatusChanged':
      moveStatus(appointment, event.status, event.at, event.by, event.note);
      if (event.status === 'in_service') appointment.serviceStartedAt = event.at;
      if (!keepsSlot(appointment)) calendar.unlink(appointment.slotId, appointment.id);
      break;
    case 'AppointmentCheckedIn':
      moveStatus(appointment, 'checked_in', event.at, event.by, undefined);
      appointment.queueNumber = event.queueNumber;
      appointment.checkedInAt = event.at;
      appointments.takeQueueNumber(appointment.date, event.queueNumber);
      break;
    case 'AppointmentMoveStarted':
      if (appointment.movingTo !== undefined) fail(`${appointment.id} is already being moved`);
      appointment.movingTo = event.toSlotId;
      break;
    case 'AppointmentMoveAborted':
      delete appointment.movingTo;
      break;
    case 'AppointmentMovedOut':
      if (appointment.movingTo !== event.toSlotId) fail(`${appointment.id} moved out without a started move`);
      delete appointment.movingTo;
      moveStatus(appointment, 'cancelled', event.at, event.by, `moved to ${event.toAppointmentId}`);
      appointment.movedTo = { appointmentId: event.toAppointmentId, slotId: event.toSlotId };
      calendar.unlink(appointment.slotId, appointment.id);
      break;
    case 'CalloutResultRecorded':
      appointment.callout.push({ ...event.entry });
      break;
    case 'FeedbackRecorded':
      appointment.feedback = { ...event.feedback };
      break;
    default:
      assertNever(event);
  }
  appointments.refile(appointment);
}

function moveStatus(appointment: Appointment, to: Appointment['status'], at: number, by: string, note: string | undefined): void {
  if (!isLegalAppointmentTransition(appointment.status, to)) fail(`illegal ${appointment.status} → ${to} for ${appointment.id}`);
  appointment.status = to;
  appointment.history.push(note === undefined ? { at, status: to, by } : { at, status: to, by, note });
}
