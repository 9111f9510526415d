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

/**
 * Key for matching by full name and birth date: case- and `ё`-insensitive. Keys are kept in the region's
 * indexes for every patient, so they are built flat (`join`): a template literal makes a cons string, which a
 * Map keeps beside its flattened copy (~32 B more per key, measured with a heap snapshot).
 */
export function nameBirthKey(p: { surname: string; name: string; patronymic?: string; birthDate: string }): string {
  return [foldedFullName(p), p.birthDate].join('|');
}

export function namePhoneKey(p: { surname: string; name: string; patronymic?: string }, phone: string): string {
  return [foldedFullName(p), phone].join('|');
}

/**
 * `fold(fullName(p))`, remembering the last answer: a registration folds the same name when it matches the
 * patient (decide) and again for each key it indexes (evolve), from the same strings. Pure, so the one-entry
 * memo changes no answer.
 */
let lastFolded: { readonly surname: string; readonly name: string; readonly patronymic: string | undefined; readonly folded: string } | undefined;

export function foldedFullName(p: { surname: string; name: string; patronymic?: string }): string {
  const last = lastFolded;
  if (last !== undefined && last.surname === p.surname && last.name === p.name && last.patronymic === p.patronymic) return last.folded;
  const folded = fold(fullName(p));
  lastFolded = { surname: p.surname, name: p.name, patronymic: p.patronymic, folded };
  return folded;
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
