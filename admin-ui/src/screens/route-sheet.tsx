/**
 * The route sheet of a doctor for a day: the print form from the workers (GET /api/v1/doctors/{id}/route-sheet
 * ?format=pdf|html, fetched with the session and opened as a file), and always the live route from the
 * `doctor/<id>` topic, with "call done" and a diagnosis for each visit still to make. When the print form
 * answers 404 (not deployed yet), the page says so and the live route stands in for it.
 */
import { useState } from 'preact/hooks';
import { fetchBlobUrl } from '../api/http.ts';
import type { Call, Visit } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { toast } from '../components/toast.tsx';
import { clinicNow, formatDate, formatDateTime } from '../format/time.ts';
import { t, tv, years } from '../i18n/i18n.ts';
import { visitsOn } from '../live/doctor-topic.ts';
import { useClinicTopic, useDoctorTopic } from '../live/live-hub.ts';
import { addressLine } from './call-row.tsx';
import { CompleteDialog } from './complete-dialog.tsx';
import { DoctorPicker, useDoctorChoice } from './doctor-picker.tsx';
import { fullName } from './desk-filter.ts';

export function RouteSheet() {
  const app = useApp();
  const doctorId = useDoctorChoice();
  const doctor = useDoctorTopic(doctorId);
  const clinic = useClinicTopic(app.clinic.id);
  const [picked, setDate] = useState<string | undefined>(undefined);
  // The clinic's today as the server's board has it; the browser's clock is only a fallback.
  const date = picked ?? clinic.view?.board.date ?? clinicNow(app.clinic.timeZone).date;
  const [printMissing, setPrintMissing] = useState(false);
  const [closing, setClosing] = useState<{ visit: Visit; call: Call | undefined } | undefined>(undefined);
  const openPrint = async (format: 'pdf' | 'html'): Promise<void> => {
    const result = await fetchBlobUrl(`/api/v1/doctors/${encodeURIComponent(doctorId)}/route-sheet?date=${date}&format=${format}`);
    if ('url' in result) window.open(result.url, '_blank', 'noopener');
    else if (result.status === 404) setPrintMissing(true);
    else toast(t('app.error', { message: result.message }), 'error');
  };
  const visits = doctor.view === undefined ? [] : visitsOn(doctor.view, date);
  const timeZone = app.clinic.timeZone;
  return (
    <div class="route-sheet" data-testid="route-sheet">
      <h1>{t('route.title')}</h1>
      <div class="row">
        <DoctorPicker doctorId={doctorId} />
        <label class="field"><span>{t('route.date')}</span><input type="date" value={date} onInput={(event) => setDate(event.currentTarget.value)} /></label>
        <button type="button" onClick={() => void openPrint('pdf')} data-testid="print-pdf">{t('route.pdf')}</button>
        <button type="button" onClick={() => void openPrint('html')}>{t('route.html')}</button>
      </div>
      {printMissing ? <p class="notice" data-testid="print-missing">{t('route.unavailable')}</p> : null}
      <p class="muted">{t('route.asOf', { at: formatDateTime(new Date().toISOString(), timeZone) })} · {t('route.section')} · {formatDate(date)}</p>
      {doctor.error !== undefined ? <p class="error">{t('app.forbidden')}</p> : null}
      <table class="grid">
        <thead>
          <tr><th>{t('col.number')}</th><th>{t('col.patient')}</th><th>{t('form.birthDate')}</th><th>{t('form.policy')}</th><th>{t('col.address')}</th>
            <th>{t('form.intercom')}</th><th>{t('form.phone')}</th><th>{t('col.complaints')}</th><th>{t('col.kind')}</th><th>{t('col.status')}</th><th /></tr>
        </thead>
        <tbody>
          {visits.length === 0 ? <tr><td colSpan={11} class="empty">{t('route.empty')}</td></tr> : visits.map((visit, index) => {
            const call = clinic.view?.calls.get(visit.callId);
            return (
              <tr key={visit.callId} data-testid="route-visit" data-call={visit.callId}>
                <td>{index + 1}</td>
                <td>{call === undefined ? visit.patientName : fullName(call.patient)}</td>
                <td>{call === undefined ? '' : `${formatDate(call.patient.birthDate)} (${years(call.patient.ageYears ?? 0)})`}</td>
                <td>{call?.patient.policy ?? ''}</td>
                <td>{call === undefined ? visit.address : addressLine(call.address)}</td>
                <td>{call?.address.intercom ?? ''}</td>
                <td>{call?.patient.phone ?? ''}</td>
                <td>{call?.complaints.text ?? ''}</td>
                <td>{visit.kind === undefined ? '' : tv('kind', visit.kind)}</td>
                <td>{visit.doneAt !== undefined ? t('route.doneAt', { at: formatDateTime(visit.doneAt, timeZone) }) : call === undefined ? '' : tv('status', call.status)}</td>
                <td>{visit.doneAt === undefined ? <button type="button" class="primary" onClick={() => setClosing({ visit, call })} data-testid="call-done">{t('route.done')}</button> : '✓'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {closing === undefined ? null : <CompleteDialog callId={closing.visit.callId} patient={closing.call === undefined ? closing.visit.patientName ?? '' : fullName(closing.call.patient)} onClose={() => setClosing(undefined)} />}
    </div>
  );
}
