/** Home-visit call endpoints (API.md "Home-visit calls"). */
import { Type } from '@sinclair/typebox';
import { clinicBoard, listCalls, type CallFilter, type HomeCall, type RegisterCallInput } from '../../engine/index.ts';
import { canSeeClinic } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import { defineRoute, type Route } from '../http/route.ts';
import { problemReplies } from '../schemas/common.ts';
import { AsOfQuery, AssignBody, BoardView, CallSearchQuery, CallView, CancelBody, ClinicCallsQuery, CompleteBody, RegisterCallBody, SuggestQuery, TransferBody } from '../schemas/call-schemas.ts';
import { callWire } from '../views.ts';
import { clinicOfId, readModel, requireClinic, submit, timeZoneOf, type RouteDeps } from './route-support.ts';

const tag = 'Home-visit calls';
const staff = ['admin', 'operator', 'partner', 'doctor'] as const;

export function callRoutes(deps: RouteDeps): Route[] {
  const callReply = async (reply: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> => {
    const read = deps.host.read;
    const call = read.call(String(reply['id']));
    if (call === undefined) throw new Error(`call ${String(reply['id'])} vanished after its command`);
    return callWire(call, timeZoneOf(read, call.clinicId));
  };
  const transition = (suffix: string, operationId: string, summary: string, body: Parameters<typeof defineRoute>[0]['body'], build: (callId: string, body: Record<string, unknown>) => import('../../engine/index.ts').Command) =>
    defineRoute({
      method: 'post',
      path: `/api/v1/calls/:id/${suffix}`,
      operationId,
      summary,
      tag,
      roles: staff,
      body,
      replies: { 200: CallView, ...problemReplies },
      handle: async (context) => {
        const callId = context.params[0] as string;
        clinicOfId(context.principal, callId);
        const reply = await submit(deps, context, build(callId, (context.body ?? {}) as Record<string, unknown>));
        return { status: 200, body: await callReply(reply) };
      },
    });
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/calls',
      operationId: 'registerCall',
      summary: 'Register a home-visit call; a repeat with the same externalId returns the first call',
      tag,
      roles: staff,
      body: RegisterCallBody,
      replies: { 201: CallView, 200: CallView, ...problemReplies },
      handle: async (context) => {
        // The schema checked the shape; the engine checks the domain rules again, and `submit` fills in the
        // caller's clinic when its token covers exactly one (gateway/auth/command-scope.ts).
        const input = context.body as unknown as RegisterCallInput;
        const reply = await submit(deps, context, { type: 'RegisterCall', call: input });
        const wire = await callReply(reply);
        return { status: reply['replayed'] === true ? 200 : 201, body: wire, headers: { Location: `/api/v1/calls/${String(wire['id'])}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/calls/:id',
      operationId: 'getCall',
      summary: 'A call with its history; with ?at=<RFC 3339> as it was then',
      tag,
      query: AsOfQuery,
      replies: { 200: CallView, ...problemReplies },
      handle: async (context) => {
        const callId = context.params[0] as string;
        clinicOfId(context.principal, callId);
        if (context.query.at !== undefined) {
          const past = await deps.asOf.require().call(callId, context.query.at);
          return { status: 200, body: callWire(past, timeZoneOf(deps.host.read, past.clinicId)) };
        }
        const read = await readModel(deps);
        const call = read.call(callId);
        if (call === undefined) throw new Problem(404, 'not_found', `call ${callId} not found`);
        return { status: 200, body: callWire(call, timeZoneOf(read, call.clinicId)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/calls',
      operationId: 'searchCalls',
      summary: "A patient's calls by policy or phone, newest first",
      tag,
      query: CallSearchQuery,
      replies: { 200: Type.Array(CallView), ...problemReplies },
      handle: async (context) => {
        const { policy, phone, status } = context.query;
        if (policy === undefined && phone === undefined) throw new Problem(400, 'validation_failed', 'give policy or phone', { errors: [{ path: '/policy', message: 'policy or phone is required' }] });
        const read = await readModel(deps);
        const calls = read
          .callsOfPatient({ ...(policy === undefined ? {} : { policy }), ...(phone === undefined ? {} : { phone }) })
          .filter((call: HomeCall) => canSeeClinic(context.principal, call.clinicId) && (status === undefined || call.status === status));
        return { status: 200, body: calls.map((call) => callWire(call, timeZoneOf(read, call.clinicId))) };
      },
    }),
    transition('accept', 'acceptCall', 'Accept a received call (received → new)', undefined, (callId) => ({ type: 'AcceptCall', callId })),
    transition('assign', 'assignCall', 'Assign to a doctor of the clinic for a visit date', AssignBody, (callId, body) => ({ type: 'AssignCall', callId, doctorId: String(body['doctorId']), visitDate: String(body['visitDate']) })),
    transition('transfer', 'transferCall', 'Hand the call to another clinic', TransferBody, (callId, body) => ({ type: 'TransferCall', callId, toClinicId: String(body['clinicId']), reason: String(body['reason']) })),
    transition('cancel', 'cancelCall', 'Cancel the call', CancelBody, (callId, body) => ({ type: 'CancelCall', callId, reason: String(body['reason']) })),
    transition('complete', 'completeCall', 'Mark the visit done', CompleteBody, (callId, body) => ({
      type: 'CompleteCall',
      callId,
      ...(body['diagnosis'] === undefined ? {} : { diagnosis: String(body['diagnosis']) }),
      ...(body['note'] === undefined ? {} : { note: String(body['note']) }),
    })),
    defineRoute({
      method: 'get',
      path: '/api/v1/calls/:id/doctor-suggestions',
      operationId: 'suggestDoctors',
      summary: 'Doctors for the assign dialog, ranked: district, subdivision, working that day, least load',
      tag,
      roles: ['admin', 'operator', 'partner'],
      query: SuggestQuery,
      replies: { 200: Type.Array(Type.Object({}, { additionalProperties: true })), ...problemReplies },
      handle: async (context) => {
        const callId = context.params[0] as string;
        clinicOfId(context.principal, callId);
        const read = await readModel(deps);
        if (read.call(callId) === undefined) throw new Problem(404, 'not_found', `call ${callId} not found`);
        return { status: 200, body: read.suggestDoctors(callId, deps.now(), context.query.visitDate) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/clinics/:id/board',
      operationId: 'clinicBoard',
      summary: "The clinic's counters and per-doctor counts for today; with ?at=<RFC 3339> as they were then",
      tag,
      query: AsOfQuery,
      replies: { 200: BoardView, ...problemReplies },
      handle: async (context) => {
        const clinicId = context.params[0] as string;
        requireClinic(context.principal, clinicId);
        if (context.query.at !== undefined) return { status: 200, body: await deps.asOf.require().board(clinicId, context.query.at) };
        const clinic = (await readModel(deps)).clinic(clinicId);
        if (clinic === undefined) throw new Problem(404, 'not_found', `clinic ${clinicId} not found`);
        return { status: 200, body: clinicBoard(clinic, deps.now()) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/clinics/:id/calls',
      operationId: 'clinicCalls',
      summary: "The clinic's call list with the desktop's filters (open calls, overdue first, by default); with ?at=<RFC 3339> as it was then",
      tag,
      query: ClinicCallsQuery,
      replies: { 200: Type.Array(CallView), ...problemReplies },
      handle: async (context) => {
        const clinicId = context.params[0] as string;
        requireClinic(context.principal, clinicId);
        const read = await readModel(deps);
        const clinic = read.clinic(clinicId);
        if (clinic === undefined) throw new Problem(404, 'not_found', `clinic ${clinicId} not found`);
        const q = context.query;
        const filter = {
          ...(q.status === undefined ? {} : { status: q.status }),
          ...(q.doctorId === undefined ? {} : { doctorId: q.doctorId }),
          ...(q.kind === undefined ? {} : { kind: q.kind }),
          ...(q.ageCategory === undefined ? {} : { ageCategory: q.ageCategory }),
          ...(q.subdivisionId === undefined ? {} : { subdivisionId: q.subdivisionId }),
          ...(q.name === undefined ? {} : { name: q.name }),
          ...(q.overdue === 'true' ? { overdueOnly: true } : {}),
          ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
        } as CallFilter;
        const calls = q.at === undefined ? listCalls(clinic, filter) : await deps.asOf.require().calls(clinicId, filter, q.at);
        const timeZone = timeZoneOf(read, clinicId);
        return { status: 200, body: calls.map((call) => callWire(call, timeZone)) };
      },
    }),
  ];
}
