/**
 * DoctorActor: owns a doctor's route list of home visits, the slot calendar, the appointments and the
 * reception queue. It alone decides whether the doctor can take a visit on a date and whether a slot can be
 * held or booked, so two operators can never book one slot: every claim on a slot is decided here, one
 * message at a time. The calendar's handlers live in engine/calendar/; this file is the one switch.
 */
import { accept, rejected, type ActorBehavior, type DecideContext, type Decision } from './actor.ts';
import { clinicAddress } from './address.ts';
import {
  decideBookSlot, decideCancel, decideConfirm, decideDescribe, decideMoveAborted, decideMoveCompleted, decideReceiveMove, decideReschedule,
} from './calendar/appointment-decide.ts';
import { evolveCalendar } from './calendar/calendar-evolve.ts';
import { decideCalloutResult } from './calendar/callout.ts';
import { decideGiveFeedback } from './calendar/feedback.ts';
import { decideHoldSlot, decideReleaseHold } from './calendar/hold-decide.ts';
import { decideCallNext, decideCheckIn, decideComplete, decideNoShow } from './calendar/reception-queue.ts';
import {
  decideAddException, decideApplySettings, decideDoctorTimers, decideLiftException, decideOpenDoctor, decideSetSchedule,
} from './calendar/schedule-decide.ts';
import { localParts } from './domain/local-time.ts';
import { DoctorState, type DoctorSnapshot } from './doctor-state.ts';
import { copyRecord } from './lib/copy-record.ts';
import type { DoctorEvent, DoctorInput, DoctorInternal } from './messages.ts';
import { reject } from './rejection.ts';
import { assertNever } from './router.ts';

const accepted = new Set<string>([
  'OpenDoctor', 'ReserveVisit', 'ReleaseVisit', 'MarkVisitDone', 'TimersDue',
  'SetSchedule', 'AddCalendarException', 'LiftCalendarException', 'HoldSlot', 'ReleaseHold', 'ConfirmAppointment', 'CancelAppointment',
  'RescheduleAppointment', 'CheckInAppointment', 'CallNextPatient', 'CompleteAppointment', 'MarkNoShow', 'RecordCalloutResult',
  'GiveFeedback', 'ApplyCalendarSettings', 'BookSlot', 'ReceiveMovedAppointment', 'MoveCompleted', 'MoveAborted', 'DescribeAppointment',
]);

export const doctorBehavior: ActorBehavior<DoctorState, DoctorInput, DoctorEvent, DoctorSnapshot> = {
  kind: 'doctor',
  accepts: accepted,
  creators: new Set(['OpenDoctor']),
  create: (id) => new DoctorState(id),
  decide: decideDoctor,
  evolve: evolveDoctor,
  nextDeadline: (state) => state.nextDeadline(),
  snapshot: (state) => state.toSnapshot(),
  restore: (id, snapshot) => DoctorState.fromSnapshot(id, snapshot),
};

