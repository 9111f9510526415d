/**
 * The one scope check of every command a caller submits, over HTTP or the operator WebSocket, before the
 * engine sees it: each object the command names — the call, the target doctor, the slot, the appointment, the
 * target slot of a reschedule, the alert, the clinic — is checked against the principal's scope (docs/security.md).
 *
 * A call or alert id names its clinic and a slot or appointment id its doctor (the owner part before the first
 * `.`), so most checks need no lookup of the thing itself — only, for a doctor, which clinic it belongs to.
 * Outside the scope is `forbidden` whether or not the thing exists, so tenants learn nothing about each other.
 *
 * The doctor role acts on its own work only (API.md "Auth"): its own appointments, slots and queue, and the
 * calls assigned to it (complete, cancel, re-date); accepting, assigning to someone else and transferring are the
 * dispatcher's work. A call's assignment is read from the read model, the one lookup this module makes.
 *
 * `holder` (whose hold a slot command claims) is never the caller's to choose: the engine holds for the
 * command's `by`, and a command naming another holder is refused, so no one can act on someone else's hold.
 */
import { ownerOf, type Command, type ReadModel } from '../../engine/index.ts';
import { actorOf, canSeeClinic, canSeeDoctor, type Principal } from './principal.ts';

export interface ScopeRefusal {
  readonly code: 'forbidden' | 'not_found' | 'validation_failed';
  readonly message: string;
  readonly errors?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}

export type ScopedCommand<C extends Command = Command> =
  | { readonly ok: true; readonly command: C }
  | { readonly ok: false; readonly refusal: ScopeRefusal };

const forbidden: ScopeRefusal = { code: 'forbidden', message: 'this resource is outside your scope' };

/** The command as the engine may see it (RegisterCall gets the caller's only clinic filled in), or the refusal. */
export function scopeCommand<C extends Command>(principal: Principal, command: C, read: ReadModel): ScopedCommand<C> {
  const refusal = refusalOf(principal, command as Command, read);
  if (refusal !== undefined) return { ok: false, refusal };
  if (command.type === 'RegisterCall') return registerCallScoped(principal, command) as ScopedCommand<C>;
  return { ok: true, command };
}

function refusalOf(principal: Principal, command: Command, read: ReadModel): ScopeRefusal | undefined {
  switch (command.type) {
    case 'RegisterCall':
      return undefined;
    case 'AcceptCall':
    case 'TransferCall':
      return first(callOwned(principal, command.callId), dispatcherOnly(principal), command.type === 'TransferCall' ? clinicExists(read, command.toClinicId) : undefined);
    case 'AssignCall':
      return first(callOwned(principal, command.callId), ownCall(principal, read, command.callId), doctorInScope(principal, read, command.doctorId));
    case 'CancelCall':
    case 'CompleteCall':
      return first(callOwned(principal, command.callId), ownCall(principal, read, command.callId));
    case 'AcknowledgeAlert':
      return first(clinicOwned(principal, command.alertId, 'alert', '/alertId'), ownAlert(principal, read, command.alertId));
    case 'HoldSlot':
      return first(doctorOwned(principal, read, command.slotId), ownHolder(principal, command.holder));
    case 'ReleaseHold':
      return first(doctorOwned(principal, read, command.slotId), ownHolder(principal, command.holder));
    case 'BookAppointment':
      return first(doctorOwned(principal, read, command.booking.slotId), ownHolder(principal, command.booking.holder));
    case 'RescheduleAppointment':
      // Both ends: the appointment being moved and the slot it moves into (of this or another doctor).
      return first(doctorOwned(principal, read, command.appointmentId), doctorOwned(principal, read, command.slotId), ownHolder(principal, command.holder));
    case 'ConfirmAppointment':
    case 'CancelAppointment':
    case 'CheckInAppointment':
    case 'CompleteAppointment':
    case 'MarkNoShow':
    case 'RecordCalloutResult':
    case 'GiveFeedback':
      return doctorOwned(principal, read, command.appointmentId);
    case 'CallNextPatient':
    case 'SetSchedule':
    case 'AddCalendarException':
      return doctorInScope(principal, read, command.doctorId);
    case 'LiftCalendarException':
      // An exception id is `<doctorId>.<id>`.
      return doctorOwned(principal, read, command.exceptionId);
    case 'UpdateCalendarSettings':
    case 'UpdateClinicSettings':
    case 'AckOutbox':
      return first(dispatcherOnly(principal), clinicInScope(principal, command.clinicId));
    case 'AddDoctor':
      return first(dispatcherOnly(principal), clinicInScope(principal, command.doctor.clinicId));
    case 'AddClinic':
    case 'AddDistrict':
      return principal.scope.kind === 'region' ? undefined : forbidden;
    default: {
      const unhandled: never = command;
      return unhandled;
    }
  }
}

