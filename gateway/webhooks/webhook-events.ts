/**
 * Which log events become webhooks, under which names, and what each one carries. The mapping is a pure
 * function of the event and the directory (clinic time zones, doctor → clinic), never of the call's or the
 * appointment's current state: a redelivery after a restart sends byte-for-byte the same payload, and a
 * late delivery does not show a newer state than the event it announces.
 *
 * Names: `call.*` for home-visit calls, `appointment.*` for appointments (one per appointment status, plus
 * `appointment.rescheduled`). Everything else in the log (directory, holds, schedules, the outbox of
 * notifications) is internal and never leaves as a webhook.
 */
import type { AddressedEvent, DomainEvent, ReadModel } from '../../engine/index.ts';
import { idOf } from '../../engine/index.ts';
import { appointmentStatuses, type Appointment } from '../../engine/calendar/appointment.ts';
import { callWire, isoAt } from '../views.ts';

export const callEventNames = [
  'call.registered', 'call.accepted', 'call.assigned', 'call.cancelled', 'call.completed', 'call.transferred', 'call.overdue',
] as const;

/** `appointment.booked` … `appointment.cancelled`, one per status, then the moves. */
export const appointmentEventNames: readonly string[] = [
  ...appointmentStatuses.map((status) => `appointment.${status}`),
  'appointment.rescheduled',
];

export const webhookEventNames: readonly string[] = [...callEventNames, ...appointmentEventNames];

export function isWebhookEventName(name: string): boolean {
  return webhookEventNames.includes(name);
}

/** The domain events webhookEventOf maps: a durable batch without any of them wakes no subscription. */
export const publishedEventTypes: ReadonlySet<DomainEvent['type']> = new Set<DomainEvent['type']>([
  'CallRegistered', 'CallAccepted', 'CallAssigned', 'CallCancelled', 'CallCompleted', 'CallTransferred', 'CallBecameOverdue',
  'AppointmentBooked', 'AppointmentStatusChanged', 'AppointmentCheckedIn', 'AppointmentRescheduled', 'AppointmentMovedOut',
]);

