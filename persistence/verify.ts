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

export const verifyUsage = `Usage: npm run verify -- [--data-dir <dir>] [--quiet]

Replays the whole event log of a data directory into an empty engine and checks every snapshot and the
recovery against it. Read-only: it may run beside a live server.

  --data-dir <dir>  the server's data directory (default: DATA_DIR, else ./data)
  --quiet           no progress bar
  --help            this text

Exit codes: 0 consistent, 1 a problem was found (listed in the report), 2 bad arguments or no such directory.`;

/** The command line: 0 consistent, 1 a problem found, 2 bad arguments (with a message, never a stack trace). */
export async function verifyMain(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let values: { 'data-dir'?: string; quiet?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { 'data-dir': { type: 'string' }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, strict: true, allowPositionals: false }));
  } catch (error) {
    console.error(`verify: ${error instanceof Error ? error.message : String(error)}\n\n${verifyUsage}`);
    return 2;
  }
  if (values.help === true) {
    console.log(verifyUsage);
    return 0;
  }
  const dataDir = values['data-dir'] ?? (env['DATA_DIR'] || './data');
  const { existsSync } = await import('node:fs');
  if (!existsSync(dataDir)) {
    console.error(`verify: no data directory at ${dataDir} (give --data-dir)`);
    return 2;
  }
  const { startProgress } = await import('../ops/progress.ts');
  const progress = startProgress({ label: 'replay', total: 0, unit: 'entries', quiet: values.quiet === true });
  const report = verifyDataDir(dataDir, (position, last) => {
    progress.setTotal(last);
    progress.update(position);
  });
  progress.setTotal(report.lastPosition);
  progress.update(report.lastPosition);
  progress.stop();
  console.log(JSON.stringify(report, null, 2));
  return report.ok ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  process.exitCode = await verifyMain(process.argv.slice(2));
}
