/**
 * Home-visit call events → `home_call` (the current state of each call, as the ClinicActor's evolve computes
 * it) and `home_call_history` (one row per history entry, in log order); the doctors' route-list events →
 * `doctor_visit`. Each function mirrors one case of engine/clinic-actor.ts evolveClinic / doctor-actor.ts
 * evolveDoctor; the projection test compares the result with the engine's own state.
 */
import { sql } from 'kysely';
import type { CallHistoryEntry, ClinicEvent, DoctorEvent, HomeCall, VisitSummary } from '../../engine/index.ts';
import { fullNameOf } from './project-directory.ts';
import { jsonOf, optionalTimestampOf, timestampOf, type ProjectionContext } from './projection-context.ts';

type ClinicEventOf<T extends ClinicEvent['type']> = Extract<ClinicEvent, { type: T }>;

export async function projectCallRegistered(context: ProjectionContext, call: HomeCall): Promise<void> {
  const row = {
    id: call.id,
    number: call.number,
    clinic_id: call.clinicId,
    patient_id: call.patient.id,
    status: call.status,
    source: call.source,
    kind: call.kind,
    created_at: timestampOf(call.createdAt),
    visit_date: call.visitDate,
    doctor_id: call.doctorId ?? null,
    assigned_at: optionalTimestampOf(call.assignedAt),
    completed_at: optionalTimestampOf(call.completedAt),
    closed_at: optionalTimestampOf(call.closedAt),
    due_at: optionalTimestampOf(call.dueAt),
    overdue: call.overdue,
    diagnosis: call.diagnosis ?? null,
    note: call.note ?? null,
    cancel_reason: call.cancelReason ?? null,
    transferred_to_clinic_id: call.transferredTo?.clinicId ?? null,
    transferred_to_call_id: call.transferredTo?.callId ?? null,
    transfer_reason: call.transferredTo?.reason ?? null,
    transferred_from_clinic_id: call.transferredFrom?.clinicId ?? null,
    transferred_from_call_id: call.transferredFrom?.callId ?? null,
    external_id: call.externalId ?? null,
    district_id: call.districtId ?? null,
    subdivision_id: call.subdivisionId ?? null,
    patient_name: fullNameOf(call.patient),
    patient_phone: call.patient.phone ?? null,
    patient_policy: call.patient.policy ?? null,
    patient_birth_date: call.patient.birthDate,
    patient_age_years: call.patient.ageYears,
    patient_age_category: call.patient.ageCategory,
    address_text: call.address.text,
    address: jsonOf(call.address),
    complaints_text: call.complaints.text,
    complaint_tags: [...call.complaints.tags],
    red_flags: [...call.redFlags],
    caller: call.caller === undefined ? null : jsonOf(call.caller),
    updated_position: context.position,
  };
  await context.trx
    .insertInto('home_call')
    .values(row)
    .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    .execute();
  recordHistory(context, call.id, call.history);
}

export async function projectCallAccepted(context: ProjectionContext, event: ClinicEventOf<'CallAccepted'>): Promise<void> {
  await context.trx
    .updateTable('home_call')
    .set({ status: 'new', updated_position: context.position })
    .where('id', '=', event.callId)
    .execute();
  recordHistory(context, event.callId, [{ at: event.at, status: 'new', by: event.by }]);
}

/** A second assignment of an assigned call is a reassignment: it keeps assigned_at and the overdue flag. */
export async function projectCallAssigned(context: ProjectionContext, event: ClinicEventOf<'CallAssigned'>): Promise<void> {
  const at = timestampOf(event.at);
  await context.trx
    .updateTable('home_call')
    .set({
      // Right-hand sides see the row as it was, so `status` here is the status before this event.
      assigned_at: sql<Date>`case when status = 'assigned' then assigned_at else ${at} end`,
      overdue: sql<boolean>`case when status = 'assigned' then overdue else false end`,
      status: 'assigned',
      doctor_id: event.doctorId,
      visit_date: event.visitDate,
      due_at: timestampOf(event.dueAt),
      updated_position: context.position,
    })
    .where('id', '=', event.callId)
    .execute();
  recordHistory(context, event.callId, [{ at: event.at, status: 'assigned', by: event.by, doctorId: event.doctorId }]);
}

