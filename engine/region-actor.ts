/**
 * RegionActor: the directory, the patient index, routing of new calls to clinics by address, the
 * one-open-call-per-patient rule across the region, and the first step of a transfer between clinics.
 * Every check that can fail runs before any event, so a rejection changes nothing.
 */
import { accept, rejected, type ActorBehavior, type DecideContext, type Decision } from './actor.ts';
import { clinicAddress, doctorAddress, ownerOf } from './address.ts';
import type { AgeCategory, ClinicInfo, District } from './directory.ts';
import { validateClinic, validateDistrict, validateDoctor, validateSettings } from './directory-validation.ts';
import { redFlagsOf } from './domain/complaints.ts';
import { ageOn, localDate } from './domain/local-time.ts';
import type { CallIntake, CallPatient } from './home-call.ts';
import { validateIntake, validateText, reasonCharsMax, type NormalizedIntake } from './intake.ts';
import type { RegionCommand, RegionEvent, RegionInput } from './messages.ts';
import type { Patient, PatientInput } from './patient.ts';
import { nameBirthKey, samePerson } from './patient.ts';
import { reject } from './rejection.ts';
import { RegionState, type RegionSnapshot } from './region-state.ts';
import { assertNever } from './router.ts';
import { decideBookAppointment, decideRescheduleAcross } from './calendar/booking-intake.ts';
import { templateError } from './calendar/schedule-decide.ts';

/** Age at which a patient is an adult for district and subdivision choice. */
export const adultAgeYears = 18;
/** The zone used to date a call before its clinic is known. */
export const regionTimeZoneDefault = 'Europe/Moscow';

const accepted = new Set<string>([
  'AddClinic', 'UpdateClinicSettings', 'AddDistrict', 'AddDoctor', 'RegisterCall', 'TransferCall', 'CallClosed', 'OpenCallMoved',
  'BookAppointment', 'RescheduleAppointment',
]);

export const regionBehavior: ActorBehavior<RegionState, RegionInput, RegionEvent, RegionSnapshot> = {
  kind: 'region',
  accepts: accepted,
  creators: accepted,
  create: () => new RegionState(),
  decide: decideRegion,
  evolve: evolveRegion,
  nextDeadline: () => undefined,
  snapshot: (state) => state.toSnapshot(),
  restore: (_id, snapshot) => RegionState.fromSnapshot(snapshot),
};

function decideRegion(state: RegionState, message: RegionInput, context: DecideContext): Decision<RegionEvent> {
  switch (message.type) {
    case 'AddClinic': {
      const clinic = validateClinic(message.clinic, state);
      if ('code' in clinic) return rejected(clinic);
      return accept([{ type: 'ClinicAdded', clinic }], { clinicId: clinic.id }, [
        { to: clinicAddress(clinic.id), message: { type: 'OpenClinic', clinic } },
      ]);
    }
    case 'UpdateClinicSettings': {
      const clinic = state.clinics.get(message.clinicId);
      if (clinic === undefined) return rejected(reject('not_found', `clinic ${message.clinicId} not found`, '/clinicId'));
      const settings = validateSettings(message.settings, clinic.settings);
      if ('code' in settings) return rejected(settings);
      return accept([{ type: 'ClinicSettingsChanged', clinicId: clinic.id, settings }], { clinicId: clinic.id, settings }, [
        { to: clinicAddress(clinic.id), message: { type: 'ApplyClinicSettings', settings } },
      ]);
    }
    case 'AddDistrict': {
      const error = validateDistrict(message.district, state);
      if (error !== undefined) return rejected(error);
      return accept([{ type: 'DistrictAdded', district: message.district }], { districtId: message.district.id });
    }
    case 'AddDoctor': {
      const error = validateDoctor(message.doctor, state) ?? templateError(message.doctor);
      if (error !== undefined) return rejected(error);
      const clinic = state.clinics.get(message.doctor.clinicId) as ClinicInfo;
      return accept([{ type: 'DoctorAdded', doctor: message.doctor }], { doctorId: message.doctor.id }, [
        { to: clinicAddress(clinic.id), message: { type: 'JoinRoster', doctor: message.doctor } },
        { to: doctorAddress(message.doctor.id), message: { type: 'OpenDoctor', doctor: message.doctor, timeZone: clinic.timeZone } },
      ]);
    }
    case 'RegisterCall':
      return decideRegisterCall(state, message, context);
    case 'TransferCall':
      return decideTransfer(state, message, context);
    case 'CallClosed':
      if (state.openCallByPatient.get(message.patientId) !== message.callId) return accept([]);
      return accept([{ type: 'OpenCallReleased', patientId: message.patientId, callId: message.callId }]);
    case 'OpenCallMoved':
      return accept([{ ...message }]);
    case 'BookAppointment':
      return decideBookAppointment(state, message, context);
    case 'RescheduleAppointment':
      return decideRescheduleAcross(state, message);
    default:
      return assertNever(message);
  }
}

