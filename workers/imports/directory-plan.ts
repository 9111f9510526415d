/**
 * A directory import, planned on a worker: the CSV parsed and every row checked (bad rows reported by line),
 * rows gathered into entities (a clinic with its subdivision rows, a doctor with their hours rows), and each
 * entity compared with the directory as the replica sees it. The result is a list of engine commands in
 * dependency order (clinics, districts, doctors) for the main thread to submit, and the rows that need none.
 *
 * Idempotent: an entity that exists exactly as the file says is `unchanged` and yields no command, so the
 * same file imported twice changes nothing the second time. A clinic whose SLA settings differ gets
 * UpdateClinicSettings. Any other difference from an existing entity is a `conflict` row: the engine has no
 * command to rename a clinic or change a doctor's hours yet, and an import must not half-apply a change.
 */
import type { ClinicInfo, Command, District, DoctorInfo, RegionState, WeeklyShift } from '../../engine/index.ts';
import { CsvLimitError, parseCsv, recordObject } from '../csv/csv-parser.ts';
import { parseDirectoryRow, type DirectoryDraft, type RowProblem } from './directory-rows.ts';

export interface LineOutcome {
  readonly line: number;
  readonly outcome: 'invalid' | 'conflict' | 'unchanged' | 'rejected';
  readonly field?: string;
  readonly message?: string;
}

export interface PlannedCommand {
  /** The file lines this command comes from (a clinic and its subdivisions, a doctor and their hours). */
  readonly lines: readonly number[];
  readonly entity: string;
  readonly command: Command;
  /** The clinic it belongs to, for the main thread's scope check. */
  readonly clinicId?: string;
}

export interface ImportPlan {
  readonly rowsRead: number;
  readonly lines: readonly LineOutcome[];
  readonly commands: readonly PlannedCommand[];
}

type Draft<K extends DirectoryDraft['kind']> = Extract<DirectoryDraft, { kind: K }>;

/** The file's table, or the plan that refuses it whole (a CSV past its bounds, named by line). */
export function tableOrRefusal(csv: string): { readonly table: ReturnType<typeof parseCsv> } | { readonly refused: ImportPlan } {
  try {
    return { table: parseCsv(csv) };
  } catch (error) {
    if (error instanceof CsvLimitError) return { refused: { rowsRead: 0, lines: [{ line: error.line, outcome: 'invalid', message: error.message }], commands: [] } };
    throw error;
  }
}

export function planDirectoryImport(csv: string, region: RegionState): ImportPlan {
  const parsed = tableOrRefusal(csv);
  if ('refused' in parsed) return parsed.refused;
  const { table } = parsed;
  const lines: LineOutcome[] = [];
  const drafts: DirectoryDraft[] = [];
  for (const record of table.records) {
    const parsed = parseDirectoryRow(record.line, recordObject(table, record));
    if ('message' in parsed) lines.push(invalid(parsed));
    else drafts.push(parsed);
  }
  const byKind = <K extends DirectoryDraft['kind']>(kind: K): Array<Draft<K>> => drafts.filter((d): d is Draft<K> => d.kind === kind);
  const commands: PlannedCommand[] = [];
  const subdivisions = byKind('subdivision');
  const clinicIdsInFile = new Set(byKind('clinic').map((c) => c.id));
  for (const sub of subdivisions) {
    if (!clinicIdsInFile.has(sub.clinicId)) lines.push({ line: sub.line, outcome: 'invalid', field: 'clinic_id', message: `no clinic row for ${sub.clinicId} in the file: subdivisions are given with their clinic` });
  }
  for (const clinic of byKind('clinic')) planClinic(clinic, subdivisions.filter((s) => s.clinicId === clinic.id), region, lines, commands);
  for (const district of byKind('district')) planDistrict(district, region, lines, commands);
  const hours = byKind('hours');
  const doctorIdsInFile = new Set(byKind('doctor').map((d) => d.id));
  for (const row of hours) {
    if (!doctorIdsInFile.has(row.doctorId)) lines.push({ line: row.line, outcome: 'invalid', field: 'doctor_id', message: `no doctor row for ${row.doctorId} in the file: hours are given with their doctor` });
  }
  for (const doctor of byKind('doctor')) planDoctor(doctor, hours.filter((h) => h.doctorId === doctor.id), region, lines, commands);
  lines.sort((a, b) => a.line - b.line);
  return { rowsRead: table.records.length, lines, commands };
}

function invalid(problem: RowProblem): LineOutcome {
  return { line: problem.line, outcome: 'invalid', field: problem.field, message: problem.message };
}

