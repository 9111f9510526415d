/**
 * After a seeded scenario (calls registered, accepted, assigned and reassigned, completed, cancelled, transferred,
 * overdue), the projected tables say what the engine's own state says: every clinic, district, doctor, patient,
 * home call with its full history, route-list visit, and the board counters recounted in SQL.
 */
import t from 'tap';
import type { HomeCall } from '../../engine/index.ts';
import { fullNameOf } from './project-directory.ts';
import { PostgresProjector } from './postgres-projector.ts';
import { openScenario, withTestSchema } from './test-support.ts';

function ms(value: Date | null): number | undefined {
  return value === null ? undefined : value.getTime();
}

function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined && field !== null)) as Partial<T>;
}

/** The fields of a HomeCall that home_call + home_call_history hold, in the engine's shape. */
function engineCallView(call: HomeCall): Record<string, unknown> {
  return compact({
    id: call.id,
    number: call.number,
    clinicId: call.clinicId,
    patientId: call.patient.id,
    patientName: fullNameOf(call.patient),
    patientPhone: call.patient.phone,
    patientBirthDate: call.patient.birthDate,
    patientAgeYears: call.patient.ageYears,
    status: call.status,
    source: call.source,
    kind: call.kind,
    createdAt: call.createdAt,
    visitDate: call.visitDate,
    doctorId: call.doctorId,
    assignedAt: call.assignedAt,
    completedAt: call.completedAt,
    closedAt: call.closedAt,
    dueAt: call.dueAt,
    overdue: call.overdue,
    diagnosis: call.diagnosis,
    note: call.note,
    cancelReason: call.cancelReason,
    transferredTo: call.transferredTo,
    // The projection keeps the link (clinic and call); the first registration's number and time stay in the engine's view.
    transferredFrom: call.transferredFrom === undefined ? undefined : { clinicId: call.transferredFrom.clinicId, callId: call.transferredFrom.callId },
    externalId: call.externalId,
    districtId: call.districtId,
    subdivisionId: call.subdivisionId,
    address: call.address,
    complaints: { text: call.complaints.text, tags: [...call.complaints.tags] },
    redFlags: [...call.redFlags],
    caller: call.caller,
    history: call.history.map((entry) => compact({ ...entry })),
  });
}

