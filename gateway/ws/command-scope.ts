/**
 * Scope checks for socket commands, before anything reaches the engine: the same rules as the partner API.
 * A call or alert id names its clinic and a slot or appointment id its doctor (the owner part before the
 * first `.`), so the check needs no lookup of the thing itself — only, for a doctor, which clinic it belongs
 * to. Outside the scope is `forbidden` whether or not the thing exists; `RegisterCall` gets the caller's clinic
 * filled in when the token covers exactly one, as `POST /api/v1/calls` does.
 */
import { ownerOf, type Command, type ReadModel } from '../../engine/index.ts';
import { canSeeClinic, canSeeDoctor, type Principal } from '../auth/principal.ts';
import type { SocketCommandType } from './message-schemas.ts';
import type { ErrorFrame } from './socket-frames.ts';

export type SocketCommand = Extract<Command, { readonly type: SocketCommandType }>;

export type Scoped = { readonly ok: true; readonly command: SocketCommand } | { readonly ok: false; readonly error: Omit<ErrorFrame, 'requestId'> };

type Refusal = Omit<ErrorFrame, 'requestId'>;

const forbidden: Refusal = { code: 'forbidden', message: 'this resource is outside your scope' };

export function scopeCommand(principal: Principal, command: SocketCommand, read: ReadModel): Scoped {
  const all = (...refusals: Array<Refusal | undefined>): Scoped => {
    const refusal = refusals.find((item) => item !== undefined);
    return refusal === undefined ? { ok: true, command } : { ok: false, error: refusal };
  };
  switch (command.type) {
    case 'RegisterCall':
      return scopeRegisterCall(principal, command);
    case 'AcceptCall':
    case 'AssignCall':
    case 'CancelCall':
    case 'CompleteCall':
    case 'TransferCall':
      return all(clinicOwned(principal, command.callId, 'call', '/command/callId'));
    case 'AcknowledgeAlert':
      return all(clinicOwned(principal, command.alertId, 'alert', '/command/alertId'));
    case 'HoldSlot':
    case 'ReleaseHold':
      return all(doctorOwned(principal, read, command.slotId));
    case 'BookAppointment':
      return all(doctorOwned(principal, read, command.booking.slotId));
    case 'RescheduleAppointment':
      return all(doctorOwned(principal, read, command.appointmentId), doctorOwned(principal, read, command.slotId));
    case 'ConfirmAppointment':
    case 'CancelAppointment':
    case 'CheckInAppointment':
    case 'CompleteAppointment':
    case 'MarkNoShow':
      return all(doctorOwned(principal, read, command.appointmentId));
    case 'CallNextPatient':
      return all(doctorInScope(principal, read, command.doctorId));
    default: {
      const unhandled: never = command;
      return unhandled;
    }
  }
}

function scopeRegisterCall(principal: Principal, command: Extract<SocketCommand, { type: 'RegisterCall' }>): Scoped {
  const scope = principal.scope;
  if (scope.kind === 'region') return { ok: true, command };
  const own = scope.kind === 'clinics' ? scope.clinicIds : [scope.clinicId];
  const clinicId = command.call.clinicId ?? (own.length === 1 ? own[0] : undefined);
  if (clinicId === undefined) {
    return {
      ok: false,
      error: { code: 'validation_failed', message: 'give call.clinicId: your token covers several clinics', errors: [{ path: '/command/call/clinicId', message: 'required' }] },
    };
  }
  if (!own.includes(clinicId)) return { ok: false, error: forbidden };
  return { ok: true, command: { type: 'RegisterCall', call: { ...command.call, clinicId } } };
}

function clinicOwned(principal: Principal, id: string, what: string, path: string): Refusal | undefined {
  const clinicId = ownerOf(id);
  if (clinicId === undefined) return { code: 'not_found', message: `${what} ${id} not found`, errors: [{ path, message: 'no such id' }] };
  return canSeeClinic(principal, clinicId) ? undefined : forbidden;
}

function doctorOwned(principal: Principal, read: ReadModel, id: string): Refusal | undefined {
  const doctorId = ownerOf(id);
  // An id without an owner part cannot exist; inside a region scope the engine says so in its own words.
  if (doctorId === undefined) return principal.scope.kind === 'region' ? undefined : forbidden;
  return doctorInScope(principal, read, doctorId);
}

function doctorInScope(principal: Principal, read: ReadModel, doctorId: string): Refusal | undefined {
  const info = read.region().doctors.get(doctorId);
  if (info === undefined) return principal.scope.kind === 'region' ? undefined : forbidden;
  return canSeeDoctor(principal, info.clinicId, doctorId) ? undefined : forbidden;
}
