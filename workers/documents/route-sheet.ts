/**
 * The route sheet (маршрутный лист): a doctor's home calls for one day, with the 14 columns of the source's
 * print form. Built from the replica: the doctor's route list for the date (an index, so the cost is the
 * day's visits, not the history) and each call from its clinic, or from the call archive once it left memory.
 * `routeSheetCells` turns a row into the 14 printed cells (Russian); the JSON form keeps typed fields.
 *
 * Bound: at most `routeSheetRowsMax` rows (a doctor's day is a few dozen visits; more is a data error, and the
 * sheet says it was cut).
 */
import { ageOn, localParts } from '../../engine/domain/local-time.ts';
import type { CallAddress, HomeCall, ReadModel } from '../../engine/index.ts';
import { fullName } from '../../engine/patient.ts';
import { ageCategoryRu, callKindRu, callStatusRu, routeSheetLabels } from './labels-ru.ts';
import { isoWithOffset, localTime, ruDate, ruDateTime } from './local-format.ts';

export const routeSheetRowsMax = 500;

export interface RouteSheetRow {
  readonly rowNumber: number;
  readonly callId: string;
  readonly callNumber: number;
  /** When the call was registered (ISO 8601 with the clinic's offset). */
  readonly callCreatedAt: string;
  readonly patient: string;
  readonly birthDate: string;
  readonly ageYears: number;
  readonly ageCategory: 'child' | 'adult';
  readonly cardNumber: string | null;
  readonly policy: string | null;
  readonly address: CallAddress;
  readonly phone: string | null;
  readonly reason: string;
  readonly note: string | null;
  readonly kind: HomeCall['kind'];
  readonly status: HomeCall['status'];
  /** When the visit was done (ISO 8601), or null while it is still to be made. */
  readonly visitedAt: string | null;
}

export interface RouteSheet {
  readonly doctor: { readonly id: string; readonly code: string; readonly name: string; readonly specialty: string; readonly phone: string | null };
  readonly clinic: { readonly id: string; readonly name: string; readonly address: string; readonly timeZone: string };
  readonly date: string;
  /** The moment the sheet shows ("as of"), and the log position it reflects. */
  readonly asOf: string;
  readonly asOfMs: number;
  readonly logPosition: number;
  readonly rows: readonly RouteSheetRow[];
  readonly truncated: boolean;
}

/** The sheet, or undefined when the doctor does not exist. */
export function buildRouteSheet(read: ReadModel, doctorId: string, date: string, asOfMs: number, logPosition: number): RouteSheet | undefined {
  const doctor = read.doctor(doctorId);
  const info = doctor?.info;
  if (doctor === undefined || info === undefined) return undefined;
  const clinic = read.region().clinics.get(info.clinicId);
  const timeZone = clinic?.timeZone ?? doctor.timeZone;
  const calls: HomeCall[] = [];
  for (const visit of doctor.visitsOn(date).values()) {
    const call = read.call(visit.callId);
    if (call !== undefined) calls.push(call);
  }
  calls.sort((a, b) => a.createdAt - b.createdAt || a.number - b.number);
  const truncated = calls.length > routeSheetRowsMax;
  const rows = calls.slice(0, routeSheetRowsMax).map((call, index) => rowOf(call, index + 1, date, timeZone));
  return {
    doctor: { id: info.id, code: info.id, name: info.name, specialty: info.specialty, phone: info.phone ?? null },
    clinic: { id: info.clinicId, name: clinic?.name ?? info.clinicId, address: clinic?.address ?? '', timeZone },
    date,
    asOf: isoWithOffset(asOfMs, timeZone),
    asOfMs,
    logPosition,
    rows,
    truncated,
  };
}

function rowOf(call: HomeCall, rowNumber: number, date: string, timeZone: string): RouteSheetRow {
  const patient = call.patient;
  return {
    rowNumber,
    callId: call.id,
    callNumber: call.number,
    callCreatedAt: isoWithOffset(call.createdAt, timeZone),
    patient: fullName(patient),
    birthDate: patient.birthDate,
    ageYears: ageOn(patient.birthDate, date),
    ageCategory: patient.ageCategory,
    cardNumber: patient.cardNumber ?? null,
    policy: patient.policy ?? null,
    address: call.address,
    phone: patient.phone ?? call.caller?.phone ?? null,
    reason: call.complaints.text,
    note: call.note ?? call.address.landmarks ?? null,
    kind: call.kind,
    status: call.status,
    visitedAt: call.status === 'completed' && call.completedAt !== undefined ? isoWithOffset(call.completedAt, timeZone) : null,
  };
}

/** The 14 printed cells of a row, in the form's order and wording. */
export function routeSheetCells(row: RouteSheetRow, timeZone: string): string[] {
  const labels = routeSheetLabels;
  return [
    String(row.rowNumber),
    ruDateTime(Date.parse(row.callCreatedAt), timeZone),
    row.patient,
    `${ruDate(row.birthDate)} (${row.ageYears} ${labels.years}, ${ageCategoryRu[row.ageCategory]})`,
    row.cardNumber ?? '',
    row.policy ?? '',
    addressLine(row.address),
    row.address.intercom ?? '',
    row.phone ?? '',
    row.reason,
    row.note ?? '',
    callKindRu[row.kind],
    callStatusRu[row.status],
    row.visitedAt === null ? '' : localTime(Date.parse(row.visitedAt), timeZone),
  ];
}

/** The address with flat, floor, entrance and intercom, as the doctor needs it at the door. */
export function addressLine(address: CallAddress): string {
  const labels = routeSheetLabels;
  const parts = [address.text];
  if (address.house !== undefined && !address.text.includes(address.house)) parts.push(`д. ${address.house}`);
  if (address.building !== undefined) parts.push(`корп. ${address.building}`);
  if (address.structure !== undefined) parts.push(`стр. ${address.structure}`);
  if (address.apartment !== undefined) parts.push(`${labels.flat} ${address.apartment}`);
  if (address.floor !== undefined) parts.push(`${labels.floor} ${address.floor}`);
  if (address.entrance !== undefined) parts.push(`${labels.entrance} ${address.entrance}`);
  if (address.intercom !== undefined) parts.push(`${labels.intercom} ${address.intercom}`);
  if (address.privateSector === true) parts.push(labels.privateSector);
  return parts.join(', ');
}

/** "as of 06.01.2025 09:40" in the clinic's zone. */
export function asOfText(sheet: Pick<RouteSheet, 'asOfMs' | 'clinic'>): string {
  return `${routeSheetLabels.asOf} ${ruDateTime(sheet.asOfMs, sheet.clinic.timeZone)}`;
}

/** The local date of an instant in the doctor's clinic, for callers that default the date to today. */
export function todayIn(timeZone: string, atMs: number): string {
  return localParts(atMs, timeZone).date;
}
