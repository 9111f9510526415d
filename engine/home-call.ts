/**
 * A home-visit call (вызов врача на дом): its intake data, status, assignment and history. The legal status
 * changes are one table, used by the ClinicActor and by the simulation test's invariant check.
 */
import type { AgeCategory } from './directory.ts';

export const callSources = ['portal', 'call_center', 'registry', 'doctor', 'smp'] as const;
export type CallSource = (typeof callSources)[number];

export const callKinds = ['primary', 'repeat', 'active_visit', 'urgent'] as const;
export type CallKind = (typeof callKinds)[number];

export const callStatuses = ['received', 'new', 'assigned', 'completed', 'cancelled', 'transferred'] as const;
export type CallStatus = (typeof callStatuses)[number];

export const openCallStatuses: ReadonlySet<CallStatus> = new Set<CallStatus>(['received', 'new', 'assigned']);

/** Every legal status change; `assigned → assigned` is a reassignment to another doctor or date. */
export const legalCallTransitions: Readonly<Record<CallStatus, readonly CallStatus[]>> = {
  received: ['new', 'cancelled', 'transferred'],
  new: ['assigned', 'cancelled', 'transferred'],
  assigned: ['assigned', 'completed', 'cancelled', 'transferred'],
  completed: [],
  cancelled: [],
  transferred: [],
};

export function isLegalCallTransition(from: CallStatus, to: CallStatus): boolean {
  return legalCallTransitions[from].includes(to);
}

/** Portal and ambulance calls wait for an operator's check; the others are registered by staff. */
export function initialStatusFor(source: CallSource): CallStatus {
  return source === 'portal' || source === 'smp' ? 'received' : 'new';
}

export interface CallAddress {
  readonly text: string;
  readonly house?: string;
  readonly building?: string;
  readonly structure?: string;
  readonly apartment?: string;
  readonly entrance?: string;
  readonly floor?: number;
  readonly intercom?: string;
  readonly landmarks?: string;
  readonly privateSector?: boolean;
  readonly lat?: number;
  readonly lon?: number;
}

export interface CallComplaints {
  readonly text: string;
  readonly tags: readonly string[];
}

export interface CallCaller {
  readonly type: string;
  readonly phone?: string;
  readonly name?: string;
}

export interface CallPatient {
  readonly id: string;
  readonly policy?: string;
  readonly surname: string;
  readonly name: string;
  readonly patronymic?: string;
  readonly birthDate: string;
  readonly sex: 'M' | 'F';
  readonly phone?: string;
  readonly cardNumber?: string;
  readonly ageYears: number;
  readonly ageCategory: AgeCategory;
}

export interface CallHistoryEntry {
  readonly at: number;
  readonly status: CallStatus;
  readonly by: string;
  readonly doctorId?: string;
  readonly note?: string;
}

/** The intake part, fixed at registration (and carried over on transfer). */
export interface CallIntake {
  readonly source: CallSource;
  readonly kind: CallKind;
  readonly patient: CallPatient;
  readonly address: CallAddress;
  readonly complaints: CallComplaints;
  readonly caller?: CallCaller;
  readonly externalId?: string;
  readonly districtId?: string;
  readonly subdivisionId?: string;
  readonly redFlags: readonly string[];
}

export interface HomeCall extends CallIntake {
  readonly id: string;
  readonly number: number;
  readonly clinicId: string;
  status: CallStatus;
  readonly createdAt: number;
  /** The planned visit date: today, or tomorrow after the cut-off; set again on assignment. */
  visitDate: string;
  doctorId?: string;
  assignedAt?: number;
  completedAt?: number;
  closedAt?: number;
  /** When the current SLA runs out: assignment while received/new, service while assigned. */
  dueAt?: number;
  overdue: boolean;
  diagnosis?: string;
  note?: string;
  cancelReason?: string;
  transferredTo?: { readonly clinicId: string; readonly callId: string; readonly reason: string };
  /** Where a transferred call came from; `number` and `createdAt` (the first registration) are absent on calls moved before they were kept. */
  readonly transferredFrom?: { readonly clinicId: string; readonly callId: string; readonly number?: number; readonly createdAt?: number };
  readonly history: CallHistoryEntry[];
}