function decideRegisterCall(
  state: RegionState,
  message: Extract<RegionCommand, { type: 'RegisterCall' }>,
  context: DecideContext,
): Decision<RegionEvent> {
  const input = message.call;
  const regionToday = localDate(context.at, regionTimeZoneDefault);
  const intake = validateIntake(input, regionToday);
  if ('code' in intake) return rejected(intake);

  if (input.externalId !== undefined) {
    const existing = state.callByExternalKey.get(externalKey(input.source, input.externalId));
    if (existing !== undefined) {
      const owner = ownerOf(existing) as string;
      return accept([], undefined, [{ to: clinicAddress(owner), message: { type: 'DescribeCall', callId: existing, replayed: true } }]);
    }
  }

  const ageCategory: AgeCategory = ageOn(intake.patient.birthDate, regionToday) < adultAgeYears ? 'child' : 'adult';
  const placement = placeCall(state, intake, input.clinicId, ageCategory);
  if ('code' in placement) return rejected(placement);
  const clinic = placement.clinic;

  const matched = matchPatientForCall(state, intake.patient);
  // A policy opens only its own person's record: another name or birth date with it is refused, echoing nothing.
  if (matched !== undefined && matched.policy !== undefined && matched.policy === intake.patient.policy && !samePerson(matched, intake.patient)) {
    return rejected(reject('conflict', 'this policy is registered to a person of another name or birth date: check the policy and the name', '/patient/policy'));
  }
  const patientEvents: RegionEvent[] = [];
  let patient: Patient;
  if (matched === undefined) {
    patient = newPatient(context.ids.next(), intake.patient);
    patientEvents.push({ type: 'PatientRegistered', patient });
  } else {
    patient = mergePatient(matched, intake.patient);
    if (patient !== matched) patientEvents.push({ type: 'PatientUpdated', patient });
  }

  const openCallId = state.openCallByPatient.get(patient.id);
  if (openCallId !== undefined) {
    return rejected(reject('rule_broken', 'the patient already has an open call', '/patient', { openCallId }, 'patient_has_open_call'));
  }

  const callId = `${clinic.id}.${context.ids.next()}`;
  const today = localDate(context.at, clinic.timeZone);
  const ageYears = ageOn(intake.patient.birthDate, today);
  const callPatient = toCallPatient(patient, intake.patient, ageYears, ageYears < adultAgeYears ? 'child' : 'adult');
  const callIntake = buildIntake(input.source, input.kind, intake, callPatient, placement.district, input.externalId);
  const routed: { -readonly [K in keyof Extract<RegionEvent, { type: 'CallRouted' }>]: Extract<RegionEvent, { type: 'CallRouted' }>[K] } = {
    type: 'CallRouted',
    callId,
    clinicId: clinic.id,
    patientId: patient.id,
  };
  if (input.externalId !== undefined) routed.externalKey = externalKey(input.source, input.externalId);
  return accept([...patientEvents, routed], undefined, [
    { to: clinicAddress(clinic.id), message: { type: 'RegisterRoutedCall', callId, intake: callIntake } },
  ]);
}

interface Placement {
  readonly clinic: ClinicInfo;
  readonly district?: District;
}

