/**
 * The cabinet monitor: a full-screen busy / free display for the door of a cabinet, with the number being
 * served and the next ones, live from the doctor topic. Esc (or a click) leaves it.
 */
import { useEffect } from 'preact/hooks';
import { t } from '../i18n/i18n.ts';
import { useDoctorTopic } from '../live/live-hub.ts';
import { navigate } from '../router.ts';
import { useDoctorChoice } from './doctor-picker.tsx';

export const monitorNextShown = 5;

export function Monitor() {
  const doctorId = useDoctorChoice();
  const topic = useDoctorTopic(doctorId);
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') navigate(`/queue?doctor=${encodeURIComponent(doctorId)}`);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [doctorId]);
  const view = topic.view;
  if (view === undefined) return <div class="monitor"><p>{t('app.loading')}</p></div>;
  const queue = view.queue;
  const busy = queue.cabinet.state === 'busy';
  const serving = queue.cabinet.appointmentId === undefined ? undefined : view.appointments.get(queue.cabinet.appointmentId);
  const cabinet = queue.cabinet.cabinet ?? view.days.flatMap((day) => day.slots)[0]?.cabinet ?? '';
  return (
    <div class={`monitor monitor-${queue.cabinet.state}`} data-testid="monitor" data-state={queue.cabinet.state} onDblClick={() => navigate('/queue')}>
      <div class="monitor-cabinet">{t('queue.cabinet')} {cabinet}</div>
      <div class="monitor-doctor">{view.doctor.name}</div>
      <div class="monitor-state">{t(busy ? 'queue.busy' : 'queue.free')}</div>
      {serving?.queueNumber === undefined ? null : <div class="monitor-number">{t('queue.position', { number: serving.queueNumber })}</div>}
      <div class="monitor-next">
        {t('monitor.next')}: {queue.waiting.slice(0, monitorNextShown).map((entry) => entry.queueNumber).join(', ') || '—'}
      </div>
      <div class="monitor-exit">{t('monitor.exit')}</div>
    </div>
  );
}