export async function projectCallCancelled(context: ProjectionContext, event: ClinicEventOf<'CallCancelled'>): Promise<void> {
  await closeCall(context, event.callId, 'cancelled', event.at, event.by, { cancel_reason: event.reason });
}

export async function projectCallCompleted(context: ProjectionContext, event: ClinicEventOf<'CallCompleted'>): Promise<void> {
  const changes: { completed_at: Date; diagnosis?: string; note?: string } = { completed_at: timestampOf(event.at) };
  if (event.diagnosis !== undefined) changes.diagnosis = event.diagnosis;
  if (event.note !== undefined) changes.note = event.note;
  await closeCall(context, event.callId, 'completed', event.at, event.by, changes);
}

export async function projectCallTransferred(context: ProjectionContext, event: ClinicEventOf<'CallTransferred'>): Promise<void> {
  await closeCall(context, event.callId, 'transferred', event.at, event.by, {
    transferred_to_clinic_id: event.toClinicId,
    transferred_to_call_id: event.toCallId,
    transfer_reason: event.reason,
  });
}

export async function projectCallBecameOverdue(context: ProjectionContext, event: ClinicEventOf<'CallBecameOverdue'>): Promise<void> {
  await context.trx
    .updateTable('home_call')
    .set({ overdue: true, updated_position: context.position })
    .where('id', '=', event.callId)
    .execute();
}

interface CloseChanges {
  readonly cancel_reason?: string;
  readonly completed_at?: Date;
  readonly diagnosis?: string;
  readonly note?: string;
  readonly transferred_to_clinic_id?: string;
  readonly transferred_to_call_id?: string;
  readonly transfer_reason?: string;
}

/** A closed call has no SLA left: no due time, not overdue (engine: closeCall). */
async function closeCall(
  context: ProjectionContext,
  callId: string,
  status: 'completed' | 'cancelled' | 'transferred',
  atMs: number,
  by: string,
  changes: CloseChanges,
): Promise<void> {
  await context.trx
    .updateTable('home_call')
    .set({ ...changes, status, closed_at: timestampOf(atMs), due_at: null, overdue: false, updated_position: context.position })
    .where('id', '=', callId)
    .execute();
  recordHistory(context, callId, [{ at: atMs, status, by }]);
}

/** Collected for the batch's bulk insert (projection-context.ts). */
function recordHistory(context: ProjectionContext, callId: string, entries: readonly CallHistoryEntry[]): void {
  for (const [entryIndex, entry] of entries.entries()) {
    context.appendOnly.homeCallHistory.push({
      position: context.position,
      event_index: context.eventIndex,
      entry_index: entryIndex,
      call_id: callId,
      at: timestampOf(entry.at),
      status: entry.status,
      by: entry.by,
      doctor_id: entry.doctorId ?? null,
      note: entry.note ?? null,
    });
  }
}

// ---------------------------------------------------------------- route lists (DoctorActor)

type DoctorEventOf<T extends DoctorEvent['type']> = Extract<DoctorEvent, { type: T }>;

export async function projectVisitAdded(context: ProjectionContext, doctorId: string, visit: VisitSummary): Promise<void> {
  const row = {
    doctor_id: doctorId,
    call_id: visit.callId,
    visit_date: visit.visitDate,
    clinic_id: visit.clinicId,
    patient_name: visit.patientName,
    address: visit.address,
    kind: visit.kind,
    done_at: null,
  };
  await context.trx
    .insertInto('doctor_visit')
    .values(row)
    .onConflict((conflict) => conflict.columns(['doctor_id', 'visit_date', 'call_id']).doUpdateSet(row))
    .execute();
}

export async function projectVisitRemoved(context: ProjectionContext, doctorId: string, event: DoctorEventOf<'VisitRemoved'>): Promise<void> {
  await context.trx
    .deleteFrom('doctor_visit')
    .where('doctor_id', '=', doctorId)
    .where('visit_date', '=', event.visitDate)
    .where('call_id', '=', event.callId)
    .execute();
}

export async function projectVisitCompleted(context: ProjectionContext, doctorId: string, event: DoctorEventOf<'VisitCompleted'>): Promise<void> {
  await context.trx
    .updateTable('doctor_visit')
    .set({ done_at: timestampOf(event.at) })
    .where('doctor_id', '=', doctorId)
    .where('visit_date', '=', event.visitDate)
    .where('call_id', '=', event.callId)
    .execute();
}