/** The clinic (given, or found by the address) and the district inside it that serves the address. */
function placeCall(
  state: RegionState,
  intake: NormalizedIntake,
  clinicId: string | undefined,
  ageCategory: AgeCategory,
): Placement | ReturnType<typeof reject> {
  const candidates = state.districtsForAddress(intake.address.text, intake.address.house);
  // Plain loops, no closures: this runs for every call, and each closure built here was an allocation (and,
  // under tsx, a `__name` call).
  if (clinicId !== undefined) {
    const clinic = state.clinics.get(clinicId);
    if (clinic === undefined) return reject('not_found', `clinic ${clinicId} not found`, '/clinicId');
    let district: District | undefined;
    let anyOfClinic: District | undefined;
    for (const candidate of candidates) {
      if (candidate.clinicId !== clinicId) continue;
      anyOfClinic ??= candidate;
      if (fitsAge(state, candidate, ageCategory)) {
        district = candidate;
        break;
      }
    }
    district ??= anyOfClinic;
    return district === undefined ? { clinic } : { clinic, district };
  }
  let district: District | undefined;
  for (const candidate of candidates) {
    if (fitsAge(state, candidate, ageCategory)) {
      district = candidate;
      break;
    }
  }
  district ??= candidates[0];
  if (district === undefined) {
    return reject('rule_broken', 'the address is in no district of the region; give clinicId', '/address');
  }
  return { clinic: state.clinics.get(district.clinicId) as ClinicInfo, district };
}

/** Whether the district's subdivision takes patients of this age category (or any). */
function fitsAge(state: RegionState, district: District, ageCategory: AgeCategory): boolean {
  const clinic = state.clinics.get(district.clinicId);
  if (clinic === undefined) return true;
  for (const subdivision of clinic.subdivisions) {
    if (subdivision.id === district.subdivisionId) return subdivision.ageCategory === undefined || subdivision.ageCategory === ageCategory;
  }
  return true;
}

function buildIntake(
  source: CallIntake['source'],
  kind: CallIntake['kind'],
  intake: NormalizedIntake,
  patient: CallPatient,
  district: District | undefined,
  externalId: string | undefined,
): CallIntake {
  const result: { -readonly [K in keyof CallIntake]: CallIntake[K] } = {
    source,
    kind,
    patient,
    address: intake.address,
    complaints: intake.complaints,
    redFlags: redFlagsOf(intake.complaints.tags, intake.complaints.text),
  };
  if (intake.caller !== undefined) result.caller = intake.caller;
  if (externalId !== undefined) result.externalId = externalId;
  if (district !== undefined) {
    result.districtId = district.id;
    result.subdivisionId = district.subdivisionId;
  }
  return result;
}

function decideTransfer(
  state: RegionState,
  message: Extract<RegionCommand, { type: 'TransferCall' }>,
  context: DecideContext,
): Decision<RegionEvent> {
  const fromClinicId = ownerOf(message.callId);
  if (fromClinicId === undefined || !state.clinics.has(fromClinicId)) {
    return rejected(reject('not_found', `call ${message.callId} not found`, '/callId'));
  }
  const target = state.clinics.get(message.toClinicId);
  if (target === undefined) return rejected(reject('not_found', `clinic ${message.toClinicId} not found`, '/clinicId'));
  if (target.id === fromClinicId) return rejected(reject('rule_broken', 'the call is already in this clinic', '/clinicId'));
  const reasonError = validateText(message.reason, '/reason', reasonCharsMax, true);
  if (reasonError !== undefined) return rejected(reasonError);
  const toCallId = `${target.id}.${context.ids.next()}`;
  return accept([], undefined, [
    {
      to: clinicAddress(fromClinicId),
      message: { type: 'TransferOut', callId: message.callId, toClinicId: target.id, toCallId, reason: message.reason.trim() },
    },
  ]);
}

