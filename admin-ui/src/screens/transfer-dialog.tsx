/**
 * Transferring a call to another clinic: search the region's clinics by name (GET /api/v1/clinics?name=),
 * see each one's address, pick one, give a reason. The call leaves this clinic's board and arrives on the
 * other's as a new call.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api/http.ts';
import type { Call, Clinic } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { Dialog } from '../components/dialog.tsx';
import { toast } from '../components/toast.tsx';
import { lang, t } from '../i18n/i18n.ts';
import { accusative } from '../i18n/russian-case.ts';
import { liveSocket } from '../live/live-hub.ts';
import { CallCard } from './call-card.tsx';

export function TransferDialog({ call, onClose }: { readonly call: Call; readonly onClose: () => void }) {
  const app = useApp();
  const [name, setName] = useState('');
  const [found, setFound] = useState<Clinic[] | undefined>(undefined);
  const [picked, setPicked] = useState<Clinic | undefined>(undefined);
  const [reason, setReason] = useState(t('transfer.defaultReason'));
  useEffect(() => {
    const timer = setTimeout(() => {
      api<Clinic[]>('GET', `/api/v1/clinics${query({ name: name.trim() })}`)
        .then((list) => setFound(list.filter((clinic) => clinic.id !== call.clinicId)))
        .catch(() => setFound([]));
    }, 150);
    return () => clearTimeout(timer);
  }, [name]);
  const submit = (event: Event): void => {
    event.preventDefault();
    if (picked === undefined) return;
    liveSocket().command({ type: 'TransferCall', callId: call.id, toClinicId: picked.id, reason: reason.trim() })
      .then(() => {
        // «передан в …» takes the accusative: «в Поликлинику Заволжского района».
        toast(t('transfer.done', { number: call.number, clinic: lang() === 'ru' ? accusative(picked.name) : picked.name }));
        onClose();
      })
      .catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'));
  };
  return (
    <Dialog title={t('transfer.title')} onClose={onClose} wide testId="transfer-dialog">
      <CallCard call={call} />
      <form onSubmit={submit} class="stack">
        <label>{t('transfer.search')}
          <input type="search" value={name} data-autofocus onInput={(event) => setName(event.currentTarget.value)} data-testid="transfer-search" />
        </label>
        <p class="muted">{t('transfer.pick')}</p>
        <ul class="clinic-list" role="listbox" aria-label={t('transfer.pick')}>
          {found === undefined ? <li>{t('app.loading')}</li> : found.length === 0 ? <li>{t('transfer.none')}</li> : found.map((clinic) => (
            <li key={clinic.id}>
              <button type="button" role="option" aria-selected={picked?.id === clinic.id} class={picked?.id === clinic.id ? 'pick picked' : 'pick'} onClick={() => setPicked(clinic)} data-testid={`transfer-${clinic.id}`}>
                <strong>{clinic.name}</strong>
                <span class="muted">{clinic.address}</span>
              </button>
            </li>
          ))}
        </ul>
        <label>{t('transfer.reason')}
          <input value={reason} required maxLength={500} onInput={(event) => setReason(event.currentTarget.value)} />
        </label>
        <div class="actions">
          <span class="muted">{app.clinic.name} →  {picked?.name ?? '…'}</span>
          <button type="submit" class="primary" disabled={picked === undefined || reason.trim() === ''} data-testid="transfer-submit">{t('transfer.submit')}</button>
        </div>
      </form>
    </Dialog>
  );
}
