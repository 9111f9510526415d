/** Directory endpoints: the region's clinics (every token: the transfer dialog searches them) and doctors. */
import { Type } from '@sinclair/typebox';
import type { DoctorInfo, District, NewClinic } from '../../engine/index.ts';
import { Problem } from '../http/problem.ts';
import { defineRoute, type Route } from '../http/route.ts';
import { Id, problemReplies } from '../schemas/common.ts';
import { readModel, requireClinic, submit, type RouteDeps } from './route-support.ts';
import { formatHhmm } from '../../engine/domain/local-time.ts';

const tag = 'Directory';
const closed = { additionalProperties: false } as const;

const ClinicView = Type.Object({ id: Type.String(), name: Type.String(), address: Type.String(), timeZone: Type.String() }, { additionalProperties: true, $id: 'Clinic' });
const DoctorView = Type.Object(
  { id: Type.String(), name: Type.String(), specialty: Type.String(), subdivision: Type.String(), districts: Type.Array(Type.String()) },
  { additionalProperties: true, $id: 'Doctor' },
);
const DistrictView = Type.Object({ id: Type.String(), name: Type.String(), subdivisionId: Type.String() }, { additionalProperties: true, $id: 'District' });
const CalendarSettingsBody = Type.Object(
  {
    slotHorizonDays: Type.Optional(Type.Integer()),
    holdTtlMinutes: Type.Optional(Type.Integer()),
    checkInOpensMinutesBefore: Type.Optional(Type.Integer()),
    calloutAttemptsMax: Type.Optional(Type.Integer()),
    calloutTemplate: Type.Optional(Type.String({ maxLength: 1_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ClinicsQuery = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, closed);
const Minutes = Type.Integer({ minimum: 0, maximum: 1440 });
const AddClinicBody = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    address: Type.String({ minLength: 1, maxLength: 300 }),
    phone: Type.Optional(Type.String({ maxLength: 32 })),
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    subdivisions: Type.Array(Type.Object({ id: Id, name: Type.String({ minLength: 1, maxLength: 200 }), ageCategory: Type.Optional(Type.Union([Type.Literal('child'), Type.Literal('adult')])) }, closed), { minItems: 1, maxItems: 50 }),
    settings: Type.Optional(Type.Object({ assignSlaMinutes: Type.Optional(Type.Integer()), serveSlaMinutes: Type.Optional(Type.Integer()), cutoffHour: Type.Optional(Type.Integer()) }, closed)),
  },
  closed,
);
const AddDistrictBody = Type.Object(
  {
    id: Id,
    subdivisionId: Id,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    rules: Type.Array(
      Type.Object({ street: Type.String({ minLength: 1, maxLength: 200 }), houses: Type.Optional(Type.Array(Type.Object({ from: Type.Integer({ minimum: 0 }), to: Type.Integer({ minimum: 0 }), parity: Type.Optional(Type.Union([Type.Literal('odd'), Type.Literal('even')])) }, closed), { maxItems: 100 })) }, closed),
      { maxItems: 500 },
    ),
  },
  closed,
);
const AddDoctorBody = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    specialty: Type.String({ minLength: 1, maxLength: 100 }),
    subdivisionId: Id,
    districtIds: Type.Array(Id, { maxItems: 50 }),
    weeklyShifts: Type.Array(Type.Object({ weekday: Type.Integer({ minimum: 1, maximum: 7 }), startMinutes: Minutes, endMinutes: Minutes }, closed), { maxItems: 28 }),
    homeVisitMinutes: Type.Integer({ minimum: 5, maximum: 480 }),
    phone: Type.Optional(Type.String({ maxLength: 32 })),
  },
  closed,
);

export function doctorWire(doctor: DoctorInfo, subdivisionName: string): Record<string, unknown> {
  return {
    id: doctor.id,
    name: doctor.name,
    specialty: doctor.specialty,
    subdivision: subdivisionName,
    subdivisionId: doctor.subdivisionId,
    districts: doctor.districtIds,
    hours: doctor.weeklyShifts.map((s) => ({ weekday: s.weekday, start: formatHhmm(s.startMinutes), end: formatHhmm(s.endMinutes) })),
    homeVisitMinutes: doctor.homeVisitMinutes,
    ...(doctor.phone === undefined ? {} : { phone: doctor.phone }),
  };
}

