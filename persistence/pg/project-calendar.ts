/**
 * Calendar events → `doctor_calendar`, `slot`, `calendar_exception`, `appointment` (+ `appointment_history`),
 * `callout_attempt`, and the clinic side: calendar settings on `clinic`, `notification`, `clinic_alert`.
 *
 * The slot table mirrors the DoctorActor's SlotCalendar (engine/calendar/slot-calendar.ts): open days are
 * today..open_through, each materialised from the weekly template with the engine's own functions
 * (slotShapesOn, slotIdOf, instantOf), so ids, times and the rebuild after a template change are the engine's.
 * Blocked days are not stored per slot: the `slot_status` view derives them from `calendar_exception`.
 *
 * Unlike the engine, the projection keeps appointments after the retention window (the engine drops them from
 * memory on the daily roll; reports need them) and keeps every notification (the outbox drops the oldest at its
 * bound; here acknowledged ones are only flagged).
 *
 * Bounds: a rebuild or a roll touches one doctor's open days (at most slotHorizonDaysMax days of
 * slotsPerDayMax slots); rows go in chunks of insert-chunks.ts.
 */
import type { Appointment, AppointmentHistoryEntry, CalendarException, DoctorInfo, DomainEvent, Hold, SlotRule } from '../../engine/index.ts';
import { defaultDoctorCalendarSettings, idOf, keepsSlot, parseSlotId, slotIdOf } from '../../engine/index.ts';
import { slotShapesOn } from '../../engine/calendar/slot-template.ts';
import { addDays, formatHhmm, instantOf } from '../../engine/domain/local-time.ts';
import type { Insertable, Selectable } from 'kysely';
import type { CalloutAttemptTable, SlotTable } from './database.ts';
import { insertChunks } from './insert-chunks.ts';
import { jsonOf, optionalTimestampOf, timestampOf, type ProjectionContext } from './projection-context.ts';

type EventOf<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;

interface OpenCalendar {
  readonly doctorId: string;
  readonly clinicId: string;
  readonly timeZone: string;
  readonly today: string | null;
  readonly openThrough: string | null;
  readonly template: readonly SlotRule[];
}

// ---------------------------------------------------------------- doctor calendar

/** DoctorOpened: the calendar exists from now on, with the default settings and the doctor's zone. */
export async function projectCalendarOpened(context: ProjectionContext, doctor: DoctorInfo, timeZone: string): Promise<void> {
  await context.trx
    .insertInto('doctor_calendar')
    .values({
      doctor_id: doctor.id,
      clinic_id: doctor.clinicId,
      time_zone: timeZone,
      today: null,
      open_through: null,
      template: jsonOf([]),
      slot_horizon_days: defaultDoctorCalendarSettings.slotHorizonDays,
      hold_ttl_minutes: defaultDoctorCalendarSettings.holdTtlMinutes,
    })
    .onConflict((conflict) => conflict.column('doctor_id').doUpdateSet({ time_zone: timeZone, clinic_id: doctor.clinicId }))
    .execute();
}

export async function projectDoctorCalendarSettings(context: ProjectionContext, event: EventOf<'DoctorCalendarSettingsChanged'>): Promise<void> {
  await context.trx
    .updateTable('doctor_calendar')
    .set({ slot_horizon_days: event.settings.slotHorizonDays, hold_ttl_minutes: event.settings.holdTtlMinutes })
    .where('doctor_id', '=', idOf(context.address))
    .execute();
}

