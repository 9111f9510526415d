/**
 * Delivery for one subscription: tail the outbox from the cursor, POST one event at a time in log order,
 * move the cursor on disk only after a 2xx. That is the whole ordering and at-least-once story: an event is
 * never sent before the one ahead of it was acknowledged (so per call and per appointment, too), and after a
 * crash or a stop the cursor points at the first event not acknowledged, which is sent again.
 *
 * Failures (see webhook-sender.ts): an unavailable receiver is retried with back-off for as long as it takes;
 * an event the receiver refuses is retried `rejectedAttemptsMax` times, then dead-lettered (recorded beside
 * the cursor) and passed, so it cannot block the subscription forever.
 *
 * Bounds: one request in flight, at most `eventsQueuedMax` encoded events held, reads of at most
 * `entriesScannedPerReadMax` entries; idle, it sleeps until a durable commit wakes it or `idleWakeMs` passes.
 */
import type { Logger } from 'pino';
import { canSeeClinic } from '../auth/principal.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { retryDelayMs, type WebhookDeliveryOptions } from './webhook-delivery-options.ts';
import type { WebhookEvent } from './webhook-events.ts';
import { isBefore, type OutboxCursor, type OutboxRead, type WebhookOutbox } from './webhook-outbox.ts';
import { encodePayload, type WebhookPayload } from './webhook-payload.ts';
import type { SendOutcome, WebhookSender } from './webhook-sender.ts';
import type { CursorRecord, DeliveryError, SubscriptionRecord, WebhookStore } from './webhook-store.ts';

export interface WorkerDeps {
  readonly store: WebhookStore;
  readonly outbox: WebhookOutbox;
  readonly sender: WebhookSender;
  readonly options: WebhookDeliveryOptions;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly nowMs: () => number;
}

/** What GET /webhooks shows of delivery. Times are epoch ms; the route formats them. */
export interface DeliveryStatus {
  /** The newest log position whose events for this subscription are all delivered (or dead-lettered). */
  readonly deliveredPosition: number;
  /** Events read from the log and waiting (at most eventsQueuedMax; more may follow in the log). */
  readonly pendingEvents: number;
  /** Durable log entries not yet examined or not fully delivered. */
  readonly logPositionsBehind: number;
  readonly delivered: number;
  readonly deadLettered: number;
  /** Failed attempts at the event now in front. */
  readonly attempts: number;
  readonly lastDeliveredAt?: number;
  readonly lastError?: DeliveryError;
  readonly nextAttemptAt?: number;
}

interface Queued {
  readonly position: number;
  readonly index: number;
  readonly payload: WebhookPayload;
}