function decideDoctor(state: DoctorState, message: DoctorInput, context: DecideContext): Decision<DoctorEvent> {
  switch (message.type) {
    case 'OpenDoctor':
      return decideOpenDoctor(state, message, context);
    case 'ReserveVisit':
      return decideReserveVisit(state, message, context);
    case 'ReleaseVisit':
      if (!state.visitsOn(message.visitDate).has(message.callId)) return accept([]);
      return accept([{ type: 'VisitRemoved', callId: message.callId, visitDate: message.visitDate }]);
    case 'MarkVisitDone':
      if (!state.visitsOn(message.visitDate).has(message.callId)) return accept([]);
      return accept([{ type: 'VisitCompleted', callId: message.callId, visitDate: message.visitDate, at: message.at }]);
    case 'TimersDue':
      return decideDoctorTimers(state, message.at);
    case 'SetSchedule':
      return decideSetSchedule(state, message, context);
    case 'ApplyCalendarSettings':
      return decideApplySettings(state, message, context);
    case 'AddCalendarException':
      return decideAddException(state, message, context);
    case 'LiftCalendarException':
      return decideLiftException(state, message);
    case 'HoldSlot':
      return decideHoldSlot(state, message, context);
    case 'ReleaseHold':
      return decideReleaseHold(state, message, context);
    case 'BookSlot':
      return decideBookSlot(state, message, context);
    case 'DescribeAppointment':
      return decideDescribe(state, message);
    case 'ConfirmAppointment':
      return decideConfirm(state, message, context);
    case 'CancelAppointment':
      return decideCancel(state, message, context);
    case 'RescheduleAppointment':
      return decideReschedule(state, message, context);
    case 'ReceiveMovedAppointment':
      return decideReceiveMove(state, message, context);
    case 'MoveCompleted':
      return decideMoveCompleted(state, message, context);
    case 'MoveAborted':
      return decideMoveAborted(state, message);
    case 'CheckInAppointment':
      return decideCheckIn(state, message, context);
    case 'CallNextPatient':
      return decideCallNext(state, context);
    case 'CompleteAppointment':
      return decideComplete(state, message, context);
    case 'MarkNoShow':
      return decideNoShow(state, message, context);
    case 'RecordCalloutResult':
      return decideCalloutResult(state, message, context);
    case 'GiveFeedback':
      return decideGiveFeedback(state, message, context);
    default:
      return assertNever(message);
  }
}

function decideReserveVisit(
  state: DoctorState,
  message: Extract<DoctorInternal, { type: 'ReserveVisit' }>,
  context: DecideContext,
): Decision<DoctorEvent> {
  const { visit } = message;
  const shifts = state.shiftsOn(visit.visitDate);
  if (shifts.length === 0) return rejected(reject('rule_broken', `the doctor does not work on ${visit.visitDate}`, '/visitDate'));
  const now = localParts(context.at, state.timeZone);
  const lastShift = shifts[shifts.length - 1];
  if (visit.visitDate === now.date && lastShift !== undefined && now.minutes >= lastShift.endMinutes) {
    return rejected(reject('rule_broken', "the doctor's working time is over today", '/visitDate'));
  }
  const events: DoctorEvent[] = state.visitsOn(visit.visitDate).has(visit.callId) ? [] : [{ type: 'VisitAdded', visit }];
  return accept(events, undefined, [
    { to: clinicAddress(visit.clinicId), message: { type: 'VisitReserved', callId: visit.callId, doctorId: state.id, visitDate: visit.visitDate } },
  ]);
}

function evolveDoctor(state: DoctorState, event: DoctorEvent): void {
  switch (event.type) {
    case 'DoctorOpened':
      state.info = event.doctor;
      state.timeZone = event.timeZone;
      state.calendar.setTimeZone(event.timeZone);
      return;
    case 'VisitAdded':
      state.addVisit(copyRecord(event.visit));
      return;
    case 'VisitRemoved':
      state.removeVisit(event.callId, event.visitDate);
      return;
    case 'VisitCompleted': {
      const visit = state.visitsByDate.get(event.visitDate)?.get(event.callId);
      if (visit !== undefined) visit.doneAt = event.at;
      return;
    }
    case 'DoctorCalendarSettingsChanged':
    case 'ScheduleSet':
    case 'CalendarRolled':
    case 'CalendarExceptionAdded':
    case 'CalendarExceptionLifted':
    case 'SlotHeld':
    case 'HoldReleased':
    case 'AppointmentBooked':
    case 'AppointmentRescheduled':
    case 'AppointmentStatusChanged':
    case 'AppointmentCheckedIn':
    case 'AppointmentMoveStarted':
    case 'AppointmentMoveAborted':
    case 'AppointmentMovedOut':
    case 'CalloutResultRecorded':
    case 'FeedbackRecorded':
      evolveCalendar(state, event);
      return;
    default:
      assertNever(event);
  }
}
