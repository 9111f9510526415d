/**
 * Every message the actors exchange: commands from outside (what a gateway may submit), internal messages
 * between actors (only the router delivers them), and events (what the log stores and evolve applies).
 * Plain immutable data tagged with a string `type`; each actor has one exhaustive switch per union.
 */
import type { ClinicInfo, ClinicSettings, District, DoctorInfo } from './directory.ts';
import type { CallAddress, CallCaller, CallIntake, CallKind, CallSource, HomeCall } from './home-call.ts';
import type { Patient, PatientInput } from './patient.ts';
import type {
  CalendarClinicCommand, CalendarClinicEvent, CalendarClinicInternal, CalendarDoctorCommand, CalendarDoctorEvent,
  CalendarDoctorInternal, CalendarRegionCommand, RescheduleCommand,
} from './calendar/calendar-messages.ts';

// ---------------------------------------------------------------- region

export interface NewClinic {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly phone?: string;
  readonly timeZone: string;
  readonly subdivisions: ClinicInfo['subdivisions'];
  readonly settings?: Partial<ClinicSettings>;
}

export interface RegisterCallInput {
  readonly source: CallSource;
  readonly kind: CallKind;
  readonly clinicId?: string;
  readonly patient: PatientInput;
  readonly address: CallAddress;
  readonly complaints: { readonly text: string; readonly tags?: readonly string[] };
  readonly caller?: CallCaller;
  readonly externalId?: string;
}

export type RegionCommand =
  | CalendarRegionCommand
  | { readonly type: 'AddClinic'; readonly clinic: NewClinic }
  | { readonly type: 'UpdateClinicSettings'; readonly clinicId: string; readonly settings: Partial<ClinicSettings> }
  | { readonly type: 'AddDistrict'; readonly district: District }
  | { readonly type: 'AddDoctor'; readonly doctor: DoctorInfo }
  | { readonly type: 'RegisterCall'; readonly call: RegisterCallInput }
  | { readonly type: 'TransferCall'; readonly callId: string; readonly toClinicId: string; readonly reason: string };

export type RegionInternal =
  | { readonly type: 'CallClosed'; readonly patientId: string; readonly callId: string }
  | {
      readonly type: 'OpenCallMoved';
      readonly patientId: string;
      readonly fromCallId: string;
      readonly toCallId: string;
      readonly toClinicId: string;
    };

export type RegionInput = RegionCommand | RegionInternal | RescheduleCommand;

export type RegionEvent =
  | { readonly type: 'ClinicAdded'; readonly clinic: ClinicInfo }
  | { readonly type: 'ClinicSettingsChanged'; readonly clinicId: string; readonly settings: ClinicSettings }
  | { readonly type: 'DistrictAdded'; readonly district: District }
  | { readonly type: 'DoctorAdded'; readonly doctor: DoctorInfo }
  | { readonly type: 'PatientRegistered'; readonly patient: Patient }
  | { readonly type: 'PatientUpdated'; readonly patient: Patient }
  | {
      readonly type: 'CallRouted';
      readonly callId: string;
      readonly clinicId: string;
      readonly patientId: string;
      readonly externalKey?: string;
    }
  | { readonly type: 'OpenCallReleased'; readonly patientId: string; readonly callId: string }
  | {
      readonly type: 'OpenCallMoved';
      readonly patientId: string;
      readonly fromCallId: string;
      readonly toCallId: string;
      readonly toClinicId: string;
    };

// ---------------------------------------------------------------- clinic

export type ClinicCommand =
  | CalendarClinicCommand
  | { readonly type: 'AcceptCall'; readonly callId: string }
  | { readonly type: 'AssignCall'; readonly callId: string; readonly doctorId: string; readonly visitDate: string }
  | { readonly type: 'CancelCall'; readonly callId: string; readonly reason: string }
  | { readonly type: 'CompleteCall'; readonly callId: string; readonly diagnosis?: string; readonly note?: string };

