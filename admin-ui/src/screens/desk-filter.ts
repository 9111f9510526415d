/**
 * The desk's filters (patient name, doctor, kind, age category, subdivision) and its quick status filter
 * (the counter clicked), applied to the live open calls in the browser: the list re-filters on every diff.
 */
import type { AgeCategory, Call, CallKind } from '../api/types.ts';
import { deskOrder } from '../live/clinic-topic.ts';

export type StatusFilter = 'all' | 'received' | 'new' | 'overdue' | 'assigned' | 'completed';

export interface DeskFilter {
  readonly status: StatusFilter;
  readonly name: string;
  readonly doctorId: string;
  readonly kind: CallKind | '';
  readonly age: AgeCategory | '';
  readonly subdivisionId: string;
}

export const emptyFilter: DeskFilter = { status: 'all', name: '', doctorId: '', kind: '', age: '', subdivisionId: '' };

function fold(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е');
}

export function fullName(patient: Call['patient']): string {
  return [patient.surname, patient.name, patient.patronymic].filter((part) => part !== undefined && part !== '').join(' ');
}

export function filterCalls(calls: Iterable<Call>, filter: DeskFilter): Call[] {
  const name = fold(filter.name.trim());
  const found: Call[] = [];
  for (const call of calls) {
    if (filter.status === 'overdue' ? !call.overdue : filter.status !== 'all' && call.status !== filter.status) continue;
    if (filter.doctorId !== '' && call.doctorId !== filter.doctorId) continue;
    if (filter.kind !== '' && call.kind !== filter.kind) continue;
    if (filter.age !== '' && call.patient.ageCategory !== filter.age) continue;
    if (filter.subdivisionId !== '' && call.subdivisionId !== filter.subdivisionId) continue;
    if (name !== '' && !fold(fullName(call.patient)).includes(name)) continue;
    found.push(call);
  }
  return found.sort(deskOrder);
}
