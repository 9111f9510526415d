/** Slots, appointments, the reception queue, calendar exceptions, alerts and call-out (API.md). */
import { Type } from '@sinclair/typebox';
import { ownerOf, type Command, type ReadModel } from '../../engine/index.ts';
import { appointmentOf, doctorQueue, listSlots, nearestFreeSlot, rebookingList, clinicAlerts } from '../../engine/calendar/calendar-queries.ts';
import { calloutTasks } from '../../engine/calendar/callout.ts';
import type { BookingInput } from '../../engine/calendar/calendar-messages.ts';
import { canSeeClinic, canSeeDoctor, type Principal } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import { defineRoute, type Route, type RouteContext } from '../http/route.ts';
import { problemReplies } from '../schemas/common.ts';
import { parseDateOrInstant } from '../schemas/date-or-instant.ts';
import { AppointmentView, BookBody, CalloutResultsBody, CalloutTasksQuery, CancelAppointmentBody, ExceptionBody, FeedbackBody, NearestQuery, RescheduleBody, SlotView, SlotsQuery } from '../schemas/calendar-schemas.ts';
import { appointmentWire, slotWire } from './calendar-views.ts';
import { isoAt } from '../views.ts';
import { calloutCsv } from '../../workers/exports/callout-csv.ts';
import { forbidden, readModel, requireClinic, submit, timeZoneOf, type RouteDeps } from './route-support.ts';
import { actorOf } from '../auth/principal.ts';

const tag = 'Slots and appointments';
const staff = ['admin', 'operator', 'partner', 'doctor'] as const;
type Json = Record<string, unknown>;

/** The clinic of a doctor-owned id (slot, appointment) or a doctor id, checked against the scope. */
function doctorScope(read: ReadModel, principal: Principal, doctorId: string): string {
  const doctor = read.region().doctors.get(doctorId);
  if (doctor === undefined) throw new Problem(404, 'not_found', `doctor ${doctorId} not found`);
  if (!canSeeDoctor(principal, doctor.clinicId, doctorId)) throw forbidden();
  return doctor.clinicId;
}

function ownedDoctor(read: ReadModel, principal: Principal, entityId: string): { doctorId: string; clinicId: string } {
  const doctorId = ownerOf(entityId);
  if (doctorId === undefined) throw new Problem(404, 'not_found', `${entityId} not found`);
  return { doctorId, clinicId: doctorScope(read, principal, doctorId) };
}

/**
 * A doctor reads its own work only (API.md "Auth"): the doctor id a doctor-scoped principal is limited to, or
 * undefined for everyone else. A doctor asking for another doctor's slots is 403.
 */
function ownDoctorOf(principal: Principal, askedDoctorId: string | undefined): string | undefined {
  if (principal.scope.kind !== 'doctor') return undefined;
  if (askedDoctorId !== undefined && askedDoctorId !== principal.scope.doctorId) throw forbidden();
  return principal.scope.doctorId;
}

