/**
 * The new-call form's state (kept as a draft while typed) and its conversion into the body of RegisterCall
 * (the same shape as POST /api/v1/calls), with the checks the operator should see before sending: required
 * fields, a 16-digit policy. The server checks everything again.
 */
import { redFlagsOf } from '../../../engine/domain/complaints.ts';
import type { CallKind, CallSource } from '../api/types.ts';
import { t, type MessageKey } from '../i18n/i18n.ts';

export type CallerType = 'patient' | 'relative' | 'other';

export interface CallFormState {
  readonly source: CallSource;
  readonly kind: CallKind;
  readonly policy: string;
  readonly surname: string;
  readonly name: string;
  readonly patronymic: string;
  readonly birthDate: string;
  readonly sex: 'M' | 'F' | '';
  readonly phone: string;
  readonly cardNumber: string;
  readonly addressText: string;
  readonly house: string;
  readonly building: string;
  readonly structure: string;
  readonly apartment: string;
  readonly entrance: string;
  readonly floor: string;
  readonly intercom: string;
  readonly landmarks: string;
  readonly privateSector: boolean;
  readonly complaintsText: string;
  readonly tags: readonly string[];
  readonly callerType: CallerType;
  readonly callerPhone: string;
  readonly callerName: string;
}

export function emptyCallForm(): CallFormState {
  return {
    source: 'call_center', kind: 'primary', policy: '', surname: '', name: '', patronymic: '', birthDate: '', sex: '', phone: '', cardNumber: '',
    addressText: '', house: '', building: '', structure: '', apartment: '', entrance: '', floor: '', intercom: '', landmarks: '', privateSector: false,
    complaintsText: '', tags: [], callerType: 'patient', callerPhone: '', callerName: '',
  };
}

/** Red flags of the typed complaints: the same rule the engine applies (engine/domain/complaints.ts). */
export function redFlagsOfForm(form: CallFormState): string[] {
  return redFlagsOf(form.tags, form.complaintsText);
}

export function complaintsTextOf(form: CallFormState): string {
  if (form.complaintsText.trim() !== '') return form.complaintsText.trim();
  return form.tags.map((tag) => t(`tag.${tag}` as MessageKey)).join(', ');
}

/** The missing or malformed fields, by their label; empty when the form can be sent. */
export function formProblems(form: CallFormState): string[] {
  const missing: MessageKey[] = [];
  if (form.surname.trim() === '') missing.push('form.surname');
  if (form.name.trim() === '') missing.push('form.name');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.birthDate)) missing.push('form.birthDate');
  if (form.sex === '') missing.push('form.sex');
  if (form.policy.trim() !== '' && form.policy.replace(/\D/g, '').length !== 16) missing.push('form.policy');
  if (form.addressText.trim() === '') missing.push('form.addressText');
  if (complaintsTextOf(form) === '') missing.push('form.complaints');
  if (form.floor.trim() !== '' && !/^-?\d{1,3}$/.test(form.floor.trim())) missing.push('form.floor');
  return missing.map((key) => t(key));
}

const optional = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());

function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) result[key] = item;
  return result as Partial<T>;
}

export function registerBody(form: CallFormState, clinicId: string): Record<string, unknown> {
  return {
    source: form.source,
    kind: form.kind,
    clinicId,
    patient: compact({
      policy: optional(form.policy.replace(/\D/g, '')), surname: form.surname.trim(), name: form.name.trim(), patronymic: optional(form.patronymic),
      birthDate: form.birthDate, sex: form.sex, phone: optional(form.phone), cardNumber: optional(form.cardNumber),
    }),
    address: compact({
      text: form.addressText.trim(), house: optional(form.house), building: optional(form.building), structure: optional(form.structure),
      apartment: optional(form.apartment), entrance: optional(form.entrance), floor: optional(form.floor) === undefined ? undefined : Number(form.floor),
      intercom: optional(form.intercom), landmarks: optional(form.landmarks), privateSector: form.privateSector ? true : undefined,
    }),
    complaints: { text: complaintsTextOf(form), tags: [...form.tags] },
    caller: compact({ type: form.callerType, phone: optional(form.callerPhone), name: optional(form.callerName) }),
  };
}
