/**
 * One doctor's slots on one day, as buttons: free (click holds it at once), held by me, held by someone else
 * (live from the doctor topic, so two operators never book the same time), booked (click opens the
 * appointment), blocked. `hideBooked` leaves only the time still to give.
 */
import type { Slot } from '../api/types.ts';
import { serverNow } from '../format/server-clock.ts';
import { formatTime } from '../format/time.ts';
import { t } from '../i18n/i18n.ts';
import type { DoctorView } from '../live/doctor-topic.ts';

export type SlotLook = 'free' | 'mine' | 'held' | 'booked' | 'blocked';

export function slotLook(slot: Slot, holderTag: string | undefined): SlotLook {
  if (slot.status === 'held') return slot.heldBy !== undefined && slot.heldBy === holderTag ? 'mine' : 'held';
  return slot.status;
}

interface SlotGridProps {
  readonly view: DoctorView;
  readonly date: string;
  readonly holderTag: string | undefined;
  readonly hideBooked: boolean;
  readonly selectedSlotId: string | undefined;
  readonly onSlot: (slot: Slot, look: SlotLook) => void;
}

export function SlotGrid({ view, date, holderTag, hideBooked, selectedSlotId, onSlot }: SlotGridProps) {
  const day = view.days.find((item) => item.date === date);
  if (day === undefined || day.slots.length === 0) return <p class="muted">{t('cal.noSlots')}</p>;
  if (day.blocked) return <p class="muted">{t('cal.dayBlocked')}</p>;
  const slots = day.slots.filter((slot) => !hideBooked || slot.status === 'free' || slotLook(slot, holderTag) === 'mine');
  return (
    <div class="slots" role="group" aria-label={date}>
      {slots.map((slot) => {
        const look = slotLook(slot, holderTag);
        const appointment = slot.appointmentId === undefined ? undefined : view.appointments.get(slot.appointmentId);
        const title = look === 'held' ? t('cal.heldTitle') : look === 'mine' ? t('cal.holdExpires', { time: formatTime(slot.holdExpiresAt, view.doctor.timeZone) }) : look === 'booked' ? appointment?.patient.name ?? t('cal.booked') : look === 'blocked' ? t('cal.blocked') : t('cal.free');
        const note = look === 'booked' ? appointment?.patient.name ?? '' : look === 'held' ? t('cal.held') : look === 'mine' ? t('cal.heldByMe') : look === 'blocked' ? t('cal.blocked') : '';
        // Time already gone on the operator's clock: shown, but not offered (a booking there would be a mistake).
        const past = look === 'free' && Date.parse(slot.startAt) < serverNow();
        return (
          <button key={slot.id} type="button" class={`slot slot-${look}${past ? ' slot-past' : ''}${selectedSlotId === slot.id ? ' picked' : ''}`} data-slot={slot.id} data-status={look}
            disabled={look === 'held' || look === 'blocked' || past} title={past ? t('cal.past') : title} aria-label={`${slot.start} ${title}`} onClick={() => onSlot(slot, look)}>
            <span class="slot-time">{slot.start}</span>
            <span class="slot-note">{note}</span>
          </button>
        );
      })}
    </div>
  );
}