export function calendarRoutes(deps: RouteDeps): Route[] {
  const appointmentReply = (read: ReadModel, reply: Json): Json => {
    const view = appointmentOf(read, String(reply['id']));
    if (view === undefined) throw new Error(`appointment ${String(reply['id'])} vanished after its command`);
    return appointmentWire(view, timeZoneOf(read, view.clinicId));
  };
  const appointmentAction = (suffix: string, operationId: string, summary: string, body: typeof CancelAppointmentBody | typeof FeedbackBody | typeof RescheduleBody | undefined, build: (id: string, body: Json, context: RouteContext<unknown, unknown>) => Command) =>
    defineRoute({
      method: 'post', path: `/api/v1/appointments/:id/${suffix}`, operationId, summary, tag, roles: staff, body,
      replies: { 200: AppointmentView, ...problemReplies },
      handle: async (context) => {
        const id = context.params[0] as string;
        ownedDoctor(deps.host.read, context.principal, id);
        const reply = await submit(deps, context, build(id, (context.body ?? {}) as Json, context as RouteContext<unknown, unknown>));
        const read = deps.host.read;
        const view = appointmentOf(read, String(reply['id'] ?? id));
        return { status: 200, body: view === undefined ? reply : appointmentWire(view, timeZoneOf(read, view.clinicId)) };
      },
    });
  return [
    defineRoute({
      method: 'get', path: '/api/v1/slots', operationId: 'listSlots', summary: 'Slots of a clinic (or a doctor) in a range: from/to are local dates (inclusive) or RFC 3339 date-times with an offset (from inclusive, to exclusive); held by someone else shows as held', tag, query: SlotsQuery,
      replies: { 200: Type.Array(SlotView), ...problemReplies },
      handle: async (context) => {
        const q = context.query;
        const read = await readModel(deps);
        if (q.clinicId === undefined && q.doctorId === undefined) throw new Problem(400, 'validation_failed', 'give clinicId or doctorId', { errors: [{ path: '/clinicId', message: 'required' }] });
        const clinicId = q.clinicId ?? doctorScope(read, context.principal, q.doctorId as string);
        requireClinic(context.principal, clinicId);
        if (q.doctorId !== undefined) doctorScope(read, context.principal, q.doctorId);
        const doctorId = ownDoctorOf(context.principal, q.doctorId) ?? q.doctorId;
        const timeZone = timeZoneOf(read, clinicId);
        // A date is a local day, inclusive; an instant bounds the slot starts (from inclusive, to exclusive).
        const from = q.from === undefined ? undefined : parseDateOrInstant(q.from, 'from', timeZone);
        const to = q.to === undefined ? undefined : parseDateOrInstant(q.to, 'to', timeZone);
        const list = listSlots(read, {
          at: deps.now(), clinicId, viewer: actorOf(context.principal),
          ...(doctorId === undefined ? {} : { doctorId }),
          ...(q.specialty === undefined ? {} : { specialty: q.specialty }),
          ...(from === undefined ? {} : { from: from.date }),
          ...(from?.kind === 'instant' ? { fromMs: from.atMs } : {}),
          ...(to === undefined ? {} : { to: to.date }),
          ...(to?.kind === 'instant' ? { toMs: to.atMs } : {}),
          ...(q.status === undefined ? {} : { status: q.status as 'free' }),
          ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
        });
        return { status: 200, body: list.slots.map((slot) => slotWire(slot, timeZone)), headers: list.truncated ? { 'X-Truncated': 'true' } : {} };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/slots/nearest', operationId: 'nearestFreeSlot', summary: 'The nearest free slot of a clinic, doctor or specialty', tag, query: NearestQuery,
      replies: { 200: SlotView, ...problemReplies },
      handle: async (context) => {
        const q = context.query;
        requireClinic(context.principal, q.clinicId);
        const doctorId = ownDoctorOf(context.principal, q.doctorId) ?? q.doctorId;
        const read = await readModel(deps);
        const slot = nearestFreeSlot(read, {
          at: deps.now(), clinicId: q.clinicId,
          ...(doctorId === undefined ? {} : { doctorId }),
          ...(q.specialty === undefined ? {} : { specialty: q.specialty }),
          ...(q.date === undefined ? {} : { date: q.date }),
        });
        if (slot === undefined) throw new Problem(404, 'not_found', 'no free slot in the horizon');
        return { status: 200, body: slotWire(slot, timeZoneOf(read, q.clinicId)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/slots/:id/hold', operationId: 'holdSlot', summary: 'Hold a free slot for the caller until a deadline (renews your own hold)', tag, roles: staff,
      replies: { 201: Type.Object({ holdId: Type.String(), expiresAt: Type.String() }, { additionalProperties: true }), ...problemReplies },
      handle: async (context) => {
        const slotId = context.params[0] as string;
        const { clinicId } = ownedDoctor(deps.host.read, context.principal, slotId);
        const reply = await submit(deps, context, { type: 'HoldSlot', slotId });
        const timeZone = timeZoneOf(deps.host.read, clinicId);
        return { status: 201, body: { holdId: reply['holdId'], slotId, expiresAt: typeof reply['expiresAt'] === 'number' ? isoAt(reply['expiresAt'], timeZone) : reply['expiresAt'], renewed: reply['renewed'], timeZone } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/slots/:id/hold', operationId: 'releaseHold', summary: 'Release your hold on a slot', tag, roles: staff,
      replies: { 200: Type.Object({ released: Type.Boolean() }, { additionalProperties: true }), ...problemReplies },
      handle: async (context) => {
        const slotId = context.params[0] as string;
        ownedDoctor(deps.host.read, context.principal, slotId);
        const reply = await submit(deps, context, { type: 'ReleaseHold', slotId });
        return { status: 200, body: { slotId, released: reply['released'] === true } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/appointments', operationId: 'bookAppointment', summary: 'Book a free slot, or one you hold; the patient is matched by policy, else full name and phone, else created', tag, roles: staff, body: BookBody,
      replies: { 201: AppointmentView, ...problemReplies },
      handle: async (context) => {
        ownedDoctor(deps.host.read, context.principal, context.body.slotId);
        const booking = context.body as unknown as BookingInput;
        const reply = await submit(deps, context, { type: 'BookAppointment', booking });
        const body = appointmentReply(deps.host.read, reply);
        return { status: 201, body, headers: { Location: `/api/v1/appointments/${String(body['id'])}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/appointments/:id', operationId: 'getAppointment', summary: 'An appointment with its history', tag,
      replies: { 200: AppointmentView, ...problemReplies },
      handle: async (context) => {
        const id = context.params[0] as string;
        const read = await readModel(deps);
        ownedDoctor(read, context.principal, id);
        const view = appointmentOf(read, id);
        if (view === undefined) throw new Problem(404, 'not_found', `appointment ${id} not found`);
        return { status: 200, body: appointmentWire(view, timeZoneOf(read, view.clinicId)) };
      },
    }),
    appointmentAction('cancel', 'cancelAppointment', 'Cancel; the slot becomes free', CancelAppointmentBody, (id, body) => ({ type: 'CancelAppointment', appointmentId: id, ...(body['reason'] === undefined ? {} : { reason: String(body['reason']) }) })),
    appointmentAction('confirm', 'confirmAppointment', 'Confirm (booked → confirmed)', undefined, (id) => ({ type: 'ConfirmAppointment', appointmentId: id })),
    appointmentAction('reschedule', 'rescheduleAppointment', 'Move to another slot, of this or another doctor', RescheduleBody, (id, body) => ({ type: 'RescheduleAppointment', appointmentId: id, slotId: String(body['slotId']), ...(body['holdId'] === undefined ? {} : { holdId: String(body['holdId']) }) })),
    appointmentAction('check-in', 'checkIn', 'Check the patient in: a queue number for the doctor and day', undefined, (id) => ({ type: 'CheckInAppointment', appointmentId: id })),
    appointmentAction('complete', 'completeAppointment', 'The visit is over; the cabinet becomes free', undefined, (id) => ({ type: 'CompleteAppointment', appointmentId: id })),
    appointmentAction('no-show', 'markNoShow', 'The patient did not come', undefined, (id) => ({ type: 'MarkNoShow', appointmentId: id })),
    appointmentAction('feedback', 'giveFeedback', 'Rate a completed visit 1–5; 1 or 2 raises an alert', FeedbackBody, (id, body) => ({ type: 'GiveFeedback', appointmentId: id, rating: Number(body['rating']), ...(body['comment'] === undefined ? {} : { comment: String(body['comment']) }) })),
    defineRoute({
      method: 'get', path: '/api/v1/doctors/:id/queue', operationId: 'doctorQueue', summary: "The doctor's live reception queue and cabinet state (free | busy)", tag,
      replies: { 200: Type.Object({}, { additionalProperties: true }), ...problemReplies },
      handle: async (context) => {
        const doctorId = context.params[0] as string;
        const read = await readModel(deps);
        const clinicId = doctorScope(read, context.principal, doctorId);
        const queue = doctorQueue(read, doctorId, deps.now());
        if (queue === undefined) throw new Problem(404, 'not_found', `doctor ${doctorId} not found`);
        const timeZone = timeZoneOf(read, clinicId);
        return { status: 200, body: { ...queue, waiting: queue.waiting.map((entry) => ({ ...entry, startAt: isoAt(entry.startAt, timeZone), timeZone })) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/doctors/:id/queue/call-next', operationId: 'callNextPatient', summary: 'Call the next checked-in patient: in service, cabinet busy', tag, roles: ['admin', 'operator', 'doctor'],
      replies: { 200: AppointmentView, ...problemReplies },
      handle: async (context) => {
        const doctorId = context.params[0] as string;
        doctorScope(deps.host.read, context.principal, doctorId);
        const reply = await submit(deps, context, { type: 'CallNextPatient', doctorId });
        return { status: 200, body: appointmentReply(deps.host.read, reply) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/doctors/:id/exceptions', operationId: 'addCalendarException', summary: 'Vacation, sick day or stop notice for a date range; booked patients go to the rebooking list', tag, roles: ['admin', 'operator'], body: ExceptionBody,
      replies: { 201: Type.Object({}, { additionalProperties: true }), ...problemReplies },
      handle: async (context) => {
        const doctorId = context.params[0] as string;
        doctorScope(deps.host.read, context.principal, doctorId);
        const exception = { kind: context.body.kind as 'vacation', from: context.body.from, to: context.body.to, ...(context.body.reason === undefined ? {} : { reason: context.body.reason }) };
        return { status: 201, body: await submit(deps, context, { type: 'AddCalendarException', doctorId, exception }) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/clinics/:id/rebooking', operationId: 'rebookingList', summary: 'Booked patients of stopped days, to call and rebook', tag,
      replies: { 200: Type.Array(AppointmentView), ...problemReplies },
      handle: async (context) => {
        const clinicId = context.params[0] as string;
        requireClinic(context.principal, clinicId);
        const read = await readModel(deps);
        const own = ownDoctorOf(context.principal, undefined);
        const list = rebookingList(read, clinicId).filter((a) => own === undefined || a.doctorId === own);
        return { status: 200, body: list.map((a) => appointmentWire(a, timeZoneOf(read, clinicId))) };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/clinics/:id/alerts', operationId: 'clinicAlerts', summary: 'Alerts (negative feedback) of the clinic', tag,
      replies: { 200: Type.Array(Type.Object({}, { additionalProperties: true })), ...problemReplies },
      handle: async (context) => {
        const clinicId = context.params[0] as string;
        requireClinic(context.principal, clinicId);
        const own = ownDoctorOf(context.principal, undefined);
        return { status: 200, body: clinicAlerts(await readModel(deps), clinicId).filter((alert) => own === undefined || alert.doctorId === own) };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/alerts/:id/acknowledge', operationId: 'acknowledgeAlert', summary: 'Acknowledge an alert', tag, roles: ['admin', 'operator'],
      replies: { 200: Type.Object({}, { additionalProperties: true }), ...problemReplies },
      handle: async (context) => {
        const alertId = context.params[0] as string;
        const clinicId = ownerOf(alertId);
        if (clinicId === undefined) throw new Problem(404, 'not_found', `alert ${alertId} not found`);
        if (!canSeeClinic(context.principal, clinicId)) throw forbidden();
        return { status: 200, body: await submit(deps, context, { type: 'AcknowledgeAlert', alertId }) };
      },
    }),
    ...calloutRoutes(deps),
  ];
}

function calloutRoutes(deps: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/callout/tasks', operationId: 'calloutTasks', summary: "Appointments on a date (default tomorrow) still to confirm, with the clinic's message filled in", tag: 'Call-out', query: CalloutTasksQuery,
      replies: { 200: Type.Array(Type.Object({}, { additionalProperties: true })), ...problemReplies },
      handle: async (context) => {
        const q = context.query;
        const scope = context.principal.scope;
        if (q.clinicId !== undefined) requireClinic(context.principal, q.clinicId);
        else if (scope.kind !== 'region') throw new Problem(400, 'validation_failed', 'give clinicId: your token does not cover the region', { errors: [{ path: '/clinicId', message: 'required' }] });
        const read = await readModel(deps);
        const own = ownDoctorOf(context.principal, undefined);
        const tasks = calloutTasks(read, { at: deps.now(), ...(q.date === undefined ? {} : { date: q.date }), ...(q.clinicId === undefined ? {} : { clinicId: q.clinicId }) })
          .filter((task) => own === undefined || ownerOf(task.appointmentId) === own);
        if (q.format !== 'csv') return { status: 200, body: tasks };
        // The worker export's writer: the same bytes for the same tasks (formula guard, no BOM).
        return { status: 200, body: undefined, raw: { contentType: 'text/csv; charset=utf-8', bytes: calloutCsv(tasks) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/callout/results', operationId: 'calloutResults', summary: 'Results by appointment id; a repeated item (same appointment and attempt) changes nothing', tag: 'Call-out', roles: ['admin', 'partner', 'operator'], body: CalloutResultsBody,
      replies: { 200: Type.Array(Type.Object({}, { additionalProperties: true })), ...problemReplies },
      handle: async (context) => {
        const read = deps.host.read;
        const outcomes = await Promise.all(context.body.map(async (item, index) => {
          try {
            ownedDoctor(read, context.principal, item.appointmentId);
            const at = Date.parse(item.at);
            if (!Number.isFinite(at)) throw new Problem(400, 'validation_failed', 'at must be an ISO 8601 time', { errors: [{ path: `/${index}/at`, message: 'invalid' }] });
            const command: Command = { type: 'RecordCalloutResult', appointmentId: item.appointmentId, result: item.result as 'confirmed', attempt: item.attempt, at, ...(item.talkSeconds === undefined ? {} : { talkSeconds: item.talkSeconds }) };
            const reply = await submit(deps, { ...context, idempotency: undefined }, command);
            return { appointmentId: item.appointmentId, attempt: item.attempt, status: 'accepted', appointmentStatus: reply['status'] };
          } catch (error) {
            if (error instanceof Problem) return { appointmentId: item.appointmentId, attempt: item.attempt, status: 'rejected', problem: error.body() };
            throw error;
          }
        }));
        return { status: 200, body: outcomes };
      },
    }),
  ];
}
