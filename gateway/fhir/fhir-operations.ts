/**
 * The IHE ITI Scheduling operations and cancellation, each one command to the same actors as the partner API:
 * `$find` reads free slots; `$hold` is `HoldSlot`; `$book` is `BookAppointment` (the slot's doctor alone
 * decides, so of N concurrent bookings of one slot exactly one wins and the rest get 409); `$cancel`, PUT and
 * PATCH of `status: cancelled` are `CancelAppointment` (or `ReleaseHold` for a pending one).
 */
import { ownerOf, type Command, type ReadModel } from '../../engine/index.ts';
import type { DoctorInfo } from '../../engine/directory.ts';
import type { PatientInput } from '../../engine/patient.ts';
import { slotView, type SlotView } from '../../engine/calendar/calendar-queries.ts';
import type { AppointmentSource } from '../../engine/calendar/appointment.ts';
import { addDays } from '../../engine/domain/local-time.ts';
import { actorOf, type Principal, type Role } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import type { Route, RouteReply } from '../http/route.ts';
import { readModel, submit, timeZoneOf, type RouteDeps } from '../routes/route-support.ts';
import { fhirBase } from './fhir-dialect.ts';
import { findAppointment, findProposed, findSlot, slotIdOfProposed } from './fhir-lookups.ts';
import { invalid, OperationParameters, patientInputOf } from './fhir-parameters.ts';
import { appointmentResource, cabinetLocationId, proposedAppointmentResource, slotResource, specialtySystem } from './fhir-resources.ts';
import { fhirRoute, type FhirContext } from './fhir-route.ts';
import { requireDoctor, requireRegionScope, visibleDoctors } from './fhir-scope.ts';
import { fhirPageSizeDefault, fhirPageSizeMax, fhirSearchMatchesMax, matchesDates, parseDatePredicate, referenceIdOf, tooCostly, type DatePredicate } from './fhir-search.ts';

type Json = Record<string, unknown>;
const staff: readonly Role[] = ['admin', 'operator', 'partner', 'doctor'];
const findParameterNames = ['start', 'end', 'practitioner', 'specialty', 'location', '_count'] as const;

const sourceOfRole: Readonly<Record<Role, AppointmentSource>> = { partner: 'partner', operator: 'registry', admin: 'registry', doctor: 'doctor' };

interface Proposal {
  readonly slot: SlotView;
  readonly doctor: DoctorInfo;
  readonly timeZone: string;
}

/** `start` bounds from below (a date: that local day on), `end` from above (a date: through that local day). */
function windowPredicates(start: string | undefined, end: string | undefined): DatePredicate[] {
  const predicates: DatePredicate[] = [];
  if (start !== undefined) predicates.push(parseDatePredicate(`ge${start}`, '/parameter/start'));
  if (end !== undefined) predicates.push(parseDatePredicate(/^\d{4}-\d{2}-\d{2}$/.test(end) ? `le${end}` : `lt${end}`, '/parameter/end'));
  return predicates;
}

