/**
 * Validation of directory changes (clinics, districts, doctors) against the directory as it stands.
 * Each check names the offending field; nothing is changed by a failed check.
 */
import { isOwnerId } from './address.ts';
import type { ClinicInfo, ClinicSettings, District, DoctorInfo } from './directory.ts';
import { defaultClinicSettings } from './directory.ts';
import { isValidTimeZone } from './domain/local-time.ts';
import { validateText, nameCharsMax, addressTextCharsMax } from './intake.ts';
import type { NewClinic } from './messages.ts';
import { reject, type Rejection } from './rejection.ts';
import type { RegionState } from './region-state.ts';

export const assignSlaMinutesMax = 24 * 60;
export const serveSlaMinutesMax = 7 * 24 * 60;
export const homeVisitMinutesMin = 5;
export const homeVisitMinutesMax = 480;
export const subdivisionsPerClinicMax = 50;
export const rulesPerDistrictMax = 500;
export const shiftsPerWeekMax = 28;

export function validateSettings(settings: Partial<ClinicSettings>, base: ClinicSettings): ClinicSettings | Rejection {
  const merged = { ...base, ...settings };
  const { assignSlaMinutes, serveSlaMinutes, cutoffHour } = merged;
  if (!Number.isInteger(assignSlaMinutes) || assignSlaMinutes < 1 || assignSlaMinutes > assignSlaMinutesMax) {
    return reject('invalid', `assignSlaMinutes must be 1..${assignSlaMinutesMax}`, '/settings/assignSlaMinutes');
  }
  if (!Number.isInteger(serveSlaMinutes) || serveSlaMinutes < 1 || serveSlaMinutes > serveSlaMinutesMax) {
    return reject('invalid', `serveSlaMinutes must be 1..${serveSlaMinutesMax}`, '/settings/serveSlaMinutes');
  }
  if (!Number.isInteger(cutoffHour) || cutoffHour < 0 || cutoffHour > 23) {
    return reject('invalid', 'cutoffHour must be 0..23', '/settings/cutoffHour');
  }
  return { assignSlaMinutes, serveSlaMinutes, cutoffHour };
}

export function validateClinic(input: NewClinic, region: RegionState): ClinicInfo | Rejection {
  if (typeof input.id !== 'string' || !isOwnerId(input.id)) return reject('invalid', 'id must be 1-64 of A-Z a-z 0-9 _ -', '/clinic/id');
  if (region.clinics.has(input.id)) return reject('conflict', `clinic ${input.id} exists`, '/clinic/id');
  const textError =
    validateText(input.name, '/clinic/name', nameCharsMax * 2, true) ??
    validateText(input.address, '/clinic/address', addressTextCharsMax, true) ??
    validateText(input.phone, '/clinic/phone', 32, false);
  if (textError !== undefined) return textError;
  if (typeof input.timeZone !== 'string' || !isValidTimeZone(input.timeZone)) return reject('invalid', 'timeZone must be an IANA zone', '/clinic/timeZone');
  if (!Array.isArray(input.subdivisions) || input.subdivisions.length === 0 || input.subdivisions.length > subdivisionsPerClinicMax) {
    return reject('invalid', `a clinic needs 1..${subdivisionsPerClinicMax} subdivisions`, '/clinic/subdivisions');
  }
  const seen = new Set<string>();
  for (const [index, subdivision] of input.subdivisions.entries()) {
    const error = validateText(subdivision.name, `/clinic/subdivisions/${index}/name`, nameCharsMax * 2, true);
    if (error !== undefined) return error;
    if (!isOwnerId(subdivision.id) || seen.has(subdivision.id)) return reject('invalid', 'subdivision ids must be unique slugs', `/clinic/subdivisions/${index}/id`);
    if (subdivision.ageCategory !== undefined && subdivision.ageCategory !== 'child' && subdivision.ageCategory !== 'adult') {
      return reject('invalid', 'ageCategory must be child or adult', `/clinic/subdivisions/${index}/ageCategory`);
    }
    seen.add(subdivision.id);
  }
  const settings = validateSettings(input.settings ?? {}, defaultClinicSettings);
  if ('code' in settings) return settings;
  const clinic: { -readonly [K in keyof ClinicInfo]: ClinicInfo[K] } = {
    id: input.id,
    name: input.name.trim(),
    address: input.address.trim(),
    timeZone: input.timeZone,
    subdivisions: input.subdivisions.map((s) => ({ ...s })),
    settings,
  };
  if (input.phone !== undefined) clinic.phone = input.phone;
  return clinic;
}

