/**
 * The event log read as the webhooks' outbox. Nothing is copied out of the log: a subscription's cursor (the
 * next record to examine, as log position and index within the entry) is all the state delivery needs, and
 * the log already holds every event durably and in order.
 *
 * Reads see only what the host has acknowledged as durable (`host.durablePosition`), never an entry whose
 * commit is still on its way, so a webhook never announces what a crash could undo.
 *
 * Bounds: one read examines at most `entriesMax` entries and returns at most `eventsMax` events; it is
 * synchronous (LMDB reads are), so these bound how long it holds the thread.
 */
import type { AddressedEvent } from '../../engine/index.ts';
import { isIdempotencyRecord, type EngineHost, type HostLog } from '../../persistence/engine-host.ts';
import { publishedEventTypes, webhookEventOf, type WebhookEvent } from './webhook-events.ts';

export interface OutboxCursor {
  readonly position: number;
  readonly index: number;
}

export interface OutboxItem {
  readonly position: number;
  readonly index: number;
  readonly event: WebhookEvent;
}

export interface OutboxRead {
  readonly items: OutboxItem[];
  /** Where the next read starts. */
  readonly next: OutboxCursor;
  /** Every durable entry has been examined. */
  readonly caughtUp: boolean;
}

/** Whether a durable batch may hold a webhook at all; most batches of a busy region (holds, timers) do not. */
export function mayPublish(events: readonly AddressedEvent[]): boolean {
  return events.some((record) => publishedEventTypes.has(record.event.type));
}

export function isBefore(a: OutboxCursor, b: OutboxCursor): boolean {
  return a.position < b.position || (a.position === b.position && a.index < b.index);
}

export class WebhookOutbox {
  readonly #host: EngineHost;
  readonly #log: HostLog;

  private constructor(host: EngineHost, log: HostLog) {
    this.#host = host;
    this.#log = log;
  }

  /** Reads the host's own log handle (its reads stop at the durable position). */
  static open(host: EngineHost): WebhookOutbox {
    return new WebhookOutbox(host, host.log);
  }

  /** Where a subscription made now starts: after everything already durable. */
  head(): OutboxCursor {
    return { position: this.#host.durablePosition + 1, index: 0 };
  }

  get durablePosition(): number {
    return this.#host.durablePosition;
  }

  read(from: OutboxCursor, wants: (event: WebhookEvent) => boolean, eventsMax: number, entriesMax: number): OutboxRead {
    const last = this.#host.durablePosition;
    const items: OutboxItem[] = [];
    let next = from;
    if (from.position > last) return { items, next, caughtUp: true };
    let entries = 0;
    for (const entry of this.#log.read(from.position)) {
      if (entry.position > last) break;
      const startIndex = entry.position === from.position ? from.index : 0;
      for (let index = startIndex; index < entry.records.length; index += 1) {
        if (items.length >= eventsMax) return { items, next: { position: entry.position, index }, caughtUp: false };
        const record = entry.records[index];
        if (record === undefined || isIdempotencyRecord(record)) continue;
        const event = webhookEventOf(record, this.#host.read);
        if (event !== undefined && wants(event)) items.push({ position: entry.position, index, event });
      }
      next = { position: entry.position + 1, index: 0 };
      entries += 1;
      if (entries >= entriesMax) break;
    }
    return { items, next, caughtUp: next.position > last };
  }
}
