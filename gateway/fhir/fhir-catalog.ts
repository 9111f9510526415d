/**
 * What the facade serves, declared once: per resource type its interactions, search parameters and operations.
 * The routes parse searches with these specs (an undeclared parameter is refused) and the CapabilityStatement
 * is generated from them, so the statement lists exactly what is served.
 */
import type { SearchParameterSpec } from './fhir-search.ts';

export interface OperationSpec {
  readonly name: string;
  readonly definition: string;
  readonly documentation: string;
}

export interface ResourceSpec {
  readonly type: string;
  readonly interactions: ReadonlyArray<'read' | 'search-type' | 'update' | 'patch'>;
  readonly searchParams: readonly SearchParameterSpec[];
  readonly operations: readonly OperationSpec[];
  readonly documentation: string;
}

const idParam: SearchParameterSpec = { name: '_id', type: 'token', documentation: 'The resource id; a comma-separated list is OR' };

export const slotSearchParams: readonly SearchParameterSpec[] = [
  idParam,
  { name: 'schedule', type: 'reference', documentation: 'Schedule/<doctorId>' },
  { name: 'start', type: 'date', documentation: 'Slot start: a date (the clinic\'s local date) or a date-time with offset, prefixes eq ne gt ge lt le; repeat for a range' },
  { name: 'status', type: 'token', documentation: 'free | busy | busy-tentative | busy-unavailable (a slot you hold is busy-tentative to you too)' },
];

export const appointmentSearchParams: readonly SearchParameterSpec[] = [
  idParam,
  { name: 'patient', type: 'reference', documentation: 'Patient/<id>' },
  { name: 'practitioner', type: 'reference', documentation: 'Practitioner/<doctorId>' },
  { name: 'date', type: 'date', documentation: 'Appointment start, as for Slot.start' },
  { name: 'status', type: 'token', documentation: 'booked | arrived | fulfilled | cancelled | noshow | checked-in (stored appointments; proposed and pending ones come from $find and $hold)' },
];

export const practitionerSearchParams: readonly SearchParameterSpec[] = [idParam, { name: 'name', type: 'string', documentation: 'Part of the name, case-insensitive' }];
export const practitionerRoleSearchParams: readonly SearchParameterSpec[] = [
  idParam,
  { name: 'practitioner', type: 'reference', documentation: 'Practitioner/<doctorId>' },
  { name: 'organization', type: 'reference', documentation: 'Organization/<clinicId>' },
  { name: 'specialty', type: 'token', documentation: 'The specialty code (therapist, pediatrician, ...), with or without its system' },
];
export const organizationSearchParams: readonly SearchParameterSpec[] = [idParam, { name: 'name', type: 'string', documentation: 'Part of the name, case-insensitive' }];
export const locationSearchParams: readonly SearchParameterSpec[] = [idParam, { name: 'organization', type: 'reference', documentation: 'Organization/<clinicId>: the clinic and its cabinets' }];
export const scheduleSearchParams: readonly SearchParameterSpec[] = [idParam, { name: 'actor', type: 'reference', documentation: 'Practitioner/<doctorId> or Location/<clinicId>' }];
export const patientSearchParams: readonly SearchParameterSpec[] = [
  idParam,
  { name: 'identifier', type: 'token', documentation: 'The policy number (ОМС), as <value> or <system>|<value>' },
  { name: 'telecom', type: 'token', documentation: 'A phone number, in any common notation' },
];

const ihe = 'https://profiles.ihe.net/ITI/Scheduling/OperationDefinition';

export const appointmentOperations: readonly OperationSpec[] = [
  { name: 'find', definition: `${ihe}/appointment-find`, documentation: 'POST Parameters (or GET with the same names): start, end, practitioner or specialty, location, _count → Bundle of proposed Appointments with their Slots' },
  { name: 'hold', definition: `${ihe}/appointment-hold`, documentation: 'POST Parameters appointment-reference (a proposed Appointment) → the Appointment, pending; its slot busy-tentative until the hold expires' },
  { name: 'book', definition: `${ihe}/appointment-book`, documentation: 'POST Parameters appointment-reference or appointment-resource, patient-reference or patient-resource → 201 the booked Appointment; a taken slot is 409' },
  { name: 'cancel', definition: 'urn:clinic-dispatch:fhir:OperationDefinition:appointment-cancel', documentation: 'POST [base]/Appointment/<id>/$cancel, optional Parameters reason (valueString) → the Appointment, cancelled; its slot free again (a pending one releases its hold)' },
];

export const resourceCatalog: readonly ResourceSpec[] = [
  { type: 'Practitioner', interactions: ['read', 'search-type'], searchParams: practitionerSearchParams, operations: [], documentation: 'Doctors' },
  { type: 'PractitionerRole', interactions: ['read', 'search-type'], searchParams: practitionerRoleSearchParams, operations: [], documentation: 'A doctor\'s specialty at a clinic; id = the doctor\'s id' },
  { type: 'Organization', interactions: ['read', 'search-type'], searchParams: organizationSearchParams, operations: [], documentation: 'Clinics' },
  { type: 'Location', interactions: ['read', 'search-type'], searchParams: locationSearchParams, operations: [], documentation: 'Clinics (id = the clinic id) and their cabinets (<clinicId>-cabinet-<cabinet>)' },
  { type: 'Schedule', interactions: ['read', 'search-type'], searchParams: scheduleSearchParams, operations: [], documentation: 'One per doctor; id = the doctor\'s id' },
  { type: 'Slot', interactions: ['read', 'search-type'], searchParams: slotSearchParams, operations: [], documentation: 'Reception slots of the open horizon' },
  { type: 'Appointment', interactions: ['read', 'search-type', 'update', 'patch'], searchParams: appointmentSearchParams, operations: appointmentOperations, documentation: 'Booked appointments by id; proposed ones as proposed-<slotId>. PUT or PATCH (JSON Patch) may only set status to cancelled' },
  { type: 'Patient', interactions: ['read', 'search-type'], searchParams: patientSearchParams, operations: [], documentation: 'Patients; needs a region-wide token' },
];
