/**
 * The shapes the UI reads from the partner API and the operator socket (docs/protocol.md, shared/API.md),
 * as the browser sees them: instants are ISO 8601 strings with the clinic's offset, dates `YYYY-MM-DD`.
 * Only the fields the screens use are named; the server may send more.
 */
// The vocabularies and the address are the engine's own (type-only imports: nothing of the engine is bundled).
import type { AgeCategory } from '../../../engine/directory.ts';
import type { CallAddress, CallKind, CallSource, CallStatus } from '../../../engine/home-call.ts';

export type { AgeCategory, CallKind, CallSource, CallStatus };
/** Passed through to the wire as the engine keeps it. */
export type Address = CallAddress;

export const callKinds: readonly CallKind[] = ['primary', 'repeat', 'active_visit', 'urgent'];
export const callSources: readonly CallSource[] = ['call_center', 'registry', 'doctor', 'smp', 'portal'];
export const openStatuses: ReadonlySet<CallStatus> = new Set<CallStatus>(['received', 'new', 'assigned']);

export interface Patient {
  readonly id?: string;
  readonly policy?: string;
  readonly surname: string;
  readonly name: string;
  readonly patronymic?: string;
  readonly birthDate: string;
  readonly sex: 'M' | 'F';
  readonly phone?: string;
  readonly cardNumber?: string;
  readonly ageYears?: number;
  readonly ageCategory?: AgeCategory;
}

export interface Call {
  readonly id: string;
  readonly number: number;
  readonly clinicId: string;
  readonly status: CallStatus;
  readonly overdue: boolean;
  readonly createdAt: string;
  readonly visitDate: string;
  readonly source: CallSource;
  readonly kind: CallKind;
  readonly patient: Patient;
  readonly address: Address;
  readonly complaints: { readonly text: string; readonly tags: readonly string[] };
  readonly caller?: { readonly type: string; readonly phone?: string; readonly name?: string };
  readonly emergencyAdvice: boolean;
  readonly redFlags: readonly string[];
  readonly doctorId?: string;
  readonly subdivisionId?: string;
  readonly districtId?: string;
  readonly dueAt?: string;
  readonly assignedAt?: string;
  readonly diagnosis?: string;
  /** A call transferred in: the sending clinic, its call, and that call's number and first registration. */
  readonly transferredFrom?: { readonly clinicId: string; readonly callId: string; readonly number?: number; readonly createdAt?: string };
}

export interface DistrictView {
  readonly id: string;
  readonly name: string;
  readonly subdivisionId: string;
}

export interface BoardDoctor {
  readonly doctorId: string;
  readonly name: string;
  readonly phone?: string;
  readonly assigned: number;
  readonly completed: number;
}

export interface Board {
  readonly clinicId: string;
  readonly date: string;
  readonly counters: { readonly received: number; readonly new: number; readonly overdue: number; readonly assigned: number; readonly completed: number };
  readonly doctors: readonly BoardDoctor[];
}

export interface Alert {
  readonly id: string;
  readonly clinicId?: string;
  readonly doctorId?: string;
  readonly patientName?: string;
  readonly rating?: number;
  readonly comment?: string;
  readonly at?: string;
  readonly acknowledgedAt?: string;
  readonly removed?: boolean;
}

export type SlotStatus = 'free' | 'held' | 'booked' | 'blocked';

export interface Slot {
  readonly id: string;
  readonly date: string;
  readonly start: string;
  readonly end: string;
  readonly startAt: string;
  readonly cabinet: string;
  readonly status: SlotStatus;
  readonly appointmentId?: string;
  readonly heldBy?: string;
  readonly holdExpiresAt?: string;
  readonly removed?: boolean;
}

export interface CalendarDay {
  readonly date: string;
  readonly blocked: boolean;
  readonly freeCount: number;
  readonly slots: readonly Slot[];
}

export type AppointmentStatus = 'booked' | 'confirmed' | 'declined' | 'checked_in' | 'in_service' | 'completed' | 'no_show' | 'cancelled';

export interface Appointment {
  readonly id: string;
  readonly doctorId: string;
  readonly slotId: string;
  readonly date: string;
  readonly startAt: string;
  readonly cabinet: string;
  readonly status: AppointmentStatus;
  readonly patient: { readonly name: string; readonly phone: string; readonly birthDate: string };
  readonly services?: readonly string[];
  readonly queueNumber?: number;
  readonly removed?: boolean;
}

export interface QueueView {
  readonly doctorId: string;
  readonly date: string;
  readonly cabinet: { readonly state: 'free' | 'busy'; readonly cabinet?: string; readonly appointmentId?: string };
  readonly waiting: ReadonlyArray<{ readonly appointmentId: string; readonly queueNumber: number; readonly patientName: string; readonly startAt: string; readonly position: number; readonly expectedWaitMinutes: number }>;
}

export interface Visit {
  readonly callId: string;
  readonly clinicId?: string;
  readonly visitDate: string;
  readonly patientName?: string;
  readonly address?: string;
  readonly kind?: CallKind;
  readonly doneAt?: string;
  readonly removed?: boolean;
}

export interface DoctorProfile {
  readonly id: string;
  readonly clinicId: string;
  readonly name: string;
  readonly specialty: string;
  readonly subdivisionId: string;
  readonly timeZone: string;
  readonly holdTtlMinutes: number;
  /** Check-in opens this many minutes before an appointment (the clinic's setting). */
  readonly checkInOpensMinutesBefore?: number;
}

export interface Clinic {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly timeZone: string;
  readonly phone?: string;
  readonly subdivisions?: ReadonlyArray<{ readonly id: string; readonly name: string; readonly ageCategory?: AgeCategory }>;
}

export interface Doctor {
  readonly id: string;
  readonly name: string;
  readonly specialty: string;
  readonly subdivision: string;
  readonly subdivisionId?: string;
  readonly districts: readonly string[];
  readonly phone?: string;
}

export interface DoctorSuggestion {
  readonly doctorId: string;
  readonly name: string;
  readonly specialty: string;
  readonly districtIds: readonly string[];
  readonly districtMatch: boolean;
  readonly subdivisionMatch: boolean;
  readonly worksOnDate: boolean;
  readonly hours: string;
  readonly loadPercentToday: number;
  readonly loadPercentTomorrow: number;
  readonly loadPercentOnDate: number;
  readonly shiftOverToday: boolean;
}

export interface UserView {
  readonly login: string;
  readonly role: 'admin' | 'operator' | 'doctor';
  readonly clinicId?: string;
  readonly doctorId?: string;
  readonly disabled: boolean;
}

export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  readonly [extension: string]: unknown;
}
