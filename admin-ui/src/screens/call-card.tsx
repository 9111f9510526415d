/** The call card at the top of the assign and transfer dialogs: number, patient and age, address, complaints. */
import type { Call } from '../api/types.ts';
import { t, years } from '../i18n/i18n.ts';
import { addressLine } from './call-row.tsx';
import { fullName } from './desk-filter.ts';

export function CallCard({ call }: { readonly call: Call }) {
  return (
    <div class="call-card" data-testid="call-card">
      <strong>{t('assign.card', { number: call.number })}</strong>{' '}
      <span>{fullName(call.patient)}</span>{' '}
      {call.patient.ageYears === undefined ? null : <span class="muted">{years(call.patient.ageYears)}</span>}
      <div>{addressLine(call.address)}</div>
      <div class="muted">{call.complaints.text}</div>
    </div>
  );
}
