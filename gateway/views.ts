/**
 * Engine objects as the partner API shows them: instants as ISO 8601 with the clinic's offset, the
 * emergency advice spelled out, internal fields left out.
 */
import type { HomeCall } from '../engine/index.ts';
import { zoneOffsetMs } from '../engine/domain/local-time.ts';
import { ZoneKeyedCache } from '../engine/domain/zone-keyed-cache.ts';

/**
 * Formatted instants by zone and epoch ms: a call's instants are sent again with every change of it (its reply,
 * each diff, snapshots), and formatting built several strings each time. Bounded; starts over when full.
 */
const isoCache = new ZoneKeyedCache<string>(200_000);

export function isoAt(ms: number, timeZone: string): string {
  const cached = isoCache.get(timeZone, ms);
  if (cached !== undefined) return cached;
  const offsetMs = zoneOffsetMs(ms, timeZone);
  const local = new Date(ms + offsetMs).toISOString().slice(0, 19);
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(Math.round(offsetMs / 60_000));
  const formatted = `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  isoCache.set(timeZone, ms, formatted);
  return formatted;
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
  // Optional fields only when set (no intermediate object: this runs for every reply and diff of a call).
  if (call.caller !== undefined) wire['caller'] = call.caller;
  if (call.externalId !== undefined) wire['externalId'] = call.externalId;
  if (call.districtId !== undefined) wire['districtId'] = call.districtId;
  if (call.subdivisionId !== undefined) wire['subdivisionId'] = call.subdivisionId;
  if (call.doctorId !== undefined) wire['doctorId'] = call.doctorId;
  if (call.assignedAt !== undefined) wire['assignedAt'] = at(call.assignedAt);
  if (call.completedAt !== undefined) wire['completedAt'] = at(call.completedAt);
  if (call.dueAt !== undefined) wire['dueAt'] = at(call.dueAt);
  if (call.diagnosis !== undefined) wire['diagnosis'] = call.diagnosis;
  if (call.note !== undefined) wire['note'] = call.note;
  if (call.cancelReason !== undefined) wire['cancelReason'] = call.cancelReason;
  if (call.transferredTo !== undefined) wire['transferredTo'] = call.transferredTo;
  if (call.transferredFrom !== undefined) {
    const from = call.transferredFrom;
    wire['transferredFrom'] = from.createdAt === undefined ? from : { ...from, createdAt: at(from.createdAt) };
  }
  return wire;
}