function evolveRegion(state: RegionState, event: RegionEvent): void {
  switch (event.type) {
    case 'ClinicAdded':
      state.clinics.set(event.clinic.id, event.clinic);
      return;
    case 'ClinicSettingsChanged': {
      const clinic = state.clinics.get(event.clinicId);
      if (clinic !== undefined) state.clinics.set(clinic.id, { ...clinic, settings: event.settings });
      return;
    }
    case 'DistrictAdded':
      state.districts.set(event.district.id, event.district);
      state.indexDistrict(event.district);
      return;
    case 'DoctorAdded':
      state.doctors.set(event.doctor.id, event.doctor);
      return;
    case 'PatientRegistered':
    case 'PatientUpdated':
      state.patients.set(event.patient.id, event.patient);
      state.indexPatient(event.patient);
      return;
    case 'CallRouted': {
      state.openCallByPatient.set(event.patientId, event.callId);
      const calls = state.callsByPatient.get(event.patientId);
      if (calls === undefined) state.callsByPatient.set(event.patientId, [event.callId]);
      else calls.push(event.callId);
      if (event.externalKey !== undefined) state.callByExternalKey.set(event.externalKey, event.callId);
      return;
    }
    case 'OpenCallReleased':
      if (state.openCallByPatient.get(event.patientId) === event.callId) state.openCallByPatient.delete(event.patientId);
      return;
    case 'OpenCallMoved': {
      state.openCallByPatient.set(event.patientId, event.toCallId);
      const calls = state.callsByPatient.get(event.patientId) ?? [];
      calls.push(event.toCallId);
      state.callsByPatient.set(event.patientId, calls);
      return;
    }
    default:
      assertNever(event);
  }
}

export function externalKey(source: string, externalId: string): string {
  return `${source}:${externalId}`;
}

/** Call intake matches a patient by policy, else by full name and birth date. */
function matchPatientForCall(state: RegionState, input: PatientInput): Patient | undefined {
  const byPolicy = input.policy === undefined ? undefined : state.patientByPolicy.get(input.policy);
  const id = byPolicy ?? state.patientByNameBirth.get(nameBirthKey(input));
  return id === undefined ? undefined : state.patients.get(id);
}

export function newPatient(id: string, input: PatientInput): Patient {
  const patient: { -readonly [K in keyof Patient]: Patient[K] } = {
    id,
    surname: input.surname,
    name: input.name,
    birthDate: input.birthDate,
    sex: input.sex,
    phones: input.phone === undefined ? [] : [input.phone],
  };
  if (input.policy !== undefined) patient.policy = input.policy;
  if (input.patronymic !== undefined) patient.patronymic = input.patronymic;
  if (input.cardNumber !== undefined) patient.cardNumber = input.cardNumber;
  return patient;
}

/** The known patient with what the form adds (a new phone, a policy, a card number); the same object when nothing is new. */
export function mergePatient(known: Patient, input: PatientInput): Patient {
  const addsPhone = input.phone !== undefined && !known.phones.includes(input.phone);
  const addsPolicy = known.policy === undefined && input.policy !== undefined;
  const addsCard = known.cardNumber === undefined && input.cardNumber !== undefined;
  if (!addsPhone && !addsPolicy && !addsCard) return known;
  const merged: { -readonly [K in keyof Patient]: Patient[K] } = { ...known };
  if (addsPhone) merged.phones = [...known.phones, input.phone as string];
  if (addsPolicy) merged.policy = input.policy as string;
  if (addsCard) merged.cardNumber = input.cardNumber as string;
  return merged;
}

function toCallPatient(patient: Patient, input: PatientInput, ageYears: number, ageCategory: AgeCategory): CallPatient {
  const result: { -readonly [K in keyof CallPatient]: CallPatient[K] } = {
    id: patient.id,
    surname: patient.surname,
    name: patient.name,
    birthDate: patient.birthDate,
    sex: patient.sex,
    ageYears,
    ageCategory,
  };
  if (patient.policy !== undefined) result.policy = patient.policy;
  if (patient.patronymic !== undefined) result.patronymic = patient.patronymic;
  const phone = input.phone ?? patient.phones[0];
  if (phone !== undefined) result.phone = phone;
  const card = input.cardNumber ?? patient.cardNumber;
  if (card !== undefined) result.cardNumber = card;
  return result;
}
