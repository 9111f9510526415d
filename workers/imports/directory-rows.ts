/**
 * One directory CSV row → a typed draft, or the problem with it. The file is one table whose `kind` column says
 * what each row is (docs/workers.md has the format):
 *
 *   kind         required columns                                 optional
 *   clinic       id, name, address, time_zone                     phone, assign_sla_minutes, serve_sla_minutes, cutoff_hour
 *   subdivision  clinic_id, id, name                              age_category (child | adult)
 *   district     id, clinic_id, subdivision_id, name, rules       (rules: `street[:from-to[/odd|even]]`, `;`-separated)
 *   doctor       id, clinic_id, name, specialty, subdivision_id   district_ids (`;`-separated), home_visit_minutes, phone
 *   hours        doctor_id, weekday (1 = Monday … 7), start, end (HH:MM)
 *
 * Only the shape is checked here; the engine checks the domain rules again when the commands are submitted.
 */
import type { AddressRule, ClinicSettings, HouseRange, WeeklyShift } from '../../engine/index.ts';
import { isValidTimeZone, parseHhmm } from '../../engine/domain/local-time.ts';
import { isOwnerId } from '../../engine/index.ts';

export const homeVisitMinutesDefault = 30;

export interface RowProblem {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export type DirectoryDraft =
  | { readonly kind: 'clinic'; readonly line: number; readonly id: string; readonly name: string; readonly address: string; readonly timeZone: string; readonly phone?: string; readonly settings: Partial<ClinicSettings> }
  | { readonly kind: 'subdivision'; readonly line: number; readonly clinicId: string; readonly id: string; readonly name: string; readonly ageCategory?: 'child' | 'adult' }
  | { readonly kind: 'district'; readonly line: number; readonly id: string; readonly clinicId: string; readonly subdivisionId: string; readonly name: string; readonly rules: AddressRule[] }
  | { readonly kind: 'doctor'; readonly line: number; readonly id: string; readonly clinicId: string; readonly name: string; readonly specialty: string; readonly subdivisionId: string; readonly districtIds: string[]; readonly homeVisitMinutes: number; readonly phone?: string }
  | { readonly kind: 'hours'; readonly line: number; readonly doctorId: string; readonly shift: WeeklyShift };

type Row = Readonly<Record<string, string>>;

class RowError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

function required(row: Row, column: string): string {
  const value = row[column];
  if (value === undefined) throw new RowError(column, `${column} is required`);
  return value;
}

function slug(row: Row, column: string): string {
  const value = required(row, column);
  if (!isOwnerId(value)) throw new RowError(column, `${column} must be 1–64 of A–Z a–z 0–9 _ -`);
  return value;
}

function wholeNumber(row: Row, column: string, min: number, max: number): number | undefined {
  const raw = row[column];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new RowError(column, `${column} must be a whole number ${min}..${max}`);
  return value;
}

function parseRules(text: string): AddressRule[] {
  return text.split(';').map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    const colon = part.lastIndexOf(':');
    if (colon < 0) return { street: part };
    const street = part.slice(0, colon).trim();
    const houses: HouseRange[] = part.slice(colon + 1).split(',').map((range) => {
      const match = /^\s*(\d+)\s*-\s*(\d+)\s*(?:\/\s*(odd|even))?\s*$/.exec(range);
      if (match === null) throw new RowError('rules', `"${range.trim()}" is not a house range like 1-200 or 1-99/odd`);
      const from = Number(match[1]);
      const to = Number(match[2]);
      if (from > to) throw new RowError('rules', `house range ${from}-${to} runs backwards`);
      return match[3] === undefined ? { from, to } : { from, to, parity: match[3] as 'odd' | 'even' };
    });
    return { street, houses };
  });
}

export function parseDirectoryRow(line: number, row: Row): DirectoryDraft | RowProblem {
  try {
    const kind = required(row, 'kind').toLowerCase();
    switch (kind) {
      case 'clinic': {
        const timeZone = required(row, 'time_zone');
        if (!isValidTimeZone(timeZone)) throw new RowError('time_zone', 'time_zone must be an IANA zone such as Europe/Moscow');
        const settings: { -readonly [K in keyof ClinicSettings]?: number } = {};
        const assign = wholeNumber(row, 'assign_sla_minutes', 1, 24 * 60);
        const serve = wholeNumber(row, 'serve_sla_minutes', 1, 7 * 24 * 60);
        const cutoff = wholeNumber(row, 'cutoff_hour', 0, 23);
        if (assign !== undefined) settings.assignSlaMinutes = assign;
        if (serve !== undefined) settings.serveSlaMinutes = serve;
        if (cutoff !== undefined) settings.cutoffHour = cutoff;
        const phone = row['phone'];
        return { kind, line, id: slug(row, 'id'), name: required(row, 'name'), address: required(row, 'address'), timeZone, settings, ...(phone === undefined ? {} : { phone }) };
      }
      case 'subdivision': {
        const age = row['age_category'];
        if (age !== undefined && age !== 'child' && age !== 'adult') throw new RowError('age_category', 'age_category must be child or adult');
        return { kind, line, clinicId: slug(row, 'clinic_id'), id: slug(row, 'id'), name: required(row, 'name'), ...(age === undefined ? {} : { ageCategory: age }) };
      }
      case 'district':
        return { kind, line, id: slug(row, 'id'), clinicId: slug(row, 'clinic_id'), subdivisionId: slug(row, 'subdivision_id'), name: required(row, 'name'), rules: parseRules(required(row, 'rules')) };
      case 'doctor': {
        const districtIds = (row['district_ids'] ?? '').split(';').map((id) => id.trim()).filter((id) => id !== '');
        for (const id of districtIds) if (!isOwnerId(id)) throw new RowError('district_ids', `district id "${id}" is not a valid id`);
        const phone = row['phone'];
        return {
          kind, line, id: slug(row, 'id'), clinicId: slug(row, 'clinic_id'), name: required(row, 'name'), specialty: required(row, 'specialty'),
          subdivisionId: slug(row, 'subdivision_id'), districtIds, homeVisitMinutes: wholeNumber(row, 'home_visit_minutes', 5, 480) ?? homeVisitMinutesDefault,
          ...(phone === undefined ? {} : { phone }),
        };
      }
      case 'hours': {
        const weekday = wholeNumber(row, 'weekday', 1, 7);
        if (weekday === undefined) throw new RowError('weekday', 'weekday is required (1 = Monday … 7 = Sunday)');
        const startMinutes = parseHhmm(required(row, 'start'));
        const endMinutes = parseHhmm(required(row, 'end'));
        if (startMinutes === undefined) throw new RowError('start', 'start must be HH:MM');
        if (endMinutes === undefined || endMinutes <= startMinutes) throw new RowError('end', 'end must be HH:MM after start');
        return { kind, line, doctorId: slug(row, 'doctor_id'), shift: { weekday, startMinutes, endMinutes } };
      }
      default:
        throw new RowError('kind', 'kind must be clinic, subdivision, district, doctor or hours');
    }
  } catch (error) {
    if (error instanceof RowError) return { line, field: error.field, message: error.message };
    throw error;
  }
}
