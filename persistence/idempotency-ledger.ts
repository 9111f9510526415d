/**
 * The idempotency ledger: `Idempotency-Key` → the first result of the command sent with it. Its records are
 * written into the same log entry as the command's events, so a key is durable exactly when the command is —
 * a retry after a crash finds either both or neither. It lives beside the engine (not in an actor): it is
 * about requests, not the domain. Rebuilt from snapshots and replay like the actors.
 *
 * Bounds: keys are kept `idempotencyRetentionMsDefault` (a partner retries within minutes; a day is ample),
 * at most `idempotencyKeysMax` keys (the oldest are dropped first), keys of at most `idempotencyKeyCharsMax`.
 */
import type { CommandResult } from '../engine/index.ts';

export const idempotencyRetentionMsDefault = 24 * 60 * 60_000;
export const idempotencyKeysMax = 2_000_000;
export const idempotencyKeyCharsMax = 200;

/** What is kept of a result: the reply or the rejection, not the events. */
export type StoredResult =
  | { readonly ok: true; readonly reply: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly rejection: Extract<CommandResult, { ok: false }>['rejection'] };

export interface IdempotencyRecord {
  readonly ledger: 'idempotency';
  /** The key scoped by the caller (token id), so two partners' keys never meet. */
  readonly key: string;
  readonly requestHash: string;
  readonly result: StoredResult;
  readonly at: number;
}

export type IdempotencyLookup =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly result: StoredResult }
  | { readonly kind: 'mismatch' };

export class IdempotencyLedger {
  readonly #records = new Map<string, IdempotencyRecord>();
  readonly #retentionMs: number;

  constructor(retentionMs = idempotencyRetentionMsDefault) {
    this.#retentionMs = retentionMs;
  }

  get size(): number {
    return this.#records.size;
  }

  lookup(key: string, requestHash: string): IdempotencyLookup {
    const record = this.#records.get(key);
    if (record === undefined) return { kind: 'new' };
    return record.requestHash === requestHash ? { kind: 'replay', result: record.result } : { kind: 'mismatch' };
  }

  record(record: IdempotencyRecord): void {
    this.#records.delete(record.key);
    this.#records.set(record.key, record);
    while (this.#records.size > idempotencyKeysMax) {
      const oldest = this.#records.keys().next().value;
      if (oldest === undefined) break;
      this.#records.delete(oldest);
    }
  }

  /** Drops keys older than the retention; insertion order is time order, so it stops at the first young one. */
  prune(nowMs: number): number {
    let dropped = 0;
    for (const [key, record] of this.#records) {
      if (nowMs - record.at < this.#retentionMs) break;
      this.#records.delete(key);
      dropped += 1;
    }
    return dropped;
  }

  toSnapshot(): IdempotencyRecord[] {
    return [...this.#records.values()];
  }

  static fromSnapshot(records: readonly IdempotencyRecord[]): IdempotencyLedger {
    const ledger = new IdempotencyLedger();
    for (const record of records) ledger.record(record);
    return ledger;
  }
}

export function storedResult(result: CommandResult): StoredResult {
  return result.ok ? { ok: true, reply: result.reply } : { ok: false, rejection: result.rejection };
}
