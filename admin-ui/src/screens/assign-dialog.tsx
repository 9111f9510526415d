/**
 * Assigning a call: the call card, the visit date, and the clinic's doctors ranked by the server
 * (GET /api/v1/calls/{id}/doctor-suggestions: own district first, working that day, least load) with their
 * district, hours and load today / tomorrow, and "time is over" once today's shift has ended. ↑/↓ move
 * between doctors, Enter assigns.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/http.ts';
import type { Call, DoctorSuggestion } from '../api/types.ts';
import { districtName, useApp } from '../app-context.ts';
import { Dialog } from '../components/dialog.tsx';
import { toast } from '../components/toast.tsx';
import { addDays } from '../format/time.ts';
import { t } from '../i18n/i18n.ts';
import { liveSocket } from '../live/live-hub.ts';
import { CallCard } from './call-card.tsx';

export function AssignDialog({ call, onClose }: { readonly call: Call; readonly onClose: () => void }) {
  const app = useApp();
  const [visitDate, setVisitDate] = useState(call.visitDate);
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<DoctorSuggestion[] | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<DoctorSuggestion[]>('GET', `/api/v1/calls/${encodeURIComponent(call.id)}/doctor-suggestions?visitDate=${visitDate}`)
      .then(setRows)
      .catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'));
  }, [call.id, visitDate]);
  const assign = (doctor: DoctorSuggestion): void => {
    setBusy(true);
    liveSocket().command({ type: 'AssignCall', callId: call.id, doctorId: doctor.doctorId, visitDate })
      .then(() => {
        toast(t('assign.done', { number: call.number, doctor: doctor.name }));
        onClose();
      })
      .catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'))
      .finally(() => setBusy(false));
  };
  const needle = search.trim().toLowerCase();
  const shown = (rows ?? []).filter((row) => needle === '' || row.name.toLowerCase().includes(needle));
  const own = shown.filter((row) => row.districtMatch);
  const others = shown.filter((row) => !row.districtMatch);
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...document.querySelectorAll<HTMLButtonElement>('[data-doctor-pick]')];
    const index = buttons.findIndex((button) => button === document.activeElement);
    const next = buttons[Math.min(buttons.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (next !== undefined) {
      event.preventDefault();
      next.focus();
    }
  };
  const table = (list: DoctorSuggestion[]) => list.map((row) => (
    <tr key={row.doctorId} class={row.worksOnDate ? '' : 'muted'}>
      <td><button type="button" class="pick" data-doctor-pick disabled={busy} onClick={() => assign(row)} data-testid={`assign-${row.doctorId}`}>{row.name}</button></td>
      <td data-testid={`district-${row.doctorId}`}>{row.districtIds.length === 0 ? t('assign.notSpecified') : row.districtIds.map((id) => districtName(app, id)).join(', ')}</td>
      <td>{row.shiftOverToday ? <span class="badge badge-over">{t('assign.timeOver')}</span> : `${row.loadPercentToday}%`}</td>
      <td>{row.worksOnDate ? `${row.hours} (${row.loadPercentOnDate}%)` : t('assign.notWorking')}</td>
      <td>{row.loadPercentTomorrow}%</td>
    </tr>
  ));
  return (
    <Dialog title={t('assign.title')} onClose={onClose} wide testId="assign-dialog">
      <div onKeyDown={onKeyDown}>
        <CallCard call={call} />
        <div class="row">
          <label>{t('assign.visitDate')}
            <input type="date" value={visitDate} min={call.visitDate} max={addDays(call.visitDate, 13)} onInput={(event) => setVisitDate(event.currentTarget.value)} />
          </label>
          <label class="grow">{t('assign.searchDoctor')}
            <input type="search" value={search} data-autofocus onInput={(event) => setSearch(event.currentTarget.value)} />
          </label>
        </div>
        {rows === undefined ? <p class="loading">{t('app.loading')}</p> : (
          <table class="grid">
            <thead>
              <tr><th>{t('col.doctor')}</th><th>{t('assign.district')}</th><th>{t('assign.loadToday')}</th><th>{t('assign.visitDate')}</th><th>{t('assign.loadTomorrow')}</th></tr>
            </thead>
            <tbody>
              {table(own)}
              {others.length > 0 ? <tr class="group"><th colSpan={5}>{t('assign.otherDoctors')}</th></tr> : null}
              {table(others)}
            </tbody>
          </table>
        )}
      </div>
    </Dialog>
  );
}
