/** The doctor closes a call: diagnosis and a note, then "call done" (CompleteCall). */
import { useState } from 'preact/hooks';
import { Dialog } from '../components/dialog.tsx';
import { toast } from '../components/toast.tsx';
import { t } from '../i18n/i18n.ts';
import { liveSocket } from '../live/live-hub.ts';

export function CompleteDialog({ callId, patient, onClose }: { readonly callId: string; readonly patient: string; readonly onClose: () => void }) {
  const [diagnosis, setDiagnosis] = useState('');
  const [note, setNote] = useState('');
  const submit = (event: Event): void => {
    event.preventDefault();
    liveSocket().command({ type: 'CompleteCall', callId, ...(diagnosis.trim() === '' ? {} : { diagnosis: diagnosis.trim() }), ...(note.trim() === '' ? {} : { note: note.trim() }) })
      .then(() => {
        toast(t('route.completed'));
        onClose();
      })
      .catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'));
  };
  return (
    <Dialog title={t('route.completeTitle', { patient })} onClose={onClose} testId="complete-dialog">
      <form class="stack" onSubmit={submit}>
        <label>{t('route.diagnosis')}<input value={diagnosis} maxLength={500} data-autofocus onInput={(event) => setDiagnosis(event.currentTarget.value)} data-testid="field-diagnosis" /></label>
        <label>{t('route.note')}<textarea value={note} maxLength={2000} rows={3} onInput={(event) => setNote(event.currentTarget.value)} /></label>
        <div class="actions"><button type="submit" class="primary" data-testid="complete-submit">{t('route.done')}</button></div>
      </form>
    </Dialog>
  );
}
