/** Slots and appointments as the partner API shows them: instants as ISO 8601 in the clinic's offset. */
import type { AppointmentView } from '../../engine/calendar/appointment.ts';
import type { SlotView } from '../../engine/calendar/calendar-queries.ts';
import { isoAt } from '../views.ts';

export function slotWire(slot: SlotView, timeZone: string): Record<string, unknown> {
  return {
    id: slot.id,
    doctorId: slot.doctorId,
    date: slot.date,
    start: isoAt(slot.start, timeZone),
    end: isoAt(slot.end, timeZone),
    status: slot.status,
    cabinet: slot.cabinet,
    ...(slot.heldByViewer === true ? { heldByYou: true } : {}),
  };
}

export function appointmentWire(appointment: AppointmentView, timeZone: string): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    id: appointment.id,
    slotId: appointment.slotId,
    doctorId: appointment.doctorId,
    clinicId: appointment.clinicId,
    status: appointment.status,
    patientId: appointment.patient.id,
    patient: appointment.patient,
    date: appointment.date,
    start: isoAt(appointment.startAt, timeZone),
    end: isoAt(appointment.endAt, timeZone),
    cabinet: appointment.cabinet,
    source: appointment.source,
    services: appointment.services,
    createdAt: isoAt(appointment.createdAt, timeZone),
    callout: appointment.callout.map((entry) => ({ ...entry, at: isoAt(entry.at, timeZone) })),
    needsRebooking: appointment.needsRebooking,
    history: appointment.history.map((entry) => ({ ...entry, at: isoAt(entry.at, timeZone) })),
  };
  if (appointment.queueNumber !== undefined) wire['queueNumber'] = appointment.queueNumber;
  if (appointment.feedback !== undefined) wire['feedback'] = { ...appointment.feedback, at: isoAt(appointment.feedback.at, timeZone) };
  if (appointment.movedFrom !== undefined) wire['movedFrom'] = appointment.movedFrom;
  if (appointment.movedTo !== undefined) wire['movedTo'] = appointment.movedTo;
  return wire;
}

