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

/**
 * Whether a form names the person a stored patient is: the birth date agrees, and the surname or the name does
 * (case- and `ё`-insensitive), so a surname changed at marriage still matches and a stranger holding only the
 * policy number does not (docs/security.md: a policy must not unlock another person's record).
 */
export function samePerson(known: { surname: string; name: string; birthDate: string }, form: { surname: string; name: string; birthDate: string }): boolean {
  return known.birthDate === form.birthDate && (fold(known.surname) === fold(form.surname) || fold(known.name) === fold(form.name));
}

export function fold(text: string): string {
  return text.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ');
}
