/** Patients as the region's index knows them, and the intake form's patient part. */
export type Sex = 'M' | 'F';

export interface PatientInput {
  readonly policy?: string;
  readonly surname: string;
  readonly name: string;
  readonly patronymic?: string;
  readonly birthDate: string;
  readonly sex: Sex;
  readonly phone?: string;
  readonly cardNumber?: string;
}

export interface Patient {
  readonly id: string;
  readonly policy?: string;
  readonly surname: string;
  readonly name: string;
  readonly patronymic?: string;
  readonly birthDate: string;
  readonly sex: Sex;
  readonly phones: readonly string[];
  readonly cardNumber?: string;
}

export function fullName(p: { surname: string; name: string; patronymic?: string }): string {
  return p.patronymic === undefined ? `${p.surname} ${p.name}` : `${p.surname} ${p.name} ${p.patronymic}`;
}

/** Key for matching by full name and birth date: case- and `ё`-insensitive. */
export function nameBirthKey(p: { surname: string; name: string; patronymic?: string; birthDate: string }): string {
  return `${fold(fullName(p))}|${p.birthDate}`;
}

export function namePhoneKey(p: { surname: string; name: string; patronymic?: string }, phone: string): string {
  return `${fold(fullName(p))}|${phone}`;
}

export function fold(text: string): string {
  return text.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ');
}
