/**
 * A booked slot's appointment: who and when, its status, and check-in, cancel or reschedule (pick another
 * slot). Cancelling asks first, naming the patient and the time (a mis-click would lose the patient's place).
 */
import { useState } from 'preact/hooks';
import type { Appointment } from '../api/types.ts';
import { Dialog } from '../components/dialog.tsx';
import { toast } from '../components/toast.tsx';
import { formatDateTime } from '../format/time.ts';
import { t, tv } from '../i18n/i18n.ts';
import { liveSocket } from '../live/live-hub.ts';
import { commandFailure } from './queue.tsx';

interface AppointmentPanelProps {
  readonly appointment: Appointment;
  readonly timeZone: string;
  readonly rescheduling: boolean;
  readonly onReschedule: () => void;
  readonly onDone: () => void;
}

export function AppointmentPanel({ appointment, timeZone, rescheduling, onReschedule, onDone }: AppointmentPanelProps) {
  const [confirming, setConfirming] = useState(false);
  const run = (command: { readonly type: string } & Readonly<Record<string, unknown>>): void => {
    liveSocket().command(command).then(onDone).catch((error: Error) => toast(commandFailure(error), 'error'));
  };
  const movable = appointment.status === 'booked' || appointment.status === 'confirmed';
  const when = formatDateTime(appointment.startAt, timeZone);
  return (
    <div class="side-panel stack" data-testid="appointment-panel">
      <h2>{t('cal.appointment')}: {when}</h2>
      <p><strong>{appointment.patient.name}</strong> · {appointment.patient.phone}</p>
      <p>{tv('appt', appointment.status)}{appointment.queueNumber === undefined ? '' : ` · ${t('queue.position', { number: appointment.queueNumber })}`}</p>
      {appointment.services !== undefined && appointment.services.length > 0 ? <p class="muted">{appointment.services.join(', ')}</p> : null}
      {rescheduling ? <p class="notice">{t('cal.rescheduleHint')}</p> : null}
      <div class="actions">
        {movable ? <button type="button" onClick={() => run({ type: 'CheckInAppointment', appointmentId: appointment.id })}>{t('cal.checkIn')}</button> : null}
        {movable ? <button type="button" onClick={onReschedule} aria-pressed={rescheduling}>{t('cal.reschedule')}</button> : null}
        {movable ? <button type="button" class="danger" onClick={() => setConfirming(true)} data-testid="cancel-appointment">{t('cal.cancel')}</button> : null}
      </div>
      {confirming ? (
        <Dialog title={t('cal.cancelConfirmTitle')} onClose={() => setConfirming(false)} testId="cancel-appointment-dialog">
          <p>{t('cal.cancelConfirm', { patient: appointment.patient.name, time: when })}</p>
          <div class="actions">
            <button type="button" data-autofocus onClick={() => setConfirming(false)} data-testid="keep-appointment">{t('cal.keepAppointment')}</button>
            <button type="button" class="danger" onClick={() => { setConfirming(false); run({ type: 'CancelAppointment', appointmentId: appointment.id }); }} data-testid="confirm-cancel-appointment">{t('cal.cancel')}</button>
          </div>
        </Dialog>
      ) : null}
    </div>
  );
}
