/**
 * Holds: an operator's click (or a partner's request) reserves a slot for one holder until a deadline, so two
 * operators never book the same time. The same holder renews; the holder releases; booking ends it; the
 * deadline ends it through the doctor's timer (an event, so replay is exact). To everyone else a held slot is
 * not free, and a hold id grants nothing to anyone but its holder (API.md "Auth"): knowing it is not owning it.
 *
 * Bound: a holder holds at most `holdsPerHolderMax` slots of one doctor at a time.
 */
import { accept, rejected, type DecideContext, type Decision } from '../actor.ts';
import type { DoctorState } from '../doctor-state.ts';
import type { DoctorEvent, DoctorInput } from '../messages.ts';
import { reject } from '../rejection.ts';
import { claimableSlot, holdIdCharsMax, holdsPerHolderMax, validateHolder } from './doctor-decide-support.ts';
import { activeHold, type Hold } from './slot-calendar.ts';
import { parseSlotId } from './slot-template.ts';

const holdIdPattern = new RegExp(`^[A-Za-z0-9_-]{1,${holdIdCharsMax}}$`);

type Message<T extends DoctorInput['type']> = Extract<DoctorInput, { type: T }>;

export function decideHoldSlot(state: DoctorState, message: Message<'HoldSlot'>, context: DecideContext): Decision<DoctorEvent> {
  const holder = message.holder ?? context.by;
  const holderError = validateHolder(holder);
  if (holderError !== undefined) return rejected(holderError);
  if (message.holdId !== undefined && !holdIdPattern.test(message.holdId)) {
    return rejected(reject('invalid', `holdId is 1..${holdIdCharsMax} letters, digits, - or _`, '/holdId'));
  }
  const calendar = state.calendar;
  const slot = claimableSlot(calendar, message.slotId, context.at, { holder });
  if ('code' in slot) return rejected(slot);
  const current = activeHold(slot, context.at);
  const expiresAt = context.at + calendar.settings.holdTtlMinutes * 60_000;
  let hold: Hold;
  if (current !== undefined) {
    hold = { holdId: current.holdId, holder, expiresAt };
  } else {
    let active = 0;
    for (const slotId of calendar.holdsByHolder.get(holder) ?? []) {
      const held = calendar.slot(slotId);
      if (held !== undefined && activeHold(held, context.at) !== undefined) active += 1;
    }
    if (active >= holdsPerHolderMax) {
      return rejected(reject('rule_broken', `a holder holds at most ${holdsPerHolderMax} slots of one doctor; release one first`, '/slotId'));
    }
    hold = { holdId: message.holdId ?? context.ids.next(), holder, expiresAt };
  }
  return accept([{ type: 'SlotHeld', slotId: slot.id, hold }], {
    holdId: hold.holdId,
    slotId: slot.id,
    expiresAt,
    renewed: current !== undefined,
  });
}

export function decideReleaseHold(state: DoctorState, message: Message<'ReleaseHold'>, context: DecideContext): Decision<DoctorEvent> {
  if (parseSlotId(message.slotId) === undefined) return rejected(reject('invalid', 'slotId must be <doctorId>.<YYYYMMDD>.<HHMM>', '/slotId'));
  const slot = state.calendar.slot(message.slotId);
  if (slot === undefined) return rejected(reject('not_found', `slot ${message.slotId} not found`, '/slotId'));
  const hold = activeHold(slot, context.at);
  // Releasing what is no longer held is a retry or a race with the deadline: nothing to do, not an error.
  if (hold === undefined) return accept([], { slotId: slot.id, released: false });
  const holder = message.holder ?? context.by;
  if (hold.holder !== holder) {
    return rejected(reject('conflict', 'the slot is held by another', '/slotId', { status: 'held' }, 'slot_held'));
  }
  return accept([{ type: 'HoldReleased', slotId: slot.id, holdId: hold.holdId, reason: 'released' }], { slotId: slot.id, released: true });
}
