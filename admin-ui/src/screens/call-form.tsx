/**
 * The new-call form (the source's «Новый вызов»): source and kind, the patient (with search by policy or
 * phone), the address, complaints as free text plus quick tags, the caller; the after-13:00 notice and the
 * 112/103 advice on red-flag complaints; "save", "save and assign", "transfer to another clinic". The form is
 * a draft in localStorage until saved. Ctrl+Enter saves, Ctrl+Shift+Enter saves and opens the assign dialog.
 *
 * The first field (the policy number) takes the focus however the form is opened — the menu, Alt+N, a reload,
 * Alt+N again while it is shown — and again after a save or «Очистить», which also clear the patient search
 * and its open-call warning (they belong to the patient just dealt with).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { callKinds, callSources, type Call } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { Choice, TextField } from '../components/field.tsx';
import { toast } from '../components/toast.tsx';
import { useDraft } from '../drafts.ts';
import { clinicNow } from '../format/time.ts';
import { t, tv } from '../i18n/i18n.ts';
import { liveSocket } from '../live/live-hub.ts';
import { reopenEvent } from '../router.ts';
import { AssignDialog } from './assign-dialog.tsx';
import { AddressFields } from './address-fields.tsx';
import { formProblems, emptyCallForm, redFlagsOfForm, registerBody, type CallerType, type CallFormState } from './call-form-model.ts';
import { ComplaintTags } from './complaint-tags.tsx';
import { PatientSearch } from './patient-search.tsx';
import { TransferDialog } from './transfer-dialog.tsx';

/** The source's call-centre script: a call registered after this local hour may be served tomorrow. */
export const cutoffHour = 13;

type Then = 'none' | 'assign' | 'transfer';

