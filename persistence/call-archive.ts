/**
 * The call archive: every closed home call's final state, by id, in LMDB beside the log. Closed calls leave
 * the ClinicActor's memory some days after they close (engine/clinic-state.ts `closedCallRetentionDays`);
 * reads of older calls (a partner's GET, a patient's history, full-history reports) find them here.
 *
 * It is a projection of the log, rebuilt the same way: written after each durable batch that closes calls,
 * with the log position it covers in the same LMDB transaction, and caught up from that position at start-up,
 * so a crash between the log commit and the archive write loses nothing.
 */
import type { Database } from 'lmdb';
import type { AddressedEvent, HomeCall } from '../engine/index.ts';
import type { CallArchiveReader } from '../engine/read-model.ts';
import type { LmdbEnvironment } from './lmdb-environment.ts';

export const callArchiveDatabaseName = 'call-archive';
const positionKey = '#position';

const closingEvents: ReadonlySet<string> = new Set(['CallCompleted', 'CallCancelled', 'CallTransferred']);

export class CallArchive implements CallArchiveReader {
  readonly #db: Database<HomeCall | number, string>;

  constructor(environment: LmdbEnvironment) {
    this.#db = environment.openDatabase<HomeCall | number, string>(callArchiveDatabaseName, {});
  }

  get(callId: string): HomeCall | undefined {
    if (callId === positionKey) return undefined;
    const value = this.#db.get(callId);
    return typeof value === 'object' ? value : undefined;
  }

  /** The last log position whose closed calls are archived. */
  position(): number {
    const value = this.#db.get(positionKey);
    return typeof value === 'number' ? value : 0;
  }

  /**
   * Archives the calls closed by these events (their final state, read from the engine while still resident)
   * and the position, in one LMDB write batch. Resolves when durable.
   */
  record(events: readonly AddressedEvent[], position: number, lookup: (callId: string) => HomeCall | undefined): Promise<unknown> {
    const writes: Array<Promise<unknown>> = [];
    for (const { event } of events) {
      if (!closingEvents.has(event.type) || !('callId' in event)) continue;
      const call = lookup(event.callId);
      if (call !== undefined) writes.push(this.#db.put(call.id, { ...call, history: [...call.history] }));
    }
    if (writes.length === 0 && position - this.position() < 1_000) return Promise.resolve();
    writes.push(this.#db.put(positionKey, position));
    return Promise.all(writes);
  }

  /** Every archived call, in id order: for full-history reports (read-only handles in workers). */
  *calls(): Iterable<HomeCall> {
    for (const { key, value } of this.#db.getRange()) if (key !== positionKey && typeof value === 'object') yield value;
  }
}
