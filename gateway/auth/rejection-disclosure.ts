/**
 * What a rejection may tell its caller about other tenants (docs/security.md, "no cross-tenant disclosure"): the
 * engine's one-open-call 409 names the open call, which an operator of another clinic may not read. For such a
 * caller the details are replaced by the clinic holding the call — its id, name and phone, which every token
 * may read (API.md "Directory", "Home-visit calls") — and nothing of the call itself.
 */
import { ownerOf, type ReadModel, type Rejection } from '../../engine/index.ts';
import { canSeeClinic, type Principal } from './principal.ts';

export function disclosedRejection(principal: Principal, rejection: Rejection, read: ReadModel): Rejection {
  const openCallId = rejection.details?.['openCallId'];
  if (openCallId === undefined) return rejection;
  const clinicId = ownerOf(openCallId);
  if (clinicId !== undefined && canSeeClinic(principal, clinicId)) return rejection;
  const clinic = clinicId === undefined ? undefined : read.region().clinics.get(clinicId);
  const details: Record<string, string> = {};
  if (clinic !== undefined) {
    details['openCallClinicId'] = clinic.id;
    details['openCallClinicName'] = clinic.name;
    if (clinic.phone !== undefined) details['openCallClinicPhone'] = clinic.phone;
  }
  const { field } = rejection;
  return { code: rejection.code, message: 'an open call for this patient exists at another clinic; call that clinic', ...(field === undefined ? {} : { field }), details };
}
