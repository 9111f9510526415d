/**
 * Booking a held slot: find the patient by phone or policy among their calls (to fill the form), or type
 * them in, then book (BookAppointment with the hold). Releasing gives the slot back at once.
 */
import { useState } from 'preact/hooks';
import { api, query } from '../api/http.ts';
import type { Call, Slot } from '../api/types.ts';
import { Choice, TextField } from '../components/field.tsx';
import { toast } from '../components/toast.tsx';
import { formatDate } from '../format/time.ts';
import { t } from '../i18n/i18n.ts';
import { liveSocket } from '../live/live-hub.ts';

interface BookingPanelProps {
  readonly slot: Slot;
  readonly holdId: string | undefined;
  readonly onDone: () => void;
}

export function BookingPanel({ slot, holdId, onDone }: BookingPanelProps) {
  const [patient, setPatient] = useState({ surname: '', name: '', patronymic: '', birthDate: '', sex: '' as 'M' | 'F' | '', phone: '', policy: '' });
  const [services, setServices] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<typeof patient>): void => setPatient({ ...patient, ...patch });
  const find = async (): Promise<void> => {
    const by = patient.policy.trim() !== '' ? { policy: patient.policy.replace(/\D/g, '') } : { phone: patient.phone.trim() };
    const calls = await api<Call[]>('GET', `/api/v1/calls${query(by)}`).catch(() => []);
    const last = calls[0];
    if (last === undefined) return toast(t('form.noRequests'), 'error');
    set({ surname: last.patient.surname, name: last.patient.name, patronymic: last.patient.patronymic ?? '', birthDate: last.patient.birthDate, sex: last.patient.sex, phone: last.patient.phone ?? patient.phone, policy: last.patient.policy ?? patient.policy });
  };
  const book = (event: Event): void => {
    event.preventDefault();
    if (patient.sex === '') return;
    setBusy(true);
    const person = {
      surname: patient.surname.trim(), name: patient.name.trim(), birthDate: patient.birthDate, sex: patient.sex, phone: patient.phone.trim(),
      ...(patient.patronymic.trim() === '' ? {} : { patronymic: patient.patronymic.trim() }),
      ...(patient.policy.trim() === '' ? {} : { policy: patient.policy.replace(/\D/g, '') }),
    };
    const list = services.split(',').map((item) => item.trim()).filter((item) => item !== '');
    liveSocket().command({ type: 'BookAppointment', booking: { slotId: slot.id, ...(holdId === undefined ? {} : { holdId }), source: 'registry', patient: person, ...(list.length === 0 ? {} : { services: list }) } })
      .then(() => {
        toast(t('cal.booked.done', { time: `${formatDate(slot.date)} ${slot.start}` }));
        onDone();
      })
      .catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'))
      .finally(() => setBusy(false));
  };
  const release = (): void => {
    liveSocket().command({ type: 'ReleaseHold', slotId: slot.id, ...(holdId === undefined ? {} : { holdId }) }).catch(() => undefined);
    onDone();
  };
  return (
    <form class="side-panel stack" onSubmit={book} data-testid="booking-panel">
      <h2>{formatDate(slot.date, true)} {slot.start}–{slot.end} · {t('cal.cabinet', { cabinet: slot.cabinet })}</h2>
      <p class="muted">{t('cal.patientSearch')}</p>
      <div class="row">
        <TextField name="bookPhone" type="tel" label={t('form.phone')} value={patient.phone} onValue={(phone) => set({ phone })} required maxLength={32} autoFocus />
        <TextField name="bookPolicy" label={t('form.policy')} value={patient.policy} onValue={(policy) => set({ policy })} maxLength={24} />
        <button type="button" onClick={() => void find()}>{t('form.search')}</button>
      </div>
      <div class="row">
        <TextField name="bookSurname" label={t('form.surname')} value={patient.surname} onValue={(surname) => set({ surname })} required maxLength={100} />
        <TextField name="bookName" label={t('form.name')} value={patient.name} onValue={(name) => set({ name })} required maxLength={100} />
        <TextField name="bookPatronymic" label={t('form.patronymic')} value={patient.patronymic} onValue={(patronymic) => set({ patronymic })} maxLength={100} />
      </div>
      <div class="row">
        <TextField name="bookBirthDate" type="date" label={t('form.birthDate')} value={patient.birthDate} onValue={(birthDate) => set({ birthDate })} required />
        <Choice name="bookSex" label={t('form.sex')} value={patient.sex} onValue={(sex) => set({ sex })} options={[{ value: 'M', label: t('sex.M') }, { value: 'F', label: t('sex.F') }]} />
      </div>
      <TextField name="bookServices" label={t('cal.services')} value={services} onValue={setServices} wide maxLength={300} />
      <div class="actions">
        <button type="button" onClick={release}>{t('cal.release')}</button>
        <button type="submit" class="primary" disabled={busy || patient.sex === ''} data-testid="book">{t('cal.book')}</button>
      </div>
    </form>
  );
}
