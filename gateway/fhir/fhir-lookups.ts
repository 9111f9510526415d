/**
 * Lookups the facade's reads and operations share: a slot with its doctor and zone, a proposed appointment
 * resolved from its id (`proposed-<slotId>`: while the slot is free and has not begun, or is held by the
 * caller), a stored appointment, and the cabinets of a clinic. All read the engine's read model; none keeps
 * state.
 */
import { ownerOf, type ReadModel } from '../../engine/index.ts';
import type { DoctorInfo } from '../../engine/directory.ts';
import { appointmentOf, slotView, type SlotView } from '../../engine/calendar/calendar-queries.ts';
import { activeHold } from '../../engine/calendar/slot-calendar.ts';
import type { AppointmentView } from '../../engine/calendar/appointment.ts';
import { actorOf, type Principal } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import { timeZoneOf } from '../routes/route-support.ts';
import { proposedIdPrefix } from './fhir-resources.ts';
import { requireDoctor } from './fhir-scope.ts';

export interface SlotFound {
  readonly slot: SlotView;
  readonly doctor: DoctorInfo;
  readonly timeZone: string;
  /** The caller's own hold on it, if any. */
  readonly hold?: { readonly holdId: string; readonly expiresAt: number };
}

function notFound(what: string): Problem {
  return new Problem(404, 'not_found', `${what} not found`);
}

export function findSlot(read: ReadModel, principal: Principal, slotId: string, at: number): SlotFound {
  const doctorId = ownerOf(slotId);
  if (doctorId === undefined) throw notFound(`Slot/${slotId}`);
  const doctor = requireDoctor(read, principal, doctorId);
  const state = read.doctor(doctorId);
  const slot = state?.calendar.slot(slotId);
  if (state === undefined || slot === undefined) throw notFound(`Slot/${slotId}`);
  const viewer = actorOf(principal);
  const view = slotView(state, slot, at, viewer);
  const hold = activeHold(slot, at);
  const timeZone = timeZoneOf(read, doctor.clinicId);
  return hold !== undefined && hold.holder === viewer ? { slot: view, doctor, timeZone, hold: { holdId: hold.holdId, expiresAt: hold.expiresAt } } : { slot: view, doctor, timeZone };
}

export function slotIdOfProposed(appointmentId: string): string | undefined {
  return appointmentId.startsWith(proposedIdPrefix) ? appointmentId.slice(proposedIdPrefix.length) : undefined;
}

/**
 * A proposed (or, held by the caller, pending) appointment. Gone — 404 — once the slot is taken by anyone
 * else, blocked, or has begun: a proposal expires when its slot starts.
 */
export function findProposed(read: ReadModel, principal: Principal, appointmentId: string, at: number): SlotFound {
  const slotId = slotIdOfProposed(appointmentId);
  if (slotId === undefined) throw notFound(`Appointment/${appointmentId}`);
  const found = findSlot(read, principal, slotId, at);
  const open = found.slot.start > at && (found.slot.status === 'free' || found.hold !== undefined);
  if (!open) throw new Problem(404, 'not_found', `Appointment/${appointmentId} is no longer proposed: its slot is ${found.slot.start <= at ? 'in the past' : found.slot.status}`);
  return found;
}

export function findAppointment(read: ReadModel, principal: Principal, appointmentId: string): { appointment: AppointmentView; doctor: DoctorInfo; timeZone: string } {
  const doctorId = ownerOf(appointmentId);
  if (doctorId === undefined) throw notFound(`Appointment/${appointmentId}`);
  const doctor = requireDoctor(read, principal, doctorId);
  const appointment = appointmentOf(read, appointmentId);
  if (appointment === undefined) throw notFound(`Appointment/${appointmentId}`);
  return { appointment, doctor, timeZone: timeZoneOf(read, doctor.clinicId) };
}

/** The cabinets named in the clinic's doctors' templates, sorted. */
export function cabinetsOf(read: ReadModel, clinicId: string): string[] {
  const cabinets = new Set<string>();
  for (const info of read.clinic(clinicId)?.roster.values() ?? []) {
    for (const rule of read.doctor(info.id)?.calendar.template ?? []) cabinets.add(rule.cabinet);
  }
  return [...cabinets].sort();
}