export function CallForm() {
  const app = useApp();
  const draft = useDraft<CallFormState>(`cd.draft.call.${app.user.login}.${app.clinic.id}`, emptyCallForm);
  const form = draft.value;
  const set = (patch: Partial<CallFormState>): void => draft.set({ ...form, ...patch });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [next, setNext] = useState<{ readonly then: Then; readonly call: Call } | undefined>(undefined);
  // A new epoch remounts the patient search: its results and warning go with the patient just saved or cleared.
  const [epoch, setEpoch] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const focusFirst = (): void => {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLInputElement>('[data-testid=field-policy]')?.focus());
  };
  const startOver = (): void => {
    draft.reset();
    setEpoch((value) => value + 1);
    focusFirst();
  };
  useEffect(() => {
    focusFirst();
    const onReopen = (): void => focusFirst();
    window.addEventListener(reopenEvent, onReopen);
    return () => window.removeEventListener(reopenEvent, onReopen);
  }, []);
  const flags = redFlagsOfForm(form);
  const afterCutoff = clinicNow(app.clinic.timeZone).hour >= cutoffHour;
  const save = async (then: Then): Promise<void> => {
    const problems = formProblems(form);
    if (problems.length > 0) {
      setError(t('form.required', { fields: problems.join(', ') }));
      return;
    }
    setBusy(true);
    setError('');
    try {
      const call = await liveSocket().command<Call>({ type: 'RegisterCall', call: registerBody(form, app.clinic.id) });
      toast(t('form.saved', { number: call.number }));
      startOver();
      if (then !== 'none') setNext({ then, call });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || busy || next !== undefined) return;
      event.preventDefault();
      void save(event.shiftKey ? 'assign' : 'none');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  const useCall = (call: Call): void => set({
    policy: call.patient.policy ?? form.policy, surname: call.patient.surname, name: call.patient.name, patronymic: call.patient.patronymic ?? '',
    birthDate: call.patient.birthDate, sex: call.patient.sex, phone: call.patient.phone ?? form.phone,
    addressText: call.address.text, house: call.address.house ?? '', building: call.address.building ?? '', structure: call.address.structure ?? '',
    apartment: call.address.apartment ?? '', entrance: call.address.entrance ?? '', floor: call.address.floor === undefined ? '' : String(call.address.floor),
    intercom: call.address.intercom ?? '', privateSector: call.address.privateSector === true,
  });
  return (
    <form class="call-form" data-testid="call-form" ref={formRef} onSubmit={(event) => { event.preventDefault(); void save('none'); }}>
      <h1>{t('form.title')}</h1>
      {draft.restored ? <p class="notice" data-testid="draft-restored">{t('form.draftRestored')}</p> : null}
      <p class="notice notice-script">{t('form.emergencyHint')}</p>
      {afterCutoff ? <p class="notice" data-testid="after-13">{t('form.after13')}</p> : null}
      <div class="row">
        <Choice name="source" label={t('form.source')} value={form.source} onValue={(source) => set({ source })} options={callSources.map((value) => ({ value, label: tv('source', value) }))} />
        <Choice name="kind" label={t('form.kind')} value={form.kind} onValue={(kind) => set({ kind })} options={callKinds.map((value) => ({ value, label: tv('kind', value) }))} />
      </div>
      <section class="panel">
        <h2>{t('form.who')}</h2>
        <div class="row">
          <TextField name="policy" label={t('form.policy')} value={form.policy} onValue={(policy) => set({ policy })} placeholder="0000 0000 0000 0000" maxLength={24} />
          <TextField name="phone" type="tel" label={t('form.phone')} value={form.phone} onValue={(phone) => set({ phone })} placeholder="+7 (___) ___-__-__" maxLength={32} />
          <TextField name="card" label={t('form.card')} value={form.cardNumber} onValue={(cardNumber) => set({ cardNumber })} maxLength={50} />
        </div>
        <PatientSearch key={epoch} policy={form.policy} phone={form.phone} onUse={useCall} />
        <div class="row">
          <TextField name="surname" label={t('form.surname')} value={form.surname} onValue={(surname) => set({ surname })} required maxLength={100} />
          <TextField name="name" label={t('form.name')} value={form.name} onValue={(name) => set({ name })} required maxLength={100} />
          <TextField name="patronymic" label={t('form.patronymic')} value={form.patronymic} onValue={(patronymic) => set({ patronymic })} maxLength={100} />
          <TextField name="birthDate" type="date" label={t('form.birthDate')} value={form.birthDate} onValue={(birthDate) => set({ birthDate })} required />
          <Choice name="sex" label={t('form.sex')} value={form.sex} onValue={(sex) => set({ sex })} options={[{ value: 'M', label: t('sex.M') }, { value: 'F', label: t('sex.F') }]} />
        </div>
      </section>
      <AddressFields form={form} set={set} />
      <section class="panel">
        <h2>{t('form.complaints')}</h2>
        <textarea name="complaints" rows={2} value={form.complaintsText} placeholder={t('form.complaintsHint')} maxLength={2000} data-testid="field-complaints"
          onInput={(event) => set({ complaintsText: event.currentTarget.value })} aria-label={t('form.complaints')} />
        <ComplaintTags tags={form.tags} onTags={(tags) => set({ tags })} />
        {flags.length > 0 ? <p class="warning" role="alert" data-testid="red-flags">{t('form.redFlags', { flags: flags.map((flag) => flag.startsWith('text:') ? flag.slice(5) : tv('tag', flag)).join(', ') })}</p> : null}
      </section>
      <section class="panel">
        <h2>{t('form.caller')}</h2>
        <div class="row">
          <Choice<CallerType> name="callerType" label={t('form.callerType')} value={form.callerType} onValue={(callerType) => set({ callerType })}
            options={[{ value: 'patient', label: t('form.callerPatient') }, { value: 'relative', label: t('form.callerRelative') }, { value: 'other', label: t('form.callerOther') }]} />
          <TextField name="callerPhone" type="tel" label={t('form.phone')} value={form.callerPhone} onValue={(callerPhone) => set({ callerPhone })} placeholder="+7 (___) ___-__-__" maxLength={32} />
          <TextField name="callerName" label={t('form.callerName')} value={form.callerName} onValue={(callerName) => set({ callerName })} wide maxLength={100} />
        </div>
      </section>
      {error === '' ? null : <p class="error" role="alert" data-testid="form-error">{error}</p>}
      <div class="actions sticky">
        <button type="button" class="link" onClick={startOver} data-testid="clear">{t('form.clear')}</button>
        <span class="spacer" />
        <button type="button" disabled={busy} onClick={() => void save('transfer')} data-testid="save-transfer">{t('form.transfer')}</button>
        <button type="button" disabled={busy} onClick={() => void save('assign')} data-testid="save-assign" title="Ctrl+Shift+Enter">{t('form.saveAssign')}</button>
        <button type="submit" class="primary" disabled={busy} data-testid="save" title="Ctrl+Enter">{t('form.save')}</button>
      </div>
      {next?.then === 'assign' ? <AssignDialog call={next.call} onClose={() => setNext(undefined)} /> : null}
      {next?.then === 'transfer' ? <TransferDialog call={next.call} onClose={() => setNext(undefined)} /> : null}
    </form>
  );
}