/** A new template rebuilds every open day: matching slots stay, booked ones retire, the rest are replaced. */
export async function projectScheduleSet(context: ProjectionContext, event: EventOf<'ScheduleSet'>): Promise<void> {
  const calendar = await calendarOf(context);
  await context.trx.updateTable('doctor_calendar').set({ template: jsonOf(event.template) }).where('doctor_id', '=', calendar.doctorId).execute();
  if (calendar.today === null || calendar.openThrough === null) return;
  const existing = await context.trx
    .selectFrom('slot')
    .selectAll()
    .where('doctor_id', '=', calendar.doctorId)
    .orderBy('local_date')
    .orderBy('start_minutes')
    .execute();
  const byDate = new Map<string, Selectable<SlotTable>[]>();
  for (const slot of existing) byDate.set(slot.local_date, [...(byDate.get(slot.local_date) ?? []), slot]);
  const dropped: string[] = [];
  const retired: string[] = [];
  const restored: string[] = [];
  const added: Insertable<SlotTable>[] = [];
  const next = { ...calendar, template: event.template };
  for (let date = calendar.today; date <= calendar.openThrough; date = addDays(date, 1)) {
    const shapes = slotShapesOn(event.template, date);
    const shapeAt = new Map(shapes.map((shape) => [shape.startMinutes, shape]));
    const kept: Selectable<SlotTable>[] = [];
    for (const old of byDate.get(date) ?? []) {
      const shape = shapeAt.get(old.start_minutes);
      if (shape !== undefined && shape.endMinutes === old.end_minutes && shape.cabinet === old.cabinet) {
        if (old.retired) restored.push(old.id);
        kept.push(old);
      } else if (old.appointment_id !== null) {
        if (!old.retired) retired.push(old.id);
        kept.push(old);
      } else {
        dropped.push(old.id);
      }
    }
    // As the engine: a new shape is added only where it collides with no kept slot.
    for (const shape of shapes) {
      const collides = kept.some((slot) => slot.start_minutes < shape.endMinutes && shape.startMinutes < slot.end_minutes);
      if (!collides) added.push(slotRow(next, date, shape.startMinutes, shape.endMinutes, shape.cabinet));
    }
  }
  if (dropped.length > 0) await context.trx.deleteFrom('slot').where('id', 'in', dropped).execute();
  if (retired.length > 0) await context.trx.updateTable('slot').set({ retired: true }).where('id', 'in', retired).execute();
  if (restored.length > 0) await context.trx.updateTable('slot').set({ retired: false }).where('id', 'in', restored).execute();
  await insertSlots(context, added);
}

/** The daily roll: past days (and past exceptions) go, the missing days up to `openThrough` open. */
export async function projectCalendarRolled(context: ProjectionContext, event: EventOf<'CalendarRolled'>): Promise<void> {
  const calendar = await calendarOf(context);
  await context.trx.deleteFrom('slot').where('doctor_id', '=', calendar.doctorId).where('local_date', '<', event.today).execute();
  await context.trx
    .deleteFrom('calendar_exception')
    .where('doctor_id', '=', calendar.doctorId)
    .where('to_date', '<', event.today)
    .execute();
  const firstMissing = calendar.openThrough === null || calendar.openThrough < event.today ? event.today : addDays(calendar.openThrough, 1);
  const added: Insertable<SlotTable>[] = [];
  for (let date = firstMissing; date <= event.openThrough; date = addDays(date, 1)) {
    for (const shape of slotShapesOn(calendar.template, date)) {
      added.push(slotRow(calendar, date, shape.startMinutes, shape.endMinutes, shape.cabinet));
    }
  }
  await insertSlots(context, added);
  const openThrough = calendar.openThrough !== null && calendar.openThrough > event.openThrough ? calendar.openThrough : event.openThrough;
  await context.trx
    .updateTable('doctor_calendar')
    .set({ today: event.today, open_through: openThrough })
    .where('doctor_id', '=', calendar.doctorId)
    .execute();
}

/** Days under an exception are blocked (the view derives it); their holds end, as in the engine. */
export async function projectExceptionAdded(context: ProjectionContext, exception: CalendarException): Promise<void> {
  const doctorId = idOf(context.address);
  await context.trx
    .insertInto('calendar_exception')
    .values({
      id: exception.id,
      doctor_id: doctorId,
      kind: exception.kind,
      from_date: exception.from,
      to_date: exception.to,
      reason: exception.reason ?? null,
      at: timestampOf(exception.at),
      by: exception.by,
    })
    .execute();
  await context.trx
    .updateTable('slot')
    .set({ hold_id: null, holder: null, held_until: null })
    .where('doctor_id', '=', doctorId)
    .where('local_date', '>=', exception.from)
    .where('local_date', '<=', exception.to)
    .execute();
}

export async function projectExceptionLifted(context: ProjectionContext, event: EventOf<'CalendarExceptionLifted'>): Promise<void> {
  await context.trx.deleteFrom('calendar_exception').where('id', '=', event.exceptionId).execute();
}

export async function projectSlotHeld(context: ProjectionContext, slotId: string, hold: Hold): Promise<void> {
  await context.trx
    .updateTable('slot')
    .set({ hold_id: hold.holdId, holder: hold.holder, held_until: timestampOf(hold.expiresAt) })
    .where('id', '=', slotId)
    .execute();
}

