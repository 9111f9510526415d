/**
 * Our records as FHIR R4 resources, in one place: the directory (Practitioner, PractitionerRole, Organization,
 * Location, Schedule), the calendar (Slot, Appointment — booked ones by their id, proposed ones derived from a
 * free slot as `proposed-<slotId>`) and the patient. Status codes map both ways here; instants carry the
 * clinic's offset. Nothing here reads a clock or keeps state: every resource is a view of the engine's.
 */
import type { ClinicInfo, DoctorInfo } from '../../engine/directory.ts';
import type { Patient } from '../../engine/patient.ts';
import type { AppointmentStatus, AppointmentView } from '../../engine/calendar/appointment.ts';
import type { SlotStatus } from '../../engine/calendar/slot-calendar.ts';
import type { SlotView } from '../../engine/calendar/calendar-queries.ts';
import { isoAt } from '../views.ts';

type Resource = Record<string, unknown>;

/** Identifier and code systems of this server (URNs: a deployment may swap in national OIDs). */
export const policyIdentifierSystem = 'urn:clinic-dispatch:identifier:policy';
export const specialtySystem = 'urn:clinic-dispatch:specialty';
export const holdExpiresExtensionUrl = 'urn:clinic-dispatch:fhir:StructureDefinition:hold-expires';
export const proposedIdPrefix = 'proposed-';

export const slotStatusToFhir: Readonly<Record<SlotStatus, string>> = {
  free: 'free',
  held: 'busy-tentative',
  booked: 'busy',
  blocked: 'busy-unavailable',
};

/** FHIR slot status → ours; `entered-in-error` matches nothing (we never record slots in error). */
export const slotStatusFromFhir: Readonly<Record<string, SlotStatus | undefined>> = {
  'free': 'free',
  'busy-tentative': 'held',
  'busy': 'booked',
  'busy-unavailable': 'blocked',
  'entered-in-error': undefined,
};

export const appointmentStatusToFhir: Readonly<Record<AppointmentStatus, string>> = {
  booked: 'booked',
  confirmed: 'booked',
  declined: 'cancelled',
  checked_in: 'checked-in',
  in_service: 'arrived',
  completed: 'fulfilled',
  no_show: 'noshow',
  cancelled: 'cancelled',
};

/** FHIR appointment status → the stored statuses it covers; proposed and pending are derived from slots. */
export const appointmentStatusFromFhir: Readonly<Record<string, readonly AppointmentStatus[]>> = {
  'proposed': [],
  'pending': [],
  'booked': ['booked', 'confirmed'],
  'arrived': ['in_service'],
  'fulfilled': ['completed'],
  'cancelled': ['cancelled', 'declined'],
  'noshow': ['no_show'],
  'entered-in-error': [],
  'checked-in': ['checked_in'],
  'waitlist': [],
};

const reference = (type: string, id: string, display?: string): Resource => (display === undefined ? { reference: `${type}/${id}` } : { reference: `${type}/${id}`, display });

/** A cabinet as a Location id of its own: the clinic, then the cabinet's text (hex when it is not id-safe). */
export function cabinetLocationId(clinicId: string, cabinet: string): string {
  const code = /^[A-Za-z0-9.]+$/.test(cabinet) ? cabinet : `x${Buffer.from(cabinet, 'utf8').toString('hex')}`;
  return `${clinicId}-cabinet-${code}`;
}

function specialtyConcept(specialty: string): Resource {
  return { coding: [{ system: specialtySystem, code: specialty }], text: specialty };
}

export function practitionerResource(doctor: DoctorInfo): Resource {
  const resource: Resource = { resourceType: 'Practitioner', id: doctor.id, active: true, name: [{ text: doctor.name }] };
  if (doctor.phone !== undefined) resource['telecom'] = [{ system: 'phone', value: doctor.phone }];
  return resource;
}

export function practitionerRoleResource(doctor: DoctorInfo): Resource {
  return {
    resourceType: 'PractitionerRole',
    id: doctor.id,
    active: true,
    practitioner: reference('Practitioner', doctor.id, doctor.name),
    organization: reference('Organization', doctor.clinicId),
    specialty: [specialtyConcept(doctor.specialty)],
    location: [reference('Location', doctor.clinicId)],
  };
}

export function organizationResource(clinic: ClinicInfo): Resource {
  const resource: Resource = { resourceType: 'Organization', id: clinic.id, active: true, name: clinic.name, address: [{ text: clinic.address }] };
  if (clinic.phone !== undefined) resource['telecom'] = [{ system: 'phone', value: clinic.phone }];
  return resource;
}

export function clinicLocationResource(clinic: ClinicInfo): Resource {
  const resource: Resource = {
    resourceType: 'Location',
    id: clinic.id,
    status: 'active',
    name: clinic.name,
    mode: 'instance',
    address: { text: clinic.address },
    physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'bu', display: 'Building' }] },
    managingOrganization: reference('Organization', clinic.id),
  };
  if (clinic.phone !== undefined) resource['telecom'] = [{ system: 'phone', value: clinic.phone }];
  return resource;
}

