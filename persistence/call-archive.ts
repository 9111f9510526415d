/**
 * The call archive: every closed home call's final state, by id, in LMDB beside the log. Closed calls leave
 * the ClinicActor's memory some days after they close (engine/clinic-state.ts `closedCallRetentionDays`);
 * reads of older calls (a partner's GET, a patient's history, full-history reports) find them here.
 *
 * It is a projection of the log, rebuilt the same way. The engine host issues a batch's archive writes just
 * before the batch's own log append, so both join one LMDB transaction: the archive never lags the log it
 * covers, and a call cannot be evicted (a later entry) before its archived copy is durable. The position it
 * covers is written with it, and at start-up the archive is caught up from that position anyway (data
 * directories written before this ordering, or by the data generator).
 *
 * Until its transaction commits, a written call is kept in memory too (a read in that window, after an
 * eviction decided meanwhile, still finds it). The position is cached: it was an LMDB read per batch.
 */
import type { Database } from 'lmdb';
import type { AddressedEvent, HomeCall } from '../engine/index.ts';
import type { CallArchiveReader } from '../engine/read-model.ts';
import type { LmdbEnvironment } from './lmdb-environment.ts';

export const callArchiveDatabaseName = 'call-archive';
const positionKey = '#position';
/** Without closed calls, the position is still written every this many entries (a shorter catch-up). */
const positionEveryEntries = 1_000;

const closingEvents: ReadonlySet<string> = new Set(['CallCompleted', 'CallCancelled', 'CallTransferred']);

/** Copies of the calls these events close, read now (the caller reads before anything can evict them). */
export function closedCalls(events: readonly AddressedEvent[], lookup: (callId: string) => HomeCall | undefined): HomeCall[] {
  const calls: HomeCall[] = [];
  for (const { event } of events) {
    if (!closingEvents.has(event.type) || !('callId' in event)) continue;
    const call = lookup(event.callId);
    if (call !== undefined) calls.push({ ...call, history: [...call.history] });
  }
  return calls;
}

export class CallArchive implements CallArchiveReader {
  readonly #db: Database<HomeCall | number, string>;
  /** Closed calls copied when decided, waiting for their tick's entry (`writeStaged`); readable already. */
  readonly #staged = new Map<string, HomeCall>();
  /** Calls whose write has not committed yet, by id, with the number of writes of each in flight. */
  readonly #writing = new Map<string, { call: HomeCall; writes: number }>();
  #position: number;

  constructor(environment: LmdbEnvironment) {
    this.#db = environment.openDatabase<HomeCall | number, string>(callArchiveDatabaseName, {});
    const stored = this.#db.get(positionKey);
    this.#position = typeof stored === 'number' ? stored : 0;
  }

  get(callId: string): HomeCall | undefined {
    if (callId === positionKey) return undefined;
    const staged = this.#staged.get(callId);
    if (staged !== undefined) return staged;
    const writing = this.#writing.get(callId);
    if (writing !== undefined) return writing.call;
    const value = this.#db.get(callId);
    return typeof value === 'object' ? value : undefined;
  }

  /** The last log position whose closed calls are archived (or being written with that position's entry). */
  position(): number {
    return this.#position;
  }

  /**
   * Archives the calls closed by these events (their final state, read from the engine while still resident)
   * and the position, in one LMDB write batch issued now. Resolves when durable.
   */
  record(events: readonly AddressedEvent[], position: number, lookup: (callId: string) => HomeCall | undefined): Promise<unknown> {
    return this.write(closedCalls(events, lookup), position);
  }

  /**
   * Writes these closed calls and the position they cover; issued now, so the writes join this event-loop
   * turn's LMDB transaction. Resolves when durable.
   */
  write(calls: readonly HomeCall[], position: number): Promise<unknown> {
    if (calls.length === 0 && position - this.#position < positionEveryEntries) return Promise.resolve();
    const writes = calls.map((call) => this.#write(call));
    if (position > this.#position) {
      this.#position = position;
      writes.push(this.#db.put(positionKey, position));
    }
    return Promise.all(writes);
  }

  /**
   * Keeps copies of closed calls until their tick's entry is written: an eviction decided before that (a clock
   * jump while appends are in flight) still finds them here.
   */
  stage(calls: readonly HomeCall[]): void {
    for (const call of calls) this.#staged.set(call.id, call);
  }

  /** Writes the staged calls with the position of the entry being appended now (same transaction). */
  writeStaged(position: number): Promise<unknown> {
    const calls = [...this.#staged.values()];
    const written = this.write(calls, position);
    this.#staged.clear();
    return written;
  }

  #write(call: HomeCall): Promise<unknown> {
    const writing = this.#writing.get(call.id);
    if (writing === undefined) this.#writing.set(call.id, { call, writes: 1 });
    else {
      writing.call = call;
      writing.writes += 1;
    }
    const settle = (): void => {
      const current = this.#writing.get(call.id);
      if (current !== undefined && --current.writes === 0) this.#writing.delete(call.id);
    };
    const written = this.#db.put(call.id, call);
    written.then(settle, settle);
    return written;
  }

  /** Every archived call, in id order: for full-history reports (read-only handles in workers). */
  *calls(): Iterable<HomeCall> {
    for (const { key, value } of this.#db.getRange()) if (key !== positionKey && typeof value === 'object') yield value;
  }
}
