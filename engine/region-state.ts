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
      const list = this.patientsByPhone.get(phone);
      if (list === undefined) this.patientsByPhone.set(phone, [patient.id]);
      else if (!list.includes(patient.id)) list.push(patient.id);
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
      const key = memoStreetKey(part);
      const ids = this.districtsByStreet.get(key);
      if (ids === undefined) continue;
      for (const id of ids) {
        const district = this.districts.get(id);
        if (district === undefined || found.includes(district)) continue;
        if (districtCovers(district, key, number)) found.push(district);
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

function districtCovers(district: District, key: string, number: number | undefined): boolean {
  for (const rule of district.rules) {
    if (memoStreetKey(rule.street) !== key) continue;
    if (rule.houses === undefined || rule.houses.length === 0) return true;
    if (number === undefined) continue;
    for (const range of rule.houses) if (houseInRange(number, range)) return true;
  }
  return false;
}

/**
 * Street keys, memoised: of district rules (every call's routing compared them afresh) and of the parts of
 * call addresses (a region's addresses repeat the same few thousand streets, towns and house parts, and
 * normalising a part is a lower-casing, two replaces, a split and a join). The function is pure, so the memo
 * changes no answer; past `streetKeysMemoMax` entries it starts over.
 */
const streetKeysMemo = new Map<string, string>();
export const streetKeysMemoMax = 100_000;

function memoStreetKey(street: string): string {
  let key = streetKeysMemo.get(street);
  if (key === undefined) {
    if (streetKeysMemo.size >= streetKeysMemoMax) streetKeysMemo.clear();
    key = streetKey(street);
    streetKeysMemo.set(street, key);
  }
  return key;
}
