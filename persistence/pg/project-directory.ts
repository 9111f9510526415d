/**
 * Directory events → `clinic`, `clinic_subdivision`, `district`, `doctor`; patient index events → `patient`.
 * Upserts: a directory entry is a whole value in its event, so the row is simply the newest value.
 */
import type { ClinicInfo, ClinicSettings, District, DoctorInfo, Patient } from '../../engine/index.ts';
import { defaultCalendarSettings, idOf } from '../../engine/index.ts';
import { jsonOf, type ProjectionContext } from './projection-context.ts';

export async function projectClinic(context: ProjectionContext, clinic: ClinicInfo): Promise<void> {
  const row = {
    id: clinic.id,
    name: clinic.name,
    address: clinic.address,
    phone: clinic.phone ?? null,
    time_zone: clinic.timeZone,
    assign_sla_minutes: clinic.settings.assignSlaMinutes,
    serve_sla_minutes: clinic.settings.serveSlaMinutes,
    cutoff_hour: clinic.settings.cutoffHour,
  };
  // Calendar settings start at the defaults; only ClinicCalendarSettingsChanged moves them.
  const calendar = {
    slot_horizon_days: defaultCalendarSettings.slotHorizonDays,
    hold_ttl_minutes: defaultCalendarSettings.holdTtlMinutes,
    callout_template: defaultCalendarSettings.calloutTemplate,
    callout_attempts_max: defaultCalendarSettings.calloutAttemptsMax,
  };
  await context.trx
    .insertInto('clinic')
    .values({ ...row, ...calendar })
    .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    .execute();
  await context.trx.deleteFrom('clinic_subdivision').where('clinic_id', '=', clinic.id).execute();
  if (clinic.subdivisions.length === 0) return;
  await context.trx
    .insertInto('clinic_subdivision')
    .values(
      clinic.subdivisions.map((subdivision) => ({
        clinic_id: clinic.id,
        id: subdivision.id,
        name: subdivision.name,
        age_category: subdivision.ageCategory ?? null,
      })),
    )
    .execute();
}

/**
 * The region's event names the clinic; the clinic actor's copy of the same change does not, so the clinic is
 * taken from the address then. Both copies set the same values.
 */
export async function projectClinicSettings(context: ProjectionContext, clinicId: string | undefined, settings: ClinicSettings): Promise<void> {
  await context.trx
    .updateTable('clinic')
    .set({
      assign_sla_minutes: settings.assignSlaMinutes,
      serve_sla_minutes: settings.serveSlaMinutes,
      cutoff_hour: settings.cutoffHour,
    })
    .where('id', '=', clinicId ?? idOf(context.address))
    .execute();
}

export async function projectDistrict(context: ProjectionContext, district: District): Promise<void> {
  const row = {
    id: district.id,
    clinic_id: district.clinicId,
    subdivision_id: district.subdivisionId,
    name: district.name,
    rules: jsonOf(district.rules),
  };
  await context.trx
    .insertInto('district')
    .values(row)
    .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    .execute();
}

/** The region's DoctorAdded and the clinic roster's copy carry the same entry; the time zone comes later. */
export async function projectDoctor(context: ProjectionContext, doctor: DoctorInfo): Promise<void> {
  const row = {
    id: doctor.id,
    clinic_id: doctor.clinicId,
    name: doctor.name,
    specialty: doctor.specialty,
    subdivision_id: doctor.subdivisionId,
    district_ids: [...doctor.districtIds],
    weekly_shifts: jsonOf(doctor.weeklyShifts),
    home_visit_minutes: doctor.homeVisitMinutes,
    phone: doctor.phone ?? null,
  };
  await context.trx
    .insertInto('doctor')
    .values({ ...row, time_zone: null })
    .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    .execute();
}

export async function projectDoctorOpened(context: ProjectionContext, doctor: DoctorInfo, timeZone: string): Promise<void> {
  await projectDoctor(context, doctor);
  await context.trx.updateTable('doctor').set({ time_zone: timeZone }).where('id', '=', doctor.id).execute();
}

export async function projectPatient(context: ProjectionContext, patient: Patient): Promise<void> {
  const row = {
    id: patient.id,
    policy: patient.policy ?? null,
    surname: patient.surname,
    name: patient.name,
    patronymic: patient.patronymic ?? null,
    full_name: fullNameOf(patient),
    birth_date: patient.birthDate,
    sex: patient.sex,
    phones: [...patient.phones],
    card_number: patient.cardNumber ?? null,
  };
  await context.trx
    .insertInto('patient')
    .values(row)
    .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
    .execute();
}

/** As the engine spells a full name (engine/patient.ts fullName, which its public surface exports as a type only). */
export function fullNameOf(person: { readonly surname: string; readonly name: string; readonly patronymic?: string }): string {
  return person.patronymic === undefined ? `${person.surname} ${person.name}` : `${person.surname} ${person.name} ${person.patronymic}`;
}