export function validateDistrict(district: District, region: RegionState): Rejection | undefined {
  if (!isOwnerId(district.id)) return reject('invalid', 'id must be a slug', '/district/id');
  if (region.districts.has(district.id)) return reject('conflict', `district ${district.id} exists`, '/district/id');
  const clinic = region.clinics.get(district.clinicId);
  if (clinic === undefined) return reject('not_found', `clinic ${district.clinicId} not found`, '/district/clinicId');
  if (!clinic.subdivisions.some((s) => s.id === district.subdivisionId)) {
    return reject('invalid', 'subdivisionId is not a subdivision of the clinic', '/district/subdivisionId');
  }
  const nameError = validateText(district.name, '/district/name', nameCharsMax, true);
  if (nameError !== undefined) return nameError;
  if (!Array.isArray(district.rules) || district.rules.length > rulesPerDistrictMax) {
    return reject('invalid', `at most ${rulesPerDistrictMax} address rules`, '/district/rules');
  }
  for (const [index, rule] of district.rules.entries()) {
    const error = validateText(rule.street, `/district/rules/${index}/street`, nameCharsMax * 2, true);
    if (error !== undefined) return error;
    for (const [r, range] of (rule.houses ?? []).entries()) {
      const ok = Number.isInteger(range.from) && Number.isInteger(range.to) && range.from >= 0 && range.from <= range.to;
      if (!ok) return reject('invalid', 'a house range needs whole numbers from <= to', `/district/rules/${index}/houses/${r}`);
    }
  }
  return undefined;
}

export function validateDoctor(doctor: DoctorInfo, region: RegionState): Rejection | undefined {
  if (!isOwnerId(doctor.id)) return reject('invalid', 'id must be a slug', '/doctor/id');
  if (region.doctors.has(doctor.id)) return reject('conflict', `doctor ${doctor.id} exists`, '/doctor/id');
  const clinic = region.clinics.get(doctor.clinicId);
  if (clinic === undefined) return reject('not_found', `clinic ${doctor.clinicId} not found`, '/doctor/clinicId');
  const textError =
    validateText(doctor.name, '/doctor/name', nameCharsMax * 2, true) ?? validateText(doctor.specialty, '/doctor/specialty', nameCharsMax, true);
  if (textError !== undefined) return textError;
  if (!clinic.subdivisions.some((s) => s.id === doctor.subdivisionId)) {
    return reject('invalid', 'subdivisionId is not a subdivision of the clinic', '/doctor/subdivisionId');
  }
  for (const [index, districtId] of doctor.districtIds.entries()) {
    if (region.districts.get(districtId)?.clinicId !== doctor.clinicId) {
      return reject('invalid', `district ${districtId} is not a district of the clinic`, `/doctor/districtIds/${index}`);
    }
  }
  if (!Number.isInteger(doctor.homeVisitMinutes) || doctor.homeVisitMinutes < homeVisitMinutesMin || doctor.homeVisitMinutes > homeVisitMinutesMax) {
    return reject('invalid', `homeVisitMinutes must be ${homeVisitMinutesMin}..${homeVisitMinutesMax}`, '/doctor/homeVisitMinutes');
  }
  if (doctor.weeklyShifts.length > shiftsPerWeekMax) return reject('invalid', `at most ${shiftsPerWeekMax} shifts`, '/doctor/weeklyShifts');
  for (const [index, shift] of doctor.weeklyShifts.entries()) {
    const ok =
      Number.isInteger(shift.weekday) && shift.weekday >= 1 && shift.weekday <= 7 &&
      Number.isInteger(shift.startMinutes) && Number.isInteger(shift.endMinutes) &&
      shift.startMinutes >= 0 && shift.startMinutes < shift.endMinutes && shift.endMinutes <= 1440;
    if (!ok) return reject('invalid', 'a shift needs weekday 1..7 and 0 <= start < end <= 1440', `/doctor/weeklyShifts/${index}`);
    const overlaps = doctor.weeklyShifts.some(
      (other, o) => o !== index && other.weekday === shift.weekday && other.startMinutes < shift.endMinutes && shift.startMinutes < other.endMinutes,
    );
    if (overlaps) return reject('invalid', 'shifts of one weekday overlap', `/doctor/weeklyShifts/${index}`);
  }
  return undefined;
}
