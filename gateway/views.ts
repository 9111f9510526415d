/**
 * Engine objects as the partner API shows them: instants as ISO 8601 with the clinic's offset, the
 * emergency advice spelled out, internal fields left out.
 */
import type { HomeCall } from '../engine/index.ts';
import { zoneOffsetMs } from '../engine/domain/local-time.ts';

export function isoAt(ms: number, timeZone: string): string {
  const offsetMs = zoneOffsetMs(ms, timeZone);
  const local = new Date(ms + offsetMs).toISOString().slice(0, 19);
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(Math.round(offsetMs / 60_000));
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function callWire(call: HomeCall, timeZone: string): Record<string, unknown> {
  const at = (ms: number | undefined) => (ms === undefined ? undefined : isoAt(ms, timeZone));
  const wire: Record<string, unknown> = {
    id: call.id,
    number: call.number,
    clinicId: call.clinicId,
    status: call.status,
    overdue: call.overdue,
    createdAt: at(call.createdAt),
    visitDate: call.visitDate,
    source: call.source,
    kind: call.kind,
    patient: call.patient,
    address: call.address,
    complaints: call.complaints,
    emergencyAdvice: call.redFlags.length > 0,
    redFlags: call.redFlags,
    history: call.history.map((entry) => ({ ...entry, at: at(entry.at) })),
  };
  const optional: Record<string, unknown> = {
    caller: call.caller,
    externalId: call.externalId,
    districtId: call.districtId,
    subdivisionId: call.subdivisionId,
    doctorId: call.doctorId,
    assignedAt: at(call.assignedAt),
    completedAt: at(call.completedAt),
    dueAt: at(call.dueAt),
    diagnosis: call.diagnosis,
    note: call.note,
    cancelReason: call.cancelReason,
    transferredTo: call.transferredTo,
    transferredFrom: call.transferredFrom,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) wire[key] = value;
  return wire;
}