export function cabinetLocationResource(clinic: ClinicInfo, cabinet: string): Resource {
  return {
    resourceType: 'Location',
    id: cabinetLocationId(clinic.id, cabinet),
    status: 'active',
    name: cabinet,
    mode: 'instance',
    physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'ro', display: 'Room' }] },
    managingOrganization: reference('Organization', clinic.id),
    partOf: reference('Location', clinic.id),
  };
}

export function scheduleResource(doctor: DoctorInfo): Resource {
  return {
    resourceType: 'Schedule',
    id: doctor.id,
    active: true,
    specialty: [specialtyConcept(doctor.specialty)],
    actor: [reference('Practitioner', doctor.id, doctor.name), reference('Location', doctor.clinicId)],
  };
}

export function slotResource(slot: SlotView, specialty: string, timeZone: string): Resource {
  return {
    resourceType: 'Slot',
    id: slot.id,
    schedule: reference('Schedule', slot.doctorId),
    status: slotStatusToFhir[slot.status],
    start: isoAt(slot.start, timeZone),
    end: isoAt(slot.end, timeZone),
    specialty: [specialtyConcept(specialty)],
  };
}

/**
 * A proposed appointment for a free slot (`proposed`), or for a slot the caller holds (`pending`, with the hold's
 * deadline as an extension). Its id names the slot, so it needs no state of its own.
 */
export function proposedAppointmentResource(slot: SlotView, doctor: DoctorInfo, timeZone: string, hold?: { readonly expiresAt: number }): Resource {
  const resource: Resource = {
    resourceType: 'Appointment',
    id: `${proposedIdPrefix}${slot.id}`,
    status: hold === undefined ? 'proposed' : 'pending',
    specialty: [specialtyConcept(doctor.specialty)],
    start: isoAt(slot.start, timeZone),
    end: isoAt(slot.end, timeZone),
    minutesDuration: Math.round((slot.end - slot.start) / 60_000),
    slot: [reference('Slot', slot.id)],
    participant: [
      { actor: reference('Practitioner', doctor.id, doctor.name), required: 'required', status: hold === undefined ? 'needs-action' : 'tentative' },
      { actor: reference('Location', cabinetLocationId(doctor.clinicId, slot.cabinet), slot.cabinet), required: 'required', status: hold === undefined ? 'needs-action' : 'tentative' },
    ],
  };
  if (hold !== undefined) resource['extension'] = [{ url: holdExpiresExtensionUrl, valueInstant: new Date(hold.expiresAt).toISOString() }];
  return resource;
}

export function appointmentResource(appointment: AppointmentView, doctor: DoctorInfo | undefined, timeZone: string): Resource {
  const status = appointmentStatusToFhir[appointment.status];
  const resource: Resource = {
    resourceType: 'Appointment',
    id: appointment.id,
    status,
    start: isoAt(appointment.startAt, timeZone),
    end: isoAt(appointment.endAt, timeZone),
    minutesDuration: Math.round((appointment.endAt - appointment.startAt) / 60_000),
    slot: [reference('Slot', appointment.slotId)],
    created: isoAt(appointment.createdAt, timeZone),
    participant: [
      { actor: reference('Patient', appointment.patient.id, appointment.patient.name), required: 'required', status: status === 'cancelled' ? 'declined' : 'accepted' },
      { actor: reference('Practitioner', appointment.doctorId, doctor?.name), required: 'required', status: 'accepted' },
      { actor: reference('Location', cabinetLocationId(appointment.clinicId, appointment.cabinet), appointment.cabinet), required: 'required', status: 'accepted' },
    ],
  };
  if (doctor !== undefined) resource['specialty'] = [specialtyConcept(doctor.specialty)];
  if (appointment.services.length > 0) resource['serviceType'] = appointment.services.map((service) => ({ text: service }));
  if (appointment.status === 'declined') resource['cancelationReason'] = { text: 'declined by the patient' };
  const cancelled = [...appointment.history].reverse().find((entry) => entry.status === 'cancelled');
  if (appointment.status === 'cancelled' && cancelled?.note !== undefined) resource['cancelationReason'] = { text: cancelled.note };
  return resource;
}

export function patientResource(patient: Patient): Resource {
  const given = patient.patronymic === undefined ? [patient.name] : [patient.name, patient.patronymic];
  const resource: Resource = {
    resourceType: 'Patient',
    id: patient.id,
    active: true,
    name: [{ family: patient.surname, given, text: [patient.surname, ...given].join(' ') }],
    gender: patient.sex === 'F' ? 'female' : 'male',
    birthDate: patient.birthDate,
  };
  if (patient.policy !== undefined) resource['identifier'] = [{ system: policyIdentifierSystem, value: patient.policy }];
  if (patient.phones.length > 0) resource['telecom'] = patient.phones.map((phone) => ({ system: 'phone', value: phone, use: 'mobile' }));
  return resource;
}