export type ClinicInternal =
  | CalendarClinicInternal
  | { readonly type: 'OpenClinic'; readonly clinic: ClinicInfo }
  | { readonly type: 'ApplyClinicSettings'; readonly settings: ClinicSettings }
  | { readonly type: 'JoinRoster'; readonly doctor: DoctorInfo }
  | { readonly type: 'RegisterRoutedCall'; readonly callId: string; readonly intake: CallIntake }
  | { readonly type: 'DescribeCall'; readonly callId: string; readonly replayed?: boolean }
  | {
      readonly type: 'VisitReserved';
      readonly callId: string;
      readonly doctorId: string;
      readonly visitDate: string;
    }
  | {
      readonly type: 'TransferOut';
      readonly callId: string;
      readonly toClinicId: string;
      readonly toCallId: string;
      readonly reason: string;
      readonly targetDistrictId?: string;
      readonly targetSubdivisionId?: string;
    }
  | {
      readonly type: 'ReceiveTransfer';
      readonly callId: string;
      readonly fromClinicId: string;
      readonly fromCallId: string;
      /** The call's number and first registration at the sending clinic (absent in messages logged before). */
      readonly fromNumber?: number;
      readonly fromCreatedAt?: number;
      readonly intake: CallIntake;
    }
  | { readonly type: 'TimersDue'; readonly at: number };

export type ClinicInput = ClinicCommand | ClinicInternal;

export type ClinicEvent =
  | CalendarClinicEvent
  | { readonly type: 'ClinicOpened'; readonly clinic: ClinicInfo }
  | { readonly type: 'ClinicSettingsChanged'; readonly settings: ClinicSettings }
  | { readonly type: 'RosterDoctorJoined'; readonly doctor: DoctorInfo }
  | { readonly type: 'CallRegistered'; readonly call: HomeCall }
  | { readonly type: 'CallAccepted'; readonly callId: string; readonly at: number; readonly by: string }
  | {
      readonly type: 'CallAssigned';
      readonly callId: string;
      readonly doctorId: string;
      readonly visitDate: string;
      readonly at: number;
      readonly by: string;
      readonly dueAt: number;
    }
  | { readonly type: 'CallCancelled'; readonly callId: string; readonly reason: string; readonly at: number; readonly by: string }
  | {
      readonly type: 'CallCompleted';
      readonly callId: string;
      readonly at: number;
      readonly by: string;
      readonly diagnosis?: string;
      readonly note?: string;
    }
  | {
      readonly type: 'CallTransferred';
      readonly callId: string;
      readonly toClinicId: string;
      readonly toCallId: string;
      readonly reason: string;
      readonly at: number;
      readonly by: string;
    }
  | { readonly type: 'CallBecameOverdue'; readonly callId: string; readonly at: number }
  /** Closed calls leave the actor's memory (they stay in the call archive); day counts before the date go too. */
  | { readonly type: 'ClosedCallsEvicted'; readonly callIds: readonly string[]; readonly keepFromDate: string };

// ---------------------------------------------------------------- doctor

export interface VisitSummary {
  readonly callId: string;
  readonly clinicId: string;
  readonly visitDate: string;
  readonly patientName: string;
  readonly address: string;
  readonly kind: CallKind;
}

export type DoctorCommand = CalendarDoctorCommand;

export type DoctorInternal =
  | CalendarDoctorInternal
  | { readonly type: 'OpenDoctor'; readonly doctor: DoctorInfo; readonly timeZone: string }
  | { readonly type: 'ReserveVisit'; readonly visit: VisitSummary }
  | { readonly type: 'ReleaseVisit'; readonly callId: string; readonly visitDate: string }
  | { readonly type: 'MarkVisitDone'; readonly callId: string; readonly visitDate: string; readonly at: number }
  | { readonly type: 'TimersDue'; readonly at: number };

export type DoctorInput = DoctorCommand | DoctorInternal;

export type DoctorEvent =
  | CalendarDoctorEvent
  | { readonly type: 'DoctorOpened'; readonly doctor: DoctorInfo; readonly timeZone: string }
  | { readonly type: 'VisitAdded'; readonly visit: VisitSummary }
  | { readonly type: 'VisitRemoved'; readonly callId: string; readonly visitDate: string }
  | { readonly type: 'VisitCompleted'; readonly callId: string; readonly visitDate: string; readonly at: number };

// ---------------------------------------------------------------- engine-wide

/** A command from outside the engine; the router finds its actor from the command alone. */
export type Command = RegionCommand | ClinicCommand | DoctorCommand;

export type ActorMessage = RegionInput | ClinicInput | DoctorInput;

export type DomainEvent = RegionEvent | ClinicEvent | DoctorEvent;
