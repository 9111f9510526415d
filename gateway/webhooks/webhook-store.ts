/**
 * Webhook subscriptions and their delivery cursors, durable in one named LMDB database beside the log. A
 * write resolves only once it is fsynced (lmdb-environment.ts), so a 201 names a subscription that survives a
 * crash, and a cursor on disk never claims an event the receiver has not acknowledged.
 *
 * Keys: `subscription/<id>`, `cursor/<id>` (the next log record to examine: position and index within the
 * entry), `dead-letter/<id>/<position>-<index>` (events given up on, newest `deadLettersKeptMax` kept),
 * `removed/<id>` (a tombstone, so a retried DELETE answers as the first did; kept `tombstoneRetentionMs`).
 * Every delivery signs with the secret, so it is kept in clear in memory; on disk it is sealed with
 * `WEBHOOK_SECRETS_KEY` when that is set (webhook-secret-box.ts), and the file is readable by the server's user
 * only either way (gateway/data-dir-permissions.ts). A store opened with a key seals the clear secrets it finds.
 *
 * Bounds: `subscriptionsMax` subscriptions in all (all cached in memory), `subscriptionsPerOwnerMax` per token,
 * `tombstonesMax` tombstones (the oldest go first).
 */
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import type { Principal } from '../auth/principal.ts';
import { isSealed, openSecret, sealSecret } from './webhook-secret-box.ts';

export const webhookDatabaseName = 'webhooks';
export const subscriptionsMax = 1_000;
export const subscriptionsPerOwnerMax = 20;
export const deadLettersKeptMax = 100;
/** As long as the idempotency ledger keeps a key: a client retries within minutes, a day is ample. */
export const tombstoneRetentionMs = 24 * 60 * 60_000;
export const tombstonesMax = 10_000;

export interface SubscriptionRecord {
  readonly id: string;
  /** The token that made it, with its scope as it was then: it decides which clinics' events go out. */
  readonly owner: Principal;
  readonly url: string;
  readonly events: readonly string[];
  readonly secret: string;
  readonly createdAt: number;
  /** The caller-scoped Idempotency-Key of the POST that made it, so a retry returns this subscription. */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
}

/** Where delivery stands. `position`/`index` is the next log record to examine: all before it is done. */
export interface CursorRecord {
  readonly position: number;
  readonly index: number;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly lastDeliveredAt?: number;
  readonly lastError?: DeliveryError;
}

export interface DeliveryError {
  readonly at: number;
  readonly eventId: string;
  readonly message: string;
}

export interface DeadLetterRecord {
  readonly eventId: string;
  readonly type: string;
  readonly attempts: number;
  readonly error: string;
  readonly at: number;
}

interface Tombstone {
  readonly ownerId: string;
  readonly at: number;
}

type StoredValue = SubscriptionRecord | CursorRecord | DeadLetterRecord | Tombstone;

const subscriptionKey = (id: string) => `subscription/${id}`;
const cursorKey = (id: string) => `cursor/${id}`;
const tombstoneKey = (id: string) => `removed/${id}`;
const deadLetterPrefix = (id: string) => `dead-letter/${id}/`;
/** Zero-padded so the keys sort in log order. */
const deadLetterKey = (id: string, position: number, index: number) => `${deadLetterPrefix(id)}${String(position).padStart(16, '0')}-${String(index).padStart(8, '0')}`;

export class WebhookStore {
  readonly #db: Database<StoredValue, string>;
  readonly #subscriptions = new Map<string, SubscriptionRecord>();
  readonly #cursors = new Map<string, CursorRecord>();
  readonly #byIdempotencyKey = new Map<string, string>();
  /** Insertion order is removal order, so the first entries are the oldest. */
  readonly #tombstones = new Map<string, Tombstone>();
  #expired: string[] = [];

  readonly #secretsKey: Buffer | undefined;

  /** Throws when secrets are sealed and `secretsKey` is missing or another key (deliveries could not sign). */
  constructor(environment: LmdbEnvironment, nowMs: number, secretsKey?: Buffer) {
    this.#db = environment.openDatabase<StoredValue, string>(webhookDatabaseName, {});
    this.#secretsKey = secretsKey;
    const tombstones: Array<[string, Tombstone]> = [];
    for (const { key, value } of this.#db.getRange({ start: 'removed/', end: 'removed0' })) tombstones.push([key.slice('removed/'.length), value as Tombstone]);
    for (const [id, tombstone] of tombstones.sort((a, b) => a[1].at - b[1].at)) {
      // Expired tombstones are dropped from memory only; the next removal's transaction deletes them on disk.
      if (nowMs - tombstone.at < tombstoneRetentionMs) this.#tombstones.set(id, tombstone);
      else this.#expired.push(id);
    }
    const toSeal: SubscriptionRecord[] = [];
    for (const { value } of this.#db.getRange({ start: 'subscription/', end: 'subscription0' })) {
      const stored = value as SubscriptionRecord;
      const record = { ...stored, secret: openSecret(stored.secret, secretsKey) };
      if (secretsKey !== undefined && !isSealed(stored.secret)) toSeal.push(record);
      this.#remember(record);
      const cursor = this.#db.get(cursorKey(record.id)) as CursorRecord | undefined;
      if (cursor === undefined) throw new Error(`webhook subscription ${record.id} has no cursor: the store is damaged`);
      this.#cursors.set(record.id, cursor);
    }
    // Sealed in one synchronous transaction at open: the store is not in use yet.
    if (toSeal.length > 0) this.#db.transactionSync(() => { for (const record of toSeal) this.#db.putSync(subscriptionKey(record.id), this.#stored(record)); });
  }

  /** The record as written to disk: its secret sealed when there is a key. */
  #stored(record: SubscriptionRecord): SubscriptionRecord {
    return this.#secretsKey === undefined ? record : { ...record, secret: sealSecret(record.secret, this.#secretsKey) };
  }

