/**
 * A clinic's notification outbox: reminders and notices about appointments, waiting for the channel adapters
 * (SMS, WhatsApp, Telegram, e-mail) to take them. It is part of the ClinicActor's canonical state, so what is
 * queued survives a restart; an adapter acknowledges delivery up to a sequence number and the items go.
 *
 * Bound: at most `outboxItemsMax` items per clinic. At the bound the oldest item is dropped and counted in
 * `droppedCount` (shown on the SRE page): a stalled adapter must not grow the engine's memory without limit.
 */
import type { CalloutPlaceholder } from './calendar-settings.ts';

export const outboxItemsMax = 10_000;

export const notificationKinds = [
  'appointment_booked',
  'appointment_rescheduled',
  'appointment_cancelled',
  'appointment_reminder',
  'appointment_stopped',
  'feedback_request',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** The fields the doctor knows; the clinic adds its own (name, address, phone) when it queues the item. */
export type DoctorNotificationFields = Readonly<Record<'patient' | 'date' | 'time' | 'doctor' | 'specialty' | 'services', string>>;
export type NotificationFields = Readonly<Record<CalloutPlaceholder, string>>;

export interface NotificationDraft {
  readonly kind: NotificationKind;
  readonly appointmentId: string;
  readonly patientId: string;
  readonly phone: string;
  readonly at: number;
  /** Adapters do not send before this instant (a reminder goes out in the day, not at the midnight roll). */
  readonly notBefore?: number;
  readonly fields: DoctorNotificationFields;
}

export interface OutboxItem extends Omit<NotificationDraft, 'fields'> {
  readonly seq: number;
  readonly fields: NotificationFields;
}

export interface OutboxSnapshot {
  readonly seq: number;
  readonly droppedCount: number;
  readonly items: OutboxItem[];
}

export class Outbox {
  /** The last sequence number given. */
  seq = 0;
  droppedCount = 0;
  /** Items in sequence order from `#head`; the prefix before it is delivered and compacted away in bulk. */
  #items: OutboxItem[] = [];
  #head = 0;

  /** The pending items, oldest first (a copy when a delivered prefix is still there: reads never compact). */
  get items(): readonly OutboxItem[] {
    return this.#head === 0 ? this.#items : this.#items.slice(this.#head);
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: OutboxItem): void {
    this.seq = Math.max(this.seq, item.seq);
    this.#items.push(item);
    if (this.size > outboxItemsMax) {
      this.#head += 1;
      this.droppedCount += 1;
      this.#compactIfWorthIt();
    }
  }

  /** Removes every item with seq <= throughSeq; returns how many went. */
  acknowledge(throughSeq: number): number {
    const count = this.pendingThrough(throughSeq);
    this.#head += count;
    this.#compactIfWorthIt();
    return count;
  }

  /** How many items an ack through `throughSeq` would remove. */
  pendingThrough(throughSeq: number): number {
    let count = 0;
    while (this.#head + count < this.#items.length && (this.#items[this.#head + count] as OutboxItem).seq <= throughSeq) count += 1;
    return count;
  }

  /** Removing from the front one by one would copy the array each time; doing it when half is dead is O(1) amortised. */
  #compactIfWorthIt(): void {
    if (this.#head > 0 && this.#head * 2 >= this.#items.length) this.#compact();
  }

  #compact(): void {
    this.#items = this.#items.slice(this.#head);
    this.#head = 0;
  }

  toSnapshot(): OutboxSnapshot {
    return { seq: this.seq, droppedCount: this.droppedCount, items: this.items.map((item) => ({ ...item, fields: { ...item.fields } })) };
  }

  static fromSnapshot(snapshot: OutboxSnapshot): Outbox {
    const outbox = new Outbox();
    outbox.seq = snapshot.seq;
    outbox.droppedCount = snapshot.droppedCount;
    outbox.#items = snapshot.items.map((item) => ({ ...item, fields: { ...item.fields } }));
    return outbox;
  }
}
