/**
 * The call-out task list as CSV, with stable English column keys (a robot's contract): the one function both
 * `GET /api/v1/callout/tasks?format=csv` (main thread) and the worker export `GET /api/v1/callout/tasks/export`
 * use, so the two files are the same bytes for the same tasks (workers/csv/csv-writer.ts: formula guard, no BOM).
 * Kept apart from the XLSX export so the main thread does not load exceljs.
 */
import type { CalloutTask } from '../../engine/index.ts';
import { csvDocument } from '../csv/csv-writer.ts';

export const calloutCsvHeader = [
  'appointmentId', 'phone', 'attempts', 'lastResult', 'message', 'patient', 'date', 'time', 'doctor', 'specialty', 'services', 'clinic', 'address', 'clinicPhone',
] as const;

export function calloutCells(task: CalloutTask): Array<string | number> {
  const f = task.fields;
  return [task.appointmentId, task.phone, task.attempts, task.lastResult ?? '', task.message, f.patient, f.date, f.time, f.doctor, f.specialty, f.services, f.clinic, f.address, f.clinicPhone];
}

export function calloutCsv(tasks: readonly CalloutTask[]): Buffer {
  return csvDocument(calloutCsvHeader, tasks.map(calloutCells));
}
