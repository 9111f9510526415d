/**
 * The calendar half of "the projected tables match the engine": after a seeded scenario of bookings, holds,
 * moves, check-ins, call-out results, exceptions, template changes and nightly rolls, every slot of every open
 * day, every appointment with its history and call-out attempts, the exceptions, the outbox and the alerts are
 * in Postgres as the engine holds them; and the `callout_task` view gives exactly the engine's call-out list
 * (GET /api/v1/callout/tasks), message text included.
 */
import t from 'tap';
import { calloutTasks, type Appointment } from '../../engine/index.ts';
import { addDays, localDate } from '../../engine/domain/local-time.ts';
import { PostgresProjector } from './postgres-projector.ts';
import { openScenario, withTestSchema } from './test-support.ts';

function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined && field !== null)) as Partial<T>;
}

function ms(value: Date | null): number | undefined {
  return value === null ? undefined : value.getTime();
}

void t.test('projected calendar tables match the engine state after a scenario', async (t) => {
  const scenario = await openScenario(t, 2718);
  await scenario.run(300);
  // Holds last minutes: take one now so the comparison has a live hold.
  const finalDoctor = scenario.harness.read.doctor('gp2-d1');
  const holdable = [...(finalDoctor?.calendar.days.values() ?? [])]
    .flatMap((day) => day.slots)
    .find((slot) => slot.startAt > scenario.harness.clock.now() && finalDoctor?.calendar.statusOf(slot, scenario.harness.clock.now()) === 'free');
  const held = holdable === undefined ? undefined : scenario.harness.submit({ type: 'HoldSlot', slotId: holdable.id }, 'operator:final');
  t.ok(held?.ok, 'a last hold taken');
  await scenario.flush();
  const database = (await withTestSchema(t)).open();
  await new PostgresProjector({ db: database.db, source: scenario.log, entriesPerTransactionMax: 64 }).catchUp();
  const { db } = database;
  const read = scenario.harness.read;
  const now = scenario.harness.clock.now();
  const doctors = [...read.region().doctors.keys()].sort();
  const doctorStates = doctors.map((id) => {
    const state = read.doctor(id);
    if (state === undefined) throw new Error(`no doctor ${id}`);
    return state;
  });

  // ------------------------------------------------------------ slots and the calendar itself
  const engineSlots = doctorStates.flatMap((doctor) =>
    [...doctor.calendar.days.values()].flatMap((day) =>
      day.slots.map((slot) =>
        compact({
          id: slot.id,
          doctor: doctor.id,
          date: slot.date,
          startMinutes: slot.startMinutes,
          endMinutes: slot.endMinutes,
          startAt: slot.startAt,
          endAt: slot.endAt,
          cabinet: slot.cabinet,
          retired: slot.retired,
          appointmentId: slot.appointmentId,
          hold: slot.hold,
          blocked: doctor.calendar.isBlocked(slot),
        }),
      ),
    ),
  );
  engineSlots.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const slotRows = await db.selectFrom('slot').selectAll().orderBy('id').execute();
  // Views are not in the kysely Database interface (they are for SQL users): plain SQL here.
  const blockedRows = await database.pool.query<{ id: string }>(`select id from slot_status where status = 'blocked'`);
  const blocked = new Set(blockedRows.rows.map((row) => row.id));
  const projectedSlots = slotRows.map((row) =>
    compact({
      id: row.id,
      doctor: row.doctor_id,
      date: row.local_date,
      startMinutes: row.start_minutes,
      endMinutes: row.end_minutes,
      startAt: row.start_at.getTime(),
      endAt: row.end_at.getTime(),
      cabinet: row.cabinet,
      retired: row.retired,
      appointmentId: row.appointment_id,
      hold: row.hold_id === null ? undefined : { holdId: row.hold_id, holder: row.holder, expiresAt: ms(row.held_until) },
      blocked: blocked.has(row.id),
    }),
  );
  // Sorted the same way on both sides: the database's collation need not be JavaScript's.
  projectedSlots.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  t.ok(engineSlots.length > 500, `open days hold slots (${engineSlots.length})`);
  t.ok(engineSlots.some((slot) => slot.retired === true), 'a template change retired a booked slot');
  t.ok(engineSlots.some((slot) => slot.blocked === true), 'an exception blocks days');
  t.ok(engineSlots.some((slot) => slot.hold !== undefined), 'a slot is held');
  t.strictSame(projectedSlots, engineSlots, 'every slot of every open day, with booking, hold and blocked state');

  const calendars = await db.selectFrom('doctor_calendar').selectAll().orderBy('doctor_id').execute();
  t.strictSame(
    calendars.map((row) => ({ doctor: row.doctor_id, timeZone: row.time_zone, today: row.today, template: row.template, horizon: row.slot_horizon_days, hold: row.hold_ttl_minutes })),
    doctorStates.map((doctor) => ({
      doctor: doctor.id,
      timeZone: doctor.calendar.timeZone,
      today: doctor.calendar.today ?? null,
      template: doctor.calendar.template,
      horizon: doctor.calendar.settings.slotHorizonDays,
      hold: doctor.calendar.settings.holdTtlMinutes,
    })),
    'doctor calendars',
  );
  const exceptions = await db.selectFrom('calendar_exception').selectAll().orderBy('id').execute();
  t.strictSame(
    exceptions.map((row) => compact({ id: row.id, kind: row.kind, from: row.from_date, to: row.to_date, reason: row.reason, at: row.at.getTime(), by: row.by })),
    doctorStates.flatMap((doctor) => [...doctor.calendar.exceptions.values()].map((exception) => compact({ ...exception }))).sort((a, b) => String(a.id).localeCompare(String(b.id))),
    'calendar exceptions',
  );

  // ------------------------------------------------------------ appointments
  const engineAppointments: Appointment[] = doctorStates.flatMap((doctor) => [...doctor.appointments.byId.values()]);
  engineAppointments.sort((a, b) => a.id.localeCompare(b.id));
  const statuses = new Set(engineAppointments.map((appointment) => appointment.status));
  for (const status of ['booked', 'confirmed', 'cancelled', 'completed', 'declined']) t.ok(statuses.has(status as Appointment['status']), `an appointment is ${status}`);
  t.ok(engineAppointments.some((appointment) => appointment.movedTo !== undefined), 'an appointment moved to another doctor');
  t.ok(engineAppointments.some((appointment) => appointment.reschedules > 0), 'an appointment was rescheduled');
  t.ok(engineAppointments.some((appointment) => appointment.feedback !== undefined), 'an appointment has feedback');
  const appointmentRows = await db.selectFrom('appointment').selectAll().orderBy('id').execute();
  const history = await db.selectFrom('appointment_history').selectAll().orderBy('position').orderBy('event_index').orderBy('entry_index').execute();
  const attempts = await db.selectFrom('callout_attempt').selectAll().orderBy('position').orderBy('event_index').execute();
  const projectedAppointments = appointmentRows.map((row) =>
    compact({
      id: row.id,
      doctorId: row.doctor_id,
      clinicId: row.clinic_id,
      slotId: row.slot_id,
      date: row.local_date,
      startAt: row.start_at.getTime(),
      endAt: row.end_at.getTime(),
      cabinet: row.cabinet,
      patient: { id: row.patient_id, name: row.patient_name, phone: row.patient_phone, birthDate: row.patient_birth_date },
      source: row.source,
      services: row.services,
      createdAt: row.created_at.getTime(),
      status: row.status,
      queueNumber: row.queue_number,
      checkedInAt: ms(row.checked_in_at),
      serviceStartedAt: ms(row.service_started_at),
      callout: attempts
        .filter((attempt) => attempt.appointment_id === row.id)
        .map((attempt) => compact({ attempt: attempt.attempt, result: attempt.result, at: attempt.at.getTime(), talkSeconds: attempt.talk_seconds })),
      feedback: row.feedback_rating === null ? undefined : compact({ rating: row.feedback_rating, comment: row.feedback_comment, at: ms(row.feedback_at), by: row.feedback_by }),
      reschedules: row.reschedules,
      movedFrom: row.moved_from,
      movedTo: row.moved_to_appointment_id === null ? undefined : { appointmentId: row.moved_to_appointment_id, slotId: row.moved_to_slot_id },
      movingTo: row.moving_to_slot_id,
      history: history
        .filter((entry) => entry.appointment_id === row.id)
        .map((entry) => compact({ at: entry.at.getTime(), status: entry.status, by: entry.by, note: entry.note })),
    }),
  );
  t.strictSame(
    projectedAppointments,
    engineAppointments.map((appointment) =>
      compact({
        ...appointment,
        callout: appointment.callout.map((entry) => compact({ ...entry })),
        history: appointment.history.map((entry) => compact({ ...entry })),
      }),
    ),
    'appointments with history, call-out attempts, feedback and moves',
  );

  // ------------------------------------------------------------ the clinic side
  const clinics = [...read.region().clinics.keys()].sort();
  const notifications = await db.selectFrom('notification').selectAll().where('acknowledged', '=', false).orderBy('clinic_id').orderBy('seq').execute();
  t.strictSame(
    notifications.map((row) => compact({ clinic: row.clinic_id, seq: row.seq, kind: row.kind, appointmentId: row.appointment_id, patientId: row.patient_id, phone: row.phone, at: row.at.getTime(), notBefore: ms(row.not_before), fields: row.fields })),
    clinics.flatMap((clinicId) => (read.clinic(clinicId)?.calendar.outbox.items ?? []).map((item) => compact({ clinic: clinicId, ...item }))),
    'unacknowledged notifications = the outbox',
  );
  const alerts = await db.selectFrom('clinic_alert').selectAll().orderBy('id').execute();
  t.ok(alerts.length > 0, 'an alert was raised');
  t.strictSame(
    alerts.map((row) =>
      compact({
        id: row.id,
        clinicId: row.clinic_id,
        appointmentId: row.appointment_id,
        doctorId: row.doctor_id,
        patientId: row.patient_id,
        patientName: row.patient_name,
        rating: row.rating,
        comment: row.comment,
        at: row.at.getTime(),
        acknowledgedAt: ms(row.acknowledged_at),
        acknowledgedBy: row.acknowledged_by,
      }),
    ),
    clinics.flatMap((clinicId) => [...(read.clinic(clinicId)?.calendar.alerts.alerts.values() ?? [])].map((alert) => compact({ ...alert }))).sort((a, b) => String(a.id).localeCompare(String(b.id))),
    'alerts',
  );

  // ------------------------------------------------------------ the call-out robot's view
  const today = localDate(now, 'Europe/Moscow');
  let tasksSeen = 0;
  for (let offset = 0; offset < 4; offset++) {
    const date = addDays(today, offset);
    const engineTasks = calloutTasks(read, { at: now, date })
      .map((task) => ({ appointmentId: task.appointmentId, clinicId: task.clinicId, phone: task.phone, attempts: task.attempts, lastResult: task.lastResult, message: task.message, ...task.fields }))
      .sort((a, b) => a.appointmentId.localeCompare(b.appointmentId));
    tasksSeen += engineTasks.length;
    const viewRows = await database.pool.query<Record<string, unknown>>(
      `select appointment_id, clinic_id, phone, attempts, last_result, message, patient, to_char(appointment_date, 'YYYY-MM-DD') as date,
              appointment_time as time, doctor, specialty, services, clinic, address, clinic_phone
         from callout_task where appointment_date = $1`,
      [date],
    );
    const projectedTasks = viewRows.rows
      .map((row) => ({
        appointmentId: row['appointment_id'],
        clinicId: row['clinic_id'],
        phone: row['phone'],
        attempts: row['attempts'],
        lastResult: row['last_result'],
        message: row['message'],
        patient: row['patient'],
        date: row['date'],
        time: row['time'],
        doctor: row['doctor'],
        specialty: row['specialty'],
        services: row['services'],
        clinic: row['clinic'],
        address: row['address'],
        clinicPhone: row['clinic_phone'],
      }))
      .sort((a, b) => String(a.appointmentId).localeCompare(String(b.appointmentId)));
    t.strictSame(projectedTasks, engineTasks, `callout_task on ${date} = the engine's call-out list`);
  }
  t.ok(tasksSeen > 0, `the call-out lists are not empty (${tasksSeen} tasks)`);
});
