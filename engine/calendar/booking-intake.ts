/**
 * The region's part of booking: check the request, match the patient (by policy, else by full name and
 * phone) or create one, and hand the booking to the doctor that owns the slot (the slot id names it). If the
 * doctor refuses (the slot was taken meanwhile), all that is left is a patient record, which is harmless: the
 * next booking of the same patient finds it. Also the region's check before a move between two doctors.
 */
import { accept, rejected, type DecideContext, type Decision } from '../actor.ts';
import { doctorAddress } from '../address.ts';
import { localDate } from '../domain/local-time.ts';
import { validatePatient } from '../intake.ts';
import type { RegionEvent } from '../messages.ts';
import { fullName, namePhoneKey, samePerson, type Patient } from '../patient.ts';
import { reject, type Rejection } from '../rejection.ts';
import { mergePatient, newPatient, regionTimeZoneDefault } from '../region-actor.ts';
import type { RegionState } from '../region-state.ts';
import { appointmentSources, serviceCharsMax, servicesPerAppointmentMax } from './appointment.ts';
import type { CalendarRegionCommand, RescheduleCommand } from './calendar-messages.ts';
import { holdIdCharsMax, validateHolder } from './doctor-decide-support.ts';
import { parseSlotId } from './slot-template.ts';

function validateServices(services: unknown): readonly string[] | Rejection {
  if (services === undefined) return [];
  if (!Array.isArray(services) || services.length > servicesPerAppointmentMax) {
    return reject('invalid', `services must be a list of at most ${servicesPerAppointmentMax}`, '/services');
  }
  const result: string[] = [];
  for (const [index, service] of (services as unknown[]).entries()) {
    if (typeof service !== 'string' || service.trim() === '' || service.length > serviceCharsMax) {
      return reject('invalid', `a service is 1..${serviceCharsMax} characters`, `/services/${index}`);
    }
    result.push(service.trim());
  }
  return result;
}

export function decideBookAppointment(
  state: RegionState,
  message: Extract<CalendarRegionCommand, { type: 'BookAppointment' }>,
  context: DecideContext,
): Decision<RegionEvent> {
  const input = message.booking;
  if (typeof input !== 'object' || input === null) return rejected(reject('invalid', 'booking is required', '/booking'));
  const slot = parseSlotId(input.slotId);
  if (slot === undefined) return rejected(reject('invalid', 'slotId must be <doctorId>.<YYYYMMDD>.<HHMM>', '/slotId'));
  const doctor = state.doctors.get(slot.doctorId);
  if (doctor === undefined) return rejected(reject('not_found', `slot ${input.slotId} not found`, '/slotId'));
  if (!appointmentSources.includes(input.source)) return rejected(reject('invalid', `source must be one of ${appointmentSources.join(', ')}`, '/source'));
  const services = validateServices(input.services);
  if ('code' in services) return rejected(services);
  const holder = input.holder ?? context.by;
  const holderError = validateHolder(holder);
  if (holderError !== undefined) return rejected(holderError);
  if (input.holdId !== undefined && (typeof input.holdId !== 'string' || input.holdId.length > holdIdCharsMax)) {
    return rejected(reject('invalid', `holdId is at most ${holdIdCharsMax} characters`, '/holdId'));
  }
  if (typeof input.patient !== 'object' || input.patient === null) return rejected(reject('invalid', 'patient is required', '/patient'));
  const timeZone = state.clinics.get(doctor.clinicId)?.timeZone ?? regionTimeZoneDefault;
  const form = validatePatient(input.patient, localDate(context.at, timeZone));
  if ('code' in form) return rejected(form);
  // The phone is where reminders and the call-out robot reach the patient, and half of the matching key.
  if (form.phone === undefined) return rejected(reject('invalid', 'a phone is required to book', '/patient/phone'));

  const byPolicy = form.policy === undefined ? undefined : state.patientByPolicy.get(form.policy);
  const byPolicyPatient = byPolicy === undefined ? undefined : state.patients.get(byPolicy);
  // A policy matches only the person it was registered to: booking with someone else's policy must neither
  // attach the appointment to them nor echo their stored name and birth date (docs/security.md).
  if (byPolicyPatient !== undefined && !samePerson(byPolicyPatient, form)) {
    return rejected(reject('conflict', 'this policy is registered to a person of another name or birth date: check the policy and the name', '/patient/policy'));
  }
  const matchedId = byPolicy ?? state.patientByNamePhone.get(namePhoneKey(form, form.phone));
  const matched = matchedId === undefined ? undefined : state.patients.get(matchedId);
  const events: RegionEvent[] = [];
  let patient: Patient;
  if (matched === undefined) {
    patient = newPatient(context.ids.next(), form);
    events.push({ type: 'PatientRegistered', patient });
  } else {
    patient = mergePatient(matched, form);
    if (patient !== matched) events.push({ type: 'PatientUpdated', patient });
  }
  const booking = {
    slotId: input.slotId,
    ...(input.holdId === undefined ? {} : { holdId: input.holdId }),
    holder,
    patient: { id: patient.id, name: fullName(patient), phone: form.phone, birthDate: patient.birthDate },
    source: input.source,
    services,
  };
  return accept(events, undefined, [{ to: doctorAddress(doctor.id), message: { type: 'BookSlot', booking } }]);
}

/** A move to another doctor's slot: both doctors must exist before the source doctor locks the appointment. */
export function decideRescheduleAcross(state: RegionState, message: RescheduleCommand): Decision<RegionEvent> {
  const from = ownerDoctor(state, message.appointmentId);
  if (from === undefined) return rejected(reject('not_found', `appointment ${message.appointmentId} not found`, '/appointmentId'));
  const target = parseSlotId(message.slotId);
  if (target === undefined) return rejected(reject('invalid', 'slotId must be <doctorId>.<YYYYMMDD>.<HHMM>', '/slotId'));
  if (!state.doctors.has(target.doctorId)) return rejected(reject('not_found', `slot ${message.slotId} not found`, '/slotId'));
  return accept([], undefined, [{ to: doctorAddress(from), message: { ...message } }]);
}

function ownerDoctor(state: RegionState, entityId: string): string | undefined {
  const dot = typeof entityId === 'string' ? entityId.indexOf('.') : -1;
  const owner = dot > 0 ? entityId.slice(0, dot) : undefined;
  return owner !== undefined && state.doctors.has(owner) ? owner : undefined;
}
