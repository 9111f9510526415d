/**
 * The operations report as files: CSV (the tidy rows of report-rows.ts, through the one CSV writer: formula
 * guard, no byte-order mark — a spreadsheet user takes the XLSX) and XLSX (text cells through the same guard: a summary sheet, the per-day series and the per-doctor table). The report is a few
 * hundred rows plus one per day of the range (at most `reportDaysMax`), so both are built in memory.
 */
import ExcelJS from 'exceljs';
import { csvDocument, guardRow } from '../csv/csv-writer.ts';
import { reportLabels } from '../documents/labels-ru.ts';
import { ruDate } from '../documents/local-format.ts';
import type { OperationsReport } from './operations-report.ts';
import { reportRowHeader, reportRows } from './report-rows.ts';

export function operationsReportCsv(report: OperationsReport): Buffer {
  return csvDocument(reportRowHeader, reportRows(report).map((row) => [row.section, row.key, row.label, row.date, row.value]));
}

export function reportTitle(report: OperationsReport): string {
  const scope = report.scope.kind === 'region' ? reportLabels.region : report.scope.name;
  return `${reportLabels.title}: ${scope}, ${reportLabels.period.toLowerCase()} ${ruDate(report.from)} – ${ruDate(report.to)}`;
}

export async function operationsReportXlsx(report: OperationsReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'clinic-dispatch';
  const summary = workbook.addWorksheet(reportLabels.sections.summary);
  summary.columns = [{ width: 36 }, { width: 48 }, { width: 18 }];
  summary.addRow([reportTitle(report)]).font = { bold: true, size: 13 };
  summary.addRow([`${reportLabels.asOf} ${report.asOf}`]);
  summary.addRow([]);
  summary.addRow([reportRowHeader[0], reportRowHeader[2], reportRowHeader[4]]).font = { bold: true };
  for (const row of reportRows(report)) if (row.date === null) summary.addRow(guardRow([row.section, row.label, row.value]));

  const daily = workbook.addWorksheet(reportLabels.sections.daily);
  daily.columns = reportLabels.daily.map((header) => ({ header, width: header.length > 12 ? 22 : 14 }));
  daily.getRow(1).font = { bold: true };
  for (const day of report.daily) {
    daily.addRow([day.date, day.callsCreated, day.callsAssigned, day.callsCompleted, day.callsCancelled, day.assignedWithinSlaPercent, day.appointments, day.noShows, day.appointmentsCompleted]);
  }

  const doctors = workbook.addWorksheet(reportLabels.sections.byDoctor);
  doctors.columns = [{ header: 'Врач', width: 32 }, { header: 'Код', width: 14 }, { header: 'МО', width: 10 }, { header: 'Назначено вызовов', width: 18 }, { header: 'Обслужено', width: 12 }];
  doctors.getRow(1).font = { bold: true };
  for (const row of report.calls.byDoctor) doctors.addRow(guardRow([row.name, row.doctorId, row.clinicId, row.assigned, row.completed]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
