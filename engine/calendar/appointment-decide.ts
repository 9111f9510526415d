/**
 * Booking, confirming, cancelling and moving appointments in a doctor's calendar.
 *
 * A move within one doctor is one event. A move to another doctor is a two-actor step; why it never shows the
 * appointment on both slots or on neither is written in docs/calendars.md ("Moving an appointment to another
 * doctor"). In short: the source doctor (A) locks the appointment and keeps its slot; the target doctor (B)
 * books the new slot in one event — the single point at which the appointment changes hands — and tells A,
 * which then frees the old slot; if B refuses, A unlocks and nothing changed. The whole exchange is one
 * command's cascade: no other command or query runs in between, and its events reach the log in one batch.
 */
import { accept, rejected, type DecideContext, type Decision, type Outgoing } from '../actor.ts';
import { doctorAddress } from '../address.ts';
import type { DoctorState } from '../doctor-state.ts';
import { reasonCharsMax, validateText } from '../intake.ts';
import type { DoctorEvent, DoctorInput } from '../messages.ts';
import { fail, reject } from '../rejection.ts';
import { appointmentView, movableAppointmentStatuses, reschedulesPerAppointmentMax, type Appointment } from './appointment.ts';
import {
  changeableAppointment, claimableSlot, describe, findAppointment, illegalAppointment, movingConflict, newAppointment, notice, validateHolder,
} from './doctor-decide-support.ts';
import type { Slot } from './slot-calendar.ts';
import { parseSlotId } from './slot-template.ts';

type Message<T extends DoctorInput['type']> = Extract<DoctorInput, { type: T }>;

export function decideBookSlot(state: DoctorState, message: Message<'BookSlot'>, context: DecideContext): Decision<DoctorEvent> {
  const { booking } = message;
  const claim = booking.holdId === undefined ? { holder: booking.holder } : { holder: booking.holder, holdId: booking.holdId };
  const slot = claimableSlot(state.calendar, booking.slotId, context.at, claim);
  if ('code' in slot) return rejected(slot);
  const appointment = newAppointment(state, slot, {
    id: `${state.id}.${context.ids.next()}`,
    patient: booking.patient,
    source: booking.source,
    services: booking.services,
    at: context.at,
    by: context.by,
  });
  return accept([{ type: 'AppointmentBooked', appointment }], undefined, [
    notice(state, appointment, 'appointment_booked', context.at),
    describe(appointment.id, context.self),
  ]);
}

export function decideDescribe(state: DoctorState, message: Message<'DescribeAppointment'>): Decision<DoctorEvent> {
  const appointment = state.appointments.get(message.appointmentId);
  if (appointment === undefined) fail(`appointment ${message.appointmentId} is missing in ${state.id}`);
  return accept([], { ...appointmentView(appointment, state.needsRebooking(appointment.id)) });
}


export function decideConfirm(state: DoctorState, message: Message<'ConfirmAppointment'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = changeableAppointment(state, message.appointmentId, 'confirmed');
  if ('code' in appointment) return rejected(appointment);
  const event: DoctorEvent = { type: 'AppointmentStatusChanged', appointmentId: appointment.id, status: 'confirmed', at: context.at, by: context.by };
  return accept([event], undefined, [describe(appointment.id, context.self)]);
}

export function decideCancel(state: DoctorState, message: Message<'CancelAppointment'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = changeableAppointment(state, message.appointmentId, 'cancelled');
  if ('code' in appointment) return rejected(appointment);
  const reasonError = validateText(message.reason, '/reason', reasonCharsMax, false);
  if (reasonError !== undefined) return rejected(reasonError);
  const reason = message.reason?.trim();
  const event: DoctorEvent = {
    type: 'AppointmentStatusChanged',
    appointmentId: appointment.id,
    status: 'cancelled',
    at: context.at,
    by: context.by,
    ...(reason === undefined || reason === '' ? {} : { note: reason }),
  };
  return accept([event], undefined, [notice(state, appointment, 'appointment_cancelled', context.at), describe(appointment.id, context.self)]);
}

/**
 * Step 1 of a move, at the appointment's doctor (A). Same doctor: one event moves it. Another doctor: lock the
 * appointment (it keeps its slot) and ask the target doctor (B) to take it. The router sends a move to another
 * doctor through the region, which has checked that B exists: B's answer (booked or refused) always comes back,
 * so the lock never outlives the command's cascade.
 */
