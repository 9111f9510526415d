/**
 * FHIR reads and searches: Practitioner, PractitionerRole, Organization, Location, Schedule, Slot,
 * Appointment, Patient. Each reads the engine's durable state (a query waits for the tick in flight, as the
 * partner API's do) and maps it in fhir-resources.ts; scope rules are the partner API's (fhir-scope.ts).
 */
import type { ReadModel } from '../../engine/index.ts';
import { slotView, type SlotView } from '../../engine/calendar/calendar-queries.ts';
import { addDays } from '../../engine/domain/local-time.ts';
import { normalizePhone } from '../../engine/domain/phone.ts';
import { actorOf, type Principal } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import type { Route, RouteReply } from '../http/route.ts';
import { readModel, timeZoneOf, type RouteDeps } from '../routes/route-support.ts';
import { appointmentSearchParams, locationSearchParams, organizationSearchParams, patientSearchParams, practitionerRoleSearchParams, practitionerSearchParams, scheduleSearchParams, slotSearchParams } from './fhir-catalog.ts';
import { cabinetsOf, findAppointment, findProposed, findSlot, slotIdOfProposed } from './fhir-lookups.ts';
import {
  appointmentResource, appointmentStatusFromFhir, cabinetLocationId, cabinetLocationResource, clinicLocationResource, organizationResource, patientResource,
  policyIdentifierSystem, practitionerResource, practitionerRoleResource, proposedAppointmentResource, scheduleResource, slotResource, slotStatusFromFhir, specialtySystem,
} from './fhir-resources.ts';
import { fhirRoute, type FhirContext } from './fhir-route.ts';
import { requireClinicSeen, requireDoctor, requireRegionScope, visibleClinicIds, visibleDoctors } from './fhir-scope.ts';
import {
  dateWindow, fhirSearchMatchesMax, matchesDates, pageOf, parseDatePredicate, parseSearch, referenceIdOf, searchBundle, tokenAlternatives, tooCostly,
  type BundleEntry, type ParsedSearch, type SearchParameterSpec,
} from './fhir-search.ts';

type Resource = Record<string, unknown>;

const ok = (body: unknown): RouteReply => ({ status: 200, body });

/** Keeps resources that pass every `_id` list and the search's own filter, then pages them. */
function searchReply(type: string, search: ParsedSearch, all: readonly Resource[]): RouteReply {
  const idLists = tokenAlternatives(search.values.get('_id'));
  const matches = all.filter((resource) => idLists.every((ids) => ids.includes(String(resource['id']))));
  return ok(searchBundle(type, search, matches.length, pageOf(matches, search).map((resource): BundleEntry => ({ resource, mode: 'match' }))));
}

function textMatches(search: ParsedSearch, name: string, text: string): boolean {
  return (search.values.get(name) ?? []).every((needle) => text.toLowerCase().includes(needle.toLowerCase()));
}

function referenceIds(search: ParsedSearch, name: string, type: string): string[][] {
  return tokenAlternatives(search.values.get(name)).map((list) => list.map((value) => referenceIdOf(value, type, name)));
}

function searchOf(context: FhirContext, specs: readonly SearchParameterSpec[]): ParsedSearch {
  return parseSearch(context.rawQuery, specs);
}

