/**
 * The operations report flattened into rows `{section, key, label, date, value}`: a tidy table that the CSV
 * writes as is and the XLSX lays out per sheet. `key` is stable and English (for robots and pivot tables),
 * `label` is the Russian text a person reads; daily rows carry their date, so the series pivots straight into
 * a chart.
 */
import { appointmentSources, appointmentStatuses, callKinds, callSources, callStatuses, calloutResults } from '../../engine/index.ts';
import { ageCategoryRu, appointmentStatusRu, callKindRu, callSourceRu, callStatusRu, calloutResultRu, reportLabels } from '../documents/labels-ru.ts';
import type { OperationsReport } from './operations-report.ts';

export interface ReportRow {
  readonly section: string;
  readonly key: string;
  readonly label: string;
  readonly date: string | null;
  readonly value: number | string | null;
}

export const reportRowHeader = ['Раздел', 'Ключ', 'Показатель', 'Дата', 'Значение'] as const;

export function reportRows(report: OperationsReport): ReportRow[] {
  const s = reportLabels.sections;
  const rows: ReportRow[] = [];
  const add = (section: string, key: string, label: string, value: number | string | null, date: string | null = null): void => {
    rows.push({ section, key, label, date, value });
  };
  const levels = report.serviceLevels;
  const triple = (p: { p50: number | null; p90: number | null; p99: number | null }): string => `${p.p50 ?? '—'} / ${p.p90 ?? '—'} / ${p.p99 ?? '—'}`;
  add(s.summary, 'calls.total', reportLabels.summary.calls, report.calls.total);
  add(s.serviceLevels, 'sla.assignedWithinPercent', reportLabels.summary.assignedWithinSla, levels.assignedWithinSlaPercent);
  add(s.serviceLevels, 'sla.servedWithinPercent', reportLabels.summary.servedWithinSla, levels.servedWithinSlaPercent);
  add(s.serviceLevels, 'sla.minutesToAssign', reportLabels.summary.assignMinutes, triple(levels.minutesToAssign));
  add(s.serviceLevels, 'sla.minutesToServe', reportLabels.summary.serveMinutes, triple(levels.minutesToServe));
  for (const status of callStatuses) add(s.byStatus, `calls.status.${status}`, callStatusRu[status], report.calls.byStatus[status]);
  for (const source of callSources) add(s.bySource, `calls.source.${source}`, callSourceRu[source], report.calls.bySource[source]);
  for (const kind of callKinds) add(s.byKind, `calls.kind.${kind}`, callKindRu[kind], report.calls.byKind[kind]);
  for (const age of ['child', 'adult'] as const) add(s.byAge, `calls.age.${age}`, ageCategoryRu[age], report.calls.byAgeCategory[age]);
  for (const row of report.calls.bySubdivision) add(s.bySubdivision, `calls.subdivision.${row.clinicId}.${row.subdivisionId ?? '-'}`, row.name, row.count);
  for (const row of report.calls.byDoctor) add(s.byDoctor, `calls.doctor.${row.doctorId}`, row.name, row.assigned);
  for (const row of report.calls.byClinic) add(s.byClinic, `calls.clinic.${row.clinicId}`, row.name, row.count);
  const appointments = report.appointments;
  add(s.appointments, 'appointments.coveredFrom', reportLabels.summary.appointmentsCoverage, appointments.coveredFrom);
  add(s.appointments, 'appointments.total', reportLabels.columns.count, appointments.total);
  for (const status of appointmentStatuses) add(s.appointments, `appointments.status.${status}`, appointmentStatusRu[status], appointments.byStatus[status]);
  for (const source of appointmentSources) add(s.appointments, `appointments.source.${source}`, source, appointments.bySource[source]);
  add(s.appointments, 'appointments.noShowPercent', `${appointmentStatusRu.no_show}, %`, appointments.noShowPercent);
  add(s.callout, 'callout.attempts', reportLabels.callout.attempts, report.callout.attempts);
  for (const result of calloutResults) add(s.callout, `callout.result.${result}`, calloutResultRu[result] ?? result, report.callout.byResult[result]);
  add(s.callout, 'callout.talkSeconds', reportLabels.callout.talkSeconds, report.callout.talkSeconds);
  add(s.feedback, 'feedback.count', reportLabels.feedback.count, report.feedback.count);
  add(s.feedback, 'feedback.mean', reportLabels.feedback.mean, report.feedback.mean);
  add(s.feedback, 'feedback.low', reportLabels.feedback.low, report.feedback.low);
  for (const day of report.daily) {
    const labels = reportLabels.daily;
    add(s.daily, 'daily.callsCreated', labels[1], day.callsCreated, day.date);
    add(s.daily, 'daily.callsAssigned', labels[2], day.callsAssigned, day.date);
    add(s.daily, 'daily.callsCompleted', labels[3], day.callsCompleted, day.date);
    add(s.daily, 'daily.callsCancelled', labels[4], day.callsCancelled, day.date);
    add(s.daily, 'daily.assignedWithinSlaPercent', labels[5], day.assignedWithinSlaPercent, day.date);
    add(s.daily, 'daily.appointments', labels[6], day.appointments, day.date);
    add(s.daily, 'daily.noShows', labels[7], day.noShows, day.date);
    add(s.daily, 'daily.appointmentsCompleted', labels[8], day.appointmentsCompleted, day.date);
  }
  return rows;
}