export async function projectHoldReleased(context: ProjectionContext, event: EventOf<'HoldReleased'>): Promise<void> {
  await context.trx
    .updateTable('slot')
    .set({ hold_id: null, holder: null, held_until: null })
    .where('id', '=', event.slotId)
    .where('hold_id', '=', event.holdId)
    .execute();
}

// ---------------------------------------------------------------- appointments

export async function projectAppointmentBooked(context: ProjectionContext, appointment: Appointment): Promise<void> {
  const row = {
    id: appointment.id,
    doctor_id: appointment.doctorId,
    clinic_id: appointment.clinicId,
    slot_id: appointment.slotId,
    local_date: appointment.date,
    local_time: localTimeOf(appointment.slotId),
    start_at: timestampOf(appointment.startAt),
    end_at: timestampOf(appointment.endAt),
    cabinet: appointment.cabinet,
    patient_id: appointment.patient.id,
    patient_name: appointment.patient.name,
    patient_phone: appointment.patient.phone,
    patient_birth_date: appointment.patient.birthDate,
    source: appointment.source,
    services: [...appointment.services],
    created_at: timestampOf(appointment.createdAt),
    status: appointment.status,
    queue_number: appointment.queueNumber ?? null,
    checked_in_at: optionalTimestampOf(appointment.checkedInAt),
    service_started_at: optionalTimestampOf(appointment.serviceStartedAt),
    reschedules: appointment.reschedules,
    moved_from: appointment.movedFrom ?? null,
    moved_to_appointment_id: appointment.movedTo?.appointmentId ?? null,
    moved_to_slot_id: appointment.movedTo?.slotId ?? null,
    moving_to_slot_id: appointment.movingTo ?? null,
    feedback_rating: appointment.feedback?.rating ?? null,
    feedback_comment: appointment.feedback?.comment ?? null,
    feedback_at: optionalTimestampOf(appointment.feedback?.at),
    feedback_by: appointment.feedback?.by ?? null,
    updated_position: context.position,
  };
  await context.trx
    .insertInto('appointment')
    .values(row)
    .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    .execute();
  recordAppointmentHistory(context, appointment.id, appointment.history);
  for (const entry of appointment.callout) context.appendOnly.calloutAttempts.push(calloutRow(context, appointment.id, entry));
  if (keepsSlot(appointment)) await linkSlot(context, appointment.slotId, appointment.id);
}

export async function projectAppointmentRescheduled(context: ProjectionContext, event: EventOf<'AppointmentRescheduled'>): Promise<void> {
  const appointment = await context.trx
    .selectFrom('appointment')
    .select(['slot_id', 'status'])
    .where('id', '=', event.appointmentId)
    .executeTakeFirstOrThrow();
  const slot = await context.trx
    .selectFrom('slot')
    .select(['local_date', 'start_at', 'end_at', 'cabinet', 'local_time'])
    .where('id', '=', event.toSlotId)
    .executeTakeFirstOrThrow();
  await unlinkSlot(context, appointment.slot_id, event.appointmentId);
  await context.trx
    .updateTable('appointment')
    .set((eb) => ({
      slot_id: event.toSlotId,
      local_date: slot.local_date,
      local_time: slot.local_time,
      start_at: slot.start_at,
      end_at: slot.end_at,
      cabinet: slot.cabinet,
      reschedules: eb('reschedules', '+', 1),
      updated_position: context.position,
    }))
    .where('id', '=', event.appointmentId)
    .execute();
  recordAppointmentHistory(context, event.appointmentId, [
    { at: event.at, status: appointment.status as AppointmentHistoryEntry['status'], by: event.by, note: `rescheduled from ${appointment.slot_id}` },
  ]);
  await linkSlot(context, event.toSlotId, event.appointmentId);
}

export async function projectAppointmentStatusChanged(context: ProjectionContext, event: EventOf<'AppointmentStatusChanged'>): Promise<void> {
  const updated = await context.trx
    .updateTable('appointment')
    .set({
      status: event.status,
      ...(event.status === 'in_service' ? { service_started_at: timestampOf(event.at) } : {}),
      updated_position: context.position,
    })
    .where('id', '=', event.appointmentId)
    .returning(['slot_id', 'moved_to_appointment_id', 'moved_to_slot_id'])
    .executeTakeFirstOrThrow();
  const entry: AppointmentHistoryEntry =
    event.note === undefined ? { at: event.at, status: event.status, by: event.by } : { at: event.at, status: event.status, by: event.by, note: event.note };
  recordAppointmentHistory(context, event.appointmentId, [entry]);
  const movedTo =
    updated.moved_to_appointment_id === null ? {} : { movedTo: { appointmentId: updated.moved_to_appointment_id, slotId: updated.moved_to_slot_id ?? '' } };
  if (!keepsSlot({ status: event.status, ...movedTo })) await unlinkSlot(context, updated.slot_id, event.appointmentId);
}