/** Free slots that have not begun, matching the $find parameters, by start time; at most `count`. */
function findProposals(model: ReadModel, principal: Principal, parameters: OperationParameters, at: number): { total: number; proposals: Proposal[] } {
  const predicates = windowPredicates(parameters.dateTime('start'), parameters.dateTime('end'));
  const count = Math.min(parameters.integer('_count') ?? fhirPageSizeDefault, fhirPageSizeMax);
  const practitioners = parameters.references('practitioner').map((value) => referenceIdOf(value, 'Practitioner', '/parameter/practitioner'));
  const specialties = parameters.codes('specialty').map((code) => (code.startsWith(`${specialtySystem}|`) ? code.slice(specialtySystem.length + 1) : code));
  const locations = parameters.references('location').map((value) => referenceIdOf(value, 'Location', '/parameter/location'));
  const doctors = (practitioners.length === 0 ? visibleDoctors(model, principal) : practitioners.map((id) => requireDoctor(model, principal, id)))
    .filter((doctor) => specialties.length === 0 || specialties.includes(doctor.specialty))
    .filter((doctor) => locations.length === 0 || locations.some((id) => id === doctor.clinicId || id.startsWith(`${doctor.clinicId}-cabinet-`)));
  const viewer = actorOf(principal);
  const found: Proposal[] = [];
  for (const doctor of doctors) {
    const state = model.doctor(doctor.id);
    const today = state?.calendar.today;
    if (state === undefined || today === undefined) continue;
    const timeZone = timeZoneOf(model, doctor.clinicId);
    const last = addDays(today, Math.max(state.calendar.days.size - 1, 0));
    for (let date = today; date <= last; date = addDays(date, 1)) {
      const day = state.calendar.days.get(date);
      if (day === undefined || day.freeCount === 0) continue;
      for (const slot of day.slots) {
        if (slot.startAt <= at || !matchesDates(predicates, slot.date, slot.startAt)) continue;
        if (locations.length > 0 && !locations.some((id) => id === doctor.clinicId || id === cabinetLocationId(doctor.clinicId, slot.cabinet))) continue;
        const view = slotView(state, slot, at, viewer);
        if (view.status !== 'free') continue;
        found.push({ slot: view, doctor, timeZone });
        if (found.length > fhirSearchMatchesMax) throw tooCostly(found.length);
      }
    }
  }
  found.sort((a, b) => a.slot.start - b.slot.start || (a.slot.id < b.slot.id ? -1 : a.slot.id > b.slot.id ? 1 : 0));
  return { total: found.length, proposals: found.slice(0, count) };
}

function findBundle(total: number, proposals: readonly Proposal[], self: string): Json {
  const bundle: Json = { resourceType: 'Bundle', type: 'searchset', total, link: [{ relation: 'self', url: self }] };
  const entry: Json[] = [];
  for (const proposal of proposals) {
    const appointment = proposedAppointmentResource(proposal.slot, proposal.doctor, proposal.timeZone);
    entry.push({ fullUrl: `${fhirBase}/Appointment/${String(appointment['id'])}`, resource: appointment, search: { mode: 'match' } });
    entry.push({ fullUrl: `${fhirBase}/Slot/${proposal.slot.id}`, resource: slotResource(proposal.slot, proposal.doctor.specialty, proposal.timeZone), search: { mode: 'include' } });
  }
  if (entry.length > 0) bundle['entry'] = entry;
  return bundle;
}

function appointmentIdOf(reference: string, path: string): string {
  return referenceIdOf(reference, 'Appointment', path);
}

/** The slot a $book names: through a proposed appointment's id, or the `slot` of an Appointment resource. */
function slotToBook(parameters: OperationParameters): string {
  const reference = parameters.reference('appointment-reference');
  const resource = parameters.resource('appointment-resource', 'Appointment');
  if ((reference === undefined) === (resource === undefined)) throw invalid('/parameter', 'give appointment-reference or appointment-resource (exactly one)');
  if (reference !== undefined) {
    const id = appointmentIdOf(reference, '/parameter/appointment-reference');
    const slotId = slotIdOfProposed(id);
    if (slotId === undefined) throw new Problem(409, 'conflict', `Appointment/${id} is not a proposed appointment: it is booked already (cancel it with $cancel)`);
    return slotId;
  }
  const slots = Array.isArray(resource?.['slot']) ? (resource['slot'] as Json[]) : [];
  const slotReference = slots[0]?.['reference'];
  if (slots.length !== 1 || typeof slotReference !== 'string') throw invalid('/parameter/appointment-resource/slot', 'exactly one slot reference (Slot/<id>) is required');
  const status = resource?.['status'];
  if (status !== undefined && status !== 'proposed' && status !== 'pending') throw invalid('/parameter/appointment-resource/status', 'must be proposed or pending');
  return referenceIdOf(slotReference, 'Slot', '/parameter/appointment-resource/slot');
}

