/**
 * What the DoctorActor's calendar handlers share: finding an appointment or a slot with the right rejection,
 * the one rule for whether a claimant may take a slot (used by hold, book, reschedule and move-in alike, so
 * they can never disagree), new appointment records, and the notices that go to the clinic's outbox.
 */
import type { Outgoing } from '../actor.ts';
import { clinicAddress } from '../address.ts';
import type { DoctorInfo } from '../directory.ts';
import { formatHhmm } from '../domain/local-time.ts';
import type { DoctorState } from '../doctor-state.ts';
import { validateText } from '../intake.ts';
import { fail, reject, type Rejection } from '../rejection.ts';
import { isLegalAppointmentTransition, type Appointment, type AppointmentPatient, type AppointmentSource, type AppointmentStatus } from './appointment.ts';
import type { NotificationDraft, NotificationKind } from './outbox.ts';
import { activeHold, type SlotCalendar, type Slot } from './slot-calendar.ts';
import { parseSlotId } from './slot-template.ts';

export const holderCharsMax = 200;
/** A hold id, whether the engine's or the gateway's (22 base64url characters for 128 random bits). */
export const holdIdCharsMax = 64;
/** One holder (an operator session, a partner token) holds at most this many slots of one doctor at once. */
export const holdsPerHolderMax = 5;

export function findAppointment(state: DoctorState, appointmentId: string): Appointment | Rejection {
  return state.appointments.get(appointmentId) ?? reject('not_found', `appointment ${appointmentId} not found`, '/appointmentId');
}

/** Inside a move's cascade the appointment answers to nothing else (see docs/calendars.md). */
export function movingConflict(appointment: Appointment): Rejection | undefined {
  if (appointment.movingTo === undefined) return undefined;
  return reject('conflict', 'the appointment is being moved', '/appointmentId', { toSlotId: appointment.movingTo });
}

/** A live appointment that may change to `to` now, or why not (unknown, being moved, moved away, illegal). */
export function changeableAppointment(state: DoctorState, appointmentId: string, to: AppointmentStatus): Appointment | Rejection {
  const appointment = findAppointment(state, appointmentId);
  if ('code' in appointment) return appointment;
  const moving = movingConflict(appointment);
  if (moving !== undefined) return moving;
  if (appointment.movedTo !== undefined || !isLegalAppointmentTransition(appointment.status, to)) return illegalAppointment(appointment, to);
  return appointment;
}

export function illegalAppointment(appointment: Appointment, to: AppointmentStatus | 'moved'): Rejection {
  if (appointment.movedTo !== undefined) {
    return reject('illegal_transition', `the appointment moved to ${appointment.movedTo.appointmentId}`, '/status', {
      status: appointment.status,
      movedTo: appointment.movedTo.appointmentId,
    });
  }
  return reject('illegal_transition', `a ${appointment.status} appointment cannot become ${to}`, '/status', { status: appointment.status });
}

export interface SlotClaim {
  readonly holder: string;
  /** Kept for the record of which hold a booking used; it grants nothing: only the holder may claim its hold. */
  readonly holdId?: string;
}

/**
 * The slot if the claimant may take it at `at`: it exists, the doctor receives then, it has not begun, it is not
 * booked, and it is not held by anyone else (a hold whose deadline has passed no longer counts). A hold is the
 * holder's alone: presenting its id does not make someone else the holder.
 */
export function claimableSlot(calendar: SlotCalendar, slotId: string, at: number, claim: SlotClaim, field = '/slotId'): Slot | Rejection {
  if (parseSlotId(slotId) === undefined) return reject('invalid', 'slotId must be <doctorId>.<YYYYMMDD>.<HHMM>', field);
  const slot = calendar.slot(slotId);
  if (slot === undefined) return reject('not_found', `slot ${slotId} not found`, field);
  if (calendar.isBlocked(slot)) return reject('conflict', 'the slot is blocked: the doctor does not receive then', field, { status: 'blocked' }, 'slot_blocked');
  if (slot.startAt <= at) return reject('rule_broken', 'the slot has already begun', field, undefined, 'slot_started');
  if (slot.appointmentId !== undefined) return reject('conflict', 'the slot is already booked', field, { status: 'booked' }, 'slot_booked');
  const hold = activeHold(slot, at);
  if (hold !== undefined && hold.holder !== claim.holder) {
    return reject('conflict', 'the slot is held by another', field, { status: 'held' }, 'slot_held');
  }
  return slot;
}

export function validateHolder(holder: unknown, field = '/holder'): Rejection | undefined {
  return validateText(holder, field, holderCharsMax, true);
}

export interface AppointmentDraft {
  readonly id: string;
  readonly patient: AppointmentPatient;
  readonly source: AppointmentSource;
  readonly services: readonly string[];
  readonly at: number;
  readonly by: string;
}

export function newAppointment(state: DoctorState, slot: Slot, draft: AppointmentDraft): Appointment {
  return {
    id: draft.id,
    doctorId: state.id,
    clinicId: doctorOf(state).clinicId,
    slotId: slot.id,
    date: slot.date,
    startAt: slot.startAt,
    endAt: slot.endAt,
    cabinet: slot.cabinet,
    patient: { ...draft.patient },
    source: draft.source,
    services: [...draft.services],
    createdAt: draft.at,
    status: 'booked',
    callout: [],
    reschedules: 0,
    history: [{ at: draft.at, status: 'booked', by: draft.by }],
  };
}

export function doctorOf(state: DoctorState): DoctorInfo {
  if (state.info === undefined) fail(`doctor ${state.id} used before it was opened`);
  return state.info;
}

export function describe(appointmentId: string, self: Outgoing['to']): Outgoing {
  return { to: self, message: { type: 'DescribeAppointment', appointmentId } };
}

/** A notice for the clinic's outbox about `appointment` on its slot (pass a preview after a move). */
export function notice(state: DoctorState, appointment: Appointment, kind: NotificationKind, at: number, notBefore?: number): Outgoing {
  return notices(appointment.clinicId, [noticeDraft(state, appointment, kind, at, notBefore)])[0] as Outgoing;
}

/** Many notices to one clinic as one message (none when there are none). */
export function notices(clinicId: string, drafts: readonly NotificationDraft[]): Outgoing[] {
  return drafts.length === 0 ? [] : [{ to: clinicAddress(clinicId), message: { type: 'EnqueueNotifications', notifications: drafts } }];
}

export function noticeDraft(state: DoctorState, appointment: Appointment, kind: NotificationKind, at: number, notBefore?: number): NotificationDraft {
  const doctor = doctorOf(state);
  const startMinutes = parseSlotId(appointment.slotId)?.startMinutes ?? 0;
  return {
    kind,
    appointmentId: appointment.id,
    patientId: appointment.patient.id,
    phone: appointment.patient.phone,
    at,
    ...(notBefore === undefined ? {} : { notBefore }),
    fields: {
      patient: appointment.patient.name,
      date: appointment.date,
      time: formatHhmm(startMinutes),
      doctor: doctor.name,
      specialty: doctor.specialty,
      services: appointment.services.join(', '),
    },
  };
}
