/** One call in the desk's list: number, time, patient, address, complaints, kind, status, doctor, actions. */
import type { Call } from '../api/types.ts';
import { formatDateTime, formatTime } from '../format/time.ts';
import { t, tv, years } from '../i18n/i18n.ts';
import { fullName } from './desk-filter.ts';

export const callRowHeightPx = 56;

interface CallRowProps {
  readonly call: Call;
  readonly selected: boolean;
  readonly timeZone: string;
  readonly doctorName: string;
  readonly onSelect: () => void;
  readonly onAccept: () => void;
  readonly onAssign: () => void;
  readonly onTransfer: () => void;
  readonly onCancel: () => void;
}

export function addressLine(address: Call['address']): string {
  const parts = [address.text];
  if (address.house !== undefined) parts.push(`д. ${address.house}`);
  if (address.building !== undefined) parts.push(`корп. ${address.building}`);
  if (address.structure !== undefined) parts.push(`стр. ${address.structure}`);
  if (address.apartment !== undefined) parts.push(`кв. ${address.apartment}`);
  if (address.entrance !== undefined) parts.push(`п-д ${address.entrance}`);
  if (address.floor !== undefined) parts.push(`эт. ${address.floor}`);
  if (address.intercom !== undefined) parts.push(`д-фон ${address.intercom}`);
  return parts.join(', ');
}

export function CallRow({ call, selected, timeZone, doctorName, onSelect, onAccept, onAssign, onTransfer, onCancel }: CallRowProps) {
  const closed = call.status === 'completed' || call.status === 'cancelled' || call.status === 'transferred';
  return (
    <div class={`call-row${selected ? ' selected' : ''}${call.overdue ? ' overdue' : ''}`} onClick={onSelect} data-testid="call-row" data-call={call.id} data-number={call.number} aria-selected={selected}>
      <span class="c-num">{call.number}</span>
      <span class="c-time" title={formatDateTime(call.createdAt, timeZone)}>{formatTime(call.createdAt, timeZone)}</span>
      <span class="c-patient">
        <strong title={fullName(call.patient)}>{fullName(call.patient)}</strong>
        <span class="muted small">{call.patient.ageYears === undefined ? '' : years(call.patient.ageYears)} {call.patient.ageCategory === undefined ? '' : tv('age', call.patient.ageCategory)}</span>
      </span>
      <span class="c-address" title={addressLine(call.address)}>{addressLine(call.address)}</span>
      <span class="c-complaints" title={call.complaints.text}>
        {call.emergencyAdvice ? <span class="flag" title={call.redFlags.join(', ')}>{t('desk.emergency')}</span> : null}
        {call.complaints.text}
      </span>
      <span class="c-kind">{tv('kind', call.kind)}</span>
      <span class="c-status">
        {tv('status', call.status)}
        {call.overdue ? <span class="badge badge-overdue">{t('desk.overdue')}</span> : null}
      </span>
      <span class="c-doctor">{doctorName}</span>
      <span class="c-actions">
        {call.status === 'received' ? <button type="button" class="primary" onClick={(event) => { event.stopPropagation(); onAccept(); }} title="Enter / A">{t('desk.accept')}</button> : null}
        {closed ? null : (
          <>
            {call.status === 'received' ? null : <button type="button" class="primary" onClick={(event) => { event.stopPropagation(); onAssign(); }} title="Enter">{t('desk.assign')}</button>}
            <button type="button" onClick={(event) => { event.stopPropagation(); onTransfer(); }} title="T">{t('desk.transfer')}</button>
            <button type="button" class="icon" onClick={(event) => { event.stopPropagation(); onCancel(); }} title={t('desk.cancel')} aria-label={t('desk.cancel')}>✕</button>
          </>
        )}
      </span>
    </div>
  );
}
