/**
 * Domain validation of a call's intake form. The gateway checks shapes first (TypeBox); this checks what
 * only the domain knows (phone and policy formats, dates, known tags, bounded texts), so the engine never
 * trusts its caller. Returns the normalised intake or the first rejection, naming the field.
 */
import type { CallAddress, CallCaller } from './home-call.ts';
import { callKinds, callSources } from './home-call.ts';
import { isComplaintTag } from './domain/complaints.ts';
import { isIsoDate } from './domain/local-time.ts';
import { normalizePhone } from './domain/phone.ts';
import { normalizePolicy } from './domain/policy.ts';
import type { RegisterCallInput } from './messages.ts';
import type { PatientInput } from './patient.ts';
import { reject, type Rejection } from './rejection.ts';

export const nameCharsMax = 100;
export const addressTextCharsMax = 300;
export const addressFieldCharsMax = 50;
export const complaintTextCharsMax = 2_000;
export const complaintTagsMax = 40;
export const reasonCharsMax = 500;
export const oldestBirthYear = 1900;

export interface NormalizedIntake {
  readonly patient: PatientInput;
  readonly address: CallAddress;
  readonly complaints: { readonly text: string; readonly tags: readonly string[] };
  readonly caller?: CallCaller;
}

export function validateText(value: unknown, field: string, charsMax: number, required: boolean): Rejection | undefined {
  if (value === undefined) return required ? reject('invalid', `${field} is required`, field) : undefined;
  if (typeof value !== 'string') return reject('invalid', `${field} must be text`, field);
  if (required && value.trim().length === 0) return reject('invalid', `${field} must not be empty`, field);
  if (value.length > charsMax) return reject('invalid', `${field} is longer than ${charsMax} characters`, field);
  return undefined;
}

export function validatePatient(input: PatientInput, today: string, field = '/patient'): PatientInput | Rejection {
  const textError =
    validateText(input.surname, `${field}/surname`, nameCharsMax, true) ??
    validateText(input.name, `${field}/name`, nameCharsMax, true) ??
    validateText(input.patronymic, `${field}/patronymic`, nameCharsMax, false) ??
    validateText(input.cardNumber, `${field}/cardNumber`, addressFieldCharsMax, false);
  if (textError !== undefined) return textError;
  if (input.sex !== 'M' && input.sex !== 'F') return reject('invalid', 'sex must be M or F', `${field}/sex`);
  if (typeof input.birthDate !== 'string' || !isIsoDate(input.birthDate)) {
    return reject('invalid', 'birthDate must be a date YYYY-MM-DD', `${field}/birthDate`);
  }
  if (input.birthDate > today) return reject('invalid', 'birthDate is in the future', `${field}/birthDate`);
  if (Number(input.birthDate.slice(0, 4)) < oldestBirthYear) return reject('invalid', 'birthDate is too far in the past', `${field}/birthDate`);
  const patient: { -readonly [K in keyof PatientInput]: PatientInput[K] } = {
    surname: input.surname.trim(),
    name: input.name.trim(),
    birthDate: input.birthDate,
    sex: input.sex,
  };
  if (input.patronymic !== undefined && input.patronymic.trim() !== '') patient.patronymic = input.patronymic.trim();
  if (input.cardNumber !== undefined && input.cardNumber.trim() !== '') patient.cardNumber = input.cardNumber.trim();
  if (input.policy !== undefined) {
    const policy = normalizePolicy(String(input.policy));
    if (policy === undefined) return reject('invalid', 'policy must be the 16-digit unified policy number', `${field}/policy`);
    patient.policy = policy;
  }
  if (input.phone !== undefined) {
    const phone = normalizePhone(String(input.phone));
    if (phone === undefined) return reject('invalid', 'phone must be a Russian number, e.g. +7 (912) 345-67-89', `${field}/phone`);
    patient.phone = phone;
  }
  return patient;
}

function validateAddress(input: CallAddress): CallAddress | Rejection {
  const textError = validateText(input.text, '/address/text', addressTextCharsMax, true);
  if (textError !== undefined) return textError;
  for (const key of ['house', 'building', 'structure', 'apartment', 'entrance', 'intercom'] as const) {
    const error = validateText(input[key], `/address/${key}`, addressFieldCharsMax, false);
    if (error !== undefined) return error;
  }
  const landmarksError = validateText(input.landmarks, '/address/landmarks', addressTextCharsMax, false);
  if (landmarksError !== undefined) return landmarksError;
  if (input.floor !== undefined && (!Number.isInteger(input.floor) || input.floor < -5 || input.floor > 200)) {
    return reject('invalid', 'floor must be a whole number from -5 to 200', '/address/floor');
  }
  if (input.lat !== undefined && !(Number.isFinite(input.lat) && input.lat >= -90 && input.lat <= 90)) {
    return reject('invalid', 'lat must be between -90 and 90', '/address/lat');
  }
  if (input.lon !== undefined && !(Number.isFinite(input.lon) && input.lon >= -180 && input.lon <= 180)) {
    return reject('invalid', 'lon must be between -180 and 180', '/address/lon');
  }
  return { ...input, text: input.text.trim() };
}

function validateCaller(input: CallCaller | undefined): CallCaller | undefined | Rejection {
  if (input === undefined) return undefined;
  const error =
    validateText(input.type, '/caller/type', addressFieldCharsMax, true) ?? validateText(input.name, '/caller/name', nameCharsMax, false);
  if (error !== undefined) return error;
  if (input.phone === undefined) return input;
  const phone = normalizePhone(String(input.phone));
  if (phone === undefined) return reject('invalid', 'caller phone must be a Russian number', '/caller/phone');
  return { ...input, phone };
}

export function validateIntake(input: RegisterCallInput, today: string): NormalizedIntake | Rejection {
  if (!callSources.includes(input.source)) return reject('invalid', `source must be one of ${callSources.join(', ')}`, '/source');
  if (!callKinds.includes(input.kind)) return reject('invalid', `kind must be one of ${callKinds.join(', ')}`, '/kind');
  const externalError = validateText(input.externalId, '/externalId', 100, false);
  if (externalError !== undefined) return externalError;
  if (typeof input.patient !== 'object' || input.patient === null) return reject('invalid', 'patient is required', '/patient');
  const patient = validatePatient(input.patient, today);
  if ('code' in patient) return patient;
  if (typeof input.address !== 'object' || input.address === null) return reject('invalid', 'address is required', '/address');
  const address = validateAddress(input.address);
  if ('code' in address) return address;
  if (typeof input.complaints !== 'object' || input.complaints === null) return reject('invalid', 'complaints are required', '/complaints');
  const textError = validateText(input.complaints.text, '/complaints/text', complaintTextCharsMax, true);
  if (textError !== undefined) return textError;
  const tags = input.complaints.tags ?? [];
  if (tags.length > complaintTagsMax) return reject('invalid', `at most ${complaintTagsMax} tags`, '/complaints/tags');
  for (const [index, tag] of tags.entries()) {
    if (typeof tag !== 'string' || !isComplaintTag(tag)) return reject('invalid', `unknown complaint tag ${String(tag)}`, `/complaints/tags/${index}`);
  }
  const caller = validateCaller(input.caller);
  if (caller !== undefined && 'code' in caller) return caller;
  const intake: { -readonly [K in keyof NormalizedIntake]: NormalizedIntake[K] } = {
    patient,
    address,
    complaints: { text: input.complaints.text.trim(), tags: [...new Set(tags)] },
  };
  if (caller !== undefined) intake.caller = caller;
  return intake;
}
