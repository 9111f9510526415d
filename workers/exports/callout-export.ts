/**
 * The call-out task list (engine/calendar/callout.ts: every appointment of the date still to be confirmed) as
 * files for robots that integrate by file exchange: CSV with stable English column keys (a robot's contract, the
 * same columns as `GET /api/v1/callout/tasks?format=csv`; no byte-order mark) and XLSX with Russian headers (a person's sheet). The list is bounded by the engine's
 * `calloutTasksMax`, so both are built in memory.
 */
import ExcelJS from 'exceljs';
import { calloutTasks, type CalloutTask, type ReadModel } from '../../engine/index.ts';
import { csvDocument } from '../csv/csv-writer.ts';
import { calloutExportLabels, calloutResultRu } from '../documents/labels-ru.ts';

export const calloutCsvHeader = [
  'appointmentId', 'phone', 'attempts', 'lastResult', 'message', 'patient', 'date', 'time', 'doctor', 'specialty', 'services', 'clinic', 'address', 'clinicPhone',
] as const;

export interface CalloutExportQuery {
  readonly atMs: number;
  readonly date?: string;
  /** Omitted: every clinic in `clinicIds`. */
  readonly clinicId?: string;
  /** The clinics the caller may see; undefined for the whole region. */
  readonly clinicIds?: readonly string[];
}

export function calloutExportTasks(read: ReadModel, query: CalloutExportQuery): CalloutTask[] {
  const base = { at: query.atMs, ...(query.date === undefined ? {} : { date: query.date }) };
  if (query.clinicId !== undefined) return calloutTasks(read, { ...base, clinicId: query.clinicId });
  if (query.clinicIds === undefined) return calloutTasks(read, base);
  return query.clinicIds.flatMap((clinicId) => calloutTasks(read, { ...base, clinicId }));
}

function cellsOf(task: CalloutTask): Array<string | number> {
  const f = task.fields;
  return [task.appointmentId, task.phone, task.attempts, task.lastResult ?? '', task.message, f.patient, f.date, f.time, f.doctor, f.specialty, f.services, f.clinic, f.address, f.clinicPhone];
}

export function calloutCsv(tasks: readonly CalloutTask[]): Buffer {
  return csvDocument(calloutCsvHeader, tasks.map(cellsOf));
}

export async function calloutXlsx(tasks: readonly CalloutTask[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(calloutExportLabels.sheet);
  sheet.columns = calloutExportLabels.columns.map((header, index) => ({ header, width: index === 4 ? 80 : 16 }));
  sheet.getRow(1).font = { bold: true };
  for (const task of tasks) {
    const cells = cellsOf(task);
    cells[3] = task.lastResult === null ? '' : (calloutResultRu[task.lastResult] ?? task.lastResult);
    sheet.addRow(cells);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
