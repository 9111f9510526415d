/**
 * The dispatcher from a logged event to its typed tables: one exhaustive switch over DomainEvent, ending in a
 * never-check, so an event type added to engine/messages.ts fails to compile here until someone decides where it
 * goes (STYLE rule 3). Every event also lands in the generic `event` table (the projector writes those in bulk),
 * so a case that writes no typed row still leaves the event queryable; such cases say why they write nothing.
 *
 * Runs inside the projector's batch transaction; it never commits and never swallows an error (a failed event
 * rolls back the whole batch, which is retried).
 */
import type { DomainEvent } from '../../engine/index.ts';
import { idOf } from '../../engine/index.ts';
import {
  projectClinic,
  projectClinicSettings,
  projectDistrict,
  projectDoctor,
  projectDoctorOpened,
  projectPatient,
} from './project-directory.ts';
import {
  projectCallAccepted,
  projectCallAssigned,
  projectCallBecameOverdue,
  projectCallCancelled,
  projectCallCompleted,
  projectCallRegistered,
  projectCallTransferred,
  projectVisitAdded,
  projectVisitCompleted,
  projectVisitRemoved,
} from './project-home-calls.ts';
import {
  projectAlertAcknowledged,
  projectAlertRaised,
  projectAppointmentBooked,
  projectAppointmentCheckedIn,
  projectAppointmentMovedOut,
  projectAppointmentMoving,
  projectAppointmentRescheduled,
  projectAppointmentStatusChanged,
  projectCalendarOpened,
  projectCalendarRolled,
  projectCalloutResult,
  projectClinicCalendarSettings,
  projectDoctorCalendarSettings,
  projectExceptionAdded,
  projectExceptionLifted,
  projectFeedback,
  projectHoldReleased,
  projectNotificationQueued,
  projectOutboxAcknowledged,
  projectScheduleSet,
  projectSlotHeld,
} from './project-calendar.ts';
import type { ProjectionContext } from './projection-context.ts';

export async function projectEvent(context: ProjectionContext, event: DomainEvent): Promise<void> {
  switch (event.type) {
    // ------------------------------------------------------------ directory and patients
    case 'ClinicAdded':
      return projectClinic(context, event.clinic);
    case 'ClinicSettingsChanged':
      // The region's event names the clinic; the clinic actor's copy is addressed to it.
      return projectClinicSettings(context, 'clinicId' in event ? event.clinicId : undefined, event.settings);
    case 'DistrictAdded':
      return projectDistrict(context, event.district);
    case 'DoctorAdded':
      return projectDoctor(context, event.doctor);
    case 'ClinicOpened':
    case 'RosterDoctorJoined':
      // The clinic actor's copies of ClinicAdded / DoctorAdded, written by the region in the same tick.
      return;
    case 'DoctorOpened':
      await projectDoctorOpened(context, event.doctor, event.timeZone);
      return projectCalendarOpened(context, event.doctor, event.timeZone);
    case 'PatientRegistered':
    case 'PatientUpdated':
      return projectPatient(context, event.patient);
    case 'CallRouted':
    case 'OpenCallReleased':
    // Eviction only frees the actor's memory; the projected rows stay as they are.
    case 'ClosedCallsEvicted':
    case 'OpenCallMoved':
      // The region's open-call index: home_call (patient_id, status) answers the same questions, and the
      // `event` table keeps these rows for anyone who needs the routing itself.
      return;
    // ------------------------------------------------------------ home-visit calls
    case 'CallRegistered':
      return projectCallRegistered(context, event.call);
    case 'CallAccepted':
      return projectCallAccepted(context, event);
    case 'CallAssigned':
      return projectCallAssigned(context, event);
    case 'CallCancelled':
      return projectCallCancelled(context, event);
    case 'CallCompleted':
      return projectCallCompleted(context, event);
    case 'CallTransferred':
      return projectCallTransferred(context, event);
    case 'CallBecameOverdue':
      return projectCallBecameOverdue(context, event);
    // ------------------------------------------------------------ doctors' route lists
    case 'VisitAdded':
      return projectVisitAdded(context, idOf(context.address), event.visit);
    case 'VisitRemoved':
      return projectVisitRemoved(context, idOf(context.address), event);
    case 'VisitCompleted':
      return projectVisitCompleted(context, idOf(context.address), event);
    // ------------------------------------------------------------ slot calendars (DoctorActor)
    case 'DoctorCalendarSettingsChanged':
      return projectDoctorCalendarSettings(context, event);
    case 'ScheduleSet':
      return projectScheduleSet(context, event);
    case 'CalendarRolled':
      return projectCalendarRolled(context, event);
    case 'CalendarExceptionAdded':
      return projectExceptionAdded(context, event.exception);
    case 'CalendarExceptionLifted':
      return projectExceptionLifted(context, event);
    case 'SlotHeld':
      return projectSlotHeld(context, event.slotId, event.hold);
    case 'HoldReleased':
      return projectHoldReleased(context, event);
    // ------------------------------------------------------------ appointments and call-out (DoctorActor)
    case 'AppointmentBooked':
      return projectAppointmentBooked(context, event.appointment);
    case 'AppointmentRescheduled':
      return projectAppointmentRescheduled(context, event);
    case 'AppointmentStatusChanged':
      return projectAppointmentStatusChanged(context, event);
    case 'AppointmentCheckedIn':
      return projectAppointmentCheckedIn(context, event);
    case 'AppointmentMoveStarted':
      return projectAppointmentMoving(context, event.appointmentId, event.toSlotId);
    case 'AppointmentMoveAborted':
      return projectAppointmentMoving(context, event.appointmentId, null);
    case 'AppointmentMovedOut':
      return projectAppointmentMovedOut(context, event);
    case 'CalloutResultRecorded':
      return projectCalloutResult(context, event);
    case 'FeedbackRecorded':
      return projectFeedback(context, event);
    // ------------------------------------------------------------ clinic calendar side (ClinicActor)
    case 'ClinicCalendarSettingsChanged':
      return projectClinicCalendarSettings(context, event);
    case 'NotificationQueued':
      return projectNotificationQueued(context, event);
    case 'OutboxAcknowledged':
      return projectOutboxAcknowledged(context, event);
    case 'AlertRaised':
      return projectAlertRaised(context, event);
    case 'AlertAcknowledged':
      return projectAlertAcknowledged(context, event);
    default:
      return unhandledEvent(event);
  }
}

/** Compile-time: every event type has a case. Run time: a log written by a newer engine than this projector. */
function unhandledEvent(event: never): never {
  throw new Error(`the Postgres projection has no case for event ${JSON.stringify((event as { type?: unknown }).type)}`);
}

/** The instant an event happened, when it carries one: its `at`, or a registered call's creation time. */
export function eventInstantMs(event: DomainEvent): number | undefined {
  if ('at' in event && typeof event.at === 'number') return event.at;
  if (event.type === 'CallRegistered') return event.call.createdAt;
  return undefined;
}
