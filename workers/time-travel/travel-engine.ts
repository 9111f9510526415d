/**
 * An engine positioned anywhere in the log: restored from the nearest snapshot at or before the target (a
 * time-travel checkpoint or a recovery snapshot, whichever is nearer), or kept warm from the last query when
 * that is nearer still, then replayed forward with the engine's own `evolve` — so a past state is built by the
 * same code as the live one and cannot drift from it. It never decides: its id source throws.
 */
import { createEngine, type Engine, type IdSource } from '../../engine/index.ts';
import type { Address } from '../../engine/address.ts';
import { idempotencySnapshotAddress, isIdempotencyRecord, type HostLog, type HostRecord } from '../../persistence/engine-host.ts';
import type { LogEntry } from '../../persistence/event-log.ts';
import type { Snapshot, SnapshotStore } from '../../persistence/snapshot-store.ts';
import { decodeState } from '../../persistence/state-codec.ts';
import type { ReplayCost } from './time-travel-task.ts';

const noIds: IdSource = {
  next(): string {
    throw new Error('a time-travel engine replays events; it never decides a command, so it never needs an id');
  },
};

export class TravelEngine {
  #engine: Engine = createEngine(noIds);
  /** The last log position applied; 0 = the empty engine. */
  #position = 0;
  /** Events applied since the last restore or `resetEventCount()`. */
  eventsSinceMark = 0;

  get engine(): Engine {
    return this.#engine;
  }

  get position(): number {
    return this.#position;
  }

  resetEventCount(): void {
    this.eventsSinceMark = 0;
  }

  /** The nearest snapshot at or before `target` among the stores. */
  static nearestSnapshot(stores: readonly SnapshotStore[], target: number): Snapshot | undefined {
    let best: Snapshot | undefined;
    for (const store of stores) {
      const candidate = store.latestAtOrBefore(target);
      if (candidate !== undefined && (best === undefined || candidate.position > best.position)) best = candidate;
    }
    return best;
  }

  /** Brings the engine to exactly `target` (forward from where it is when that is nearest, else from a snapshot). */
  moveTo(target: number, log: HostLog, stores: readonly SnapshotStore[]): ReplayCost {
    const started = performance.now();
    const snapshot = TravelEngine.nearestSnapshot(stores, target);
    const warm = this.#position <= target && this.#position >= (snapshot?.position ?? 0);
    if (!warm) this.#restore(snapshot);
    const fromPosition = this.#position;
    let replayedEntries = 0;
    let replayedEvents = 0;
    if (this.#position < target) {
      for (const entry of log.read(this.#position + 1)) {
        if (entry.position > target) break;
        replayedEvents += this.applyEntry(entry);
        replayedEntries += 1;
      }
    }
    if (this.#position !== target) throw new Error(`the log ends at ${this.#position}, before the position ${target} asked for`);
    return { fromPosition, replayedEntries, replayedEvents, durationMs: performance.now() - started };
  }

  /** Applies the next entry of the log; returns how many events it held. */
  applyEntry(entry: LogEntry<HostRecord>): number {
    if (entry.position !== this.#position + 1) throw new Error(`entry ${entry.position} does not follow position ${this.#position}`);
    let events = 0;
    for (const record of entry.records) {
      if (isIdempotencyRecord(record)) continue;
      this.#engine.apply(record);
      events += 1;
    }
    this.#position = entry.position;
    this.eventsSinceMark += events;
    return events;
  }

  #restore(snapshot: Snapshot | undefined): void {
    this.#engine = createEngine(noIds);
    this.#position = 0;
    this.eventsSinceMark = 0;
    if (snapshot === undefined) return;
    const actors: Array<[Address, unknown]> = [];
    for (const [address, bytes] of snapshot.entries()) if (address !== idempotencySnapshotAddress) actors.push([address as Address, decodeState(bytes)]);
    this.#engine.restore(actors);
    this.#position = snapshot.position;
  }
}
