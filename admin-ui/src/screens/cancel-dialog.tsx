/** Cancelling a call needs a reason (it goes into the call's history); the dialog names the patient, so the wrong row is caught. */
import { useState } from 'preact/hooks';
import type { Call } from '../api/types.ts';
import { Dialog } from '../components/dialog.tsx';
import { toast } from '../components/toast.tsx';
import { t } from '../i18n/i18n.ts';
import { CallCard } from './call-card.tsx';
import { fullName } from './desk-filter.ts';
import { liveSocket } from '../live/live-hub.ts';

export function CancelDialog({ call, onClose }: { readonly call: Call; readonly onClose: () => void }) {
  const [reason, setReason] = useState('');
  const submit = (event: Event): void => {
    event.preventDefault();
    liveSocket().command({ type: 'CancelCall', callId: call.id, reason: reason.trim() })
      .then(onClose)
      .catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'));
  };
  return (
    <Dialog title={t('desk.cancelTitle', { number: call.number, patient: fullName(call.patient) })} onClose={onClose} testId="cancel-dialog">
      <CallCard call={call} />
      <form onSubmit={submit} class="stack">
        <label>{t('desk.cancelReason')}
          <input value={reason} required maxLength={500} data-autofocus onInput={(event) => setReason(event.currentTarget.value)} />
        </label>
        <div class="actions"><button type="submit" class="danger" disabled={reason.trim() === ''} data-testid="cancel-submit">{t('desk.cancel')}</button></div>
      </form>
    </Dialog>
  );
}
