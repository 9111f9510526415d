/**
 * A doctor's weekly slot template (when the doctor receives patients, in which cabinet, how long one slot is)
 * and the slot ids derived from it. A slot id is `<doctorId>.<YYYYMMDD>.<HHMM>`: the owner part routes any
 * slot command to the doctor's actor, and the rest names the slot without a lookup table.
 *
 * Bounds: at most `templateRulesMax` rules; a slot lasts `slotMinutesMin`..`slotMinutesMax`, so a day holds at
 * most `slotsPerDayMax` slots and a doctor's materialised horizon at most `slotsPerDoctorMax`.
 */
import { isOwnerId } from '../address.ts';
import { formatHhmm, isIsoDate, weekdayOf } from '../domain/local-time.ts';
import { reject, type Rejection } from '../rejection.ts';
import { slotHorizonDaysMax } from './calendar-settings.ts';

export const templateRulesMax = 28;
export const slotMinutesMin = 5;
export const slotMinutesMax = 240;
export const slotsPerDayMax = (24 * 60) / slotMinutesMin;
export const slotsPerDoctorMax = slotsPerDayMax * slotHorizonDaysMax;
export const cabinetCharsMax = 20;

/** Slot length when a rule does not name one: by the doctor's specialty, else `slotMinutesDefault`. */
export const slotMinutesBySpecialty: Readonly<Record<string, number>> = {
  therapist: 15,
  pediatrician: 20,
  surgeon: 20,
  neurologist: 30,
  cardiologist: 30,
  ophthalmologist: 15,
  dentist: 30,
};
export const slotMinutesDefault = 20;

/** One receiving interval on an ISO weekday (1 = Monday), minutes since local midnight. */
export interface SlotRuleInput {
  readonly weekday: number;
  readonly startMinutes: number;
  readonly endMinutes: number;
  readonly slotMinutes?: number;
  readonly cabinet: string;
}

/** A validated rule: the slot length is resolved. */
export interface SlotRule {
  readonly weekday: number;
  readonly startMinutes: number;
  readonly endMinutes: number;
  readonly slotMinutes: number;
  readonly cabinet: string;
}

export interface SlotShape {
  readonly startMinutes: number;
  readonly endMinutes: number;
  readonly cabinet: string;
}

export function slotMinutesFor(specialty: string): number {
  return slotMinutesBySpecialty[specialty] ?? slotMinutesDefault;
}

export function validateSlotTemplate(input: unknown, specialty: string, field = '/template'): SlotRule[] | Rejection {
  if (!Array.isArray(input)) return reject('invalid', 'the template must be a list of rules', field);
  if (input.length > templateRulesMax) return reject('invalid', `at most ${templateRulesMax} rules`, field);
  const rules: SlotRule[] = [];
  for (const [index, raw] of (input as readonly SlotRuleInput[]).entries()) {
    const path = `${field}/${index}`;
    const rule = validateRule(raw, specialty, path);
    if ('code' in rule) return rule;
    const overlapping = rules.find((r) => r.weekday === rule.weekday && r.startMinutes < rule.endMinutes && rule.startMinutes < r.endMinutes);
    if (overlapping !== undefined) return reject('invalid', 'rules of one weekday overlap', path);
    rules.push(rule);
  }
  return rules.sort((a, b) => a.weekday - b.weekday || a.startMinutes - b.startMinutes);
}

