/**
 * One call in the desk's list, one row at dispatch density: number and time; waiting time and the SLA
 * countdown; patient with age (coloured by category) and phone; the address down to the flat; complaints
 * with the red-flag reasons in words; kind and visit date; status and doctor (or where a transferred call
 * came from); the actions. Everything cut short has its full text in a tooltip. The row takes focus (one
 * tab stop for the list: the selected row), so ↑/↓, Enter and T work from it.
 */
import type { Call } from '../api/types.ts';
import { formatDate, formatDateTime, formatTime } from '../format/time.ts';
import { t, tv, years } from '../i18n/i18n.ts';
import { callTiming, firstRegisteredAt, formatSpan, redFlagWords } from './call-timing.ts';
import { fullName } from './desk-filter.ts';

export const callRowHeightPx = 58;

interface CallRowProps {
  readonly call: Call;
  readonly index: number;
  readonly selected: boolean;
  readonly focusable: boolean;
  readonly timeZone: string;
  readonly today: string;
  readonly nowMs: number;
  readonly doctorName: string;
  readonly districtName: string;
  readonly fromClinicName: string | undefined;
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

/**
 * The address as the desk shows it: the street first (the town, «г. Ярославль, », is the same for every call
 * of a clinic and would push the house and flat out of view), down to the flat, entrance and floor.
 */
export function deskAddress(address: Call['address']): string {
  return addressLine({ ...address, text: address.text.replace(/^\s*(г\.|город)\s*[^,]+,\s*/iu, '') });
}

export function CallRow(props: CallRowProps) {
  const { call, selected, focusable, timeZone, today, nowMs, doctorName, districtName, fromClinicName } = props;
  const closed = call.status === 'completed' || call.status === 'cancelled' || call.status === 'transferred';
  const timing = callTiming(call, nowMs);
  const flags = redFlagWords(call.redFlags, (tag) => tv('tag', tag));
  const redFlag = call.emergencyAdvice;
  const classes = ['call-row', selected ? 'selected' : '', call.overdue ? 'overdue' : '', !call.overdue && timing.urgency === 'due-soon' ? 'due-soon' : '', redFlag ? 'red-flag' : '']
    .filter((name) => name !== '').join(' ');
  const phone = call.patient.phone ?? call.caller?.phone;
  const age = call.patient.ageCategory;
  const stop = (action: () => void) => (event: Event): void => {
    event.stopPropagation();
    action();
  };
  const countdown = timing.leftMs === undefined || closed ? null : timing.leftMs > 0
    ? <span class={`due due-${timing.urgency}`} data-testid="sla" title={t('desk.dueAt', { at: formatDateTime(call.dueAt, timeZone) })}>{t('desk.dueIn', { time: formatSpan(timing.leftMs) })}</span>
    : <span class="due due-overdue" data-testid="sla" title={t('desk.dueAt', { at: formatDateTime(call.dueAt, timeZone) })}>{t('desk.overdueBy', { time: formatSpan(timing.leftMs) })}</span>;
  const origin = call.transferredFrom;
  const originTime = origin?.createdAt === undefined ? '' : formatDateTime(origin.createdAt, timeZone);
  return (
    <div class={classes} onClick={props.onSelect} onFocus={props.onSelect} data-testid="call-row" data-call={call.id} data-number={call.number} data-urgency={timing.urgency}
      role="row" aria-rowindex={props.index + 1} aria-selected={selected} tabIndex={focusable ? 0 : -1}>
      <span class="c-num" role="gridcell">
        <strong>{call.number}</strong>
        <span class="muted small" title={formatDateTime(call.createdAt, timeZone)}>{formatTime(call.createdAt, timeZone)}</span>
      </span>
      <span class="c-wait" role="gridcell" title={t('desk.waitingSince', { at: formatDateTime(firstRegisteredAt(call), timeZone) })}>
        <span data-testid="waited">{t('desk.waited', { time: formatSpan(timing.waitedMs) })}</span>
        {countdown}
      </span>
      <span class="c-patient" role="gridcell">
        <strong title={fullName(call.patient)}>{fullName(call.patient)}</strong>
        <span class="small">
          {age === undefined ? null : <span class={`age age-${age}`} title={tv('age', age)}>{call.patient.ageYears === undefined ? tv('age', age) : years(call.patient.ageYears)}</span>}
          {phone === undefined ? null : <span class="phone">{phone}</span>}
        </span>
      </span>
      <span class="c-address clamp" role="gridcell" data-testid="address" title={[addressLine(call.address), districtName === '' ? '' : `${t('assign.district')}: ${districtName}`].filter((part) => part !== '').join('\n')}>
        {deskAddress(call.address)}
      </span>
      <span class="c-complaints" role="gridcell" title={[call.complaints.text, flags.length === 0 ? '' : `${t('desk.redFlags')}: ${flags.join(', ')}`].filter((part) => part !== '').join('\n')}>
        {redFlag ? <span class="flag-line" data-testid="red-flag-reasons"><span class="flag">{t('desk.emergency')}</span>{flags.join(', ')}</span> : null}
        <span class={redFlag ? 'one-line' : 'clamp'}>{call.complaints.text}</span>
      </span>
      <span class="c-kind" role="gridcell">
        <span title={tv('kind', call.kind)}>{tv('kindShort', call.kind)}</span>
        <span class={`small${call.visitDate === today ? ' muted' : ' later'}`} title={t('assign.visitDate')}>{call.visitDate === today ? t('desk.today') : t('desk.visitOn', { date: formatDate(call.visitDate) })}</span>
      </span>
      <span class="c-status" role="gridcell">
        <span class={origin === undefined && doctorName === '' ? 'status-text' : ''}>
          {tv('status', call.status)}
          {call.overdue ? <span class="badge badge-overdue">{t('desk.overdue')}</span> : null}
        </span>
        {origin === undefined ? (doctorName === '' ? null : <span class="small doctor" title={doctorName}>{doctorName}</span>) : (
          <span class="small origin" data-testid="transferred-from" title={t('desk.transferredFromTitle', { clinic: fromClinicName ?? origin.clinicId, number: origin.number ?? '—', at: originTime })}>
            {t('desk.transferredFrom', { clinic: fromClinicName ?? origin.clinicId, at: originTime })}
          </span>
        )}
      </span>
      <span class="c-actions" role="gridcell">
        {call.status === 'received' ? <button type="button" class="primary" tabIndex={-1} onClick={stop(props.onAccept)} title="Enter / A">{t('desk.accept')}</button> : null}
        {closed ? null : (
          <>
            {call.status === 'received' ? null : <button type="button" class="primary" tabIndex={-1} onClick={stop(props.onAssign)} title="Enter">{t('desk.assign')}</button>}
            <button type="button" class="icon" tabIndex={-1} onClick={stop(props.onTransfer)} title={`${t('desk.transfer')} (T)`} aria-label={t('desk.transfer')}>⇄</button>
            <button type="button" class="icon" tabIndex={-1} onClick={stop(props.onCancel)} title={t('desk.cancel')} aria-label={t('desk.cancel')}>✕</button>
          </>
        )}
      </span>
    </div>
  );
}
