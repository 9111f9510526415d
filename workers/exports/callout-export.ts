/**
 * The call-out task list (engine/calendar/callout.ts: every appointment of the date still to be confirmed) as
 * files for robots that integrate by file exchange: CSV with stable English column keys (a robot's contract, the
 * very bytes of `GET /api/v1/callout/tasks?format=csv`: one writer, workers/exports/callout-csv.ts) and XLSX with
 * Russian headers (a person's sheet; text cells through the same formula guard). The list is bounded by the
 * engine's `calloutTasksMax`, so both are built in memory.
 */
import ExcelJS from 'exceljs';
import { calloutTasks, type CalloutTask, type ReadModel } from '../../engine/index.ts';
import { guardRow } from '../csv/csv-writer.ts';
import { calloutCells, calloutCsv, calloutCsvHeader } from './callout-csv.ts';
import { calloutExportLabels, calloutResultRu } from '../documents/labels-ru.ts';

export { calloutCsv, calloutCsvHeader };

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

export async function calloutXlsx(tasks: readonly CalloutTask[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(calloutExportLabels.sheet);
  sheet.columns = calloutExportLabels.columns.map((header, index) => ({ header, width: index === 4 ? 80 : 16 }));
  sheet.getRow(1).font = { bold: true };
  for (const task of tasks) {
    const cells = calloutCells(task);
    cells[3] = task.lastResult === null ? '' : (calloutResultRu[task.lastResult] ?? task.lastResult);
    sheet.addRow(guardRow(cells));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
