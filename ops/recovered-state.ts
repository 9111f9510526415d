/**
 * What a data directory recovers to, computed read-only the way the server recovers (newest snapshot, then
 * the log after it): the log's bounds, the snapshot used, and the state hash — the same `stateHash` the
 * EngineHost and `verify` compute. Backup writes it into its manifest; restore checks the restored directory
 * against it. It reports replay progress, since on a long log after the last snapshot this takes a while.
 *
 * The idempotency ledger is not part of the state hash (it never is), so its records are skipped here.
 */
import { createEngine, SequenceIdSource } from '../engine/index.ts';
import type { Address } from '../engine/address.ts';
import { LmdbEnvironment } from '../persistence/lmdb-environment.ts';
import { openLogForReading } from '../persistence/host-storage.ts';
import { SnapshotStore } from '../persistence/snapshot-store.ts';
import { decodeState, stateHash } from '../persistence/state-codec.ts';
import { idempotencySnapshotAddress, isIdempotencyRecord } from '../persistence/engine-host.ts';

/** How often (in log entries) replay reports progress. */
export const progressEveryEntries = 1_000;

export interface RecoveredState {
  readonly firstLogPosition: number;
  readonly logPosition: number;
  readonly snapshotPosition: number;
  readonly entriesReplayed: number;
  readonly stateHash: string;
}

/** `onProgress(replayed, toReplay)` in log entries. Opens the environment read-only: safe beside a live server. */
export async function recoveredState(dataDir: string, onProgress?: (replayed: number, toReplay: number) => void): Promise<RecoveredState> {
  const environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
  try {
    const log = openLogForReading(dataDir, environment);
    const snapshots = SnapshotStore.open(environment);
    const engine = createEngine(new SequenceIdSource('recovered-state'));
    const snapshot = snapshots.latest();
    const snapshotPosition = snapshot?.position ?? 0;
    if (snapshot !== undefined) {
      const actors: Array<[Address, unknown]> = [];
      for (const [address, bytes] of snapshot.entries()) if (address !== idempotencySnapshotAddress) actors.push([address as Address, decodeState(bytes)]);
      engine.restore(actors);
    }
    const logPosition = log.lastPosition();
    const toReplay = Math.max(0, logPosition - snapshotPosition);
    let entriesReplayed = 0;
    for (const entry of log.read(snapshotPosition + 1)) {
      if (entry.position > logPosition) break;
      for (const record of entry.records) if (!isIdempotencyRecord(record)) engine.apply(record);
      entriesReplayed += 1;
      if (entriesReplayed % progressEveryEntries === 0) onProgress?.(entriesReplayed, toReplay);
    }
    onProgress?.(entriesReplayed, toReplay);
    return { firstLogPosition: log.firstPosition(), logPosition, snapshotPosition, entriesReplayed, stateHash: stateHash(engine.snapshot()) };
  } finally {
    // Awaited: callers remove the lock file of a backup directory right after.
    await environment.close();
  }
}