/** The patient of a $book: a stored one by reference (region-wide tokens), or a Patient resource. */
function patientToBook(model: ReadModel, principal: Principal, parameters: OperationParameters): PatientInput {
  const reference = parameters.reference('patient-reference');
  const resource = parameters.resource('patient-resource', 'Patient');
  if ((reference === undefined) === (resource === undefined)) throw invalid('/parameter', 'give patient-reference or patient-resource (exactly one)');
  if (resource !== undefined) return patientInputOf(resource);
  requireRegionScope(principal);
  const id = referenceIdOf(reference as string, 'Patient', '/parameter/patient-reference');
  const patient = model.region().patients.get(id);
  if (patient === undefined) throw new Problem(404, 'not_found', `Patient/${id} not found`);
  const phone = patient.phones[0];
  if (phone === undefined) throw invalid('/parameter/patient-reference', 'the patient has no phone on record; send patient-resource with one');
  return {
    surname: patient.surname, name: patient.name, birthDate: patient.birthDate, sex: patient.sex, phone,
    ...(patient.patronymic === undefined ? {} : { patronymic: patient.patronymic }),
    ...(patient.policy === undefined ? {} : { policy: patient.policy }),
  };
}

async function cancel(deps: RouteDeps, context: FhirContext, appointmentId: string, reason: string | undefined): Promise<RouteReply> {
  const slotId = slotIdOfProposed(appointmentId);
  if (slotId !== undefined) {
    const found = findProposed(deps.host.read, context.principal, appointmentId, deps.now());
    if (found.hold === undefined) throw new Problem(409, 'conflict', `Appointment/${appointmentId} is not held by you: there is nothing to cancel`);
    await submit(deps, context as never, { type: 'ReleaseHold', slotId, holdId: found.hold.holdId });
    const resource = proposedAppointmentResource(found.slot, found.doctor, found.timeZone);
    return { status: 200, body: { ...resource, status: 'cancelled' } };
  }
  findAppointment(deps.host.read, context.principal, appointmentId);
  const command: Command = { type: 'CancelAppointment', appointmentId, ...(reason === undefined ? {} : { reason }) };
  await submit(deps, context as never, command);
  const after = findAppointment(deps.host.read, context.principal, appointmentId);
  return { status: 200, body: appointmentResource(after.appointment, after.doctor, after.timeZone) };
}

/** PUT: an Appointment whose status is `cancelled`; anything else is not writable here. */
function statusFromPut(body: unknown, appointmentId: string): void {
  if (typeof body !== 'object' || body === null || (body as Json)['resourceType'] !== 'Appointment') throw invalid('/resourceType', 'the body must be an Appointment');
  const id = (body as Json)['id'];
  if (id !== undefined && id !== appointmentId) throw invalid('/id', `must be ${appointmentId}, the id in the URL`);
  if ((body as Json)['status'] !== 'cancelled') throw new Problem(422, 'not_supported', 'only status cancelled can be written; book through $book');
}

/** PATCH: a JSON Patch whose only operation sets `/status` to `cancelled`. */
function statusFromPatch(body: unknown): void {
  if (!Array.isArray(body)) throw new Problem(415, 'unsupported_media_type', 'send a JSON Patch (application/json-patch+json) array; FHIRPath Patch is not supported');
  const operations = body as Json[];
  const ok = operations.length > 0 && operations.every((operation) => (operation['op'] === 'replace' || operation['op'] === 'add') && operation['path'] === '/status' && operation['value'] === 'cancelled');
  if (!ok) throw new Problem(422, 'not_supported', 'only [{"op":"replace","path":"/status","value":"cancelled"}] is supported');
}

