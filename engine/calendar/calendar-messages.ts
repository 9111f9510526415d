/**
 * The calendar's messages: commands from outside, internal messages between the region, clinic and doctor
 * actors, and the events each of them logs. messages.ts joins these into the engine-wide unions.
 */
import type { PatientInput } from '../patient.ts';
import type { Alert, AlertDraft } from './alert-board.ts';
import type { Appointment, AppointmentPatient, AppointmentSource, CalloutEntry, CalloutResult, Feedback } from './appointment.ts';
import type { CalendarSettings, DoctorCalendarSettings } from './calendar-settings.ts';
import type { NotificationDraft, OutboxItem } from './outbox.ts';
import type { CalendarException, ExceptionKind, Hold } from './slot-calendar.ts';
import type { SlotRule, SlotRuleInput } from './slot-template.ts';

// ---------------------------------------------------------------- region

export interface BookingInput {
  readonly slotId: string;
  /** The hold taken for this booking; a slot held by the same holder may be booked without it. */
  readonly holdId?: string;
  /** The operator session or partner token; the command's `by` when absent. */
  readonly holder?: string;
  readonly patient: PatientInput;
  readonly source: AppointmentSource;
  readonly services?: readonly string[];
}

export type CalendarRegionCommand = { readonly type: 'BookAppointment'; readonly booking: BookingInput };

// ---------------------------------------------------------------- doctor

export interface ExceptionInput {
  readonly kind: ExceptionKind;
  readonly from: string;
  readonly to: string;
  readonly reason?: string;
}

/** Moves an appointment to another slot; the router sends it to the region first when the doctor changes. */
export type RescheduleCommand = {
  readonly type: 'RescheduleAppointment';
  readonly appointmentId: string;
  readonly slotId: string;
  readonly holdId?: string;
  readonly holder?: string;
};

export type CalendarDoctorCommand =
  | { readonly type: 'SetSchedule'; readonly doctorId: string; readonly template: readonly SlotRuleInput[] }
  | { readonly type: 'AddCalendarException'; readonly doctorId: string; readonly exception: ExceptionInput }
  | { readonly type: 'LiftCalendarException'; readonly exceptionId: string }
  /**
   * `holdId` names a new hold: the gateway makes it unguessable (≥ 128 random bits) and passes it in, so the
   * event records it and replay stays exact; the engine's id source is used when absent (tests, old callers).
   */
  | { readonly type: 'HoldSlot'; readonly slotId: string; readonly holder?: string; readonly holdId?: string }
  | { readonly type: 'ReleaseHold'; readonly slotId: string; readonly holdId?: string; readonly holder?: string }
  | { readonly type: 'ConfirmAppointment'; readonly appointmentId: string }
  | { readonly type: 'CancelAppointment'; readonly appointmentId: string; readonly reason?: string }
  | RescheduleCommand
  | { readonly type: 'CheckInAppointment'; readonly appointmentId: string }
  | { readonly type: 'CallNextPatient'; readonly doctorId: string }
  | { readonly type: 'CompleteAppointment'; readonly appointmentId: string }
  | { readonly type: 'MarkNoShow'; readonly appointmentId: string }
  | {
      readonly type: 'RecordCalloutResult';
      readonly appointmentId: string;
      readonly result: CalloutResult;
      readonly attempt: number;
      readonly talkSeconds?: number;
      /** When the robot called; the command's instant when absent. */
      readonly at?: number;
    }
  | { readonly type: 'GiveFeedback'; readonly appointmentId: string; readonly rating: number; readonly comment?: string };

/** What the region hands the doctor once the patient is matched or created. */
export interface SlotBooking {
  readonly slotId: string;
  readonly holdId?: string;
  readonly holder: string;
  readonly patient: AppointmentPatient;
  readonly source: AppointmentSource;
  readonly services: readonly string[];
}

/** What the source doctor hands the target doctor when an appointment moves between them. */
export interface MovedAppointment {
  readonly fromAppointmentId: string;
  readonly fromDoctorId: string;
  readonly toSlotId: string;
  readonly holdId?: string;
  readonly holder: string;
  readonly patient: AppointmentPatient;
  readonly source: AppointmentSource;
  readonly services: readonly string[];
  readonly createdAt: number;
  /** A move keeps the status: booked stays booked, confirmed stays confirmed. */
  readonly status: Appointment['status'];
  readonly reschedules: number;
  readonly history: Appointment['history'];
}

