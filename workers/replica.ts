/**
 * A worker's warm read replica of the engine: its own Engine rebuilt from the data directory opened read-only,
 * as recovery does (newest snapshot + replay of the log after it), then kept current by replaying only the log
 * entries it has not seen. A task therefore costs O(new entries + the document), not O(history), and the
 * engine's own `evolve` builds the replica, so the two cannot drift.
 *
 * The replica never decides: its IdSource throws. Timers are not run either; their effects (overdue marks,
 * calendar rolls, evictions) are events in the log like any other. Closed calls that left the actors' memory
 * are read from the call archive (`read.call` falls back to it; `archive.calls()` walks it for full-history
 * reports).
 *
 * Bounds: the replica holds what the engine holds (the live work: open calls, a week of closed ones, the slot
 * horizon, appointments for `appointmentRetentionDays`), so its memory follows the live state, within the
 * worker's heap limit. A catch-up replays at most what was appended since the last task. If the log was
 * trimmed past the replica's position, the replica is rebuilt from the newest snapshot.
 *
 * Reads: the segment log is read through its files (persistence/segment-event-log.ts: a reader may see an entry
 * written but not yet synced; a replica lives in the writer's process, so a crash that loses such an entry ends
 * the replica too). LMDB serves this thread from its own read snapshot without blocking the writer. `release()` drops the
 * snapshot after a task, so an idle worker never pins old pages (which would make the writer grow the file).
 */
import type { Database } from 'lmdb';
import { createEngine, ReadModel, type Engine, type HomeCall, type IdSource } from '../engine/index.ts';
import { CallArchive, callArchiveDatabaseName } from '../persistence/call-archive.ts';
import { isIdempotencyRecord, recoverInto, type HostLog } from '../persistence/engine-host.ts';
import { openLogForReading } from '../persistence/host-storage.ts';
import { LmdbEnvironment } from '../persistence/lmdb-environment.ts';
import { logMetaDatabaseName } from '../persistence/lmdb-event-log.ts';
import { SnapshotStore } from '../persistence/snapshot-store.ts';

/** A replica decides nothing, so an id request is a bug. */
const noIds: IdSource = {
  next(): string {
    throw new Error('a read replica never decides commands, so it never needs an id');
  },
};

export interface CatchUp {
  /** The log position the replica reflects after the catch-up. */
  readonly position: number;
  readonly replayedEntries: number;
  /** True when the replica was (re)built from a snapshot in this call. */
  readonly rebuilt: boolean;
  readonly durationMs: number;
}

export class Replica {
  readonly dataDir: string;
  readonly archive: CallArchive;
  #engine: Engine;
  #read: ReadModel;
  #position = 0;
  readonly #environment: LmdbEnvironment;
  readonly #log: HostLog;
  readonly #snapshots: SnapshotStore;
  readonly #release: { resetReadTxn(): void };
  readonly #archiveEntries: Database<HomeCall | number, string>;
  #closed = false;

  private constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.#environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
    this.#log = openLogForReading(dataDir, this.#environment);
    this.#snapshots = SnapshotStore.open(this.#environment);
    this.archive = new CallArchive(this.#environment);
    // Any database of the environment will do: lmdb-js keeps one read transaction per environment.
    this.#release = this.#environment.openDatabase<number, string>(logMetaDatabaseName, {});
    this.#archiveEntries = this.#environment.openDatabase<HomeCall | number, string>(callArchiveDatabaseName, {});
    this.#engine = createEngine(noIds);
    this.#read = new ReadModel(this.#engine, this.archive);
  }

  /**
   * Archived calls, streamed: a clinic's are one key range (call ids are `<clinicId>.<local>`, and `/` sorts
   * right after `.`), the region's are the whole database. The archive's position entry is not a call.
   */
  *archivedCalls(clinicId?: string): Iterable<HomeCall> {
    const range = clinicId === undefined ? {} : { start: `${clinicId}.`, end: `${clinicId}/` };
    for (const { value } of this.#archiveEntries.getRange(range)) if (typeof value === 'object') yield value;
  }

  /** Opens the data directory read-only; the state is built by the first `catchUp`. */
  static open(dataDir: string): Replica {
    return new Replica(dataDir);
  }

  get read(): ReadModel {
    return this.#read;
  }

  get position(): number {
    return this.#position;
  }

  /**
   * Brings the replica to the newest committed entry (at least `minPosition`, the main thread's durable position
   * when it handed over the task). The first call, or one after the log was trimmed past us, rebuilds.
   */
  catchUp(minPosition = 0): CatchUp {
    if (this.#closed) throw new Error('the replica is closed');
    const started = performance.now();
    const first = this.#log.firstPosition();
    const rebuild = this.#position === 0 || first > this.#position + 1;
    if (rebuild) this.#rebuild();
    let replayedEntries = 0;
    for (const entry of this.#log.read(this.#position + 1)) {
      for (const record of entry.records) if (!isIdempotencyRecord(record)) this.#engine.apply(record);
      this.#position = entry.position;
      replayedEntries += 1;
    }
    if (this.#position < minPosition) {
      throw new Error(`the replica sees log position ${this.#position} but the task needs ${minPosition}: the reader is behind the writer`);
    }
    return { position: this.#position, replayedEntries, rebuilt: rebuild, durationMs: performance.now() - started };
  }

  /** Ends the current read snapshot; the next read opens a fresh one. */
  release(): void {
    if (!this.#closed) this.#release.resetReadTxn();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#log.close();
    await this.#environment.close();
  }

  #rebuild(): void {
    this.#engine = createEngine(noIds);
    this.#read = new ReadModel(this.#engine, this.archive);
    // Recover only up to what exists now; whatever is appended meanwhile is replayed by the caller's loop.
    const lastPosition = this.#log.lastPosition();
    const recovered = recoverInto(this.#engine, this.#log, this.#snapshots, lastPosition);
    this.#position = Math.max(recovered.snapshotPosition, recovered.snapshotPosition + recovered.replayedEntries);
  }
}
