/**
 * The read side over a running engine: typed access to actor states and the views that combine several
 * actors (a patient's calls across clinics, the ranked doctors of the assign dialog). Read-only: nothing
 * here changes state, and nothing scans history.
 */
import { clinicAddress, doctorAddress, ownerOf, regionAddress } from './address.ts';
import { ClinicState } from './clinic-state.ts';
import { DoctorState } from './doctor-state.ts';
import { addDays, formatHhmm, localParts } from './domain/local-time.ts';
import type { Engine } from './engine.ts';
import type { HomeCall } from './home-call.ts';
import { RegionState } from './region-state.ts';
import { normalizePhone } from './domain/phone.ts';
import { normalizePolicy } from './domain/policy.ts';
import { assert } from './rejection.ts';

export const patientCallsMax = 200;

/** Where closed calls that left the actors' memory are found (persistence/call-archive.ts). */
export interface CallArchiveReader {
  get(callId: string): HomeCall | undefined;
}

export class ReadModel {
  readonly #engine: Engine;
  readonly #archive: CallArchiveReader | undefined;

  constructor(engine: Engine, archive?: CallArchiveReader) {
    this.#engine = engine;
    this.#archive = archive;
  }

  region(): RegionState {
    const state = this.#engine.stateOf(regionAddress) ?? new RegionState();
    assert(state instanceof RegionState, 'region state has the wrong type');
    return state;
  }

  clinic(clinicId: string): ClinicState | undefined {
    const state = this.#engine.stateOf(clinicAddress(clinicId));
    if (state === undefined) return undefined;
    assert(state instanceof ClinicState, 'clinic state has the wrong type');
    return state.info === undefined ? undefined : state;
  }

  doctor(doctorId: string): DoctorState | undefined {
    const state = this.#engine.stateOf(doctorAddress(doctorId));
    if (state === undefined) return undefined;
    assert(state instanceof DoctorState, 'doctor state has the wrong type');
    return state.info === undefined ? undefined : state;
  }

  /** A call from its clinic's memory, or, once it left memory, from the archive. */
  call(callId: string): HomeCall | undefined {
    const clinicId = ownerOf(callId);
    if (clinicId === undefined) return undefined;
    return this.clinic(clinicId)?.calls.get(callId) ?? this.#archive?.get(callId);
  }

  /** A patient's calls found by policy or phone, newest first (what the call centre and the portal show). */
  callsOfPatient(query: { policy?: string; phone?: string }): HomeCall[] {
    const region = this.region();
    const patientIds = new Set<string>();
    if (query.policy !== undefined) {
      const policy = normalizePolicy(query.policy);
      const id = policy === undefined ? undefined : region.patientByPolicy.get(policy);
      if (id !== undefined) patientIds.add(id);
    }
    if (query.phone !== undefined) {
      const phone = normalizePhone(query.phone);
      for (const id of phone === undefined ? [] : (region.patientsByPhone.get(phone) ?? [])) patientIds.add(id);
    }
    const calls: HomeCall[] = [];
    for (const patientId of patientIds) {
      for (const callId of region.callsByPatient.get(patientId) ?? []) {
        const call = this.call(callId);
        if (call !== undefined) calls.push(call);
      }
    }
    calls.sort((a, b) => b.createdAt - a.createdAt);
    return calls.slice(0, patientCallsMax);
  }

  /**
   * The assign dialog's doctor list for a call: those who work that day first (the others can only be shown,
   * not chosen), then district match, subdivision match, least load, name.
   */
  suggestDoctors(callId: string, at: number, visitDate?: string): DoctorSuggestion[] {
    const call = this.call(callId);
    const clinic = call === undefined ? undefined : this.clinic(call.clinicId);
    if (call === undefined || clinic === undefined) return [];
    const now = localParts(at, clinic.info?.timeZone ?? 'UTC');
    const date = visitDate ?? call.visitDate;
    const rows: DoctorSuggestion[] = [];
    for (const info of clinic.roster.values()) {
      const doctor = this.doctor(info.id);
      if (doctor === undefined) continue;
      const shifts = doctor.shiftsOn(date);
      const todayShifts = doctor.shiftsOn(now.date);
      const lastToday = todayShifts[todayShifts.length - 1];
      rows.push({
        doctorId: info.id,
        name: info.name,
        specialty: info.specialty,
        subdivisionId: info.subdivisionId,
        districtIds: info.districtIds,
        districtMatch: call.districtId !== undefined && info.districtIds.includes(call.districtId),
        subdivisionMatch: call.subdivisionId === undefined || call.subdivisionId === info.subdivisionId,
        worksOnDate: shifts.length > 0,
        hours: shifts.map((s) => `${formatHhmm(s.startMinutes)}–${formatHhmm(s.endMinutes)}`).join(', '),
        loadPercentOnDate: loadPercent(doctor, date),
        loadPercentToday: loadPercent(doctor, now.date),
        loadPercentTomorrow: loadPercent(doctor, addDays(now.date, 1)),
        shiftOverToday: lastToday === undefined || now.minutes >= lastToday.endMinutes,
        visitsOnDate: doctor.visitsOn(date).size,
      });
    }
    rows.sort(
      (a, b) =>
        Number(b.worksOnDate) - Number(a.worksOnDate) ||
        Number(b.districtMatch) - Number(a.districtMatch) ||
        Number(b.subdivisionMatch) - Number(a.subdivisionMatch) ||
        a.loadPercentOnDate - b.loadPercentOnDate ||
        a.name.localeCompare(b.name),
    );
    return rows;
  }
}

export interface DoctorSuggestion {
  readonly doctorId: string;
  readonly name: string;
  readonly specialty: string;
  readonly subdivisionId: string;
  readonly districtIds: readonly string[];
  readonly districtMatch: boolean;
  /** The doctor's subdivision serves the call's (adults or children). */
  readonly subdivisionMatch: boolean;
  readonly worksOnDate: boolean;
  /** Working hours on the date, e.g. `07:00–20:00`. */
  readonly hours: string;
  readonly loadPercentOnDate: number;
  readonly loadPercentToday: number;
  readonly loadPercentTomorrow: number;
  /** "Time is over": today's last shift has ended. */
  readonly shiftOverToday: boolean;
  readonly visitsOnDate: number;
}

/** Share of the day's working minutes taken by assigned home visits, in whole percent (0 when not working). */
export function loadPercent(doctor: DoctorState, date: string): number {
  const working = doctor.workingMinutesOn(date);
  if (working === 0) return 0;
  const taken = doctor.visitsOn(date).size * (doctor.info?.homeVisitMinutes ?? 0);
  return Math.round((taken / working) * 100);
}