function planClinic(draft: Draft<'clinic'>, subs: ReadonlyArray<Draft<'subdivision'>>, region: RegionState, lines: LineOutcome[], commands: PlannedCommand[]): void {
  const allLines = [draft.line, ...subs.map((s) => s.line)];
  const subdivisions = subs.map((s) => (s.ageCategory === undefined ? { id: s.id, name: s.name } : { id: s.id, name: s.name, ageCategory: s.ageCategory }));
  const existing = region.clinics.get(draft.id);
  if (existing === undefined) {
    if (subdivisions.length === 0) {
      lines.push({ line: draft.line, outcome: 'invalid', field: 'kind', message: `clinic ${draft.id} needs at least one subdivision row` });
      return;
    }
    const clinic = { id: draft.id, name: draft.name, address: draft.address, timeZone: draft.timeZone, subdivisions, settings: draft.settings, ...(draft.phone === undefined ? {} : { phone: draft.phone }) };
    commands.push({ lines: allLines, entity: `clinic ${draft.id}`, command: { type: 'AddClinic', clinic }, clinicId: draft.id });
    return;
  }
  const differences = clinicDifferences(existing, draft, subdivisions);
  if (differences.length > 0) {
    for (const line of allLines) lines.push({ line, outcome: 'conflict', message: `clinic ${draft.id} exists with a different ${differences.join(', ')}; the import does not change it` });
    return;
  }
  const settingsChange = Object.entries(draft.settings).some(([key, value]) => existing.settings[key as keyof ClinicInfo['settings']] !== value);
  if (settingsChange) commands.push({ lines: [draft.line], entity: `clinic ${draft.id} settings`, command: { type: 'UpdateClinicSettings', clinicId: draft.id, settings: draft.settings }, clinicId: draft.id });
  for (const line of settingsChange ? allLines.slice(1) : allLines) lines.push({ line, outcome: 'unchanged' });
}

function clinicDifferences(existing: ClinicInfo, draft: Draft<'clinic'>, subdivisions: ClinicInfo['subdivisions']): string[] {
  const differences: string[] = [];
  if (existing.name !== draft.name.trim()) differences.push('name');
  if (existing.address !== draft.address.trim()) differences.push('address');
  if (existing.timeZone !== draft.timeZone) differences.push('time_zone');
  // An omitted optional column means "no opinion", not "clear it".
  if (draft.phone !== undefined && existing.phone !== draft.phone) differences.push('phone');
  if (subdivisions.length > 0 && canonical(existing.subdivisions, (s) => s.id) !== canonical(subdivisions, (s) => s.id)) differences.push('set of subdivisions');
  return differences;
}

function planDistrict(draft: Draft<'district'>, region: RegionState, lines: LineOutcome[], commands: PlannedCommand[]): void {
  const district: District = { id: draft.id, clinicId: draft.clinicId, subdivisionId: draft.subdivisionId, name: draft.name, rules: draft.rules };
  const existing = region.districts.get(draft.id);
  if (existing === undefined) {
    commands.push({ lines: [draft.line], entity: `district ${draft.id}`, command: { type: 'AddDistrict', district }, clinicId: draft.clinicId });
  } else if (canonical([existing], (d) => d.id) === canonical([district], (d) => d.id)) {
    lines.push({ line: draft.line, outcome: 'unchanged' });
  } else {
    lines.push({ line: draft.line, outcome: 'conflict', message: `district ${draft.id} exists with different data; the import does not change it` });
  }
}

function planDoctor(draft: Draft<'doctor'>, hours: ReadonlyArray<Draft<'hours'>>, region: RegionState, lines: LineOutcome[], commands: PlannedCommand[]): void {
  const allLines = [draft.line, ...hours.map((h) => h.line)];
  const weeklyShifts: WeeklyShift[] = hours.map((h) => h.shift).sort((a, b) => a.weekday - b.weekday || a.startMinutes - b.startMinutes);
  const doctor: DoctorInfo = {
    id: draft.id, clinicId: draft.clinicId, name: draft.name, specialty: draft.specialty, subdivisionId: draft.subdivisionId,
    districtIds: draft.districtIds, weeklyShifts, homeVisitMinutes: draft.homeVisitMinutes, ...(draft.phone === undefined ? {} : { phone: draft.phone }),
  };
  const existing = region.doctors.get(draft.id);
  if (existing === undefined) {
    commands.push({ lines: allLines, entity: `doctor ${draft.id}`, command: { type: 'AddDoctor', doctor }, clinicId: draft.clinicId });
    return;
  }
  const comparable = (info: DoctorInfo): unknown => ({
    clinicId: info.clinicId, name: info.name, specialty: info.specialty, subdivisionId: info.subdivisionId, districtIds: [...info.districtIds].sort(),
    weeklyShifts: [...info.weeklyShifts].sort((a, b) => a.weekday - b.weekday || a.startMinutes - b.startMinutes).map((s) => [s.weekday, s.startMinutes, s.endMinutes]),
    homeVisitMinutes: info.homeVisitMinutes, phone: info.phone ?? null,
  });
  const asGiven = draft.phone === undefined && existing.phone !== undefined ? { ...doctor, phone: existing.phone } : doctor;
  if (JSON.stringify(comparable(existing)) === JSON.stringify(comparable(asGiven))) {
    for (const line of allLines) lines.push({ line, outcome: 'unchanged' });
  } else {
    for (const line of allLines) lines.push({ line, outcome: 'conflict', message: `doctor ${draft.id} exists with different data (name, districts or weekly hours); the engine has no command to change a doctor yet` });
  }
}

/** A stable text of a list for comparison: sorted by key, object keys in sorted order. */
function canonical<T>(items: readonly T[], key: (item: T) => string): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
    return value;
  };
  return JSON.stringify([...items].sort((a, b) => key(a).localeCompare(key(b))).map(sortKeys));
}
