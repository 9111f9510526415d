/**
 * One doctor's slots on one day, as buttons: free (click holds it at once), held by me, held by someone else
 * (live from the doctor topic, so two operators never book the same time), booked (click opens the
 * appointment), blocked. `hideBooked` leaves only the time still to give. The arrow keys move between the
 * slots as they are laid out (←/→ along a row, ↑/↓ to the row above or below, Home/End), skipping those
 * that cannot be picked.
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
    <div class="slots" role="group" aria-label={date} onKeyDown={moveBetweenSlots}>
      {slots.map((slot) => {
        const look = slotLook(slot, holderTag);
        const appointment = slot.appointmentId === undefined ? undefined : view.appointments.get(slot.appointmentId);
        const title = look === 'held' ? t('cal.heldTitle') : look === 'mine' ? t('cal.holdExpires', { time: formatTime(slot.holdExpiresAt, view.doctor.timeZone) }) : look === 'booked' ? appointment?.patient.name ?? t('cal.booked') : look === 'blocked' ? t('cal.blocked') : t('cal.free');
        const note = look === 'booked' ? appointment?.patient.name ?? '' : look === 'held' ? t('cal.held') : look === 'mine' ? t('cal.heldByMe') : look === 'blocked' ? t('cal.blocked') : '';
        // Time already gone on the operator's clock: shown, but not offered (a booking there would be a mistake).
        const past = look === 'free' && Date.parse(slot.startAt) < serverNow();
        return (
          <button key={slot.id} type="button" class={`slot slot-${look}${past ? ' slot-past' : ''}${selectedSlotId === slot.id ? ' picked' : ''}`} data-slot={slot.id} data-status={look}
            disabled={look === 'held' || look === 'blocked' || past} title={past ? t('cal.past') : title} onClick={() => onSlot(slot, look)}>
            <span class="slot-time">{slot.start}</span>
            <span class="slot-note">{note}</span>
            {/* The state for a screen reader, after the visible text (so the name starts with what is seen). */}
            {note === title ? null : <span class="sr-only"> {past ? t('cal.past') : title}</span>}
          </button>
        );
      })}
    </div>
  );
}

/** Arrow-key movement over the grid's enabled slot buttons, by their place on screen. */
function moveBetweenSlots(event: KeyboardEvent): void {
  const keys = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'];
  if (!keys.includes(event.key)) return;
  const grid = event.currentTarget as HTMLElement;
  const buttons = [...grid.querySelectorAll<HTMLButtonElement>('button[data-slot]:not([disabled])')];
  const current = buttons.findIndex((button) => button === document.activeElement);
  if (buttons.length === 0 || current < 0) return;
  event.preventDefault();
  let target: HTMLButtonElement | undefined;
  if (event.key === 'Home') target = buttons[0];
  else if (event.key === 'End') target = buttons[buttons.length - 1];
  else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') target = buttons[Math.min(buttons.length - 1, Math.max(0, current + (event.key === 'ArrowRight' ? 1 : -1)))];
  else {
    const from = (buttons[current] as HTMLButtonElement).getBoundingClientRect();
    const down = event.key === 'ArrowDown';
    let best = Number.POSITIVE_INFINITY;
    for (const button of buttons) {
      const box = button.getBoundingClientRect();
      const rowGap = down ? box.top - from.top : from.top - box.top;
      if (rowGap < from.height / 2) continue;
      const score = rowGap * 10 + Math.abs(box.left - from.left);
      if (score < best) {
        best = score;
        target = button;
      }
    }
  }
  target?.focus();
}