function validateRule(raw: SlotRuleInput, specialty: string, path: string): SlotRule | Rejection {
  if (typeof raw !== 'object' || raw === null) return reject('invalid', 'a rule must be an object', path);
  const { weekday, startMinutes, endMinutes } = raw;
  if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7) return reject('invalid', 'weekday must be 1..7', `${path}/weekday`);
  const timesOk =
    Number.isInteger(startMinutes) && Number.isInteger(endMinutes) && startMinutes >= 0 && startMinutes < endMinutes && endMinutes <= 1440;
  if (!timesOk) return reject('invalid', 'a rule needs 0 <= startMinutes < endMinutes <= 1440', `${path}/startMinutes`);
  const slotMinutes = raw.slotMinutes ?? slotMinutesFor(specialty);
  if (!Number.isInteger(slotMinutes) || slotMinutes < slotMinutesMin || slotMinutes > slotMinutesMax) {
    return reject('invalid', `slotMinutes must be ${slotMinutesMin}..${slotMinutesMax}`, `${path}/slotMinutes`);
  }
  if (endMinutes - startMinutes < slotMinutes) return reject('invalid', 'the interval is shorter than one slot', `${path}/endMinutes`);
  if (typeof raw.cabinet !== 'string' || raw.cabinet.trim() === '' || raw.cabinet.length > cabinetCharsMax) {
    return reject('invalid', `cabinet must be 1..${cabinetCharsMax} characters`, `${path}/cabinet`);
  }
  return { weekday, startMinutes, endMinutes, slotMinutes, cabinet: raw.cabinet.trim() };
}

/** The slots the template gives on a date, in start order; whole slots only (a remainder is not a slot). */
export function slotShapesOn(template: readonly SlotRule[], date: string): SlotShape[] {
  const weekday = weekdayOf(date);
  const shapes: SlotShape[] = [];
  for (const rule of template) {
    if (rule.weekday !== weekday) continue;
    for (let start = rule.startMinutes; start + rule.slotMinutes <= rule.endMinutes; start += rule.slotMinutes) {
      shapes.push({ startMinutes: start, endMinutes: start + rule.slotMinutes, cabinet: rule.cabinet });
    }
  }
  return shapes.sort((a, b) => a.startMinutes - b.startMinutes);
}

export function slotIdOf(doctorId: string, date: string, startMinutes: number): string {
  return `${doctorId}.${date.replace(/-/g, '')}.${formatHhmm(startMinutes).replace(':', '')}`;
}

export interface ParsedSlotId {
  readonly doctorId: string;
  readonly date: string;
  readonly startMinutes: number;
}

const slotIdPattern = /^([A-Za-z0-9_-]{1,64})\.(\d{4})(\d{2})(\d{2})\.([01]\d|2[0-3])([0-5]\d)$/;

/** The parts of a well-formed slot id, or undefined. */
export function parseSlotId(slotId: unknown): ParsedSlotId | undefined {
  if (typeof slotId !== 'string') return undefined;
  // Longer than any slot id: parsed (and refused) without a memo entry, so junk cannot fill memory.
  if (slotId.length > slotIdCharsMax) return parseSlotIdUncached(slotId);
  const known = parsedSlotIds.get(slotId);
  if (known !== undefined) return known === null ? undefined : known;
  const parsed = parseSlotIdUncached(slotId);
  if (parsedSlotIds.size >= parsedSlotIdsMax) parsedSlotIds.clear();
  parsedSlotIds.set(slotId, parsed ?? null);
  return parsed;
}

/**
 * Parsed slot ids, memoised (results are frozen and shared): every hold, booking and slot read parses its id,
 * often more than once, and in a booking storm thousands of requests a second name the same few slots.
 */
const parsedSlotIds = new Map<string, ParsedSlotId | null>();
/** `<doctor id of at most 64>.YYYYMMDD.HHMM`. */
const slotIdCharsMax = 64 + 1 + 8 + 1 + 4;
const parsedSlotIdsMax = 100_000;

function parseSlotIdUncached(slotId: string): ParsedSlotId | undefined {
  const match = slotIdPattern.exec(slotId);
  if (match === null) return undefined;
  const doctorId = match[1] as string;
  const date = `${match[2]}-${match[3]}-${match[4]}`;
  if (!isOwnerId(doctorId) || !isIsoDate(date)) return undefined;
  return Object.freeze({ doctorId, date, startMinutes: Number(match[5]) * 60 + Number(match[6]) });
}
