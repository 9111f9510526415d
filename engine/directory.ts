/**
 * The region's directory: clinics with their settings and subdivisions, districts defined by address rules,
 * and doctors with their weekly hours. Plain data; the RegionActor owns it and hands each clinic and doctor
 * actor the part it needs.
 */
import type { SlotRuleInput } from './calendar/slot-template.ts';

export type AgeCategory = 'child' | 'adult';

export interface ClinicSettings {
  /** A call not assigned this long after creation is overdue (source: 30 minutes). */
  readonly assignSlaMinutes: number;
  /** An assigned call not completed this long after assignment is overdue (source: 24 hours). */
  readonly serveSlaMinutes: number;
  /** Calls registered at or after this local hour default to a visit tomorrow (source: 13:00). */
  readonly cutoffHour: number;
}

export const defaultClinicSettings: ClinicSettings = {
  assignSlaMinutes: 30,
  serveSlaMinutes: 24 * 60,
  cutoffHour: 13,
};

export interface Subdivision {
  readonly id: string;
  readonly name: string;
  /** Which patients it serves; undefined serves all ages. */
  readonly ageCategory?: AgeCategory;
}

export interface ClinicInfo {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly phone?: string;
  /** IANA zone, e.g. `Europe/Moscow`. */
  readonly timeZone: string;
  readonly subdivisions: readonly Subdivision[];
  readonly settings: ClinicSettings;
}

/** A house range on a street; `parity` limits it to odd or even numbers. No range: the whole street. */
export interface HouseRange {
  readonly from: number;
  readonly to: number;
  readonly parity?: 'odd' | 'even';
}

export interface AddressRule {
  readonly street: string;
  readonly houses?: readonly HouseRange[];
}

export interface District {
  readonly id: string;
  readonly clinicId: string;
  readonly subdivisionId: string;
  readonly name: string;
  readonly rules: readonly AddressRule[];
}

/** One working interval on an ISO weekday (1 = Monday), in minutes since local midnight. */
export interface WeeklyShift {
  readonly weekday: number;
  readonly startMinutes: number;
  readonly endMinutes: number;
}

export interface DoctorInfo {
  readonly id: string;
  readonly clinicId: string;
  readonly name: string;
  readonly specialty: string;
  readonly subdivisionId: string;
  readonly districtIds: readonly string[];
  readonly weeklyShifts: readonly WeeklyShift[];
  /** Minutes one home visit takes, for the doctor's load. */
  readonly homeVisitMinutes: number;
  readonly phone?: string;
  /** The initial weekly slot template of the reception calendar; `SetSchedule` replaces it later. */
  readonly slotTemplate?: readonly SlotRuleInput[];
}

export function houseInRange(house: number, range: HouseRange): boolean {
  if (house < range.from || house > range.to) return false;
  if (range.parity === 'odd') return house % 2 === 1;
  if (range.parity === 'even') return house % 2 === 0;
  return true;
}