export type CalendarDoctorInternal =
  | { readonly type: 'ApplyCalendarSettings'; readonly settings: DoctorCalendarSettings }
  | { readonly type: 'BookSlot'; readonly booking: SlotBooking }
  | { readonly type: 'ReceiveMovedAppointment'; readonly move: MovedAppointment }
  | { readonly type: 'MoveCompleted'; readonly appointmentId: string; readonly toAppointmentId: string; readonly toSlotId: string }
  | { readonly type: 'MoveAborted'; readonly appointmentId: string; readonly toSlotId: string }
  | { readonly type: 'DescribeAppointment'; readonly appointmentId: string };

export type CalendarDoctorEvent =
  | { readonly type: 'DoctorCalendarSettingsChanged'; readonly settings: DoctorCalendarSettings }
  | { readonly type: 'ScheduleSet'; readonly template: readonly SlotRule[] }
  | { readonly type: 'CalendarRolled'; readonly today: string; readonly openThrough: string }
  | { readonly type: 'CalendarExceptionAdded'; readonly exception: CalendarException }
  | { readonly type: 'CalendarExceptionLifted'; readonly exceptionId: string }
  | { readonly type: 'SlotHeld'; readonly slotId: string; readonly hold: Hold }
  | { readonly type: 'HoldReleased'; readonly slotId: string; readonly holdId: string; readonly reason: 'released' | 'expired' }
  | { readonly type: 'AppointmentBooked'; readonly appointment: Appointment }
  | { readonly type: 'AppointmentRescheduled'; readonly appointmentId: string; readonly toSlotId: string; readonly at: number; readonly by: string }
  | {
      readonly type: 'AppointmentStatusChanged';
      readonly appointmentId: string;
      readonly status: Appointment['status'];
      readonly at: number;
      readonly by: string;
      readonly note?: string;
    }
  | { readonly type: 'AppointmentCheckedIn'; readonly appointmentId: string; readonly queueNumber: number; readonly at: number; readonly by: string }
  | { readonly type: 'AppointmentMoveStarted'; readonly appointmentId: string; readonly toSlotId: string }
  | { readonly type: 'AppointmentMoveAborted'; readonly appointmentId: string }
  | {
      readonly type: 'AppointmentMovedOut';
      readonly appointmentId: string;
      readonly toAppointmentId: string;
      readonly toSlotId: string;
      readonly at: number;
      readonly by: string;
    }
  | { readonly type: 'CalloutResultRecorded'; readonly appointmentId: string; readonly entry: CalloutEntry }
  | { readonly type: 'FeedbackRecorded'; readonly appointmentId: string; readonly feedback: Feedback };

// ---------------------------------------------------------------- clinic

export type CalendarClinicCommand =
  | { readonly type: 'UpdateCalendarSettings'; readonly clinicId: string; readonly settings: Partial<CalendarSettings> }
  | { readonly type: 'AcknowledgeAlert'; readonly alertId: string }
  | { readonly type: 'AckOutbox'; readonly clinicId: string; readonly throughSeq: number };

export type CalendarClinicInternal =
  /** One message for many notices, so a stop notice over a full calendar stays one message of the cascade. */
  | { readonly type: 'EnqueueNotifications'; readonly notifications: readonly NotificationDraft[] }
  | { readonly type: 'RaiseAlert'; readonly alert: AlertDraft };

export type CalendarClinicEvent =
  | { readonly type: 'ClinicCalendarSettingsChanged'; readonly settings: CalendarSettings }
  | { readonly type: 'NotificationQueued'; readonly item: OutboxItem }
  | { readonly type: 'OutboxAcknowledged'; readonly throughSeq: number }
  | { readonly type: 'AlertRaised'; readonly alert: Alert }
  | { readonly type: 'AlertAcknowledged'; readonly alertId: string; readonly at: number; readonly by: string };