function directoryRoutes(deps: RouteDeps): Route[] {
  const read = (): Promise<ReadModel> => readModel(deps);
  return [
    fhirRoute({
      method: 'get', path: '/Practitioner/:id', operationId: 'fhirReadPractitioner', summary: 'A doctor',
      handle: async (context) => ok(practitionerResource(requireDoctor(await read(), context.principal, context.params[0] as string))),
    }),
    fhirRoute({
      method: 'get', path: '/Practitioner', operationId: 'fhirSearchPractitioner', summary: 'Doctors in scope',
      handle: async (context) => {
        const search = searchOf(context, practitionerSearchParams);
        const doctors = visibleDoctors(await read(), context.principal).filter((doctor) => textMatches(search, 'name', doctor.name));
        return searchReply('Practitioner', search, doctors.map(practitionerResource));
      },
    }),
    fhirRoute({
      method: 'get', path: '/PractitionerRole/:id', operationId: 'fhirReadPractitionerRole', summary: "A doctor's specialty at a clinic",
      handle: async (context) => ok(practitionerRoleResource(requireDoctor(await read(), context.principal, context.params[0] as string))),
    }),
    fhirRoute({
      method: 'get', path: '/PractitionerRole', operationId: 'fhirSearchPractitionerRole', summary: 'Doctors\' roles in scope',
      handle: async (context) => {
        const search = searchOf(context, practitionerRoleSearchParams);
        const practitioners = referenceIds(search, 'practitioner', 'Practitioner');
        const organizations = referenceIds(search, 'organization', 'Organization');
        const specialties = tokenAlternatives(search.values.get('specialty')).map((list) => list.map((token) => token.startsWith(`${specialtySystem}|`) ? token.slice(specialtySystem.length + 1) : token.replace(/^\|/, '')));
        const doctors = visibleDoctors(await read(), context.principal).filter((doctor) =>
          practitioners.every((ids) => ids.includes(doctor.id)) && organizations.every((ids) => ids.includes(doctor.clinicId)) && specialties.every((codes) => codes.includes(doctor.specialty)));
        return searchReply('PractitionerRole', search, doctors.map(practitionerRoleResource));
      },
    }),
    fhirRoute({
      method: 'get', path: '/Organization/:id', operationId: 'fhirReadOrganization', summary: 'A clinic',
      handle: async (context) => {
        const model = await read();
        const clinicId = context.params[0] as string;
        requireClinicSeen(model, context.principal, clinicId);
        return ok(organizationResource(model.region().clinics.get(clinicId) as never));
      },
    }),
    fhirRoute({
      method: 'get', path: '/Organization', operationId: 'fhirSearchOrganization', summary: 'Clinics in scope',
      handle: async (context) => {
        const search = searchOf(context, organizationSearchParams);
        const model = await read();
        const clinics = visibleClinicIds(model, context.principal).map((id) => model.region().clinics.get(id)).filter((clinic) => clinic !== undefined && textMatches(search, 'name', clinic.name));
        return searchReply('Organization', search, clinics.map((clinic) => organizationResource(clinic as never)));
      },
    }),
    fhirRoute({
      method: 'get', path: '/Location/:id', operationId: 'fhirReadLocation', summary: 'A clinic or one of its cabinets',
      handle: async (context) => {
        const model = await read();
        const id = context.params[0] as string;
        const clinic = model.region().clinics.get(id);
        if (clinic !== undefined) {
          requireClinicSeen(model, context.principal, id);
          return ok(clinicLocationResource(clinic));
        }
        const marker = id.lastIndexOf('-cabinet-');
        const clinicId = marker < 0 ? undefined : id.slice(0, marker);
        const owner = clinicId === undefined ? undefined : model.region().clinics.get(clinicId);
        if (owner === undefined) {
          if (context.principal.scope.kind !== 'region') throw new Problem(403, 'forbidden', 'this resource is outside your scope');
          throw new Problem(404, 'not_found', `Location/${id} not found`);
        }
        requireClinicSeen(model, context.principal, owner.id);
        const cabinet = cabinetsOf(model, owner.id).find((name) => cabinetLocationId(owner.id, name) === id);
        if (cabinet === undefined) throw new Problem(404, 'not_found', `Location/${id} not found`);
        return ok(cabinetLocationResource(owner, cabinet));
      },
    }),
    fhirRoute({
      method: 'get', path: '/Location', operationId: 'fhirSearchLocation', summary: 'Clinics in scope and their cabinets',
      handle: async (context) => {
        const search = searchOf(context, locationSearchParams);
        const model = await read();
        const organizations = referenceIds(search, 'organization', 'Organization');
        const locations: Resource[] = [];
        for (const clinicId of visibleClinicIds(model, context.principal)) {
          const clinic = model.region().clinics.get(clinicId);
          if (clinic === undefined || !organizations.every((ids) => ids.includes(clinicId))) continue;
          locations.push(clinicLocationResource(clinic));
          for (const cabinet of cabinetsOf(model, clinicId)) locations.push(cabinetLocationResource(clinic, cabinet));
        }
        return searchReply('Location', search, locations);
      },
    }),
    fhirRoute({
      method: 'get', path: '/Schedule/:id', operationId: 'fhirReadSchedule', summary: "A doctor's schedule",
      handle: async (context) => ok(scheduleResource(requireDoctor(await read(), context.principal, context.params[0] as string))),
    }),
    fhirRoute({
      method: 'get', path: '/Schedule', operationId: 'fhirSearchSchedule', summary: 'Schedules in scope',
      handle: async (context) => {
        const search = searchOf(context, scheduleSearchParams);
        const actors = tokenAlternatives(search.values.get('actor'));
        const doctors = visibleDoctors(await read(), context.principal).filter((doctor) =>
          actors.every((list) => list.some((value) => value === `Practitioner/${doctor.id}` || value === `Location/${doctor.clinicId}` || value === doctor.id || value.endsWith(`/Practitioner/${doctor.id}`))));
        return searchReply('Schedule', search, doctors.map(scheduleResource));
      },
    }),
  ];
}

