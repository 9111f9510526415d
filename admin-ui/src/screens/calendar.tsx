/**
 * The slot calendar of a doctor, or of every doctor of a specialty, by day. Clicking a free slot holds it
 * at once (HoldSlot): every other operator sees it held within the doctor topic's next diff. A held slot
 * opens the booking panel; a booked one its appointment (check in, cancel, or reschedule by clicking another
 * free slot). Days come from the clinic's own calendar (its time zone).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Slot } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { toast } from '../components/toast.tsx';
import { addDays, clinicNow, formatDate } from '../format/time.ts';
import { t } from '../i18n/i18n.ts';
import type { DoctorView } from '../live/doctor-topic.ts';
import { liveSocket, useConnection, useDoctorTopic } from '../live/live-hub.ts';
import { navigate, useRoute } from '../router.ts';
import { AppointmentPanel } from './appointment-panel.tsx';
import { commandFailure } from './queue.tsx';
import { BookingPanel } from './booking-panel.tsx';
import { DoctorPicker, useDoctorChoice } from './doctor-picker.tsx';
import { SlotGrid, type SlotLook } from './slot-grid.tsx';

export const calendarDaysShown = 14;

type Panel = { readonly kind: 'book'; readonly doctorId: string; readonly slot: Slot } | { readonly kind: 'appointment'; readonly doctorId: string; readonly appointmentId: string } | undefined;

export function CalendarScreen() {
  const app = useApp();
  const route = useRoute();
  const byParam = route.params.get('by') === 'specialty' ? 'specialty' : 'doctor';
  const specialty = route.params.get('specialty') ?? 'therapist';
  const doctorId = useDoctorChoice();
  const [picked, setDate] = useState<string | undefined>(route.params.get('date') ?? undefined);
  const [hideBooked, setHideBooked] = useState(false);
  const [panel, setPanel] = useState<Panel>(undefined);
  const [holds, setHolds] = useState<ReadonlyMap<string, string>>(new Map());
  const [rescheduling, setRescheduling] = useState<string | undefined>(undefined);
  const connection = useConnection();
  const holderTag = connection.holderTag;
  // A socket's holds end with it: after a reconnect the slot being booked is held again by the new session.
  const wasOnline = useRef(connection.status === 'online');
  useEffect(() => {
    const online = connection.status === 'online';
    if (online && !wasOnline.current && panel?.kind === 'book') {
      const slot = panel.slot;
      liveSocket().command<{ holdId: string }>({ type: 'HoldSlot', slotId: slot.id })
        .then((reply) => setHolds((previous) => new Map(previous).set(slot.id, reply.holdId)))
        .catch(fail);
    }
    wasOnline.current = online;
  }, [connection.status]);
  const doctorIds = byParam === 'doctor' ? [doctorId] : app.doctors.filter((doctor) => doctor.specialty === specialty).map((doctor) => doctor.id);
  // The server's calendar says which day is today in the clinic; the browser's clock is only a fallback.
  const today = useDoctorTopic(doctorIds[0]).view?.today ?? clinicNow(app.clinic.timeZone).date;
  const date = picked ?? today;
  const setParam = (name: string, value: string): void => {
    const params = new URLSearchParams(location.search);
    params.set(name, value);
    navigate(`/calendar?${params.toString()}`);
  };
  const fail = (error: Error): void => toast(commandFailure(error), 'error');
  const onSlot = (owner: string, slot: Slot, look: SlotLook): void => {
    if (look === 'booked' && slot.appointmentId !== undefined) {
      setRescheduling(undefined);
      setPanel({ kind: 'appointment', doctorId: owner, appointmentId: slot.appointmentId });
      return;
    }
    if (look === 'mine') return setPanel({ kind: 'book', doctorId: owner, slot });
    if (look !== 'free') return;
    if (panel?.kind === 'book' && panel.slot.id !== slot.id && !rescheduling) {
      liveSocket().command({ type: 'ReleaseHold', slotId: panel.slot.id }).catch(() => undefined);
    }
    liveSocket().command<{ holdId: string }>({ type: 'HoldSlot', slotId: slot.id }).then((reply) => {
      setHolds(new Map(holds).set(slot.id, reply.holdId));
      if (rescheduling === undefined) return setPanel({ kind: 'book', doctorId: owner, slot });
      return liveSocket().command({ type: 'RescheduleAppointment', appointmentId: rescheduling, slotId: slot.id, holdId: reply.holdId }).then(() => {
        toast(t('cal.rescheduled', { time: `${formatDate(slot.date)} ${slot.start}` }));
        setRescheduling(undefined);
        setPanel(undefined);
      });
    }).catch(fail);
  };
  const dates = Array.from({ length: calendarDaysShown }, (_, index) => addDays(today, index));
  return (
    <div class="calendar" data-testid="calendar">
      <h1>{t('cal.title')}</h1>
      <div class="row">
        <fieldset class="choice">
          <label class={byParam === 'doctor' ? 'on' : ''}><input type="radio" name="by" checked={byParam === 'doctor'} onChange={() => setParam('by', 'doctor')} />{t('cal.byDoctor')}</label>
          <label class={byParam === 'specialty' ? 'on' : ''}><input type="radio" name="by" checked={byParam === 'specialty'} onChange={() => setParam('by', 'specialty')} />{t('cal.bySpecialty')}</label>
        </fieldset>
        {byParam === 'doctor' ? <DoctorPicker doctorId={doctorId} /> : (
          <select value={specialty} onChange={(event) => setParam('specialty', event.currentTarget.value)} aria-label={t('cal.bySpecialty')}>
            <option value="therapist">{t('spec.therapist')}</option>
            <option value="pediatrician">{t('spec.pediatrician')}</option>
          </select>
        )}
        <label class="check"><input type="checkbox" checked={hideBooked} onChange={(event) => setHideBooked(event.currentTarget.checked)} />{t('cal.hideBooked')}</label>
      </div>
      <DayStrip dates={dates} date={date} doctorId={byParam === 'doctor' ? doctorId : undefined} onDate={setDate} />
      <div class="calendar-body">
        <div class="columns">
          {doctorIds.map((id) => (
            <DoctorColumn key={id} doctorId={id} date={date} holderTag={holderTag} hideBooked={hideBooked} selectedSlotId={panel?.kind === 'book' ? panel.slot.id : undefined}
              onSlot={(slot, look) => onSlot(id, slot, look)} showName={byParam === 'specialty'} />
          ))}
        </div>
        {panel === undefined ? null : <PanelHost panel={panel} holdId={panel.kind === 'book' ? holds.get(panel.slot.id) : undefined} rescheduling={rescheduling}
          onReschedule={(id) => setRescheduling(rescheduling === id ? undefined : id)} onDone={() => { setPanel(undefined); setRescheduling(undefined); }} />}
      </div>
    </div>
  );
}

/** The days to pick from; for one doctor each day also says how many slots are still free. */
function DayStrip({ dates, date, doctorId, onDate }: { readonly dates: readonly string[]; readonly date: string; readonly doctorId: string | undefined; readonly onDate: (date: string) => void }) {
  const topic = useDoctorTopic(doctorId);
  const free = new Map((topic.view?.days ?? []).map((day) => [day.date, day.blocked ? 0 : day.freeCount]));
  return (
    <div class="days" role="tablist">
      {dates.map((day) => (
        <button key={day} type="button" role="tab" aria-selected={day === date} class={`day${day === date ? ' on' : ''}${free.get(day) === 0 ? ' none' : ''}`} onClick={() => onDate(day)} data-date={day}>
          {formatDate(day, true)}
          {doctorId === undefined ? null : <span class="day-free">{t('cal.freeCount', { count: free.get(day) ?? 0 })}</span>}
        </button>
      ))}
    </div>
  );
}

