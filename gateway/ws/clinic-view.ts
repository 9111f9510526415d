/**
 * What `clinic/<id>` and `call/<id>` subscribers see. A clinic snapshot is the board (counters and per-doctor
 * counts for today), the open calls (overdue first, at most `clinicSnapshotCallsMax`, with `truncated` when the
 * clinic has more) and the open alerts; a clinic diff is the new board, the calls that changed (any status: a
 * client drops closed ones from its open list) and the alerts that changed. A call topic carries the one call.
 *
 * Cost: a diff reads only the changed calls and alerts by id, plus the board, which is O(roster) — the
 * roster of one clinic, never its calls or history.
 */
import { clinicBoard, listCalls, type ClinicEvent, type ClinicState, type ReadModel } from '../../engine/index.ts';
import { callWire } from '../views.ts';
import { withIsoInstants } from './wire-instants.ts';

/** The ids a clinic event touches; the board is refreshed for every clinic event. */
export interface ClinicTouch {
  readonly callId?: string;
  readonly alertId?: string;
}

/** Which call or alert an event of a clinic actor changed. Exhaustive: a new event type must be placed here. */
export function clinicEventTouch(event: ClinicEvent): ClinicTouch {
  switch (event.type) {
    case 'CallRegistered':
      return { callId: event.call.id };
    case 'CallAccepted':
    case 'CallAssigned':
    case 'CallCancelled':
    case 'CallCompleted':
    case 'CallTransferred':
    case 'CallBecameOverdue':
      return { callId: event.callId };
    case 'AlertRaised':
      return { alertId: event.alert.id };
    case 'AlertAcknowledged':
      return { alertId: event.alertId };
    case 'ClinicOpened':
    case 'ClinicSettingsChanged':
    case 'RosterDoctorJoined':
    case 'ClinicCalendarSettingsChanged':
    case 'NotificationQueued':
    case 'OutboxAcknowledged':
    // Closed calls leaving memory change nothing a board shows: clients dropped them when they closed.
    case 'ClosedCallsEvicted':
      return {};
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

function timeZoneOf(clinic: ClinicState): string {
  return clinic.info?.timeZone ?? 'UTC';
}

export function clinicSnapshot(read: ReadModel, clinicId: string, now: number, callsMax: number): Record<string, unknown> | undefined {
  const clinic = read.clinic(clinicId);
  if (clinic === undefined) return undefined;
  const timeZone = timeZoneOf(clinic);
  const calls = listCalls(clinic, { limit: callsMax });
  const openCount = clinic.counters.received + clinic.counters.new + clinic.counters.assigned;
  const alerts = [...clinic.calendar.alerts.alerts.values()].filter((alert) => alert.acknowledgedAt === undefined);
  return {
    board: clinicBoard(clinic, now),
    calls: calls.map((call) => callWire(call, timeZone)),
    truncated: openCount > calls.length,
    alerts: alerts.map((alert) => withIsoInstants(alert, timeZone)),
  };
}

/** One diff frame's data for a clinic: the changed calls and alerts given, plus the board as it is now. */
export function clinicDiff(read: ReadModel, clinicId: string, now: number, callIds: readonly string[], alertIds: readonly string[]): Record<string, unknown> | undefined {
  const clinic = read.clinic(clinicId);
  if (clinic === undefined) return undefined;
  const timeZone = timeZoneOf(clinic);
  const data: Record<string, unknown> = { board: clinicBoard(clinic, now) };
  const calls: Array<Record<string, unknown>> = [];
  for (const id of callIds) {
    const call = clinic.calls.get(id);
    if (call !== undefined) calls.push(callWire(call, timeZone));
  }
  data['calls'] = calls;
  if (alertIds.length > 0) {
    const alerts: unknown[] = [];
    for (const id of alertIds) {
      const alert = clinic.calendar.alerts.alerts.get(id);
      // An alert pushed out by the board's bound is gone: the client drops it by id.
      alerts.push(alert === undefined ? { id, removed: true } : withIsoInstants(alert, timeZone));
    }
    data['alerts'] = alerts;
  }
  return data;
}

export function callSnapshot(read: ReadModel, callId: string): Record<string, unknown> | undefined {
  const call = read.call(callId);
  if (call === undefined) return undefined;
  return { call: callWire(call, read.clinic(call.clinicId)?.info?.timeZone ?? 'UTC') };
}