export function fhirOperationRoutes(deps: RouteDeps): Route[] {
  const find = async (context: FhirContext, parameters: OperationParameters, self: string): Promise<RouteReply> => {
    const model = await readModel(deps);
    const { total, proposals } = findProposals(model, context.principal, parameters, deps.now());
    return { status: 200, body: findBundle(total, proposals, self) };
  };
  return [
    fhirRoute({
      method: 'post', path: '/Appointment/$find', operationId: 'fhirFind', summary: 'IHE $find: proposed appointments for free slots',
      handle: (context) => find(context, OperationParameters.parse(context.body, findParameterNames), `${fhirBase}/Appointment/$find`),
    }),
    fhirRoute({
      method: 'get', path: '/Appointment/$find', operationId: 'fhirFindGet', summary: 'IHE $find with query parameters',
      handle: (context) => find(context, OperationParameters.fromQuery(context.rawQuery, findParameterNames), `${fhirBase}/Appointment/$find${context.rawQuery === '' ? '' : `?${context.rawQuery}`}`),
    }),
    fhirRoute({
      method: 'post', path: '/Appointment/$hold', operationId: 'fhirHold', summary: 'IHE $hold: hold the slot of a proposed appointment', roles: staff,
      handle: async (context) => {
        const parameters = OperationParameters.parse(context.body, ['appointment-reference']);
        const reference = parameters.reference('appointment-reference');
        if (reference === undefined) throw invalid('/parameter/appointment-reference', 'required');
        const id = appointmentIdOf(reference, '/parameter/appointment-reference');
        const found = findProposed(deps.host.read, context.principal, id, deps.now());
        await submit(deps, context as never, { type: 'HoldSlot', slotId: found.slot.id });
        const held = findSlot(deps.host.read, context.principal, found.slot.id, deps.now());
        if (held.hold === undefined) throw new Error(`the hold on ${found.slot.id} vanished after its command`);
        return { status: 200, body: proposedAppointmentResource(held.slot, held.doctor, held.timeZone, held.hold) };
      },
    }),
    fhirRoute({
      method: 'post', path: '/Appointment/$book', operationId: 'fhirBook', summary: 'IHE $book: book a proposed or held appointment for a patient', roles: staff,
      handle: async (context) => {
        const parameters = OperationParameters.parse(context.body, ['appointment-reference', 'appointment-resource', 'patient-reference', 'patient-resource']);
        const slotId = slotToBook(parameters);
        // Scope is checked on the slot's doctor; whether the slot is still free is the doctor actor's decision alone.
        const model = deps.host.read;
        const doctorId = ownerOf(slotId);
        if (doctorId === undefined) throw new Problem(404, 'not_found', `Slot/${slotId} not found`);
        requireDoctor(model, context.principal, doctorId);
        const patient = patientToBook(model, context.principal, parameters);
        const reply = await submit(deps, context as never, { type: 'BookAppointment', booking: { slotId, patient, source: sourceOfRole[context.principal.role] } });
        const booked = findAppointment(deps.host.read, context.principal, String(reply['id']));
        return { status: 201, body: appointmentResource(booked.appointment, booked.doctor, booked.timeZone), headers: { Location: `${fhirBase}/Appointment/${booked.appointment.id}` } };
      },
    }),
    fhirRoute({
      method: 'post', path: '/Appointment/:id/$cancel', operationId: 'fhirCancel', summary: 'Cancel an appointment (or release a pending hold)', roles: staff,
      handle: (context) => {
        const parameters = OperationParameters.parse(context.body, ['reason'], true);
        return cancel(deps, context, context.params[0] as string, parameters.text('reason'));
      },
    }),
    fhirRoute({
      method: 'put', path: '/Appointment/:id', operationId: 'fhirUpdateAppointment', summary: 'Cancel by writing status cancelled', roles: staff,
      handle: (context) => {
        statusFromPut(context.body, context.params[0] as string);
        return cancel(deps, context, context.params[0] as string, undefined);
      },
    }),
    fhirRoute({
      method: 'patch', path: '/Appointment/:id', operationId: 'fhirPatchAppointment', summary: 'Cancel by a JSON Patch of status', roles: staff,
      handle: (context) => {
        statusFromPatch(context.body);
        return cancel(deps, context, context.params[0] as string, undefined);
      },
    }),
  ];
}
