/**
 * A clinic's calendar settings: how far ahead slots exist, how long a hold lasts, and the call-out template and
 * attempt limit. The ClinicActor owns them; it hands each of its doctors the part a calendar needs.
 *
 * Bounds: horizon 1..`slotHorizonDaysMax` days, hold 1..`holdTtlMinutesMax` minutes, 1..`calloutAttemptsLimit`
 * attempts, a template of at most `calloutTemplateCharsMax` characters, check-in opening
 * 1..`checkInOpensMinutesBeforeMax` minutes before the appointment.
 *
 * Settings saved before a field existed (old snapshots and log entries) read as that field's default.
 */
import { reject, type Rejection } from '../rejection.ts';

export const slotHorizonDaysDefault = 14;
export const slotHorizonDaysMax = 60;
export const holdTtlMinutesDefault = 5;
export const holdTtlMinutesMax = 60;
export const calloutAttemptsMaxDefault = 3;
/** A robot never gets more tries than this, whatever a clinic sets; also the bound on recorded attempts. */
export const calloutAttemptsLimit = 10;
export const calloutTemplateCharsMax = 1_000;
/**
 * How early a patient may check in: a reception desk takes arrivals from an hour before their time, not from
 * the morning (a check-in hours ahead would put them in the queue before patients who are really there).
 */
export const checkInOpensMinutesBeforeDefault = 60;
/** The longest a clinic may open check-in before an appointment (the whole working day). */
export const checkInOpensMinutesBeforeMax = 720;

export const calloutPlaceholders = [
  'patient', 'date', 'time', 'doctor', 'specialty', 'services', 'clinic', 'address', 'clinicPhone',
] as const;
export type CalloutPlaceholder = (typeof calloutPlaceholders)[number];

/** Placeholders are written `[name]`, as in the call-out requirements. */
export const calloutTemplateDefault =
  'Hello [patient]. You are booked to [specialty] [doctor] at [clinic], [address], for [services] at [time] [date]. Will you come? ' +
  'Phone: [clinicPhone].';

export interface CalendarSettings {
  readonly slotHorizonDays: number;
  readonly holdTtlMinutes: number;
  readonly calloutTemplate: string;
  readonly calloutAttemptsMax: number;
  readonly checkInOpensMinutesBefore: number;
}

/** The part of the clinic's settings a doctor's calendar decides with. */
export interface DoctorCalendarSettings {
  readonly slotHorizonDays: number;
  readonly holdTtlMinutes: number;
  readonly checkInOpensMinutesBefore: number;
}

export const defaultCalendarSettings: CalendarSettings = {
  slotHorizonDays: slotHorizonDaysDefault,
  holdTtlMinutes: holdTtlMinutesDefault,
  calloutTemplate: calloutTemplateDefault,
  calloutAttemptsMax: calloutAttemptsMaxDefault,
  checkInOpensMinutesBefore: checkInOpensMinutesBeforeDefault,
};

export const defaultDoctorCalendarSettings: DoctorCalendarSettings = doctorPartOf(defaultCalendarSettings);

export function doctorPartOf(settings: CalendarSettings): DoctorCalendarSettings {
  return { slotHorizonDays: settings.slotHorizonDays, holdTtlMinutes: settings.holdTtlMinutes, checkInOpensMinutesBefore: settings.checkInOpensMinutesBefore };
}

/** Saved clinic settings with any field they predate at its default. */
export function withCalendarDefaults(saved: Partial<CalendarSettings>): CalendarSettings {
  return { ...defaultCalendarSettings, ...saved };
}

/** Saved doctor settings with any field they predate at its default. */
export function withDoctorCalendarDefaults(saved: Partial<DoctorCalendarSettings>): DoctorCalendarSettings {
  return { ...defaultDoctorCalendarSettings, ...saved };
}

/** True when two doctor parts differ in any field (what decides whether the doctors are told). */
export function doctorPartsDiffer(a: DoctorCalendarSettings, b: DoctorCalendarSettings): boolean {
  return a.slotHorizonDays !== b.slotHorizonDays || a.holdTtlMinutes !== b.holdTtlMinutes || a.checkInOpensMinutesBefore !== b.checkInOpensMinutesBefore;
}

function wholeIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

export function validateCalendarSettings(input: Partial<CalendarSettings>, base: CalendarSettings): CalendarSettings | Rejection {
  if (typeof input !== 'object' || input === null) return reject('invalid', 'settings must be an object', '/settings');
  const merged = { ...withCalendarDefaults(base), ...input };
  if (!wholeIn(merged.slotHorizonDays, 1, slotHorizonDaysMax)) {
    return reject('invalid', `slotHorizonDays must be 1..${slotHorizonDaysMax}`, '/settings/slotHorizonDays');
  }
  if (!wholeIn(merged.holdTtlMinutes, 1, holdTtlMinutesMax)) {
    return reject('invalid', `holdTtlMinutes must be 1..${holdTtlMinutesMax}`, '/settings/holdTtlMinutes');
  }
  if (!wholeIn(merged.calloutAttemptsMax, 1, calloutAttemptsLimit)) {
    return reject('invalid', `calloutAttemptsMax must be 1..${calloutAttemptsLimit}`, '/settings/calloutAttemptsMax');
  }
  if (!wholeIn(merged.checkInOpensMinutesBefore, 1, checkInOpensMinutesBeforeMax)) {
    return reject('invalid', `checkInOpensMinutesBefore must be 1..${checkInOpensMinutesBeforeMax}`, '/settings/checkInOpensMinutesBefore');
  }
  const template = merged.calloutTemplate;
  if (typeof template !== 'string' || template.trim() === '' || template.length > calloutTemplateCharsMax) {
    return reject('invalid', `calloutTemplate must be 1..${calloutTemplateCharsMax} characters`, '/settings/calloutTemplate');
  }
  const unknown = [...template.matchAll(/\[([A-Za-z]+)\]/g)].map((m) => m[1] as string).find((name) => !isPlaceholder(name));
  if (unknown !== undefined) {
    return reject('invalid', `unknown placeholder [${unknown}]; known: ${calloutPlaceholders.join(', ')}`, '/settings/calloutTemplate');
  }
  return {
    slotHorizonDays: merged.slotHorizonDays,
    holdTtlMinutes: merged.holdTtlMinutes,
    calloutTemplate: template,
    calloutAttemptsMax: merged.calloutAttemptsMax,
    checkInOpensMinutesBefore: merged.checkInOpensMinutesBefore,
  };
}

function isPlaceholder(name: string): name is CalloutPlaceholder {
  return (calloutPlaceholders as readonly string[]).includes(name);
}

/** The template with every known `[placeholder]` replaced by its field. */
export function fillTemplate(template: string, fields: Readonly<Record<CalloutPlaceholder, string>>): string {
  return template.replace(/\[([A-Za-z]+)\]/g, (whole, name: string) => (isPlaceholder(name) ? fields[name] : whole));
}