export function decideReschedule(state: DoctorState, message: Message<'RescheduleAppointment'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = findAppointment(state, message.appointmentId);
  if ('code' in appointment) return rejected(appointment);
  const moving = movingConflict(appointment);
  if (moving !== undefined) return rejected(moving);
  if (appointment.movedTo !== undefined || !movableAppointmentStatuses.has(appointment.status)) {
    return rejected(illegalAppointment(appointment, 'moved'));
  }
  if (message.slotId === appointment.slotId) return accept([], undefined, [describe(appointment.id, context.self)]);
  const target = parseSlotId(message.slotId);
  if (target === undefined) return rejected(reject('invalid', 'slotId must be <doctorId>.<YYYYMMDD>.<HHMM>', '/slotId'));
  if (appointment.reschedules >= reschedulesPerAppointmentMax) {
    return rejected(reject('rule_broken', `an appointment moves at most ${reschedulesPerAppointmentMax} times`, '/appointmentId'));
  }
  const holder = message.holder ?? context.by;
  const holderError = validateHolder(holder);
  if (holderError !== undefined) return rejected(holderError);
  if (target.doctorId === state.id) {
    const claim = message.holdId === undefined ? { holder } : { holder, holdId: message.holdId };
    const slot = claimableSlot(state.calendar, message.slotId, context.at, claim);
    if ('code' in slot) return rejected(slot);
    const event: DoctorEvent = { type: 'AppointmentRescheduled', appointmentId: appointment.id, toSlotId: slot.id, at: context.at, by: context.by };
    return accept([event], undefined, [
      notice(state, onSlot(appointment, slot), 'appointment_rescheduled', context.at),
      describe(appointment.id, context.self),
    ]);
  }
  const move = {
    fromAppointmentId: appointment.id,
    fromDoctorId: state.id,
    toSlotId: message.slotId,
    ...(message.holdId === undefined ? {} : { holdId: message.holdId }),
    holder,
    patient: appointment.patient,
    source: appointment.source,
    services: appointment.services,
    createdAt: appointment.createdAt,
    status: appointment.status,
    reschedules: appointment.reschedules,
    history: [...appointment.history],
  };
  return accept([{ type: 'AppointmentMoveStarted', appointmentId: appointment.id, toSlotId: message.slotId }], undefined, [
    { to: doctorAddress(target.doctorId), message: { type: 'ReceiveMovedAppointment', move } },
  ]);
}

/** Step 2, at the target doctor (B): book the slot for the moved appointment — the move's commit point — or refuse. */
export function decideReceiveMove(state: DoctorState, message: Message<'ReceiveMovedAppointment'>, context: DecideContext): Decision<DoctorEvent> {
  const { move } = message;
  const claim = move.holdId === undefined ? { holder: move.holder } : { holder: move.holder, holdId: move.holdId };
  const slot = claimableSlot(state.calendar, move.toSlotId, context.at, claim);
  if ('code' in slot) {
    return rejected(slot, [
      { to: doctorAddress(move.fromDoctorId), message: { type: 'MoveAborted', appointmentId: move.fromAppointmentId, toSlotId: move.toSlotId } },
    ]);
  }
  const fresh = newAppointment(state, slot, {
    id: `${state.id}.${context.ids.next()}`,
    patient: move.patient,
    source: move.source,
    services: move.services,
    at: context.at,
    by: context.by,
  });
  const appointment: Appointment = {
    ...fresh,
    createdAt: move.createdAt,
    status: move.status,
    reschedules: move.reschedules + 1,
    movedFrom: move.fromAppointmentId,
    history: [...move.history, { at: context.at, status: move.status, by: context.by, note: `moved from ${move.fromAppointmentId}` }],
  };
  const send: Outgoing[] = [
    {
      to: doctorAddress(move.fromDoctorId),
      message: { type: 'MoveCompleted', appointmentId: move.fromAppointmentId, toAppointmentId: appointment.id, toSlotId: slot.id },
    },
    notice(state, appointment, 'appointment_rescheduled', context.at),
    describe(appointment.id, context.self),
  ];
  return accept([{ type: 'AppointmentBooked', appointment }], undefined, send);
}

/** Step 3, back at A: the appointment now lives at B, so A lets go of the old slot. */
export function decideMoveCompleted(state: DoctorState, message: Message<'MoveCompleted'>, context: DecideContext): Decision<DoctorEvent> {
  const appointment = state.appointments.get(message.appointmentId);
  if (appointment?.movingTo !== message.toSlotId) fail(`move of ${message.appointmentId} to ${message.toSlotId} completed without being started`);
  return accept([
    {
      type: 'AppointmentMovedOut',
      appointmentId: appointment.id,
      toAppointmentId: message.toAppointmentId,
      toSlotId: message.toSlotId,
      at: context.at,
      by: context.by,
    },
  ]);
}

/** Step 3 when B refused: A unlocks; the appointment keeps its slot as if nothing had been asked. */
export function decideMoveAborted(state: DoctorState, message: Message<'MoveAborted'>): Decision<DoctorEvent> {
  const appointment = state.appointments.get(message.appointmentId);
  if (appointment?.movingTo !== message.toSlotId) return accept([]);
  return accept([{ type: 'AppointmentMoveAborted', appointmentId: appointment.id }]);
}

/** The appointment as it will look on another slot of the same doctor (for the notice sent with the move). */
function onSlot(appointment: Appointment, slot: Slot): Appointment {
  return { ...appointment, slotId: slot.id, date: slot.date, startAt: slot.startAt, endAt: slot.endAt, cabinet: slot.cabinet };
}
