/**
 * The calendar's invariants over a whole engine, for the simulation test and for anyone who wants to assert a
 * state is sane: no slot booked twice, no slot held and booked at once, every live appointment owns exactly one
 * slot and that slot points back, queue numbers unique per doctor and day, at most one visit in service per
 * cabinet, no move left half-done, only legal status changes, the derived indexes equal a recount.
 * Cost: every slot and appointment of every doctor — a test tool, never on the command path.
 */
import type { Engine } from '../engine.ts';
import { DoctorState } from '../doctor-state.ts';
import { isLegalAppointmentTransition, keepsSlot, liveAppointmentStatuses, type Appointment } from './appointment.ts';

export function calendarViolations(engine: Engine): string[] {
  const violations: string[] = [];
  const doctors = new Map<string, DoctorState>();
  for (const address of engine.addresses()) {
    const state = engine.stateOf(address);
    if (state instanceof DoctorState) doctors.set(state.id, state);
  }
  for (const doctor of doctors.values()) {
    slotViolations(doctor, violations);
    appointmentViolations(doctor, violations);
  }
  for (const doctor of doctors.values()) {
    for (const appointment of doctor.appointments.byId.values()) {
      if (appointment.movedTo === undefined) continue;
      const target = doctors.get(appointment.movedTo.appointmentId.split('.')[0] ?? '')?.appointments.get(appointment.movedTo.appointmentId);
      if (target !== undefined && target.movedFrom !== appointment.id) violations.push(`${target.id} does not point back to ${appointment.id}`);
    }
  }
  return violations;
}

function slotViolations(doctor: DoctorState, violations: string[]): void {
  const calendar = doctor.calendar;
  const owners = new Map<string, string>();
  let holds = 0;
  for (const day of calendar.days.values()) {
    let free = 0;
    let previousEnd = -1;
    for (const slot of day.slots) {
      if (slot.startMinutes < previousEnd) violations.push(`${slot.id} overlaps the slot before it`);
      previousEnd = slot.endMinutes;
      if (slot.hold !== undefined) {
        holds += 1;
        if (calendar.holdDeadlines.priorityOf(slot.id) !== slot.hold.expiresAt) violations.push(`${slot.id}: hold deadline not indexed`);
      }
      if (!day.blocked && !slot.retired && slot.appointmentId === undefined && slot.hold === undefined) free += 1;
      if (slot.retired && slot.appointmentId === undefined) violations.push(`${slot.id} is retired but serves no booking`);
      if (slot.appointmentId === undefined) continue;
      if (slot.hold !== undefined) violations.push(`${slot.id} is booked by ${slot.appointmentId} and held by ${slot.hold.holder}`);
      const other = owners.get(slot.appointmentId);
      if (other !== undefined) violations.push(`${slot.appointmentId} owns ${other} and ${slot.id}`);
      owners.set(slot.appointmentId, slot.id);
      const appointment = doctor.appointments.get(slot.appointmentId);
      if (appointment === undefined) violations.push(`${slot.id} is booked by unknown ${slot.appointmentId}`);
      else if (appointment.slotId !== slot.id || !keepsSlot(appointment)) violations.push(`${slot.id} is booked by ${appointment.id} which does not own it`);
    }
    if (free !== day.freeCount) violations.push(`${doctor.id} ${day.date}: free count ${day.freeCount}, recount ${free}`);
  }
  if (holds !== calendar.holdDeadlines.size) violations.push(`${doctor.id}: ${calendar.holdDeadlines.size} hold deadlines for ${holds} holds`);
}

function appointmentViolations(doctor: DoctorState, violations: string[]): void {
  const calendar = doctor.calendar;
  const queueNumbers = new Set<string>();
  let inService = 0;
  for (const appointment of doctor.appointments.byId.values()) {
    if (appointment.movingTo !== undefined) violations.push(`${appointment.id} is left locked by a move`);
    const dayOpen = calendar.days.has(appointment.date);
    const live = liveAppointmentStatuses.has(appointment.status) && appointment.movedTo === undefined;
    if (live && dayOpen && calendar.slot(appointment.slotId)?.appointmentId !== appointment.id) {
      violations.push(`live ${appointment.id} does not own its slot ${appointment.slotId}`);
    }
    if (!keepsSlot(appointment) && calendar.slot(appointment.slotId)?.appointmentId === appointment.id) {
      violations.push(`${appointment.status} ${appointment.id} still holds ${appointment.slotId}`);
    }
    if (appointment.queueNumber !== undefined) {
      const key = `${appointment.date}#${appointment.queueNumber}`;
      if (queueNumbers.has(key)) violations.push(`${doctor.id}: queue number ${key} given twice`);
      queueNumbers.add(key);
    }
    if (appointment.status === 'in_service') inService += 1;
    historyViolations(appointment, violations);
  }
  if (inService > 1) violations.push(`${doctor.id}: ${inService} visits in service in one cabinet`);
  const serving = doctor.appointments.servingId;
  if ((serving === undefined) !== (inService === 0)) violations.push(`${doctor.id}: serving index ${serving} but ${inService} in service`);
}

function historyViolations(appointment: Appointment, violations: string[]): void {
  for (let index = 1; index < appointment.history.length; index += 1) {
    const before = (appointment.history[index - 1] as Appointment['history'][number]).status;
    const after = (appointment.history[index] as Appointment['history'][number]).status;
    if (before !== after && !isLegalAppointmentTransition(before, after)) violations.push(`${appointment.id}: illegal ${before} → ${after}`);
  }
  const last = appointment.history[appointment.history.length - 1];
  if (last?.status !== appointment.status) violations.push(`${appointment.id}: status ${appointment.status} but history ends ${last?.status}`);
}
