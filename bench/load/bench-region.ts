// The bench's region: `clinics` clinics shaped like the demo region (adult and children's subdivisions, one
// district per street, doctors alternating therapist and pediatrician with a reception slot template), so the
// operator load can spread 1,353 or 19,000 operators over a realistic number of clinics instead of the demo's
// three. Doctors work every day around the clock, so a home visit can be assigned whatever the hour and the
// weekday the bench runs at (the demo's doctors are off on Sundays and at night); reception runs 08:00–12:00
// every day, 15- or 20-minute slots depending on the specialty, for the engine's 14-day horizon.
//
// Ids: clinic `c<n>`, doctor `c<n>-d<m>`, district `c<n>-a<s>` / `c<n>-c<s>`; street `ул. Стендовая <n>-<s>`.

import type { DoctorInfo, WeeklyShift } from '../../engine/directory.ts';
import type { RegionCommand } from '../../engine/messages.ts';

export const benchTimeZone = 'Europe/Moscow';
export const benchClinicsMax = 1_000;
export const benchDoctorsPerClinicMax = 200;
export const streetsPerClinic = 3;
const receptionStartMinutes = 8 * 60;
const receptionEndMinutes = 12 * 60;

export interface BenchRegionShape {
  readonly clinics: number;
  readonly doctorsPerClinic: number;
}

export function benchClinicId(clinic: number): string {
  return `c${clinic}`;
}

export function benchDoctorId(clinic: number, doctor: number): string {
  return `c${clinic}-d${doctor}`;
}

export function benchStreet(clinic: number, street: number): string {
  return `ул. Стендовая ${clinic}-${street}`;
}

export function assertRegionShape(shape: BenchRegionShape): void {
  const ok = (value: number, max: number): boolean => Number.isInteger(value) && value >= 1 && value <= max;
  if (!ok(shape.clinics, benchClinicsMax) || !ok(shape.doctorsPerClinic, benchDoctorsPerClinicMax)) {
    throw new RangeError(`bench region: clinics in [1, ${benchClinicsMax}] and doctorsPerClinic in [1, ${benchDoctorsPerClinicMax}], ` +
      `got ${shape.clinics} and ${shape.doctorsPerClinic}`);
  }
}

const allWeek: readonly number[] = [1, 2, 3, 4, 5, 6, 7];

function doctorOf(clinic: number, doctor: number): DoctorInfo {
  const pediatric = doctor % 2 === 0;
  const street = ((doctor - 1) >> 1) % streetsPerClinic + 1;
  const weeklyShifts: WeeklyShift[] = allWeek.map((weekday) => ({ weekday, startMinutes: 0, endMinutes: 24 * 60 }));
  return {
    id: benchDoctorId(clinic, doctor),
    clinicId: benchClinicId(clinic),
    name: `Врач ${clinic}-${doctor}`,
    specialty: pediatric ? 'pediatrician' : 'therapist',
    subdivisionId: pediatric ? 'child' : 'adult',
    districtIds: [`${benchClinicId(clinic)}-${pediatric ? 'c' : 'a'}${street}`],
    weeklyShifts,
    homeVisitMinutes: 30,
    phone: `+7920${String(clinic).padStart(3, '0')}${String(doctor).padStart(4, '0')}`,
    slotTemplate: allWeek.map((weekday) => ({
      weekday, startMinutes: receptionStartMinutes, endMinutes: receptionEndMinutes, cabinet: String(100 + doctor),
    })),
  };
}

/** The directory commands of the bench region, in order. */
export function benchRegionCommands(shape: BenchRegionShape): RegionCommand[] {
  assertRegionShape(shape);
  const commands: RegionCommand[] = [];
  for (let clinic = 1; clinic <= shape.clinics; clinic += 1) {
    const clinicId = benchClinicId(clinic);
    commands.push({
      type: 'AddClinic',
      clinic: {
        id: clinicId, name: `Поликлиника № ${clinic}`, address: `г. Ярославль, ${benchStreet(clinic, 1)}, 1`,
        phone: `+7485220${String(clinic).padStart(4, '0')}`, timeZone: benchTimeZone,
        subdivisions: [
          { id: 'adult', name: 'Взрослая поликлиника', ageCategory: 'adult' },
          { id: 'child', name: 'Детская поликлиника', ageCategory: 'child' },
        ],
      },
    });
    for (let street = 1; street <= streetsPerClinic; street += 1) {
      for (const [subdivisionId, letter] of [['adult', 'a'], ['child', 'c']] as const) {
        commands.push({
          type: 'AddDistrict',
          district: {
            id: `${clinicId}-${letter}${street}`, clinicId, subdivisionId, name: `Участок ${letter}${street}`,
            rules: [{ street: benchStreet(clinic, street), houses: [{ from: 1, to: 500 }] }],
          },
        });
      }
    }
    for (let doctor = 1; doctor <= shape.doctorsPerClinic; doctor += 1) {
      commands.push({ type: 'AddDoctor', doctor: doctorOf(clinic, doctor) });
    }
  }
  return commands;
}