export async function projectAppointmentCheckedIn(context: ProjectionContext, event: EventOf<'AppointmentCheckedIn'>): Promise<void> {
  await context.trx
    .updateTable('appointment')
    .set({ status: 'checked_in', queue_number: event.queueNumber, checked_in_at: timestampOf(event.at), updated_position: context.position })
    .where('id', '=', event.appointmentId)
    .execute();
  recordAppointmentHistory(context, event.appointmentId, [{ at: event.at, status: 'checked_in', by: event.by }]);
}

/** A move to another doctor locks the appointment for the length of one command's cascade. */
export async function projectAppointmentMoving(context: ProjectionContext, appointmentId: string, toSlotId: string | null): Promise<void> {
  await context.trx
    .updateTable('appointment')
    .set({ moving_to_slot_id: toSlotId, updated_position: context.position })
    .where('id', '=', appointmentId)
    .execute();
}

export async function projectAppointmentMovedOut(context: ProjectionContext, event: EventOf<'AppointmentMovedOut'>): Promise<void> {
  const updated = await context.trx
    .updateTable('appointment')
    .set({
      moving_to_slot_id: null,
      status: 'cancelled',
      moved_to_appointment_id: event.toAppointmentId,
      moved_to_slot_id: event.toSlotId,
      updated_position: context.position,
    })
    .where('id', '=', event.appointmentId)
    .returning('slot_id')
    .executeTakeFirstOrThrow();
  recordAppointmentHistory(context, event.appointmentId, [
    { at: event.at, status: 'cancelled', by: event.by, note: `moved to ${event.toAppointmentId}` },
  ]);
  await unlinkSlot(context, updated.slot_id, event.appointmentId);
}

export async function projectCalloutResult(context: ProjectionContext, event: EventOf<'CalloutResultRecorded'>): Promise<void> {
  context.appendOnly.calloutAttempts.push(calloutRow(context, event.appointmentId, event.entry));
}

export async function projectFeedback(context: ProjectionContext, event: EventOf<'FeedbackRecorded'>): Promise<void> {
  await context.trx
    .updateTable('appointment')
    .set({
      feedback_rating: event.feedback.rating,
      feedback_comment: event.feedback.comment ?? null,
      feedback_at: timestampOf(event.feedback.at),
      feedback_by: event.feedback.by,
      updated_position: context.position,
    })
    .where('id', '=', event.appointmentId)
    .execute();
}

// ---------------------------------------------------------------- clinic side

export async function projectClinicCalendarSettings(context: ProjectionContext, event: EventOf<'ClinicCalendarSettingsChanged'>): Promise<void> {
  await context.trx
    .updateTable('clinic')
    .set({
      slot_horizon_days: event.settings.slotHorizonDays,
      hold_ttl_minutes: event.settings.holdTtlMinutes,
      callout_template: event.settings.calloutTemplate,
      callout_attempts_max: event.settings.calloutAttemptsMax,
    })
    .where('id', '=', idOf(context.address))
    .execute();
}

export async function projectNotificationQueued(context: ProjectionContext, event: EventOf<'NotificationQueued'>): Promise<void> {
  const { item } = event;
  await context.trx
    .insertInto('notification')
    .values({
      clinic_id: idOf(context.address),
      seq: item.seq,
      kind: item.kind,
      appointment_id: item.appointmentId,
      patient_id: item.patientId,
      phone: item.phone,
      at: timestampOf(item.at),
      not_before: optionalTimestampOf(item.notBefore),
      fields: jsonOf(item.fields),
      acknowledged: false,
    })
    .execute();
}

export async function projectOutboxAcknowledged(context: ProjectionContext, event: EventOf<'OutboxAcknowledged'>): Promise<void> {
  await context.trx
    .updateTable('notification')
    .set({ acknowledged: true })
    .where('clinic_id', '=', idOf(context.address))
    .where('seq', '<=', event.throughSeq)
    .where('acknowledged', '=', false)
    .execute();
}

