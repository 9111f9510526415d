/**
 * The home-call part of the operations report, folded one call at a time (a report streams a million archived
 * calls through here without holding them): counts by status, source, kind, age category, subdivision, doctor
 * and clinic, the service levels, and the per-day series.
 *
 * Service levels, per call, against its clinic's own limits (ClinicSettings):
 * - assignment: a call counts once it was assigned, or once it waited past the limit without being assigned
 *   (until it closed, or until the report's as-of time); it is within when assigned at most the limit after
 *   it was created. Calls closed unassigned within the limit are not counted.
 * - service: an assigned call counts once completed, or once it stayed unserved past the limit; it is within
 *   when completed at most the limit after its (first) assignment.
 *
 * Bounds: memory is the counters, two MinuteHistograms and one row per day of the range (at most
 * `reportDaysMax` days) and per doctor and subdivision that appears.
 */
import { callKinds, callSources, callStatuses, type CallKind, type CallSource, type CallStatus, type ClinicInfo, type HomeCall } from '../../engine/index.ts';
import { localDate } from '../../engine/domain/local-time.ts';
import { MinuteHistogram, type MinutePercentiles } from './minute-histogram.ts';

export const reportDaysMax = 3_660;

export interface DailyCalls {
  created: number;
  assigned: number;
  completed: number;
  cancelled: number;
  assignEligible: number;
  assignedWithinSla: number;
}

export interface CallSection {
  readonly total: number;
  readonly byStatus: Readonly<Record<CallStatus, number>>;
  readonly bySource: Readonly<Record<CallSource, number>>;
  readonly byKind: Readonly<Record<CallKind, number>>;
  readonly byAgeCategory: Readonly<Record<'child' | 'adult', number>>;
  readonly bySubdivision: ReadonlyArray<{ readonly clinicId: string; readonly subdivisionId: string | null; readonly name: string; readonly count: number }>;
  readonly byDoctor: ReadonlyArray<{ readonly doctorId: string; readonly clinicId: string; readonly name: string; readonly assigned: number; readonly completed: number }>;
  readonly byClinic: ReadonlyArray<{ readonly clinicId: string; readonly name: string; readonly count: number }>;
}