export function directoryRoutes(deps: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/clinics',
      operationId: 'listClinics',
      summary: "The region's clinics (optionally those whose name contains `name`)",
      tag,
      query: ClinicsQuery,
      replies: { 200: Type.Array(ClinicView), ...problemReplies },
      handle: async (context) => {
        const read = await readModel(deps);
        const needle = context.query.name?.toLowerCase().replace(/ё/g, 'е');
        const clinics = [...read.region().clinics.values()]
          .filter((c) => needle === undefined || c.name.toLowerCase().replace(/ё/g, 'е').includes(needle))
          .map((c) => ({ id: c.id, name: c.name, address: c.address, timeZone: c.timeZone, ...(c.phone === undefined ? {} : { phone: c.phone }), subdivisions: c.subdivisions }));
        return { status: 200, body: clinics };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/clinics/:id/doctors',
      operationId: 'listDoctors',
      summary: "A clinic's doctors",
      tag,
      replies: { 200: Type.Array(DoctorView), ...problemReplies },
      handle: async (context) => {
        const clinicId = context.params[0] as string;
        requireClinic(context.principal, clinicId);
        const read = await readModel(deps);
        const clinic = read.clinic(clinicId);
        if (clinic === undefined || clinic.info === undefined) throw new Problem(404, 'not_found', `clinic ${clinicId} not found`);
        const subdivisions = new Map(clinic.info.subdivisions.map((s) => [s.id, s.name]));
        return { status: 200, body: [...clinic.roster.values()].map((d) => doctorWire(d, subdivisions.get(d.subdivisionId) ?? d.subdivisionId)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/clinics/:id/districts',
      operationId: 'listDistricts',
      summary: "A clinic's districts by id and name (the desk and the assign dialog show names, not ids)",
      tag,
      replies: { 200: Type.Array(DistrictView), ...problemReplies },
      handle: async (context) => {
        const clinicId = context.params[0] as string;
        requireClinic(context.principal, clinicId);
        const read = await readModel(deps);
        if (read.clinic(clinicId)?.info === undefined) throw new Problem(404, 'not_found', `clinic ${clinicId} not found`);
        const districts = [...read.region().districts.values()].filter((district) => district.clinicId === clinicId);
        return { status: 200, body: districts.map((district) => ({ id: district.id, name: district.name, subdivisionId: district.subdivisionId })) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/clinics/:id/calendar-settings',
      operationId: 'getCalendarSettings',
      summary: "A clinic's calendar settings: slot horizon, hold time, check-in window, call-out template and attempts",
      tag,
      replies: { 200: Type.Object({}, { additionalProperties: true }), ...problemReplies },
      handle: async (context) => {
        const clinicId = context.params[0] as string;
        requireClinic(context.principal, clinicId);
        const clinic = (await readModel(deps)).clinic(clinicId);
        if (clinic?.info === undefined) throw new Problem(404, 'not_found', `clinic ${clinicId} not found`);
        return { status: 200, body: { clinicId, ...clinic.calendar.settings } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/clinics/:id/calendar-settings',
      operationId: 'updateCalendarSettings',
      summary: "Change some of a clinic's calendar settings (admin); its doctors follow at once. Check-in opens checkInOpensMinutesBefore (1..720, default 60) before an appointment",
      tag,
      roles: ['admin'],
      body: CalendarSettingsBody,
      replies: { 200: Type.Object({}, { additionalProperties: true }), ...problemReplies },
      handle: async (context) => {
        const clinicId = context.params[0] as string;
        const reply = await submit(deps, context, { type: 'UpdateCalendarSettings', clinicId, settings: context.body as Record<string, unknown> });
        return { status: 200, body: { clinicId, ...(reply['settings'] as Record<string, unknown>) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/clinics',
      operationId: 'addClinic',
      summary: 'Add a clinic to the region (admin)',
      tag,
      roles: ['admin'],
      body: AddClinicBody,
      replies: { 201: Type.Object({ clinicId: Type.String() }), ...problemReplies },
      handle: async (context) => ({ status: 201, body: await submit(deps, context, { type: 'AddClinic', clinic: context.body as unknown as NewClinic }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/clinics/:id/districts',
      operationId: 'addDistrict',
      summary: 'Add a district with its address rules (admin)',
      tag,
      roles: ['admin'],
      body: AddDistrictBody,
      replies: { 201: Type.Object({ districtId: Type.String() }), ...problemReplies },
      handle: async (context) => {
        const district = { ...context.body, clinicId: context.params[0] as string } as unknown as District;
        return { status: 201, body: await submit(deps, context, { type: 'AddDistrict', district }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/clinics/:id/doctors',
      operationId: 'addDoctor',
      summary: 'Add a doctor with weekly hours (admin)',
      tag,
      roles: ['admin'],
      body: AddDoctorBody,
      replies: { 201: Type.Object({ doctorId: Type.String() }), ...problemReplies },
      handle: async (context) => {
        const doctor = { ...context.body, clinicId: context.params[0] as string } as unknown as DoctorInfo;
        return { status: 201, body: await submit(deps, context, { type: 'AddDoctor', doctor }) };
      },
    }),
  ];
}