/** One log event as a partner sees it, before it gets its id (position and index) and is encoded. */
export interface WebhookEvent {
  readonly type: string;
  readonly clinicId: string;
  readonly subject: { readonly callId: string } | { readonly appointmentId: string };
  readonly occurredAtMs: number;
  readonly timeZone: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The webhook an addressed log event becomes, or undefined for the events that are not published. */
export function webhookEventOf(record: AddressedEvent, read: ReadModel): WebhookEvent | undefined {
  const event = record.event;
  if (event.type === 'CallRegistered') {
    const zone = timeZoneOf(read, event.call.clinicId);
    return { type: 'call.registered', clinicId: event.call.clinicId, subject: { callId: event.call.id }, occurredAtMs: event.call.createdAt, timeZone: zone, data: callWire(event.call, zone) };
  }
  if (event.type === 'AppointmentBooked') {
    const appointment = event.appointment;
    const zone = timeZoneOf(read, appointment.clinicId);
    const occurredAtMs = appointment.history[appointment.history.length - 1]?.at ?? appointment.createdAt;
    return { type: 'appointment.booked', clinicId: appointment.clinicId, subject: { appointmentId: appointment.id }, occurredAtMs, timeZone: zone, data: appointmentWire(appointment, zone) };
  }
  const ownerId = idOf(record.address);
  const callChange = callChangeOf(event);
  if (callChange !== undefined) {
    const zone = timeZoneOf(read, ownerId);
    return { type: callChange.type, clinicId: ownerId, subject: { callId: callChange.callId }, occurredAtMs: callChange.at, timeZone: zone, data: withIsoTimes(callChange.data, zone) };
  }
  const appointmentChange = appointmentChangeOf(event);
  if (appointmentChange !== undefined) {
    // Appointment events live in the doctor's actor; the doctor belongs to one clinic for good.
    const clinicId = read.region().doctors.get(ownerId)?.clinicId;
    if (clinicId === undefined) return undefined;
    const zone = timeZoneOf(read, clinicId);
    return { type: appointmentChange.type, clinicId, subject: { appointmentId: appointmentChange.appointmentId }, occurredAtMs: appointmentChange.at, timeZone: zone, data: withIsoTimes(appointmentChange.data, zone) };
  }
  return undefined;
}

interface Change {
  readonly type: string;
  readonly at: number;
  readonly data: Record<string, unknown>;
}

function callChangeOf(event: DomainEvent): (Change & { readonly callId: string }) | undefined {
  const base = (type: string, callId: string, at: number, data: Record<string, unknown>) => ({ type, callId, at, data: { callId, ...data } });
  switch (event.type) {
    case 'CallAccepted':
      return base('call.accepted', event.callId, event.at, { status: 'new', at: event.at, by: event.by });
    case 'CallAssigned':
      return base('call.assigned', event.callId, event.at, { status: 'assigned', doctorId: event.doctorId, visitDate: event.visitDate, at: event.at, by: event.by, dueAt: event.dueAt });
    case 'CallCancelled':
      return base('call.cancelled', event.callId, event.at, { status: 'cancelled', reason: event.reason, at: event.at, by: event.by });
    case 'CallCompleted':
      return base('call.completed', event.callId, event.at, { status: 'completed', at: event.at, by: event.by, ...optional({ diagnosis: event.diagnosis, note: event.note }) });
    case 'CallTransferred':
      return base('call.transferred', event.callId, event.at, { status: 'transferred', toClinicId: event.toClinicId, toCallId: event.toCallId, reason: event.reason, at: event.at, by: event.by });
    case 'CallBecameOverdue':
      return base('call.overdue', event.callId, event.at, { overdue: true, at: event.at });
    default:
      return undefined;
  }
}

function appointmentChangeOf(event: DomainEvent): (Change & { readonly appointmentId: string }) | undefined {
  const base = (type: string, appointmentId: string, at: number, data: Record<string, unknown>) => ({ type, appointmentId, at, data: { appointmentId, ...data } });
  switch (event.type) {
    case 'AppointmentStatusChanged':
      return base(`appointment.${event.status}`, event.appointmentId, event.at, { status: event.status, at: event.at, by: event.by, ...optional({ note: event.note }) });
    case 'AppointmentCheckedIn':
      return base('appointment.checked_in', event.appointmentId, event.at, { status: 'checked_in', queueNumber: event.queueNumber, at: event.at, by: event.by });
    case 'AppointmentRescheduled':
      return base('appointment.rescheduled', event.appointmentId, event.at, { toSlotId: event.toSlotId, at: event.at, by: event.by });
    case 'AppointmentMovedOut':
      // A move to another doctor: this appointment ends here, the target's `appointment.booked` follows.
      return base('appointment.rescheduled', event.appointmentId, event.at, { toAppointmentId: event.toAppointmentId, toSlotId: event.toSlotId, at: event.at, by: event.by });
    default:
      return undefined;
  }
}

/** The appointment as partners see it: instants in the clinic's zone, the call-out log left out. */
export function appointmentWire(appointment: Appointment, timeZone: string): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    id: appointment.id,
    slotId: appointment.slotId,
    doctorId: appointment.doctorId,
    clinicId: appointment.clinicId,
    status: appointment.status,
    date: appointment.date,
    start: isoAt(appointment.startAt, timeZone),
    end: isoAt(appointment.endAt, timeZone),
    cabinet: appointment.cabinet,
    patientId: appointment.patient.id,
    patient: appointment.patient,
    source: appointment.source,
    services: [...appointment.services],
    createdAt: isoAt(appointment.createdAt, timeZone),
    history: appointment.history.map((entry) => ({ ...entry, at: isoAt(entry.at, timeZone) })),
  };
  return { ...wire, ...optional({ queueNumber: appointment.queueNumber, movedFrom: appointment.movedFrom }) };
}

const instantFields = ['at', 'dueAt'] as const;

function withIsoTimes(data: Record<string, unknown>, timeZone: string): Record<string, unknown> {
  const out = { ...data };
  for (const field of instantFields) {
    const value = out[field];
    if (typeof value === 'number') out[field] = isoAt(value, timeZone);
  }
  return out;
}

function optional(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

function timeZoneOf(read: ReadModel, clinicId: string): string {
  return read.region().clinics.get(clinicId)?.timeZone ?? 'UTC';
}
