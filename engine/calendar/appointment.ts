/**
 * An appointment: a patient booked into one slot of one doctor, its status with `{at, by}` history, its
 * call-out attempts and its feedback. The legal status changes are one table, used by the DoctorActor and by
 * the calendar simulation's invariant check. Appointment ids are `<doctorId>.<local>`, so they route to the
 * doctor's actor from the id alone.
 *
 * Bounds: at most `servicesPerAppointmentMax` services of `serviceCharsMax` characters, at most
 * `reschedulesPerAppointmentMax` moves (each adds a history entry), at most `calloutAttemptsLimit` call-out
 * results, a feedback comment of at most `feedbackCommentCharsMax` characters.
 */
export const servicesPerAppointmentMax = 20;
export const serviceCharsMax = 100;
export const reschedulesPerAppointmentMax = 20;
export const feedbackCommentCharsMax = 2_000;
/** Ratings at or below this raise an alert on the clinic's board. */
export const alertRatingMax = 2;

export const appointmentStatuses = [
  'booked', 'confirmed', 'declined', 'checked_in', 'in_service', 'completed', 'no_show', 'cancelled',
] as const;
export type AppointmentStatus = (typeof appointmentStatuses)[number];

export const legalAppointmentTransitions: Readonly<Record<AppointmentStatus, readonly AppointmentStatus[]>> = {
  booked: ['confirmed', 'declined', 'checked_in', 'cancelled', 'no_show'],
  confirmed: ['declined', 'checked_in', 'cancelled', 'no_show'],
  checked_in: ['in_service', 'cancelled'],
  in_service: ['completed'],
  declined: [],
  completed: [],
  no_show: [],
  cancelled: [],
};

export function isLegalAppointmentTransition(from: AppointmentStatus, to: AppointmentStatus): boolean {
  return legalAppointmentTransitions[from].includes(to);
}

/** Statuses in which the appointment is still to happen or happening: it owns its slot and may not lose it. */
export const liveAppointmentStatuses: ReadonlySet<AppointmentStatus> = new Set<AppointmentStatus>([
  'booked', 'confirmed', 'checked_in', 'in_service',
]);

/** Statuses that may still be moved to another slot. */
export const movableAppointmentStatuses: ReadonlySet<AppointmentStatus> = new Set<AppointmentStatus>(['booked', 'confirmed']);

/**
 * Whether the appointment keeps its slot: live ones, and the settled visits (completed, no-show) whose slot
 * stays taken as a record of what happened. Cancelled, declined and moved-out appointments give it back.
 */
export function keepsSlot(appointment: Pick<Appointment, 'status' | 'movedTo'>): boolean {
  return appointment.movedTo === undefined && appointment.status !== 'cancelled' && appointment.status !== 'declined';
}

export const appointmentSources = ['registry', 'call_center', 'portal', 'partner', 'kiosk', 'doctor'] as const;
export type AppointmentSource = (typeof appointmentSources)[number];

export const calloutResults = ['confirmed', 'declined', 'busy', 'no_answer', 'failed'] as const;
export type CalloutResult = (typeof calloutResults)[number];

export interface CalloutEntry {
  readonly attempt: number;
  readonly result: CalloutResult;
  /** When the robot made the call. */
  readonly at: number;
  readonly talkSeconds?: number;
}

export interface Feedback {
  readonly rating: number;
  readonly comment?: string;
  readonly at: number;
  readonly by: string;
}

export interface AppointmentPatient {
  readonly id: string;
  readonly name: string;
  readonly phone: string;
  readonly birthDate: string;
}

export interface AppointmentHistoryEntry {
  readonly at: number;
  readonly status: AppointmentStatus;
  readonly by: string;
  readonly note?: string;
}

export interface Appointment {
  readonly id: string;
  readonly doctorId: string;
  readonly clinicId: string;
  slotId: string;
  /** Local date and times of the slot, kept after the slot itself is dropped with its day. */
  date: string;
  startAt: number;
  endAt: number;
  cabinet: string;
  readonly patient: AppointmentPatient;
  readonly source: AppointmentSource;
  readonly services: readonly string[];
  readonly createdAt: number;
  status: AppointmentStatus;
  queueNumber?: number;
  checkedInAt?: number;
  serviceStartedAt?: number;
  callout: CalloutEntry[];
  feedback?: Feedback;
  reschedules: number;
  /** The appointment this one continues after a move from another doctor. */
  readonly movedFrom?: string;
  /** Where this appointment went when it moved to another doctor (it is then cancelled here). */
  movedTo?: { readonly appointmentId: string; readonly slotId: string };
  /** The slot of another doctor this appointment is being moved to; set only inside the move's cascade. */
  movingTo?: string;
  history: AppointmentHistoryEntry[];
}

/** A deep copy: events and replies never share mutable parts with the actor's state. */
export function copyAppointment(appointment: Appointment): Appointment {
  const copy: Appointment = {
    ...appointment,
    services: [...appointment.services],
    callout: [...appointment.callout],
    history: [...appointment.history],
  };
  if (appointment.movedTo !== undefined) copy.movedTo = { ...appointment.movedTo };
  return copy;
}

export type AppointmentView = Appointment & { readonly needsRebooking: boolean };

export function appointmentView(appointment: Appointment, needsRebooking: boolean): AppointmentView {
  return { ...copyAppointment(appointment), needsRebooking };
}

/** The highest-numbered attempt's result: what the robot saw last. */
export function lastCalloutResult(appointment: Appointment): CalloutResult | undefined {
  let last: CalloutEntry | undefined;
  for (const entry of appointment.callout) if (last === undefined || entry.attempt > last.attempt) last = entry;
  return last?.result;
}
