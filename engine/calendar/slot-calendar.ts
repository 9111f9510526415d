/**
 * A doctor's slot calendar: the days of the rolling horizon materialised from the weekly template, each slot
 * free, held, booked or blocked, the exceptions (vacation, sick day, stop notice) that block whole days, and
 * the holds with their deadlines. Only evolve changes it; decide reads it.
 *
 * Derived and rebuilt on restore: the per-day free counts (so a search skips full days without looking at
 * their slots), the hold-deadline heap (the actor's timer) and the holds per holder.
 *
 * Bounds: days from the calendar's `today` to `today + slotHorizonDays - 1` (at most `slotHorizonDaysMax`), at
 * most `slotsPerDayMax` slots a day, at most `exceptionsPerDoctorMax` exceptions (past ones are dropped on the
 * daily roll).
 */
import { addDays, instantOf } from '../domain/local-time.ts';
import { IndexedHeap } from '../lib/indexed-heap.ts';
import { fail } from '../rejection.ts';
import { defaultDoctorCalendarSettings, withDoctorCalendarDefaults, type DoctorCalendarSettings } from './calendar-settings.ts';
import { parseSlotId, slotIdOf, slotShapesOn, type SlotRule, type SlotShape } from './slot-template.ts';

export const exceptionsPerDoctorMax = 100;
/** One exception covers at most this many days. */
export const exceptionDaysMax = 366;

export const exceptionKinds = ['vacation', 'sick_day', 'stop'] as const;
export type ExceptionKind = (typeof exceptionKinds)[number];

export interface CalendarException {
  readonly id: string;
  readonly kind: ExceptionKind;
  /** First and last local date covered, inclusive. */
  readonly from: string;
  readonly to: string;
  readonly reason?: string;
  readonly at: number;
  readonly by: string;
}

export interface Hold {
  readonly holdId: string;
  /** The operator session or partner token that holds the slot. */
  readonly holder: string;
  readonly expiresAt: number;
}

export type SlotStatus = 'free' | 'held' | 'booked' | 'blocked';

export interface Slot {
  readonly id: string;
  readonly date: string;
  readonly startMinutes: number;
  readonly endMinutes: number;
  readonly startAt: number;
  readonly endAt: number;
  readonly cabinet: string;
  /** No longer in the template, kept only for the appointment booked into it (shown as blocked). */
  retired: boolean;
  appointmentId?: string;
  hold?: Hold;
}

export interface CalendarDay {
  readonly date: string;
  slots: Slot[];
  blocked: boolean;
  freeCount: number;
}

type SlotTuple = [startMinutes: number, endMinutes: number, cabinet: string, retired: boolean];

export interface SlotCalendarSnapshot {
  readonly settings: DoctorCalendarSettings;
  readonly template: SlotRule[];
  readonly today?: string;
  readonly exceptions: CalendarException[];
  readonly days: Array<{ readonly date: string; readonly slots: SlotTuple[] }>;
  readonly holds: Array<[string, Hold]>;
}

export class SlotCalendar {
  readonly doctorId: string;
  timeZone = 'UTC';
  settings: DoctorCalendarSettings = defaultDoctorCalendarSettings;
  template: SlotRule[] = [];
  /** The local date of the last roll; undefined until the doctor has a template. */
  today: string | undefined;
  readonly days = new Map<string, CalendarDay>();
  readonly exceptions = new Map<string, CalendarException>();

  // Derived.
  readonly holdDeadlines = new IndexedHeap<string>();
  readonly holdsByHolder = new Map<string, Set<string>>();
  nextRollAt: number | undefined;

  constructor(doctorId: string) {
    this.doctorId = doctorId;
  }

