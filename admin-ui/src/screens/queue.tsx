/**
 * The reception queue of a doctor, live from the doctor topic: the cabinet (free / busy), who is in, who
 * waits (number, expected wait), today's booked patients to check in; "call next" and "finish the visit".
 * The cabinet monitor (/monitor) shows the same state full screen. A free cabinet still shows its number
 * (from today's slots). Check-in opens `checkInOpensMinutesBefore` before the appointment: earlier rows say
 * from when, and a refusal from the server is said in words with that time.
 */
import type { Appointment } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { toast } from '../components/toast.tsx';
import { useServerNow } from '../format/server-clock.ts';
import { CommandError } from '../live/live-types.ts';
import { formatTime } from '../format/time.ts';
import { t, tv } from '../i18n/i18n.ts';
import { useDoctorTopic, liveSocket } from '../live/live-hub.ts';
import { navigate } from '../router.ts';
import { DoctorPicker, useDoctorChoice } from './doctor-picker.tsx';

export function QueueScreen() {
  const app = useApp();
  const doctorId = useDoctorChoice();
  const topic = useDoctorTopic(doctorId);
  const run = (command: { readonly type: string } & Readonly<Record<string, unknown>>): void => {
    liveSocket().command(command).catch((error: Error) => toast(commandFailure(error), 'error'));
  };
  const nowMs = useServerNow(15_000);
  const view = topic.view;
  const windowMs = (view?.doctor.checkInOpensMinutesBefore ?? 60) * 60_000;
  const queue = view?.queue;
  const timeZone = app.clinic.timeZone;
  const today = queue?.date ?? '';
  const appointments = view === undefined ? [] : [...view.appointments.values()].filter((item) => item.date === today).sort((a, b) => a.startAt.localeCompare(b.startAt));
  const serving: Appointment | undefined = queue?.cabinet.appointmentId === undefined ? undefined : view?.appointments.get(queue.cabinet.appointmentId);
  const cabinetNumber = queue?.cabinet.cabinet ?? view?.days.find((day) => day.date === today)?.slots[0]?.cabinet ?? view?.days[0]?.slots[0]?.cabinet ?? '';
  return (
    <div class="queue" data-testid="queue">
      <h1>{t('queue.title')}</h1>
      <div class="row">
        <DoctorPicker doctorId={doctorId} />
        <button type="button" onClick={() => navigate(`/monitor?doctor=${encodeURIComponent(doctorId)}`)} data-testid="open-monitor">{t('queue.monitor')}</button>
      </div>
      {queue === undefined ? <p class="loading">{t('app.loading')}</p> : (
        <div class="queue-body">
          <section class={`cabinet cabinet-${queue.cabinet.state}`} data-testid="cabinet" data-state={queue.cabinet.state}>
            <h2 data-testid="cabinet-number">{t('queue.cabinet')} {cabinetNumber}</h2>
            <p class="cabinet-state">{t(queue.cabinet.state === 'busy' ? 'queue.busy' : 'queue.free')}</p>
            {serving === undefined ? null : <p>{t('queue.servingNow')}: {t('queue.position', { number: serving.queueNumber ?? 0 })} · {serving.patient.name}</p>}
            <div class="actions">
              <button type="button" class="primary" disabled={queue.waiting.length === 0 || queue.cabinet.state === 'busy'} onClick={() => run({ type: 'CallNextPatient', doctorId })} data-testid="call-next">{t('queue.callNext')}</button>
              {serving === undefined ? null : <button type="button" onClick={() => run({ type: 'CompleteAppointment', appointmentId: serving.id })}>{t('queue.finish')}</button>}
            </div>
          </section>
          <section>
            <h2>{t('queue.waiting')}</h2>
            {queue.waiting.length === 0 ? <p class="muted">{t('queue.nobody')}</p> : (
              <ul class="waiting" data-testid="waiting">
                {queue.waiting.map((entry) => (
                  <li key={entry.appointmentId}><strong>{t('queue.position', { number: entry.queueNumber })}</strong> {entry.patientName} · {formatTime(entry.startAt, timeZone)} · {t('queue.wait', { minutes: entry.expectedWaitMinutes })}</li>
                ))}
              </ul>
            )}
            <h2>{t('queue.today')}</h2>
            <table class="grid compact">
              <tbody>
                {appointments.map((appointment) => (
                  <tr key={appointment.id}>
                    <td>{formatTime(appointment.startAt, timeZone)}</td>
                    <td>{appointment.patient.name}</td>
                    <td>{tv('appt', appointment.status)}</td>
                    <td>
                      {appointment.status === 'booked' || appointment.status === 'confirmed' ? (
                        <>
                          <button type="button" onClick={() => run({ type: 'CheckInAppointment', appointmentId: appointment.id })} data-testid="check-in" data-appointment={appointment.id}
                            data-window={Date.parse(appointment.startAt) - windowMs <= nowMs ? 'open' : 'later'}>{t('cal.checkIn')}</button>
                          {Date.parse(appointment.startAt) - windowMs > nowMs ? (
                            <span class="muted check-in-later">{t('queue.checkInFrom', { time: formatTime(new Date(Date.parse(appointment.startAt) - windowMs).toISOString(), timeZone) })}</span>
                          ) : null}
                          <button type="button" class="link" onClick={() => run({ type: 'MarkNoShow', appointmentId: appointment.id })}>{t('queue.noShow')}</button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      )}
    </div>
  );
}

/** A refused command in words; the check-in window names the time it opens (the server's details). */
export function commandFailure(error: Error): string {
  const details = error instanceof CommandError ? (error.problem?.['details'] as Readonly<Record<string, unknown>> | undefined) : undefined;
  if (details?.['rule'] === 'check_in_window') {
    return t('queue.checkInOpens', { minutes: String(details['windowMinutes'] ?? ''), opens: String(details['opensAt'] ?? ''), starts: String(details['startsAt'] ?? '') });
  }
  return t('app.error', { message: error.message });
}
