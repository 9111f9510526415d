/**
 * The service-level gauges, read from the clinic boards at scrape time (never pushed from the command path):
 * open calls per status from each ClinicState's counters, and overdue calls split by stage. The counters give
 * the overdue total in O(1); the "assign" stage (overdue among calls not yet assigned) is counted over the
 * clinic's open received/new index sets, so a scrape costs O(clinics + unassigned open calls) — the size of
 * the boards, never of the history.
 */
import type { ReadModel } from '../engine/index.ts';
import type { GatewayMetrics } from './metrics.ts';

const openStatuses = ['received', 'new', 'assigned'] as const;
const unassignedStatuses = ['received', 'new'] as const;

export function sampleBoardGauges(metrics: GatewayMetrics, read: ReadModel): void {
  metrics.callsOpen.reset();
  metrics.callsOverdue.reset();
  for (const clinicId of read.region().clinics.keys()) {
    const clinic = read.clinic(clinicId);
    if (clinic === undefined) continue;
    for (const status of openStatuses) metrics.callsOpen.set({ clinic: clinicId, status }, clinic.counters[status]);
    let overdueUnassigned = 0;
    if (clinic.counters.overdue > 0) {
      for (const status of unassignedStatuses) {
        for (const callId of clinic.index.open('status', status)) if (clinic.calls.get(callId)?.overdue === true) overdueUnassigned += 1;
      }
    }
    metrics.callsOverdue.set({ clinic: clinicId, stage: 'assign' }, overdueUnassigned);
    metrics.callsOverdue.set({ clinic: clinicId, stage: 'serve' }, clinic.counters.overdue - overdueUnassigned);
  }
}
