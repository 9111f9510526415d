/**
 * Patient search by policy or phone (GET /api/v1/calls?policy=|phone=): the patient's open and past calls
 * (doctor, address, date, status), a warning when one is still open (the one-open-call rule: a second call
 * would be refused), and "use this patient" to fill the form from the latest call.
 */
import { useState } from 'preact/hooks';
import { api, query } from '../api/http.ts';
import { openStatuses, type Call } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { formatDateTime } from '../format/time.ts';
import { t, tv } from '../i18n/i18n.ts';
import { addressLine } from './call-row.tsx';

interface PatientSearchProps {
  readonly policy: string;
  readonly phone: string;
  readonly onUse: (call: Call) => void;
}

interface Found {
  readonly by: 'policy' | 'phone';
  readonly calls: readonly Call[];
}

export function PatientSearch({ policy, phone, onUse }: PatientSearchProps) {
  const app = useApp();
  const [found, setFound] = useState<Found | undefined>(undefined);
  const [error, setError] = useState('');
  const search = (by: 'policy' | 'phone'): void => {
    const value = (by === 'policy' ? policy : phone).trim();
    if (value === '') return;
    setError('');
    api<Call[]>('GET', `/api/v1/calls${query({ [by]: by === 'policy' ? value.replace(/\D/g, '') : value })}`)
      .then((calls) => setFound({ by, calls }))
      .catch((failure: Error) => setError(failure.message));
  };
  const open = found?.calls.find((call) => openStatuses.has(call.status));
  const doctorName = (id: string | undefined): string => app.doctors.find((doctor) => doctor.id === id)?.name ?? '';
  return (
    <div class="patient-search" data-testid="patient-search">
      <div class="actions left">
        <button type="button" onClick={() => search('policy')} disabled={policy.trim() === ''} data-testid="search-policy">{t('form.searchPolicy')}</button>
        <button type="button" onClick={() => search('phone')} disabled={phone.trim() === ''} data-testid="search-phone">{t('form.searchPhone')}</button>
      </div>
      {error === '' ? null : <p class="error" role="alert">{error}</p>}
      {found === undefined ? null : (
        <div>
          <h4>{t(found.by === 'policy' ? 'form.foundByPolicy' : 'form.foundByPhone')}</h4>
          {open === undefined ? null : <p class="warning" role="alert" data-testid="open-call-warning">{t('form.openCallExists', { number: open.number, status: tv('status', open.status) })}</p>}
          <table class="grid compact">
            <thead><tr><th>{t('col.doctor')}</th><th>{t('col.address')}</th><th>{t('col.created')}</th><th>{t('col.status')}</th><th /></tr></thead>
            <tbody>
              {found.calls.length === 0 ? <tr><td colSpan={5}>{t('form.noRequests')}</td></tr> : found.calls.map((call) => (
                <tr key={call.id}>
                  <td>{doctorName(call.doctorId)}</td>
                  <td>{addressLine(call.address)}</td>
                  <td>{formatDateTime(call.createdAt, app.clinic.timeZone)}</td>
                  <td>{tv('status', call.status)}</td>
                  <td><button type="button" class="link" onClick={() => onUse(call)}>{t('form.useThisPatient')}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
