/** Negative-feedback alerts of the clinic (from the clinic topic), each acknowledged by an operator. */
import { useApp } from '../app-context.ts';
import { toast } from '../components/toast.tsx';
import { formatDateTime } from '../format/time.ts';
import { t } from '../i18n/i18n.ts';
import { liveSocket, useClinicTopic } from '../live/live-hub.ts';

export function Alerts() {
  const app = useApp();
  const topic = useClinicTopic(app.clinic.id);
  const alerts = [...(topic.view?.alerts.values() ?? [])].sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
  const doctorName = (id: string | undefined): string => app.doctors.find((doctor) => doctor.id === id)?.name ?? id ?? '';
  const acknowledge = (alertId: string): void => {
    liveSocket().command({ type: 'AcknowledgeAlert', alertId }).catch((error: Error) => toast(t('app.error', { message: error.message }), 'error'));
  };
  return (
    <div class="alerts" data-testid="alerts">
      <h1>{t('alerts.title')}</h1>
      {alerts.length === 0 ? <p class="muted">{t('alerts.none')}</p> : (
        <ul class="alert-list">
          {alerts.map((alert) => (
            <li key={alert.id} class="alert-item" data-testid="alert">
              <div>
                <strong>{alert.patientName}</strong> · {t('alerts.rating', { rating: alert.rating ?? 0 })} · {doctorName(alert.doctorId)}
                <div class="muted">{formatDateTime(alert.at, app.clinic.timeZone)}</div>
                {alert.comment === undefined ? null : <blockquote>{alert.comment}</blockquote>}
              </div>
              <button type="button" class="primary" onClick={() => acknowledge(alert.id)}>{t('alerts.ack')}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