interface ColumnProps {
  readonly doctorId: string;
  readonly date: string;
  readonly holderTag: string | undefined;
  readonly hideBooked: boolean;
  readonly selectedSlotId: string | undefined;
  readonly showName: boolean;
  readonly onSlot: (slot: Slot, look: SlotLook) => void;
}

function DoctorColumn({ doctorId, date, holderTag, hideBooked, selectedSlotId, showName, onSlot }: ColumnProps) {
  const topic = useDoctorTopic(doctorId);
  if (topic.error !== undefined) return <p class="error" data-testid="calendar-error">{topic.error === 'forbidden' ? t('app.forbidden') : t('app.notFound')}</p>;
  if (topic.view === undefined) return <p class="loading">{t('app.loading')}</p>;
  return (
    <section class="column" data-doctor={doctorId}>
      {showName ? <h3>{topic.view.doctor.name}</h3> : null}
      <SlotGrid view={topic.view} date={date} holderTag={holderTag} hideBooked={hideBooked} selectedSlotId={selectedSlotId} onSlot={onSlot} />
    </section>
  );
}

function PanelHost({ panel, holdId, rescheduling, onReschedule, onDone }: {
  readonly panel: Exclude<Panel, undefined>; readonly holdId: string | undefined; readonly rescheduling: string | undefined;
  readonly onReschedule: (appointmentId: string) => void; readonly onDone: () => void;
}) {
  const topic = useDoctorTopic(panel.doctorId);
  const view: DoctorView | undefined = topic.view;
  if (view === undefined) return null;
  if (panel.kind === 'book') return <BookingPanel key={panel.slot.id} slot={panel.slot} holdId={holdId} onDone={onDone} />;
  const appointment = view.appointments.get(panel.appointmentId);
  if (appointment === undefined) return null;
  return <AppointmentPanel appointment={appointment} timeZone={view.doctor.timeZone} rescheduling={rescheduling === appointment.id} onReschedule={() => onReschedule(appointment.id)} onDone={onDone} />;
}