function first(...refusals: Array<ScopeRefusal | undefined>): ScopeRefusal | undefined {
  return refusals.find((refusal) => refusal !== undefined);
}

function registerCallScoped<C extends Command>(principal: Principal, command: Extract<Command, { type: 'RegisterCall' }>): ScopedCommand<C> {
  const scope = principal.scope;
  if (scope.kind === 'region') return { ok: true, command: command as C };
  const own = scope.kind === 'clinics' ? scope.clinicIds : [scope.clinicId];
  const clinicId = command.call.clinicId ?? (own.length === 1 ? own[0] : undefined);
  if (clinicId === undefined) {
    return { ok: false, refusal: { code: 'validation_failed', message: 'give clinicId: your token covers several clinics', errors: [{ path: '/clinicId', message: 'required' }] } };
  }
  if (!own.includes(clinicId)) return { ok: false, refusal: forbidden };
  return { ok: true, command: { type: 'RegisterCall', call: { ...command.call, clinicId } } as C };
}

function callOwned(principal: Principal, callId: string): ScopeRefusal | undefined {
  return clinicOwned(principal, callId, 'call', '/callId');
}

function clinicOwned(principal: Principal, id: string, what: string, path: string): ScopeRefusal | undefined {
  const clinicId = ownerOf(id);
  if (clinicId === undefined) return { code: 'not_found', message: `${what} ${id} not found`, errors: [{ path, message: 'no such id' }] };
  return canSeeClinic(principal, clinicId) ? undefined : forbidden;
}

function clinicInScope(principal: Principal, clinicId: string): ScopeRefusal | undefined {
  return canSeeClinic(principal, clinicId) ? undefined : forbidden;
}

/** The transfer dialog lists every clinic to every token (API.md "Directory"): the target need only exist. */
function clinicExists(read: ReadModel, clinicId: string): ScopeRefusal | undefined {
  return read.region().clinics.has(clinicId) ? undefined : { code: 'not_found', message: `clinic ${clinicId} not found`, errors: [{ path: '/clinicId', message: 'no such clinic' }] };
}

/** Dispatch work (accept, transfer, settings): not the doctor role's. */
function dispatcherOnly(principal: Principal): ScopeRefusal | undefined {
  return principal.scope.kind === 'doctor' || principal.role === 'doctor' ? { code: 'forbidden', message: 'this operation is not open to a doctor' } : undefined;
}

/** For a doctor: the call must be assigned to them. An unknown call is the engine's not_found. */
function ownCall(principal: Principal, read: ReadModel, callId: string): ScopeRefusal | undefined {
  if (principal.scope.kind !== 'doctor') return undefined;
  const call = read.call(callId);
  if (call === undefined) return undefined;
  return call.doctorId === principal.scope.doctorId ? undefined : forbidden;
}

function ownAlert(principal: Principal, read: ReadModel, alertId: string): ScopeRefusal | undefined {
  if (principal.scope.kind !== 'doctor') return undefined;
  const clinicId = ownerOf(alertId);
  const alert = clinicId === undefined ? undefined : read.clinic(clinicId)?.calendar.alerts.alerts.get(alertId);
  return alert !== undefined && alert.doctorId === principal.scope.doctorId ? undefined : forbidden;
}

function doctorOwned(principal: Principal, read: ReadModel, id: string): ScopeRefusal | undefined {
  const doctorId = ownerOf(id);
  // An id without an owner part cannot exist; inside a region scope the engine says so in its own words.
  if (doctorId === undefined) return principal.scope.kind === 'region' ? undefined : forbidden;
  return doctorInScope(principal, read, doctorId);
}

function doctorInScope(principal: Principal, read: ReadModel, doctorId: string): ScopeRefusal | undefined {
  const info = read.region().doctors.get(doctorId);
  // Unknown inside a region scope: the engine says so in its own words; outside it, the same 403 as a stranger's.
  if (info === undefined) return principal.scope.kind === 'region' ? undefined : forbidden;
  return canSeeDoctor(principal, info.clinicId, doctorId) ? undefined : forbidden;
}

function ownHolder(principal: Principal, holder: string | undefined): ScopeRefusal | undefined {
  return holder === undefined || holder === actorOf(principal) ? undefined : { code: 'forbidden', message: 'a hold belongs to the principal that took it: holder cannot be chosen' };
}
