/**
 * A call-out results file (the robot's CSV), planned on a worker: each row checked and turned into a
 * RecordCalloutResult command, bad rows reported by line. Columns: `appointment_id`, `result` (confirmed,
 * declined, busy, no_answer, failed), `attempt` (1, 2, …), optional `talk_seconds` and `at` (ISO 8601 with an
 * offset: when the robot called). Each command carries its appointment's clinic so the main thread can check
 * the caller's scope. The engine makes it idempotent: a result for an attempt already recorded changes nothing.
 */
import { calloutResults, ownerOf, type CalloutResult, type RegionState } from '../../engine/index.ts';
import { recordObject } from '../csv/csv-parser.ts';
import { tableOrRefusal, type ImportPlan, type LineOutcome, type PlannedCommand } from './directory-plan.ts';

/** One wording for "no such appointment" and "another tenant's", so a caller learns nothing across tenants. */
export function notVisible(appointmentId: string): string {
  return `appointment ${appointmentId} not found or outside your scope`;
}

const isoInstantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export function planCalloutResultsImport(csv: string, region: RegionState): ImportPlan {
  const parsed = tableOrRefusal(csv);
  if ('refused' in parsed) return parsed.refused;
  const { table } = parsed;
  const lines: LineOutcome[] = [];
  const commands: PlannedCommand[] = [];
  for (const record of table.records) {
    const row = recordObject(table, record);
    const problem = (field: string, message: string): void => {
      lines.push({ line: record.line, outcome: 'invalid', field, message });
    };
    const appointmentId = row['appointment_id'];
    const result = row['result'];
    const attempt = Number(row['attempt']);
    const talk = row['talk_seconds'] === undefined ? undefined : Number(row['talk_seconds']);
    const at = row['at'];
    if (appointmentId === undefined) { problem('appointment_id', 'appointment_id is required'); continue; }
    if (result === undefined || !(calloutResults as readonly string[]).includes(result)) { problem('result', `result must be one of ${calloutResults.join(', ')}`); continue; }
    if (!Number.isInteger(attempt) || attempt < 1) { problem('attempt', 'attempt must be a whole number from 1'); continue; }
    if (talk !== undefined && !(Number.isInteger(talk) && talk >= 0)) { problem('talk_seconds', 'talk_seconds must be a whole number of seconds'); continue; }
    if (at !== undefined && (!isoInstantPattern.test(at) || Number.isNaN(Date.parse(at)))) { problem('at', 'at must be ISO 8601 with an offset, e.g. 2026-11-21T09:40:00+03:00'); continue; }
    const doctorId = ownerOf(appointmentId);
    const clinicId = doctorId === undefined ? undefined : region.doctors.get(doctorId)?.clinicId;
    // The same words whether it does not exist or is another tenant's: the main thread checks the scope.
    if (clinicId === undefined) {
      lines.push({ line: record.line, outcome: 'rejected', field: 'appointment_id', message: notVisible(appointmentId) });
      continue;
    }
    commands.push({
      lines: [record.line],
      entity: `appointment ${appointmentId} attempt ${attempt}`,
      clinicId,
      command: {
        type: 'RecordCalloutResult', appointmentId, result: result as CalloutResult, attempt,
        ...(talk === undefined ? {} : { talkSeconds: talk }),
        ...(at === undefined ? {} : { at: Date.parse(at) }),
      },
    });
  }
  return { rowsRead: table.records.length, lines, commands };
}