/** Slots of the doctors in scope that pass the search, by start time; refused past `fhirSearchMatchesMax`. */
function searchSlots(model: ReadModel, principal: Principal, search: ParsedSearch, at: number): Array<{ view: SlotView; specialty: string; timeZone: string }> {
  const schedules = referenceIds(search, 'schedule', 'Schedule');
  const doctors = schedules.length === 0 ? visibleDoctors(model, principal) : [...new Set(schedules.flat())].map((id) => requireDoctor(model, principal, id)).filter((doctor) => schedules.every((ids) => ids.includes(doctor.id)));
  const predicates = (search.values.get('start') ?? []).map((value) => parseDatePredicate(value, 'start'));
  const statuses = tokenAlternatives(search.values.get('status')).map((list) => list.map((code) => {
    if (!(code in slotStatusFromFhir)) throw new Problem(400, 'validation_failed', `status ${code} is not a Slot status (free, busy, busy-tentative, busy-unavailable)`, { errors: [{ path: '/status', message: 'unknown code' }] });
    return slotStatusFromFhir[code];
  }));
  const window = dateWindow(predicates);
  const viewer = actorOf(principal);
  const found: Array<{ view: SlotView; specialty: string; timeZone: string }> = [];
  for (const doctor of doctors) {
    const state = model.doctor(doctor.id);
    const today = state?.calendar.today;
    if (state === undefined || today === undefined) continue;
    const timeZone = timeZoneOf(model, doctor.clinicId);
    const last = addDays(today, Math.max(state.calendar.days.size - 1, 0));
    const from = window.from !== undefined && window.from > today ? window.from : today;
    const to = window.to !== undefined && window.to < last ? window.to : last;
    for (let date = from; date <= to; date = addDays(date, 1)) {
      for (const slot of state.calendar.days.get(date)?.slots ?? []) {
        const view = slotView(state, slot, at, viewer);
        if (!statuses.every((list) => list.includes(view.status)) || !matchesDates(predicates, slot.date, slot.startAt)) continue;
        found.push({ view, specialty: doctor.specialty, timeZone });
        if (found.length > fhirSearchMatchesMax) throw tooCostly(found.length);
      }
    }
  }
  return found.sort((a, b) => a.view.start - b.view.start || (a.view.id < b.view.id ? -1 : a.view.id > b.view.id ? 1 : 0));
}

function calendarRoutes(deps: RouteDeps): Route[] {
  const read = (): Promise<ReadModel> => readModel(deps);
  return [
    fhirRoute({
      method: 'get', path: '/Slot/:id', operationId: 'fhirReadSlot', summary: 'A reception slot',
      handle: async (context) => {
        const found = findSlot(await read(), context.principal, context.params[0] as string, deps.now());
        return ok(slotResource(found.slot, found.doctor.specialty, found.timeZone));
      },
    }),
    fhirRoute({
      method: 'get', path: '/Slot', operationId: 'fhirSearchSlot', summary: 'Slots by schedule, start and status',
      handle: async (context) => {
        const search = searchOf(context, slotSearchParams);
        const found = searchSlots(await read(), context.principal, search, deps.now());
        const resources = found.map((entry) => slotResource(entry.view, entry.specialty, entry.timeZone));
        return searchReply('Slot', search, resources);
      },
    }),
    fhirRoute({
      method: 'get', path: '/Appointment/:id', operationId: 'fhirReadAppointment', summary: 'An appointment (proposed-<slotId> while its slot is open)',
      handle: async (context) => {
        const model = await read();
        const id = context.params[0] as string;
        if (slotIdOfProposed(id) !== undefined) {
          const found = findProposed(model, context.principal, id, deps.now());
          return ok(proposedAppointmentResource(found.slot, found.doctor, found.timeZone, found.hold));
        }
        const found = findAppointment(model, context.principal, id);
        return ok(appointmentResource(found.appointment, found.doctor, found.timeZone));
      },
    }),
    fhirRoute({
      method: 'get', path: '/Appointment', operationId: 'fhirSearchAppointment', summary: 'Appointments by patient, practitioner, date and status',
      handle: async (context) => {
        const search = searchOf(context, appointmentSearchParams);
        const model = await read();
        const practitioners = referenceIds(search, 'practitioner', 'Practitioner');
        const patients = referenceIds(search, 'patient', 'Patient');
        const predicates = (search.values.get('date') ?? []).map((value) => parseDatePredicate(value, 'date'));
        const statuses = tokenAlternatives(search.values.get('status')).map((list) => list.flatMap((code) => {
          const mapped = appointmentStatusFromFhir[code];
          if (mapped === undefined) throw new Problem(400, 'validation_failed', `status ${code} is not an Appointment status`, { errors: [{ path: '/status', message: 'unknown code' }] });
          return mapped;
        }));
        const doctors = practitioners.length === 0 ? visibleDoctors(model, context.principal) : [...new Set(practitioners.flat())].map((id) => requireDoctor(model, context.principal, id)).filter((doctor) => practitioners.every((ids) => ids.includes(doctor.id)));
        const found: Resource[] = [];
        const starts = new Map<Resource, number>();
        for (const doctor of doctors) {
          const state = model.doctor(doctor.id);
          const timeZone = timeZoneOf(model, doctor.clinicId);
          for (const appointment of state?.appointments.byId.values() ?? []) {
            if (!patients.every((ids) => ids.includes(appointment.patient.id))) continue;
            if (!statuses.every((list) => list.includes(appointment.status))) continue;
            if (!matchesDates(predicates, appointment.date, appointment.startAt)) continue;
            const resource = appointmentResource({ ...appointment, needsRebooking: false }, doctor, timeZone);
            starts.set(resource, appointment.startAt);
            found.push(resource);
            if (found.length > fhirSearchMatchesMax) throw tooCostly(found.length);
          }
        }
        found.sort((a, b) => (starts.get(a) ?? 0) - (starts.get(b) ?? 0) || (String(a['id']) < String(b['id']) ? -1 : 1));
        return searchReply('Appointment', search, found);
      },
    }),
  ];
}