void t.test('projected tables match the engine state after a scenario', async (t) => {
  const scenario = await openScenario(t, 4242);
  await scenario.run(300);
  const database = (await withTestSchema(t)).open();
  const projector = new PostgresProjector({ db: database.db, source: scenario.log, entriesPerTransactionMax: 40 });
  await projector.catchUp();
  const { db } = database;
  const region = scenario.harness.read.region();
  const calendarOf = (clinicId: string) => {
    const settings = scenario.harness.read.clinic(clinicId)?.calendar.settings;
    if (settings === undefined) throw new Error(`no clinic ${clinicId}`);
    return settings;
  };

  t.equal(projector.projectedPosition(), scenario.log.lastPosition());
  const eventCount = await db.selectFrom('event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  t.equal(eventCount.n, scenario.events, 'every event is in the generic table');

  const clinics = await db.selectFrom('clinic').selectAll().orderBy('id').execute();
  t.strictSame(
    clinics,
    [...region.clinics.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((clinic) => ({
        id: clinic.id,
        name: clinic.name,
        address: clinic.address,
        phone: clinic.phone ?? null,
        time_zone: clinic.timeZone,
        assign_sla_minutes: clinic.settings.assignSlaMinutes,
        serve_sla_minutes: clinic.settings.serveSlaMinutes,
        cutoff_hour: clinic.settings.cutoffHour,
        slot_horizon_days: calendarOf(clinic.id).slotHorizonDays,
        hold_ttl_minutes: calendarOf(clinic.id).holdTtlMinutes,
        callout_template: calendarOf(clinic.id).calloutTemplate,
        callout_attempts_max: calendarOf(clinic.id).calloutAttemptsMax,
      })),
    'clinics',
  );
  const subdivisions = await db.selectFrom('clinic_subdivision').selectAll().orderBy('clinic_id').orderBy('id').execute();
  t.strictSame(
    subdivisions,
    [...region.clinics.values()]
      .flatMap((clinic) => clinic.subdivisions.map((s) => ({ clinic_id: clinic.id, id: s.id, name: s.name, age_category: s.ageCategory ?? null })))
      .sort((a, b) => a.clinic_id.localeCompare(b.clinic_id) || a.id.localeCompare(b.id)),
    'subdivisions',
  );
  const districts = await db.selectFrom('district').selectAll().orderBy('id').execute();
  t.strictSame(
    districts,
    [...region.districts.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((d) => ({ id: d.id, clinic_id: d.clinicId, subdivision_id: d.subdivisionId, name: d.name, rules: d.rules })),
    'districts',
  );
  const doctors = await db.selectFrom('doctor').selectAll().orderBy('id').execute();
  t.strictSame(
    doctors,
    [...region.doctors.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((d) => ({
        id: d.id,
        clinic_id: d.clinicId,
        name: d.name,
        specialty: d.specialty,
        subdivision_id: d.subdivisionId,
        district_ids: d.districtIds,
        weekly_shifts: d.weeklyShifts,
        home_visit_minutes: d.homeVisitMinutes,
        phone: d.phone ?? null,
        time_zone: scenario.harness.read.doctor(d.id)?.timeZone ?? null,
      })),
    'doctors',
  );
  const patients = await db.selectFrom('patient').selectAll().orderBy('id').execute();
  t.strictSame(
    patients,
    [...region.patients.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((p) => ({
        id: p.id,
        policy: p.policy ?? null,
        surname: p.surname,
        name: p.name,
        patronymic: p.patronymic ?? null,
        full_name: fullNameOf(p),
        birth_date: p.birthDate,
        sex: p.sex,
        phones: p.phones,
        card_number: p.cardNumber ?? null,
      })),
    'patients',
  );

  const engineCalls = [...region.clinics.keys()].flatMap((id) => [...(scenario.harness.read.clinic(id)?.calls.values() ?? [])]);
  t.ok(engineCalls.length > 50, `the scenario made calls (${engineCalls.length})`);
  for (const status of ['received', 'new', 'assigned', 'completed', 'cancelled', 'transferred']) {
    t.ok(engineCalls.some((call) => call.status === status), `the scenario has a ${status} call`);
  }
  t.ok(engineCalls.some((call) => call.overdue), 'the scenario has an overdue call');
  const rows = await db.selectFrom('home_call').selectAll().orderBy('id').execute();
  const history = await db
    .selectFrom('home_call_history')
    .selectAll()
    .orderBy('position')
    .orderBy('event_index')
    .orderBy('entry_index')
    .execute();
  const projected = rows.map((row) =>
    compact({
      id: row.id,
      number: row.number,
      clinicId: row.clinic_id,
      patientId: row.patient_id,
      patientName: row.patient_name,
      patientPhone: row.patient_phone,
      patientBirthDate: row.patient_birth_date,
      patientAgeYears: row.patient_age_years,
      status: row.status,
      source: row.source,
      kind: row.kind,
      createdAt: ms(row.created_at),
      visitDate: row.visit_date,
      doctorId: row.doctor_id,
      assignedAt: ms(row.assigned_at),
      completedAt: ms(row.completed_at),
      closedAt: ms(row.closed_at),
      dueAt: ms(row.due_at),
      overdue: row.overdue,
      diagnosis: row.diagnosis,
      note: row.note,
      cancelReason: row.cancel_reason,
      transferredTo:
        row.transferred_to_clinic_id === null
          ? undefined
          : { clinicId: row.transferred_to_clinic_id, callId: row.transferred_to_call_id, reason: row.transfer_reason },
      transferredFrom:
        row.transferred_from_clinic_id === null ? undefined : { clinicId: row.transferred_from_clinic_id, callId: row.transferred_from_call_id },
      externalId: row.external_id,
      districtId: row.district_id,
      subdivisionId: row.subdivision_id,
      address: row.address,
      complaints: { text: row.complaints_text, tags: row.complaint_tags },
      redFlags: row.red_flags,
      caller: row.caller,
      history: history
        .filter((entry) => entry.call_id === row.id)
        .map((entry) => compact({ at: entry.at.getTime(), status: entry.status, by: entry.by, doctorId: entry.doctor_id, note: entry.note })),
    }),
  );
  t.strictSame(projected, engineCalls.sort((a, b) => a.id.localeCompare(b.id)).map(engineCallView), 'home calls with their history');

  for (const clinicId of region.clinics.keys()) {
    const clinic = scenario.harness.read.clinic(clinicId);
    const board = await db
      .selectFrom('home_call')
      .select((eb) => [
        eb.fn.countAll<number>().filterWhere('status', '=', 'received').as('received'),
        eb.fn.countAll<number>().filterWhere('status', '=', 'new').as('new'),
        eb.fn.countAll<number>().filterWhere('status', '=', 'assigned').as('assigned'),
        eb.fn.countAll<number>().filterWhere('overdue', '=', true).as('overdue'),
      ])
      .where('clinic_id', '=', clinicId)
      .executeTakeFirstOrThrow();
    t.strictSame(board, clinic?.counters, `board counters of ${clinicId} recounted in SQL`);
  }

  const visits = await db.selectFrom('doctor_visit').selectAll().orderBy('doctor_id').orderBy('visit_date').orderBy('call_id').execute();
  const engineVisits = [...region.doctors.keys()].flatMap((doctorId) => {
    const snapshot = scenario.harness.read.doctor(doctorId)?.toSnapshot();
    return (snapshot?.visits ?? []).map((visit) => ({
      doctor_id: doctorId,
      call_id: visit.callId,
      visit_date: visit.visitDate,
      clinic_id: visit.clinicId,
      patient_name: visit.patientName,
      address: visit.address,
      kind: visit.kind,
      done_at: visit.doneAt === undefined ? null : new Date(visit.doneAt),
    }));
  });
  engineVisits.sort((a, b) => a.doctor_id.localeCompare(b.doctor_id) || a.visit_date.localeCompare(b.visit_date) || a.call_id.localeCompare(b.call_id));
  t.ok(engineVisits.length > 0, 'the scenario has route-list visits');
  t.strictSame(visits, engineVisits, 'route lists');
});
