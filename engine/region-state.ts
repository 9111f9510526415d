/**
 * The RegionActor's state: the directory, the patient index and the one-open-call-per-patient index.
 * Canonical maps are snapshotted; lookup indexes (streets, policies, names) are derived and rebuilt on restore.
 */
import type { ClinicInfo, District, DoctorInfo } from './directory.ts';
import { houseInRange } from './directory.ts';
import { houseNumber, streetKey } from './domain/street-key.ts';
import type { Patient } from './patient.ts';
import { nameBirthKey, namePhoneKey } from './patient.ts';

export interface RegionSnapshot {
  readonly clinics: ClinicInfo[];
  readonly districts: District[];
  readonly doctors: DoctorInfo[];
  readonly patients: Patient[];
  readonly openCalls: Array<[string, string]>;
  readonly patientCalls: Array<[string, string[]]>;
  readonly externalKeys: Array<[string, string]>;
}

export class RegionState {
  readonly clinics = new Map<string, ClinicInfo>();
  readonly districts = new Map<string, District>();
  readonly doctors = new Map<string, DoctorInfo>();
  readonly patients = new Map<string, Patient>();
  /** patientId → the id of the patient's one open call. */
  readonly openCallByPatient = new Map<string, string>();
  /** patientId → every call id of the patient, oldest first. */
  readonly callsByPatient = new Map<string, string[]>();
  /** `<source>:<externalId>` → call id: a partner's retry finds its first call. */
  readonly callByExternalKey = new Map<string, string>();

  // Derived indexes.
  readonly districtsByStreet = new Map<string, string[]>();
  readonly patientByPolicy = new Map<string, string>();
  readonly patientByNameBirth = new Map<string, string>();
  readonly patientByNamePhone = new Map<string, string>();
  readonly patientsByPhone = new Map<string, string[]>();

  indexDistrict(district: District): void {
    for (const rule of district.rules) {
      const key = streetKey(rule.street);
      const list = this.districtsByStreet.get(key) ?? [];
      if (!list.includes(district.id)) list.push(district.id);
      this.districtsByStreet.set(key, list);
    }
  }

  indexPatient(patient: Patient): void {
    if (patient.policy !== undefined) this.patientByPolicy.set(patient.policy, patient.id);
    this.patientByNameBirth.set(nameBirthKey(patient), patient.id);
    for (const phone of patient.phones) {
      this.patientByNamePhone.set(namePhoneKey(patient, phone), patient.id);
      const list = this.patientsByPhone.get(phone) ?? [];
      if (!list.includes(patient.id)) list.push(patient.id);
      this.patientsByPhone.set(phone, list);
    }
  }

  /**
   * Districts whose rules cover the address: each comma-separated part of the text is tried as a street,
   * with the house from the `house` field or the text. Cost: O(parts + rules of the matching streets).
   */
  districtsForAddress(text: string, house: string | undefined): District[] {
    const parts = text.split(',');
    const number = houseNumber(house ?? '') ?? firstHouseInParts(parts);
    const found: District[] = [];
    for (const part of parts) {
      const key = streetKey(part);
      const ids = this.districtsByStreet.get(key);
      if (ids === undefined) continue;
      for (const id of ids) {
        const district = this.districts.get(id);
        if (district === undefined || found.includes(district)) continue;
        const covers = district.rules.some(
          (rule) =>
            ruleStreetKey(rule.street) === key &&
            (rule.houses === undefined || rule.houses.length === 0 || (number !== undefined && rule.houses.some((r) => houseInRange(number, r)))),
        );
        if (covers) found.push(district);
      }
    }
    return found;
  }

  toSnapshot(): RegionSnapshot {
    return {
      clinics: [...this.clinics.values()],
      districts: [...this.districts.values()],
      doctors: [...this.doctors.values()],
      patients: [...this.patients.values()],
      openCalls: [...this.openCallByPatient],
      patientCalls: [...this.callsByPatient].map(([id, calls]) => [id, [...calls]]),
      externalKeys: [...this.callByExternalKey],
    };
  }

  static fromSnapshot(snapshot: RegionSnapshot): RegionState {
    const state = new RegionState();
    for (const clinic of snapshot.clinics) state.clinics.set(clinic.id, clinic);
    for (const district of snapshot.districts) {
      state.districts.set(district.id, district);
      state.indexDistrict(district);
    }
    for (const doctor of snapshot.doctors) state.doctors.set(doctor.id, doctor);
    for (const patient of snapshot.patients) {
      state.patients.set(patient.id, patient);
      state.indexPatient(patient);
    }
    for (const [patientId, callId] of snapshot.openCalls) state.openCallByPatient.set(patientId, callId);
    for (const [patientId, calls] of snapshot.patientCalls) state.callsByPatient.set(patientId, [...calls]);
    for (const [key, callId] of snapshot.externalKeys) state.callByExternalKey.set(key, callId);
    return state;
  }
}

function firstHouseInParts(parts: readonly string[]): number | undefined {
  for (const part of parts.slice(1)) {
    const number = houseNumber(part);
    if (number !== undefined) return number;
  }
  return undefined;
}

/**
 * Street keys of district rules, memoised: every call's routing compared them afresh. Rules are a region's
 * directory (thousands of streets at most); past the bound the memo starts over.
 */
const ruleStreetKeys = new Map<string, string>();
const ruleStreetKeysMax = 100_000;

function ruleStreetKey(street: string): string {
  let key = ruleStreetKeys.get(street);
  if (key === undefined) {
    if (ruleStreetKeys.size >= ruleStreetKeysMax) ruleStreetKeys.clear();
    key = streetKey(street);
    ruleStreetKeys.set(street, key);
  }
  return key;
}
