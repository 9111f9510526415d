/**
 * What a caller may see through the facade, by the partner API's own scope rules (auth/principal.ts): clinics
 * and doctors by scope, answered 403 outside it whether or not the resource exists. Patients belong to no
 * clinic, so reading or referencing one by id needs a region-wide token.
 */
import type { DoctorInfo } from '../../engine/directory.ts';
import type { ReadModel } from '../../engine/index.ts';
import { canSeeClinic, canSeeDoctor, type Principal } from '../auth/principal.ts';
import { Problem } from '../http/problem.ts';
import { forbidden } from '../routes/route-support.ts';

export function visibleClinicIds(read: ReadModel, principal: Principal): string[] {
  return [...read.region().clinics.keys()].filter((clinicId) => canSeeClinic(principal, clinicId)).sort();
}

export function visibleDoctors(read: ReadModel, principal: Principal): DoctorInfo[] {
  const doctors: DoctorInfo[] = [];
  for (const clinicId of visibleClinicIds(read, principal)) {
    for (const info of read.clinic(clinicId)?.roster.values() ?? []) if (canSeeDoctor(principal, info.clinicId, info.id)) doctors.push(info);
  }
  return doctors.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The doctor, or 404 when there is none, or 403 when it is outside the scope (checked first). */
export function requireDoctor(read: ReadModel, principal: Principal, doctorId: string): DoctorInfo {
  const doctor = read.region().doctors.get(doctorId);
  if (doctor === undefined) {
    if (principal.scope.kind !== 'region') throw forbidden();
    throw new Problem(404, 'not_found', `Practitioner/${doctorId} not found`);
  }
  if (!canSeeDoctor(principal, doctor.clinicId, doctor.id)) throw forbidden();
  return doctor;
}

export function requireClinicSeen(read: ReadModel, principal: Principal, clinicId: string): void {
  if (!canSeeClinic(principal, clinicId)) throw forbidden();
  if (!read.region().clinics.has(clinicId)) throw new Problem(404, 'not_found', `Organization/${clinicId} not found`);
}

export function requireRegionScope(principal: Principal): void {
  if (principal.scope.kind !== 'region') throw new Problem(403, 'forbidden', 'patients belong to no clinic: reading them by id needs a region-wide token');
}
