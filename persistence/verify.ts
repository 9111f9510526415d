/**
 * `verify`: replays the whole log from its first entry into an empty engine and checks that, at each
 * snapshot's position, the replayed state hashes equal to the snapshot's state; then that the end state of the
 * replay equals recovery (newest snapshot + the rest of the log). Read-only: it may run beside a live server.
 * Run: `npm run verify -- --data-dir ./data`.
 */
import { parseArgs } from 'node:util';
import { createEngine, SequenceIdSource, type Engine } from '../engine/index.ts';
import type { Address } from '../engine/address.ts';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { openLogForReading } from './host-storage.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { decodeState, stateHash } from './state-codec.ts';
import { idempotencySnapshotAddress, isIdempotencyRecord, recoverInto } from './engine-host.ts';

export interface VerifyReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly events: number;
  readonly lastPosition: number;
  readonly snapshotsChecked: number;
  readonly replayHash: string;
  readonly recoveryHash: string;
  readonly problems: readonly string[];
}

export function verifyDataDir(dataDir: string, onProgress?: (position: number, last: number) => void): VerifyReport {
  const environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
  try {
    const log = openLogForReading(dataDir, environment);
    const snapshots = SnapshotStore.open(environment);
    const problems: string[] = [];
    const manifests = snapshots.list().slice().reverse();
    const replay = createEngine(new SequenceIdSource('verify'));
    let entries = 0;
    let events = 0;
    let next = 0;
    if (log.firstPosition() > 1) problems.push(`the log starts at ${log.firstPosition()} (trimmed): snapshots below it cannot be checked from scratch`);
    const checkAt = (position: number): void => {
      while (next < manifests.length && (manifests[next]?.position ?? Infinity) <= position) {
        const manifest = manifests[next];
        next += 1;
        if (manifest === undefined || manifest.position !== position || log.firstPosition() > 1) continue;
        const restored = snapshotHash(snapshots, manifest.position);
        if (restored !== undefined && restored !== stateHash(replay.snapshot())) problems.push(`snapshot at ${manifest.position} differs from the replay`);
      }
    };
    checkAt(0);
    for (const entry of log.read(log.firstPosition())) {
      for (const record of entry.records) {
        if (isIdempotencyRecord(record)) continue;
        replay.apply(record);
        events += 1;
      }
      entries += 1;
      checkAt(entry.position);
      if (entries % 10_000 === 0) onProgress?.(entry.position, log.lastPosition());
    }
    const recovered = createEngine(new SequenceIdSource('recover'));
    recoverInto(recovered, log, snapshots);
    const replayHash = stateHash(replay.snapshot());
    const recoveryHash = stateHash(recovered.snapshot());
    if (log.firstPosition() <= 1 && replayHash !== recoveryHash) problems.push('recovery (snapshot + replay) differs from a full replay');
    return { ok: problems.length === 0, entries, events, lastPosition: log.lastPosition(), snapshotsChecked: next, replayHash, recoveryHash, problems };
  } finally {
    void environment.close();
  }
}

/** The hash of a stored snapshot's actors, restored through an engine so it is computed like a live one. */
function snapshotHash(snapshots: SnapshotStore, position: number): string | undefined {
  const snapshot = snapshots.latest();
  if (snapshot === undefined || snapshot.position !== position) return undefined;
  const engine: Engine = createEngine(new SequenceIdSource('snap'));
  const actors: Array<[Address, unknown]> = [];
  for (const [address, bytes] of snapshot.entries()) if (address !== idempotencySnapshotAddress) actors.push([address as Address, decodeState(bytes)]);
  engine.restore(actors);
  return stateHash(engine.snapshot());
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string', default: './data' }, quiet: { type: 'boolean', default: false } } });
  const { startProgress } = await import('../ops/progress.ts');
  const progress = startProgress({ label: 'replay', total: 0, unit: 'entries', quiet: values.quiet });
  const report = verifyDataDir(values['data-dir'], (position, last) => {
    progress.setTotal(last);
    progress.update(position);
  });
  progress.setTotal(report.lastPosition);
  progress.update(report.lastPosition);
  progress.stop();
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.ok ? 0 : 1);
}
