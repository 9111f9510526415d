/**
 * The storage the engine host takes from outside (persistence/engine-host.ts, DESIGN "The durable path,
 * measured"): the log, the snapshot store, the call archive and a scheduler. The product opens them on LMDB and
 * the segment log (persistence/host-storage.ts); the seeded simulation on a simulated disk
 * (persistence/simulation/simulated-storage.ts). Only interfaces, the records the log holds, and the Node scheduler.
 */
import type { AddressedEvent, HomeCall } from '../engine/index.ts';
import type { CallArchiveReader } from '../engine/read-model.ts';
import type { EventLog } from './event-log.ts';
import type { IdempotencyRecord } from './idempotency-ledger.ts';
import type { LmdbEnvironment } from './lmdb-environment.ts';
import type { Snapshot } from './snapshot-store.ts';

/** What the log holds: the engine's events, and the idempotency records written in the same entry. */
export type HostRecord = AddressedEvent | IdempotencyRecord;

export function isIdempotencyRecord(record: HostRecord): record is IdempotencyRecord {
  return 'ledger' in record;
}

/** The snapshot entry that carries the ledger beside the actors. */
export const idempotencySnapshotAddress = 'ledger/idempotency';

/** One stored entry as its verified frame (the projector and the replication tools copy frames byte for byte). */
export interface HostLogFrame {
  readonly position: number;
  readonly frame: Buffer;
}

/** The log the host writes: an EventLog of host records that can also hand out its raw frames. */
export interface HostLog extends EventLog<HostRecord> {
  readFrames(fromPosition: number): Iterable<HostLogFrame>;
}

/** Where snapshots go: the LMDB SnapshotStore, or the simulation's. */
export interface HostSnapshotStore {
  save(position: number, actors: Iterable<[string, Uint8Array]>): Promise<unknown>;
  latest(): Snapshot | undefined;
}

/** The archive of closed calls: the LMDB CallArchive, or the simulation's. */
export interface HostArchive extends CallArchiveReader {
  position(): number;
  record(events: readonly AddressedEvent[], position: number, lookup: (callId: string) => HomeCall | undefined): Promise<unknown>;
  stage(calls: readonly HomeCall[]): void;
  writeStaged(position: number): Promise<unknown>;
  /** Every archived call (full-history reports, tests). */
  calls(): Iterable<HomeCall>;
}

export interface HostTimer {
  cancel(): void;
}

/** The host's only sources of asynchrony besides its storage: the tick and the engine's deadlines. */
export interface HostScheduler {
  /** Runs `task` after the current event-loop turn (the tick: every command of the turn joins one entry). */
  immediate(task: () => void): void;
  /** Runs `task` after `delayMs`; the timer must not keep the process alive. */
  timer(task: () => void, delayMs: number): HostTimer;
}

export const nodeScheduler: HostScheduler = {
  immediate: (task) => {
    setImmediate(task);
  },
  timer: (task, delayMs) => {
    const timer = setTimeout(task, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Everything the host stores into, opened by its owner and closed by the host's close(). */
export interface HostStorage {
  readonly log: HostLog;
  readonly snapshots: HostSnapshotStore;
  readonly archive: HostArchive;
  /** The LMDB environment for the gateway's stores (tokens, sessions, webhooks); absent in the simulation. */
  readonly environment?: LmdbEnvironment;
  readonly scheduler: HostScheduler;
  /**
   * Builds snapshots off the engine thread (persistence/snapshot-builder.ts); absent, the host encodes them itself
   * (a pause of the engine thread that grows with the state: `lastSnapshotPauseMs`).
   */
  readonly snapshotBuilder?: { build(position: number, nowMs: number): Promise<Array<[string, Uint8Array]>>; close(): Promise<void> };
  /** Closes the storage after the log; the host calls it once from close(). */
  close(): Promise<void>;
}