export class SubscriptionWorker {
  readonly #record: SubscriptionRecord;
  readonly #deps: WorkerDeps;
  readonly #stop = new AbortController();
  #cursor: CursorRecord;
  #readFrom: OutboxCursor;
  #queue: Queued[] = [];
  #attempts = 0;
  /** Of those attempts, the ones the receiver refused: only these lead to a dead letter. */
  #rejections = 0;
  #nextAttemptAt: number | undefined;
  #woken = false;
  #waker: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(record: SubscriptionRecord, cursor: CursorRecord, deps: WorkerDeps) {
    this.#record = record;
    this.#deps = deps;
    this.#cursor = cursor;
    this.#readFrom = { position: cursor.position, index: cursor.index };
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#loop = this.#run().catch((error: unknown) => {
      // A bug or a storage failure: stop this subscription loudly (log and status) rather than skip or spin.
      this.#deps.logger.error({ err: error, subscriptionId: this.#record.id }, 'webhook delivery stopped by an error');
      const where = this.#queue[0]?.payload.id ?? `${this.#readFrom.position}-${this.#readFrom.index}`;
      const message = `delivery stopped until restart: ${error instanceof Error ? error.message : String(error)}`;
      this.#cursor = { ...this.#cursor, lastError: { at: this.#deps.nowMs(), eventId: where, message } };
    });
  }

  /** New durable entries may hold events: a caught-up worker looks now instead of at its idle timeout. */
  wake(): void {
    this.#woken = true;
    this.#waker?.();
  }

  /** Abandons the attempt in flight (it is not acknowledged, so it will be sent again) and waits for the loop. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    if (this.#queue.length === 0 && isBefore(this.#cursor, this.#readFrom)) {
      // Only saves a re-read of skipped entries after the restart, so a failure here is logged, not thrown.
      await this.#saveCursor(this.#readFrom, {}).catch((error: unknown) => this.#deps.logger.warn({ err: error, subscriptionId: this.#record.id }, 'webhook cursor not saved at stop'));
    }
  }

  status(): DeliveryStatus {
    const done = this.#queue.length === 0 ? this.#readFrom : this.#cursor;
    const deliveredPosition = done.position - 1;
    const status: DeliveryStatus = {
      deliveredPosition,
      pendingEvents: this.#queue.length,
      logPositionsBehind: Math.max(0, this.#deps.outbox.durablePosition - deliveredPosition),
      delivered: this.#cursor.delivered,
      deadLettered: this.#cursor.deadLettered,
      attempts: this.#attempts,
    };
    return {
      ...status,
      ...(this.#cursor.lastDeliveredAt === undefined ? {} : { lastDeliveredAt: this.#cursor.lastDeliveredAt }),
      ...(this.#cursor.lastError === undefined ? {} : { lastError: this.#cursor.lastError }),
      ...(this.#nextAttemptAt === undefined ? {} : { nextAttemptAt: this.#nextAttemptAt }),
    };
  }

  async #run(): Promise<void> {
    const { options } = this.#deps;
    while (!this.#stop.signal.aborted) {
      this.#woken = false;
      const read = this.#readAhead();
      if (this.#queue.length > 0) {
        await this.#deliverFront();
        continue;
      }
      if (read === undefined) continue;
      // Nothing for us in what was read: remember it now and then, so a restart does not read it again.
      if (read.next.position - this.#cursor.position >= options.skippedEntriesSavedEvery) await this.#saveCursor(read.next, {});
      if (read.caughtUp || !read.progressed) {
        if (!this.#woken) await this.#sleep(options.idleWakeMs, true);
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Tops the queue up from the log while it has room, so the status counts what waits behind the front. */
  #readAhead(): (OutboxRead & { readonly progressed: boolean }) | undefined {
    const { options, outbox } = this.#deps;
    const room = options.eventsQueuedMax - this.#queue.length;
    if (room <= 0) return undefined;
    const from = this.#readFrom;
    const read = outbox.read(from, (event) => this.#wants(event), room, options.entriesScannedPerReadMax);
    this.#readFrom = read.next;
    for (const item of read.items) this.#queue.push({ position: item.position, index: item.index, payload: encodePayload(item.event, item.position, item.index) });
    return { ...read, progressed: isBefore(from, read.next) };
  }

  #wants(event: WebhookEvent): boolean {
    return this.#record.events.includes(event.type) && canSeeClinic(this.#record.owner, event.clinicId);
  }

  async #deliverFront(): Promise<void> {
    const item = this.#queue[0];
    if (item === undefined) return;
    const { sender, metrics, options } = this.#deps;
    const outcome: SendOutcome = await sender.send(this.#record.url, item.payload, this.#record.secret, this.#stop.signal);
    if (outcome.kind === 'aborted') return;
    if (outcome.kind === 'delivered') {
      metrics.webhookDeliveries.inc({ outcome: 'delivered' });
      // Saved even when a stop began meanwhile: the receiver has it, so it should not be sent again. The
      // event leaves the queue only then, so the status never runs ahead of the disk.
      await this.#saveCursor({ position: item.position, index: item.index + 1 }, { delivered: this.#cursor.delivered + 1, lastDeliveredAt: this.#deps.nowMs() });
      this.#queue.shift();
      this.#attempts = 0;
      this.#rejections = 0;
      this.#nextAttemptAt = undefined;
      return;
    }
    this.#attempts += 1;
    if (outcome.kind === 'rejected') this.#rejections += 1;
    const error: DeliveryError = { at: this.#deps.nowMs(), eventId: item.payload.id, message: outcome.message };
    this.#cursor = { ...this.#cursor, lastError: error };
    if (this.#rejections >= options.rejectedAttemptsMax) {
      await this.#deadLetter(item, outcome.message, outcome.detail);
      return;
    }
    metrics.webhookDeliveries.inc({ outcome: outcome.kind === 'rejected' ? 'rejected' : 'unavailable' });
    const delayMs = retryDelayMs(this.#attempts, outcome.kind === 'unavailable' ? outcome.retryAfterMs : undefined, options);
    this.#nextAttemptAt = this.#deps.nowMs() + delayMs;
    const log = { subscriptionId: this.#record.id, eventId: item.payload.id, attempts: this.#attempts, delayMs, error: outcome.detail ?? outcome.message };
    if (this.#attempts === 1) this.#deps.logger.warn(log, 'webhook delivery failed; retrying with back-off');
    else this.#deps.logger.debug(log, 'webhook delivery failed again');
    await this.#sleep(delayMs, false);
    this.#nextAttemptAt = undefined;
  }

  async #deadLetter(item: Queued, message: string, detail: string | undefined): Promise<void> {
    this.#deps.metrics.webhookDeliveries.inc({ outcome: 'dead_lettered' });
    this.#deps.logger.warn({ subscriptionId: this.#record.id, eventId: item.payload.id, attempts: this.#attempts, error: detail ?? message }, 'webhook event refused by the receiver; dead-lettered');
    const letter = { eventId: item.payload.id, type: item.payload.type, attempts: this.#attempts, error: message, at: this.#deps.nowMs() };
    const cursor: CursorRecord = { ...this.#cursor, position: item.position, index: item.index + 1, deadLettered: this.#cursor.deadLettered + 1 };
    await this.#deps.store.deadLetter(this.#record.id, item.position, item.index, letter, cursor);
    this.#cursor = cursor;
    this.#queue.shift();
    this.#attempts = 0;
    this.#rejections = 0;
    this.#nextAttemptAt = undefined;
  }

  async #saveCursor(at: OutboxCursor, change: Partial<CursorRecord>): Promise<void> {
    const cursor: CursorRecord = { ...this.#cursor, ...change, position: at.position, index: at.index };
    await this.#deps.store.saveCursor(this.#record.id, cursor);
    this.#cursor = cursor;
  }

  /** Sleeps `ms`; a stop always ends it early, a wake only when `wakeable` (back-off is not cut short). */
  #sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#stop.signal;
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.#waker === done) this.#waker = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (wakeable) this.#waker = done;
    });
  }
}
