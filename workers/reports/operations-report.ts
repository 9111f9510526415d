/**
 * The operations report of a clinic or of the whole region over a date range: calls by status, source, kind,
 * age category, subdivision, doctor (and clinic); the service levels with their percentiles; appointments,
 * no-shows, call-out outcomes and feedback scores; and a per-day series for charts.
 *
 * Cost: one pass over the calls of the scope — the ones resident in the replica, then the archived ones (a
 * clinic's archived calls are one key range, since call ids begin with the clinic id) — and over the resident
 * appointments. Memory: the tallies' counters, never the calls. This is work that grows with history, which
 * is why it runs only on a worker (DESIGN rule 4).
 */
import { appointmentRetentionDays, type ClinicInfo, type HomeCall, type ReadModel } from '../../engine/index.ts';
import { addDays, daysBetween } from '../../engine/domain/local-time.ts';
import { AppointmentTally, type AppointmentSection, type CalloutSection, type FeedbackSection } from './appointment-tally.ts';
import { CallTally, percentOf, reportDaysMax, type CallSection, type ServiceLevels } from './call-tally.ts';
import { isoWithOffset } from '../documents/local-format.ts';

export interface ReportSource {
  readonly read: ReadModel;
  /** Calls that left the actors' memory, of one clinic or of all. */
  archivedCalls(clinicId?: string): Iterable<HomeCall>;
}

export interface OperationsReportQuery {
  /** Omitted: the whole region. */
  readonly clinicId?: string;
  readonly from: string;
  readonly to: string;
  readonly asOfMs: number;
  readonly logPosition: number;
}

export interface DailyRow {
  readonly date: string;
  readonly callsCreated: number;
  readonly callsAssigned: number;
  readonly callsCompleted: number;
  readonly callsCancelled: number;
  readonly assignedWithinSlaPercent: number | null;
  readonly appointments: number;
  readonly noShows: number;
  readonly appointmentsCompleted: number;
}

export interface OperationsReport {
  readonly scope: { readonly kind: 'region' } | { readonly kind: 'clinic'; readonly clinicId: string; readonly name: string };
  readonly from: string;
  readonly to: string;
  readonly asOf: string;
  readonly logPosition: number;
  readonly slaLimits: ReadonlyArray<{ readonly clinicId: string; readonly assignSlaMinutes: number; readonly serveSlaMinutes: number }>;
  readonly calls: CallSection;
  readonly serviceLevels: ServiceLevels;
  readonly appointments: AppointmentSection;
  readonly callout: CalloutSection;
  readonly feedback: FeedbackSection;
  readonly daily: readonly DailyRow[];
  readonly durationMs: number;
}

/** The range is refused when it is backwards or longer than `reportDaysMax` days (a typed error the route turns into 400). */
export class ReportRangeError extends Error {
  override readonly name = 'ReportRangeError';
}

/** The report, or undefined when the clinic does not exist. */
export function buildOperationsReport(source: ReportSource, query: OperationsReportQuery): OperationsReport | undefined {
  const started = performance.now();
  const days = daysBetween(query.from, query.to) + 1;
  if (days < 1) throw new ReportRangeError('from must not be after to');
  if (days > reportDaysMax) throw new ReportRangeError(`a report covers at most ${reportDaysMax} days`);
  const region = source.read.region();
  const clinics = new Map<string, ClinicInfo>();
  if (query.clinicId === undefined) for (const [id, info] of region.clinics) clinics.set(id, info);
  else {
    const info = region.clinics.get(query.clinicId);
    if (info === undefined) return undefined;
    clinics.set(info.id, info);
  }
  const doctorNames = new Map<string, string>();
  for (const doctor of region.doctors.values()) if (clinics.has(doctor.clinicId)) doctorNames.set(doctor.id, doctor.name);
  const calls = new CallTally({ from: query.from, to: query.to, asOfMs: query.asOfMs, clinics, doctorNames });
  for (const clinicId of clinics.keys()) for (const call of source.read.clinic(clinicId)?.calls.values() ?? []) calls.add(call);
  for (const call of source.archivedCalls(query.clinicId)) {
    // A call closed this week is both resident and archived: the resident copy was counted.
    if (!clinics.has(call.clinicId) || source.read.clinic(call.clinicId)?.calls.has(call.id) === true) continue;
    calls.add(call);
  }
  const appointments = new AppointmentTally(query.from, query.to);
  let coveredFrom: string | null = null;
  for (const doctorId of doctorNames.keys()) {
    const doctor = source.read.doctor(doctorId);
    if (doctor === undefined) continue;
    const today = doctor.calendar.today;
    if (today !== undefined) {
      const keepFrom = addDays(today, -appointmentRetentionDays);
      if (coveredFrom === null || keepFrom > coveredFrom) coveredFrom = keepFrom;
    }
    for (const appointment of doctor.appointments.byId.values()) appointments.add(appointment);
  }
  const zone = [...clinics.values()][0]?.timeZone ?? 'UTC';
  return {
    scope: query.clinicId === undefined ? { kind: 'region' } : { kind: 'clinic', clinicId: query.clinicId, name: clinics.get(query.clinicId)?.name ?? query.clinicId },
    from: query.from,
    to: query.to,
    asOf: isoWithOffset(query.asOfMs, zone),
    logPosition: query.logPosition,
    slaLimits: [...clinics.values()].map((info) => ({ clinicId: info.id, assignSlaMinutes: info.settings.assignSlaMinutes, serveSlaMinutes: info.settings.serveSlaMinutes })),
    calls: calls.calls(),
    serviceLevels: calls.serviceLevels(),
    appointments: appointments.appointments(coveredFrom),
    callout: appointments.callout(),
    feedback: appointments.feedback(),
    daily: dailyRows(query.from, days, calls, appointments),
    durationMs: Math.round(performance.now() - started),
  };
}

function dailyRows(from: string, days: number, calls: CallTally, appointments: AppointmentTally): DailyRow[] {
  const rows: DailyRow[] = [];
  for (let index = 0; index < days; index += 1) {
    const date = addDays(from, index);
    const call = calls.daily.get(date);
    const visit = appointments.daily.get(date);
    rows.push({
      date,
      callsCreated: call?.created ?? 0,
      callsAssigned: call?.assigned ?? 0,
      callsCompleted: call?.completed ?? 0,
      callsCancelled: call?.cancelled ?? 0,
      assignedWithinSlaPercent: call === undefined ? null : percentOf(call.assignedWithinSla, call.assignEligible),
      appointments: visit?.appointments ?? 0,
      noShows: visit?.noShows ?? 0,
      appointmentsCompleted: visit?.completed ?? 0,
    });
  }
  return rows;
}