export async function projectAlertRaised(context: ProjectionContext, event: EventOf<'AlertRaised'>): Promise<void> {
  const { alert } = event;
  await context.trx
    .insertInto('clinic_alert')
    .values({
      id: alert.id,
      clinic_id: alert.clinicId,
      appointment_id: alert.appointmentId,
      doctor_id: alert.doctorId,
      patient_id: alert.patientId,
      patient_name: alert.patientName,
      rating: alert.rating,
      comment: alert.comment ?? null,
      at: timestampOf(alert.at),
      acknowledged_at: optionalTimestampOf(alert.acknowledgedAt),
      acknowledged_by: alert.acknowledgedBy ?? null,
    })
    .execute();
}

export async function projectAlertAcknowledged(context: ProjectionContext, event: EventOf<'AlertAcknowledged'>): Promise<void> {
  await context.trx
    .updateTable('clinic_alert')
    .set({ acknowledged_at: timestampOf(event.at), acknowledged_by: event.by })
    .where('id', '=', event.alertId)
    .where('acknowledged_at', 'is', null)
    .execute();
}

// ---------------------------------------------------------------- helpers

async function calendarOf(context: ProjectionContext): Promise<OpenCalendar> {
  const doctorId = idOf(context.address);
  const row = await context.trx.selectFrom('doctor_calendar').selectAll().where('doctor_id', '=', doctorId).executeTakeFirst();
  if (row === undefined) throw new Error(`calendar event for ${doctorId} before DoctorOpened: the log is out of order`);
  return {
    doctorId,
    clinicId: row.clinic_id,
    timeZone: row.time_zone,
    today: row.today,
    openThrough: row.open_through,
    template: row.template as SlotRule[],
  };
}

function slotRow(calendar: OpenCalendar, date: string, startMinutes: number, endMinutes: number, cabinet: string): Insertable<SlotTable> {
  return {
    id: slotIdOf(calendar.doctorId, date, startMinutes),
    doctor_id: calendar.doctorId,
    clinic_id: calendar.clinicId,
    local_date: date,
    start_minutes: startMinutes,
    end_minutes: endMinutes,
    local_time: formatHhmm(startMinutes),
    start_at: timestampOf(instantOf(date, startMinutes, calendar.timeZone)),
    end_at: timestampOf(instantOf(date, endMinutes, calendar.timeZone)),
    cabinet,
    retired: false,
    appointment_id: null,
    hold_id: null,
    holder: null,
    held_until: null,
  };
}

async function insertSlots(context: ProjectionContext, rows: readonly Insertable<SlotTable>[]): Promise<void> {
  for (const chunk of insertChunks(rows)) await context.trx.insertInto('slot').values(chunk).execute();
}

/** The slot now belongs to the appointment; a hold on it ends. */
async function linkSlot(context: ProjectionContext, slotId: string, appointmentId: string): Promise<void> {
  await context.trx
    .updateTable('slot')
    .set({ appointment_id: appointmentId, hold_id: null, holder: null, held_until: null })
    .where('id', '=', slotId)
    .execute();
}

/** The appointment gives its slot back; a retired slot existed only for it and goes away. */
async function unlinkSlot(context: ProjectionContext, slotId: string, appointmentId: string): Promise<void> {
  await context.trx.updateTable('slot').set({ appointment_id: null }).where('id', '=', slotId).where('appointment_id', '=', appointmentId).execute();
  await context.trx.deleteFrom('slot').where('id', '=', slotId).where('retired', '=', true).where('appointment_id', 'is', null).execute();
}

/** Collected for the batch's bulk insert (projection-context.ts). */
function recordAppointmentHistory(context: ProjectionContext, appointmentId: string, entries: readonly AppointmentHistoryEntry[]): void {
  for (const [entryIndex, entry] of entries.entries()) {
    context.appendOnly.appointmentHistory.push({
      position: context.position,
      event_index: context.eventIndex,
      entry_index: entryIndex,
      appointment_id: appointmentId,
      at: timestampOf(entry.at),
      status: entry.status,
      by: entry.by,
      note: entry.note ?? null,
    });
  }
}

function calloutRow(context: ProjectionContext, appointmentId: string, entry: Appointment['callout'][number]): Insertable<CalloutAttemptTable> {
  return {
    appointment_id: appointmentId,
    attempt: entry.attempt,
    result: entry.result,
    at: timestampOf(entry.at),
    talk_seconds: entry.talkSeconds ?? null,
    position: context.position,
    event_index: context.eventIndex,
  };
}

/** `HH:MM` of the slot's start, as the engine's call-out list shows it. */
function localTimeOf(slotId: string): string {
  return formatHhmm(parseSlotId(slotId)?.startMinutes ?? 0);
}