export interface ServiceLevels {
  readonly assignEligible: number;
  readonly assignedWithinSla: number;
  /** Percent, one decimal; null when no call counts. */
  readonly assignedWithinSlaPercent: number | null;
  readonly minutesToAssign: MinutePercentiles;
  readonly serveEligible: number;
  readonly servedWithinSla: number;
  readonly servedWithinSlaPercent: number | null;
  readonly minutesToServe: MinutePercentiles;
  /** Calls of the range that are open and overdue at the as-of time. */
  readonly overdueOpen: number;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

export function percentOf(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

export class CallTally {
  readonly #from: string;
  readonly #to: string;
  readonly #asOfMs: number;
  readonly #clinics: ReadonlyMap<string, ClinicInfo>;
  readonly #doctorNames: ReadonlyMap<string, string>;
  #total = 0;
  readonly #byStatus = zeroes(callStatuses);
  readonly #bySource = zeroes(callSources);
  readonly #byKind = zeroes(callKinds);
  readonly #byAge = zeroes(['child', 'adult'] as const);
  readonly #bySubdivision = new Map<string, number>();
  readonly #byDoctor = new Map<string, { clinicId: string; assigned: number; completed: number }>();
  readonly #byClinic = new Map<string, number>();
  readonly #toAssign = new MinuteHistogram();
  readonly #toServe = new MinuteHistogram();
  #assignEligible = 0;
  #assignedWithin = 0;
  #serveEligible = 0;
  #servedWithin = 0;
  #overdueOpen = 0;
  readonly daily = new Map<string, DailyCalls>();

  constructor(options: { from: string; to: string; asOfMs: number; clinics: ReadonlyMap<string, ClinicInfo>; doctorNames: ReadonlyMap<string, string> }) {
    this.#from = options.from;
    this.#to = options.to;
    this.#asOfMs = options.asOfMs;
    this.#clinics = options.clinics;
    this.#doctorNames = options.doctorNames;
  }

  /** Counts the call if it was created within the range (in its clinic's zone). */
  add(call: HomeCall): void {
    const clinic = this.#clinics.get(call.clinicId);
    if (clinic === undefined) return;
    const zone = clinic.timeZone;
    const created = localDate(call.createdAt, zone);
    if (created < this.#from || created > this.#to) return;
    this.#total += 1;
    this.#byStatus[call.status] += 1;
    this.#bySource[call.source] += 1;
    this.#byKind[call.kind] += 1;
    this.#byAge[call.patient.ageCategory] += 1;
    bump(this.#bySubdivision, `${call.clinicId}\u0000${call.subdivisionId ?? ''}`);
    bump(this.#byClinic, call.clinicId);
    this.#day(created).created += 1;
    if (call.doctorId !== undefined) {
      const row = this.#byDoctor.get(call.doctorId) ?? { clinicId: call.clinicId, assigned: 0, completed: 0 };
      row.assigned += 1;
      if (call.status === 'completed') row.completed += 1;
      this.#byDoctor.set(call.doctorId, row);
    }
    if (call.status === 'cancelled' && call.closedAt !== undefined) this.#countOn(localDate(call.closedAt, zone), 'cancelled');
    if (call.overdue && (call.status === 'received' || call.status === 'new' || call.status === 'assigned')) this.#overdueOpen += 1;
    this.#serviceLevels(call, clinic, created);
  }

  #serviceLevels(call: HomeCall, clinic: ClinicInfo, created: string): void {
    const assignLimitMs = clinic.settings.assignSlaMinutes * 60_000;
    const serveLimitMs = clinic.settings.serveSlaMinutes * 60_000;
    const createdDay = this.#day(created);
    if (call.assignedAt !== undefined) {
      const waited = call.assignedAt - call.createdAt;
      this.#toAssign.record(waited);
      this.#assignEligible += 1;
      createdDay.assignEligible += 1;
      if (waited <= assignLimitMs) {
        this.#assignedWithin += 1;
        createdDay.assignedWithinSla += 1;
      }
      this.#countOn(localDate(call.assignedAt, clinic.timeZone), 'assigned');
      const servedAt = call.status === 'completed' ? call.completedAt : undefined;
      if (servedAt !== undefined) {
        this.#toServe.record(servedAt - call.assignedAt);
        this.#serveEligible += 1;
        if (servedAt - call.assignedAt <= serveLimitMs) this.#servedWithin += 1;
        this.#countOn(localDate(servedAt, clinic.timeZone), 'completed');
      } else if ((call.closedAt ?? this.#asOfMs) - call.assignedAt > serveLimitMs) {
        this.#serveEligible += 1;
      }
    } else if ((call.closedAt ?? this.#asOfMs) - call.createdAt > assignLimitMs) {
      this.#assignEligible += 1;
      createdDay.assignEligible += 1;
    }
  }

  #day(date: string): DailyCalls {
    let day = this.daily.get(date);
    if (day === undefined) {
      day = { created: 0, assigned: 0, completed: 0, cancelled: 0, assignEligible: 0, assignedWithinSla: 0 };
      this.daily.set(date, day);
    }
    return day;
  }

  /** Counts on the day something happened, when that day is within the range. */
  #countOn(date: string, field: 'assigned' | 'completed' | 'cancelled'): void {
    if (date >= this.#from && date <= this.#to) this.#day(date)[field] += 1;
  }

  calls(): CallSection {
    const subdivisionName = (clinicId: string, subdivisionId: string): string => {
      const clinic = this.#clinics.get(clinicId);
      const name = clinic?.subdivisions.find((s) => s.id === subdivisionId)?.name ?? (subdivisionId === '' ? '—' : subdivisionId);
      return this.#clinics.size > 1 ? `${clinic?.name ?? clinicId} — ${name}` : name;
    };
    return {
      total: this.#total,
      byStatus: { ...this.#byStatus },
      bySource: { ...this.#bySource },
      byKind: { ...this.#byKind },
      byAgeCategory: { ...this.#byAge },
      bySubdivision: [...this.#bySubdivision].map(([key, count]) => {
        const [clinicId = '', subdivisionId = ''] = key.split('\u0000');
        return { clinicId, subdivisionId: subdivisionId === '' ? null : subdivisionId, name: subdivisionName(clinicId, subdivisionId), count };
      }).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
      byDoctor: [...this.#byDoctor].map(([doctorId, row]) => ({ doctorId, clinicId: row.clinicId, name: this.#doctorNames.get(doctorId) ?? doctorId, assigned: row.assigned, completed: row.completed }))
        .sort((a, b) => b.assigned - a.assigned || a.name.localeCompare(b.name)),
      byClinic: [...this.#byClinic].map(([clinicId, count]) => ({ clinicId, name: this.#clinics.get(clinicId)?.name ?? clinicId, count }))
        .sort((a, b) => a.clinicId.localeCompare(b.clinicId)),
    };
  }

  serviceLevels(): ServiceLevels {
    return {
      assignEligible: this.#assignEligible,
      assignedWithinSla: this.#assignedWithin,
      assignedWithinSlaPercent: percentOf(this.#assignedWithin, this.#assignEligible),
      minutesToAssign: this.#toAssign.summary(),
      serveEligible: this.#serveEligible,
      servedWithinSla: this.#servedWithin,
      servedWithinSlaPercent: percentOf(this.#servedWithin, this.#serveEligible),
      minutesToServe: this.#toServe.summary(),
      overdueOpen: this.#overdueOpen,
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