  slot(slotId: string): Slot | undefined {
    const parsed = parseSlotId(slotId);
    if (parsed === undefined || parsed.doctorId !== this.doctorId) return undefined;
    const slots = this.days.get(parsed.date)?.slots;
    if (slots === undefined) return undefined;
    let low = 0;
    let high = slots.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const candidate = slots[middle] as Slot;
      if (candidate.startMinutes === parsed.startMinutes) return candidate;
      if (candidate.startMinutes < parsed.startMinutes) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  isBlocked(slot: Slot): boolean {
    return slot.retired || this.days.get(slot.date)?.blocked === true;
  }

  /** The slot's status at `at`: a hold whose deadline has passed no longer counts, even before its timer fires. */
  statusOf(slot: Slot, at: number): SlotStatus {
    if (this.isBlocked(slot)) return 'blocked';
    if (slot.appointmentId !== undefined) return 'booked';
    return activeHold(slot, at) === undefined ? 'free' : 'held';
  }

  coveredByException(date: string): CalendarException | undefined {
    for (const exception of this.exceptions.values()) if (exception.from <= date && date <= exception.to) return exception;
    return undefined;
  }

  // ------------------------------------------------------------ changes (evolve only)

  /** Moves the horizon: drops days before `today`, opens the missing days up to `openThrough`. */
  roll(today: string, openThrough: string): void {
    this.today = today;
    for (const date of [...this.days.keys()]) if (date < today) this.#closeDay(date);
    for (const [id, exception] of this.exceptions) if (exception.to < today) this.exceptions.delete(id);
    for (let date = today; date <= openThrough; date = addDays(date, 1)) if (!this.days.has(date)) this.#openDay(date);
    // A shorter horizon closes the days past it from the end, stopping at the first day someone holds or booked:
    // nobody loses a booking, and the open days stay one unbroken run from today.
    const dates = [...this.days.keys()];
    for (let index = dates.length - 1; index >= 0; index -= 1) {
      const date = dates[index] as string;
      const day = this.days.get(date) as CalendarDay;
      if (date <= openThrough || day.slots.some((slot) => slot.appointmentId !== undefined || slot.hold !== undefined)) break;
      this.#closeDay(date);
    }
    this.#refreshRoll();
  }

  setTimeZone(timeZone: string): void {
    this.timeZone = timeZone;
    this.#refreshRoll();
  }

  /** A new template: every open day is rebuilt; booked slots stay (retired when the template drops them). */
  setTemplate(template: readonly SlotRule[]): void {
    this.template = template.map((rule) => ({ ...rule }));
    for (const day of this.days.values()) this.#rebuildDay(day);
  }

  addException(exception: CalendarException): void {
    this.exceptions.set(exception.id, { ...exception });
    this.#refreshBlocked(exception.from, exception.to);
  }

  liftException(exceptionId: string): void {
    const exception = this.exceptions.get(exceptionId);
    if (exception === undefined) return;
    this.exceptions.delete(exceptionId);
    this.#refreshBlocked(exception.from, exception.to);
  }

  setHold(slotId: string, hold: Hold): void {
    const slot = this.#must(slotId);
    this.#change(slot, () => {
      if (slot.hold !== undefined) this.#dropHold(slot);
      slot.hold = { ...hold };
      this.holdDeadlines.set(slot.id, hold.expiresAt);
      const held = this.holdsByHolder.get(hold.holder) ?? new Set<string>();
      held.add(slot.id);
      this.holdsByHolder.set(hold.holder, held);
    });
  }

  clearHold(slotId: string, holdId: string): void {
    const slot = this.slot(slotId);
    if (slot?.hold === undefined || slot.hold.holdId !== holdId) return;
    this.#change(slot, () => this.#dropHold(slot));
  }

  /** The slot now belongs to the appointment; a hold on it ends (booking releases it). */
  link(slotId: string, appointmentId: string): void {
    const slot = this.#must(slotId);
    if (!(slot.appointmentId === undefined || slot.appointmentId === appointmentId)) fail(`slot ${slotId} is already booked`);
    this.#change(slot, () => {
      if (slot.hold !== undefined) this.#dropHold(slot);
      slot.appointmentId = appointmentId;
    });
  }

  /** The appointment gives the slot back; a retired slot existed only for it and goes away. */
  unlink(slotId: string, appointmentId: string): void {
    const slot = this.slot(slotId);
    if (slot === undefined || slot.appointmentId !== appointmentId) return;
    this.#change(slot, () => delete slot.appointmentId);
    if (slot.retired) {
      const day = this.days.get(slot.date) as CalendarDay;
      day.slots = day.slots.filter((s) => s !== slot);
    }
  }

  #must(slotId: string): Slot {
    const slot = this.slot(slotId);
    if (slot === undefined) fail(`slot ${slotId} is not in the calendar of ${this.doctorId}`);
    return slot;
  }

  #isFree(day: CalendarDay, slot: Slot): boolean {
    return !day.blocked && !slot.retired && slot.appointmentId === undefined && slot.hold === undefined;
  }

  /** Applies a change to one slot and keeps its day's free count right. */
  #change(slot: Slot, change: () => void): void {
    const day = this.days.get(slot.date) as CalendarDay;
    const before = this.#isFree(day, slot);
    change();
    day.freeCount += Number(this.#isFree(day, slot)) - Number(before);
  }

  #dropHold(slot: Slot): void {
    const hold = slot.hold;
    if (hold === undefined) return;
    this.holdDeadlines.delete(slot.id);
    const held = this.holdsByHolder.get(hold.holder);
    held?.delete(slot.id);
    if (held !== undefined && held.size === 0) this.holdsByHolder.delete(hold.holder);
    delete slot.hold;
  }

  #newSlot(date: string, shape: SlotShape, retired = false): Slot {
    return {
      id: slotIdOf(this.doctorId, date, shape.startMinutes),
      date,
      startMinutes: shape.startMinutes,
      endMinutes: shape.endMinutes,
      startAt: instantOf(date, shape.startMinutes, this.timeZone),
      endAt: instantOf(date, shape.endMinutes, this.timeZone),
      cabinet: shape.cabinet,
      retired,
    };
  }

  #openDay(date: string): void {
    const day: CalendarDay = { date, slots: [], blocked: this.coveredByException(date) !== undefined, freeCount: 0 };
    for (const shape of slotShapesOn(this.template, date)) day.slots.push(this.#newSlot(date, shape));
    this.days.set(date, day);
    this.#recount(day);
  }

  #closeDay(date: string): void {
    const day = this.days.get(date);
    if (day === undefined) return;
    for (const slot of day.slots) this.#dropHold(slot);
    this.days.delete(date);
  }

  #rebuildDay(day: CalendarDay): void {
    const shapes = slotShapesOn(this.template, day.date);
    const shapeAt = new Map(shapes.map((shape) => [shape.startMinutes, shape]));
    const kept: Slot[] = [];
    for (const old of day.slots) {
      const shape = shapeAt.get(old.startMinutes);
      if (shape !== undefined && shape.endMinutes === old.endMinutes && shape.cabinet === old.cabinet) {
        old.retired = false;
        kept.push(old);
      } else if (old.appointmentId !== undefined) {
        old.retired = true;
        kept.push(old);
      } else {
        this.#dropHold(old);
      }
    }
    // Kept slots are sorted and disjoint, so one pass finds the new shapes that collide with none of them.
    const added: Slot[] = [];
    let k = 0;
    for (const shape of shapes) {
      while (k < kept.length && (kept[k] as Slot).endMinutes <= shape.startMinutes) k += 1;
      const next = kept[k];
      if (next !== undefined && next.startMinutes < shape.endMinutes) continue;
      added.push(this.#newSlot(day.date, shape));
    }
    day.slots = [...kept, ...added].sort((a, b) => a.startMinutes - b.startMinutes);
    this.#recount(day);
  }

  #refreshBlocked(from: string, to: string): void {
    for (const day of this.days.values()) {
      if (day.date < from || day.date > to) continue;
      day.blocked = this.coveredByException(day.date) !== undefined;
      if (day.blocked) for (const slot of day.slots) this.#dropHold(slot);
      this.#recount(day);
    }
  }

  #recount(day: CalendarDay): void {
    let free = 0;
    for (const slot of day.slots) if (this.#isFree(day, slot)) free += 1;
    day.freeCount = free;
  }

  #refreshRoll(): void {
    this.nextRollAt = this.today === undefined ? undefined : instantOf(addDays(this.today, 1), 0, this.timeZone);
  }

  toSnapshot(): SlotCalendarSnapshot {
    const holds: Array<[string, Hold]> = [];
    const days = [...this.days.values()].map((day) => {
      for (const slot of day.slots) if (slot.hold !== undefined) holds.push([slot.id, { ...slot.hold }]);
      return { date: day.date, slots: day.slots.map((s): SlotTuple => [s.startMinutes, s.endMinutes, s.cabinet, s.retired]) };
    });
    const snapshot: { -readonly [K in keyof SlotCalendarSnapshot]: SlotCalendarSnapshot[K] } = {
      settings: { ...this.settings },
      template: this.template.map((rule) => ({ ...rule })),
      exceptions: [...this.exceptions.values()].map((exception) => ({ ...exception })),
      days,
      holds,
    };
    if (this.today !== undefined) snapshot.today = this.today;
    return snapshot;
  }

  /** Rebuilds the calendar; bookings are linked afterwards from the appointments (see DoctorState). */
  static fromSnapshot(doctorId: string, timeZone: string, snapshot: SlotCalendarSnapshot): SlotCalendar {
    const calendar = new SlotCalendar(doctorId);
    calendar.timeZone = timeZone;
    calendar.settings = withDoctorCalendarDefaults(snapshot.settings);
    calendar.template = snapshot.template.map((rule) => ({ ...rule }));
    calendar.today = snapshot.today;
    for (const exception of snapshot.exceptions) calendar.exceptions.set(exception.id, { ...exception });
    for (const saved of snapshot.days) {
      const day: CalendarDay = { date: saved.date, slots: [], blocked: calendar.coveredByException(saved.date) !== undefined, freeCount: 0 };
      for (const [startMinutes, endMinutes, cabinet, retired] of saved.slots) {
        day.slots.push(calendar.#newSlot(saved.date, { startMinutes, endMinutes, cabinet }, retired));
      }
      calendar.days.set(day.date, day);
      calendar.#recount(day);
    }
    for (const [slotId, hold] of snapshot.holds) calendar.setHold(slotId, hold);
    calendar.#refreshRoll();
    return calendar;
  }
}

/** The slot's hold if it is still in force at `at`. */
export function activeHold(slot: Slot, at: number): Hold | undefined {
  return slot.hold !== undefined && slot.hold.expiresAt > at ? slot.hold : undefined;
}
