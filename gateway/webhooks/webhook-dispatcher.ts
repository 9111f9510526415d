/**
 * Runs one SubscriptionWorker per stored subscription, wakes them when the host commits events that may be
 * published (no polling; each worker also has a slow idle timeout as a safety net), and stops them all
 * cleanly before the host closes its storage. Started once, stopped once.
 *
 * Bounds: as many workers as subscriptions (`subscriptionsMax`), each with one request in flight; one undici
 * Agent (connection pool) shared by all.
 */
import type { Logger } from 'pino';
import type { EngineHost } from '../../persistence/engine-host.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { WebhookDeliveryOptions } from './webhook-delivery-options.ts';
import { mayPublish, type WebhookOutbox } from './webhook-outbox.ts';
import { WebhookSender } from './webhook-sender.ts';
import type { Resolver, WebhookAllowList } from './webhook-address-guard.ts';
import type { SubscriptionRecord, WebhookStore } from './webhook-store.ts';
import { SubscriptionWorker, type DeliveryStatus, type WorkerDeps } from './subscription-worker.ts';

export interface WebhookDispatcherDeps {
  readonly host: EngineHost;
  readonly store: WebhookStore;
  readonly outbox: WebhookOutbox;
  readonly options: WebhookDeliveryOptions;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly nowMs: () => number;
  /** Receivers the SSRF guard lets through although internal (WEBHOOK_ALLOW_HOSTS). */
  readonly allow: WebhookAllowList;
  /** Name resolution for the guard at delivery; the system's (dns.lookup) when absent. */
  readonly resolver?: Resolver;
  /** Whether a subscription's owner may still act (TokenStore.isActive): a disabled owner's subscriptions do not run. */
  readonly isActive: (principalId: string) => boolean;
}

export class WebhookDispatcher {
  readonly #deps: WebhookDispatcherDeps;
  readonly #workerDeps: WorkerDeps;
  readonly #sender: WebhookSender;
  readonly #workers = new Map<string, SubscriptionWorker>();
  #state: 'new' | 'running' | 'stopped' = 'new';
  #stopping: Promise<void> | undefined;

  constructor(deps: WebhookDispatcherDeps) {
    this.#deps = deps;
    this.#sender = new WebhookSender(deps.options.requestTimeoutMs, deps.nowMs, deps.allow, deps.resolver);
    this.#workerDeps = { store: deps.store, outbox: deps.outbox, sender: this.#sender, options: deps.options, metrics: deps.metrics, logger: deps.logger, nowMs: deps.nowMs };
  }

  start(): void {
    if (this.#state !== 'new') throw new Error(`the webhook dispatcher was already ${this.#state === 'running' ? 'started' : 'stopped'}: start it once`);
    this.#state = 'running';
    // The host offers no way to unsubscribe; after stop the listener finds no workers and does nothing.
    this.#deps.host.onDurable((events) => {
      if (this.#state === 'running' && mayPublish(events)) for (const worker of this.#workers.values()) worker.wake();
    });
    for (const record of this.#deps.store.all()) this.add(record);
  }

  /** Starts delivering a stored subscription (its cursor must be stored too), unless its owner is disabled. */
  add(record: SubscriptionRecord): void {
    if (this.#state !== 'running' || this.#workers.has(record.id)) return;
    if (!this.#deps.isActive(record.owner.id)) return;
    const cursor = this.#deps.store.cursor(record.id);
    if (cursor === undefined) throw new Error(`webhook subscription ${record.id} has no cursor`);
    const worker = new SubscriptionWorker(record, cursor, this.#workerDeps);
    this.#workers.set(record.id, worker);
    worker.start();
  }

  /** Stops delivery for one subscription; resolves once no request of it is in flight or will be sent. */
  async remove(id: string): Promise<void> {
    const worker = this.#workers.get(id);
    if (worker === undefined) return;
    this.#workers.delete(id);
    await worker.stop();
  }

  /**
   * The owner was disabled: its subscriptions stop delivering now (kept, with their cursors, so an owner
   * enabled again resumes where it stopped). Resolves once none of their requests is in flight.
   */
  async stopOwner(principalId: string): Promise<void> {
    const stopping: Array<Promise<void>> = [];
    for (const [id, worker] of this.#workers) {
      if (this.#deps.store.get(id)?.owner.id !== principalId) continue;
      this.#workers.delete(id);
      stopping.push(worker.stop());
    }
    await Promise.all(stopping);
  }

  /** The owner was enabled again: its subscriptions resume from their stored cursors. */
  resumeOwner(principalId: string): void {
    for (const record of this.#deps.store.ofOwner(principalId)) this.add(record);
  }

  status(id: string): DeliveryStatus | undefined {
    return this.#workers.get(id)?.status();
  }

  /** Stops every worker (requests in flight are abandoned, so they will be sent again) and the pool. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#state = 'stopped';
      const workers = [...this.#workers.values()];
      this.#workers.clear();
      await Promise.all(workers.map((worker) => worker.stop()));
      await this.#sender.close();
    })();
    return this.#stopping;
  }
}
