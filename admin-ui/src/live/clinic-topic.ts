/**
 * The `clinic/<id>` topic as the desk holds it: the board, the open calls by id, the open alerts by id. A
 * snapshot replaces everything; a diff replaces the board and each changed call or alert whole (closed calls
 * and removed or acknowledged alerts leave). Pure functions: each returns a new view, so screens re-render
 * by identity.
 */
import { openStatuses, type Alert, type Board, type Call } from '../api/types.ts';

export interface ClinicView {
  readonly board: Board;
  readonly calls: ReadonlyMap<string, Call>;
  readonly alerts: ReadonlyMap<string, Alert>;
  readonly truncated: boolean;
}

interface ClinicData {
  readonly board?: Board;
  readonly calls?: readonly Call[];
  readonly alerts?: readonly Alert[];
  readonly truncated?: boolean;
}

export function clinicFromSnapshot(data: unknown): ClinicView {
  const snapshot = data as ClinicData;
  const calls = new Map<string, Call>();
  for (const call of snapshot.calls ?? []) calls.set(call.id, call);
  const alerts = new Map<string, Alert>();
  for (const alert of snapshot.alerts ?? []) if (isOpenAlert(alert)) alerts.set(alert.id, alert);
  return { board: snapshot.board as Board, calls, alerts, truncated: snapshot.truncated === true };
}

export function clinicWithDiff(view: ClinicView, data: unknown): ClinicView {
  const diff = data as ClinicData;
  let calls = view.calls;
  if (diff.calls !== undefined && diff.calls.length > 0) {
    const next = new Map(view.calls);
    for (const call of diff.calls) {
      if (openStatuses.has(call.status)) next.set(call.id, call);
      else next.delete(call.id);
    }
    calls = next;
  }
  let alerts = view.alerts;
  if (diff.alerts !== undefined && diff.alerts.length > 0) {
    const next = new Map(view.alerts);
    for (const alert of diff.alerts) {
      if (isOpenAlert(alert)) next.set(alert.id, alert);
      else next.delete(alert.id);
    }
    alerts = next;
  }
  return { board: diff.board ?? view.board, calls, alerts, truncated: view.truncated };
}

/** Adds calls paged in over HTTP when the snapshot was truncated; socket data wins for calls it already has. */
export function clinicWithPage(view: ClinicView, page: readonly Call[]): ClinicView {
  const calls = new Map(view.calls);
  for (const call of page) if (!calls.has(call.id) && openStatuses.has(call.status)) calls.set(call.id, call);
  return { ...view, calls, truncated: false };
}

function isOpenAlert(alert: Alert): boolean {
  return alert.removed !== true && alert.acknowledgedAt === undefined;
}

/** Awaiting processing before new before active: the order a dispatcher works them in. */
const statusRank: Readonly<Record<string, number>> = { received: 0, new: 1, assigned: 2 };

/** Each call's registration instant, parsed once per call object (calls are replaced whole, never changed). */
const createdMsByCall = new WeakMap<Call, number>();

function createdMs(call: Call): number {
  let ms = createdMsByCall.get(call);
  if (ms === undefined) {
    ms = Date.parse(call.createdAt);
    createdMsByCall.set(call, ms);
  }
  return ms;
}

/**
 * The order the desk shows: overdue first; then by status (awaiting processing, new, active); within a status
 * red-flag calls (the 112/103 advice) first; then oldest first. Instants compare by their epoch, not as text
 * (a transferred call's time may carry another clinic's offset).
 */
export function deskOrder(a: Call, b: Call): number {
  return Number(b.overdue) - Number(a.overdue)
    || (statusRank[a.status] ?? 3) - (statusRank[b.status] ?? 3)
    || Number(b.emergencyAdvice) - Number(a.emergencyAdvice)
    || createdMs(a) - createdMs(b)
    || a.number - b.number;
}