  get size(): number {
    return this.#subscriptions.size;
  }

  all(): SubscriptionRecord[] {
    return [...this.#subscriptions.values()];
  }

  ofOwner(ownerId: string): SubscriptionRecord[] {
    return this.all().filter((record) => record.owner.id === ownerId).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  get(id: string): SubscriptionRecord | undefined {
    return this.#subscriptions.get(id);
  }

  cursor(id: string): CursorRecord | undefined {
    return this.#cursors.get(id);
  }

  byIdempotencyKey(key: string): SubscriptionRecord | undefined {
    const id = this.#byIdempotencyKey.get(key);
    return id === undefined ? undefined : this.#subscriptions.get(id);
  }

  /** Writes the subscription and its first cursor in one transaction; resolves once both are durable. */
  async create(record: SubscriptionRecord, cursor: CursorRecord): Promise<void> {
    if (this.#subscriptions.size >= subscriptionsMax) throw new Error(`at most ${subscriptionsMax} webhook subscriptions`);
    await this.#db.transaction(() => {
      this.#db.putSync(subscriptionKey(record.id), this.#stored(record));
      this.#db.putSync(cursorKey(record.id), cursor);
    });
    this.#remember(record);
    this.#cursors.set(record.id, cursor);
  }

  /** Moves the cursor; resolves once it is durable. A removed subscription's cursor is not resurrected. */
  async saveCursor(id: string, cursor: CursorRecord): Promise<void> {
    if (!this.#subscriptions.has(id)) return;
    await this.#db.put(cursorKey(id), cursor);
    this.#cursors.set(id, cursor);
  }

  /** Records an event given up on and moves past it, in one transaction; keeps the newest dead letters. */
  async deadLetter(id: string, position: number, index: number, letter: DeadLetterRecord, cursor: CursorRecord): Promise<void> {
    if (!this.#subscriptions.has(id)) return;
    await this.#db.transaction(() => {
      this.#db.putSync(deadLetterKey(id, position, index), letter);
      this.#db.putSync(cursorKey(id), cursor);
      const keys = [...this.#db.getKeys({ start: deadLetterPrefix(id), end: `${deadLetterPrefix(id)}~` })];
      for (const key of keys.slice(0, Math.max(0, keys.length - deadLettersKeptMax))) this.#db.removeSync(key);
    });
    this.#cursors.set(id, cursor);
  }

  /** The newest dead letters first, at most `limit`. */
  deadLetters(id: string, limit: number): DeadLetterRecord[] {
    const letters: DeadLetterRecord[] = [];
    for (const { value } of this.#db.getRange({ start: `${deadLetterPrefix(id)}~`, end: deadLetterPrefix(id), reverse: true, limit })) letters.push(value as DeadLetterRecord);
    return letters;
  }

  /** Whether this owner removed this subscription recently (a retried DELETE answers 204 again). */
  wasRemovedBy(id: string, ownerId: string): boolean {
    return this.#tombstones.get(id)?.ownerId === ownerId;
  }

  /** Deletes the subscription, its cursor and its dead letters, leaving a tombstone; resolves once durable. */
  async remove(id: string, nowMs: number): Promise<boolean> {
    const record = this.#subscriptions.get(id);
    if (record === undefined) return false;
    const tombstone: Tombstone = { ownerId: record.owner.id, at: nowMs };
    const overflow = [...this.#tombstones.keys()].slice(0, Math.max(0, this.#tombstones.size + 1 - tombstonesMax));
    const dropped = [...this.#expired, ...overflow];
    await this.#db.transaction(() => {
      this.#db.removeSync(subscriptionKey(id));
      this.#db.removeSync(cursorKey(id));
      for (const key of this.#db.getKeys({ start: deadLetterPrefix(id), end: `${deadLetterPrefix(id)}~` })) this.#db.removeSync(key);
      this.#db.putSync(tombstoneKey(id), tombstone);
      for (const old of dropped) this.#db.removeSync(tombstoneKey(old));
    });
    this.#expired = [];
    for (const old of overflow) this.#tombstones.delete(old);
    this.#tombstones.set(id, tombstone);
    this.#subscriptions.delete(id);
    this.#cursors.delete(id);
    if (record.idempotency !== undefined) this.#byIdempotencyKey.delete(record.idempotency.key);
    return true;
  }

  #remember(record: SubscriptionRecord): void {
    this.#subscriptions.set(record.id, record);
    if (record.idempotency !== undefined) this.#byIdempotencyKey.set(record.idempotency.key, record.id);
  }
}
