/**
 * Invariants of the home-call state across all actors, checked by the simulation after every step. Each
 * returns a list of violations (empty when the state is sound), so a failure says exactly what broke.
 */
import { localDate } from '../domain/local-time.ts';
import { isLegalCallTransition, openCallStatuses, type HomeCall } from '../home-call.ts';
import type { ReadModel } from '../read-model.ts';
import type { ClinicState } from '../clinic-state.ts';

export function homeCallViolations(read: ReadModel, clinicIds: readonly string[], nowMs: number): string[] {
  const violations: string[] = [];
  const openByPatient = new Map<string, string[]>();
  const assignedVisits = new Map<string, string>();
  for (const clinicId of clinicIds) {
    const clinic = read.clinic(clinicId);
    if (clinic === undefined) continue;
    violations.push(...counterViolations(clinic));
    for (const call of clinic.calls.values()) {
      violations.push(...historyViolations(call));
      if (openCallStatuses.has(call.status)) {
        const list = openByPatient.get(call.patient.id) ?? [];
        list.push(call.id);
        openByPatient.set(call.patient.id, list);
      }
      if (call.overdue && !openCallStatuses.has(call.status)) violations.push(`${call.id}: closed but overdue`);
      if (openCallStatuses.has(call.status) && !call.overdue && call.dueAt !== undefined && call.dueAt <= nowMs) {
        violations.push(`${call.id}: due at ${call.dueAt} but not overdue at ${nowMs}`);
      }
      if (call.status === 'assigned') {
        if (call.doctorId === undefined || !clinic.roster.has(call.doctorId)) violations.push(`${call.id}: assigned to a doctor not of its clinic`);
        else assignedVisits.set(call.id, `${call.doctorId}|${call.visitDate}`);
      }
    }
  }
  for (const [patientId, open] of openByPatient) {
    if (open.length > 1) violations.push(`patient ${patientId} has ${open.length} open calls: ${open.join(', ')}`);
    if (read.region().openCallByPatient.get(patientId) !== open[0]) violations.push(`region open-call index wrong for ${patientId}`);
  }
  for (const [patientId, callId] of read.region().openCallByPatient) {
    if (!(openByPatient.get(patientId) ?? []).includes(callId)) violations.push(`region says ${callId} is open for ${patientId}`);
  }
  violations.push(...routeViolations(read, clinicIds, assignedVisits));
  return violations;
}

function counterViolations(clinic: ClinicState): string[] {
  const recount = { received: 0, new: 0, assigned: 0, overdue: 0 };
  const completed = new Map<string, number>();
  const doctorDays = new Map<string, { assigned: number; completed: number }>();
  const day = (key: string) => {
    let counts = doctorDays.get(key);
    if (counts === undefined) doctorDays.set(key, (counts = { assigned: 0, completed: 0 }));
    return counts;
  };
  const timeZone = clinic.info?.timeZone ?? 'UTC';
  for (const call of clinic.calls.values()) {
    if (call.status === 'received' || call.status === 'new' || call.status === 'assigned') recount[call.status] += 1;
    if (call.overdue) recount.overdue += 1;
    if (call.status === 'assigned' && call.doctorId !== undefined) day(`${call.doctorId}|${call.visitDate}`).assigned += 1;
    if (call.status === 'completed' && call.completedAt !== undefined) {
      const date = localDate(call.completedAt, timeZone);
      completed.set(date, (completed.get(date) ?? 0) + 1);
      if (call.doctorId !== undefined) day(`${call.doctorId}|${date}`).completed += 1;
    }
  }
  const violations: string[] = [];
  if (JSON.stringify(recount) !== JSON.stringify(clinic.counters)) {
    violations.push(`${clinic.id}: counters ${JSON.stringify(clinic.counters)} ≠ recount ${JSON.stringify(recount)}`);
  }
  for (const [date, count] of clinic.completedByDate) {
    if ((completed.get(date) ?? 0) !== count) violations.push(`${clinic.id}: completed on ${date} ${count} ≠ ${completed.get(date) ?? 0}`);
  }
  for (const [key, counts] of clinic.doctorDays) {
    const actual = doctorDays.get(key) ?? { assigned: 0, completed: 0 };
    if (actual.assigned !== counts.assigned || actual.completed !== counts.completed) {
      violations.push(`${clinic.id}: doctor day ${key} ${JSON.stringify(counts)} ≠ ${JSON.stringify(actual)}`);
    }
  }
  return violations;
}

function historyViolations(call: HomeCall): string[] {
  const violations: string[] = [];
  const first = call.history[0];
  if (first === undefined || !['received', 'new'].includes(first.status)) violations.push(`${call.id}: starts as ${first?.status}`);
  for (let i = 1; i < call.history.length; i += 1) {
    const from = call.history[i - 1]?.status;
    const to = call.history[i]?.status;
    if (from === undefined || to === undefined || !isLegalCallTransition(from, to)) violations.push(`${call.id}: illegal ${from} → ${to}`);
  }
  if (call.history[call.history.length - 1]?.status !== call.status) violations.push(`${call.id}: history ends ≠ status`);
  return violations;
}

/** Each assigned call is in exactly one doctor's route list (its own, on its date); no route holds a stray open visit. */
function routeViolations(read: ReadModel, clinicIds: readonly string[], assignedVisits: ReadonlyMap<string, string>): string[] {
  const violations: string[] = [];
  const seen = new Map<string, string>();
  for (const clinicId of clinicIds) {
    for (const doctorId of read.clinic(clinicId)?.roster.keys() ?? []) {
      const doctor = read.doctor(doctorId);
      for (const [date, visits] of doctor?.visitsByDate ?? []) {
        for (const visit of visits.values()) {
          if (visit.doneAt !== undefined) continue;
          const where = `${doctorId}|${date}`;
          if (seen.has(visit.callId)) violations.push(`${visit.callId} is on two route lists`);
          seen.set(visit.callId, where);
          if (assignedVisits.get(visit.callId) !== where) violations.push(`${visit.callId} on ${where} but the call says ${assignedVisits.get(visit.callId)}`);
        }
      }
    }
  }
  for (const [callId, where] of assignedVisits) if (seen.get(callId) !== where) violations.push(`${callId} assigned to ${where} but not on that route list`);
  return violations;
}