function patientRoutes(deps: RouteDeps): Route[] {
  return [
    fhirRoute({
      method: 'get', path: '/Patient/:id', operationId: 'fhirReadPatient', summary: 'A patient (region-wide tokens)',
      handle: async (context) => {
        requireRegionScope(context.principal);
        const patient = (await readModel(deps)).region().patients.get(context.params[0] as string);
        if (patient === undefined) throw new Problem(404, 'not_found', `Patient/${context.params[0] as string} not found`);
        return ok(patientResource(patient));
      },
    }),
    fhirRoute({
      method: 'get', path: '/Patient', operationId: 'fhirSearchPatient', summary: 'Patients by policy number or phone (region-wide tokens)',
      handle: async (context) => {
        requireRegionScope(context.principal);
        const search = searchOf(context, patientSearchParams);
        const region = (await readModel(deps)).region();
        const identifiers = tokenAlternatives(search.values.get('identifier'));
        const phones = tokenAlternatives(search.values.get('telecom'));
        const ids = tokenAlternatives(search.values.get('_id'));
        if (identifiers.length + phones.length + ids.length === 0) {
          throw new Problem(400, 'validation_failed', 'give identifier (policy number), telecom (phone) or _id: listing every patient is not served', { errors: [{ path: '/identifier', message: 'required' }] });
        }
        const candidates = new Set<string>();
        for (const token of identifiers[0] ?? []) {
          const value = token.includes('|') ? (token.startsWith(`${policyIdentifierSystem}|`) || token.startsWith('|') ? token.slice(token.indexOf('|') + 1) : undefined) : token;
          const id = value === undefined ? undefined : region.patientByPolicy.get(value);
          if (id !== undefined) candidates.add(id);
        }
        if (identifiers.length === 0) for (const token of phones[0] ?? []) for (const id of region.patientsByPhone.get(normalizePhone(token) ?? token) ?? []) candidates.add(id);
        if (identifiers.length + phones.length === 0) for (const id of ids[0] ?? []) candidates.add(id);
        const resources: Resource[] = [];
        for (const id of [...candidates].sort()) {
          const patient = region.patients.get(id);
          if (patient === undefined) continue;
          const policyOk = identifiers.every((list) => list.some((token) => token.split('|').at(-1) === patient.policy));
          const phoneOk = phones.every((list) => list.some((token) => patient.phones.includes(normalizePhone(token) ?? token)));
          if (policyOk && phoneOk) resources.push(patientResource(patient));
        }
        return searchReply('Patient', search, resources);
      },
    }),
  ];
}

export function fhirReadRoutes(deps: RouteDeps): Route[] {
  return [...directoryRoutes(deps), ...calendarRoutes(deps), ...patientRoutes(deps)];
}
