/**
 * The product's storage for the engine host, in one data directory: LMDB (snapshots, the call archive, the
 * gateway's stores) and the segment log beside it in `log/` (persistence/segment-event-log.ts; why, with the
 * numbers: docs/architecture.md "The log: segment files beside LMDB").
 *
 * A data directory written before the segment log keeps its log in LMDB's `event-log` database. The writer
 * migrates it once, before recovery: every frame is copied byte for byte into a staging directory, synced, and
 * the staging directory renamed to `log/` (a rename is atomic, so a crash leaves either no segment log, and the
 * LMDB log still whole, or the complete copy); only then are the LMDB entries deleted. Nothing acknowledged is
 * lost at any point. Readers (workers, verify, backup) open whichever log the directory holds
 * (`openLogForReading`).
 *
 * Bounds: the migration keeps at most `migrationAppendsInFlightMax` appends in flight.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CallArchive } from './call-archive.ts';
import { nodeScheduler, type HostLog, type HostRecord, type HostStorage } from './engine-host.ts';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { LmdbEventLog } from './lmdb-event-log.ts';
import { SegmentEventLog, segmentLogDirectory, segmentWriteOnDefault, type SegmentWriteMode } from './segment-event-log.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { WorkerSnapshotBuilder } from './snapshot-builder.ts';

export const migrationAppendsInFlightMax = 200;
const migrationStagingName = 'log-migrating';

/** The data directory's LMDB log and its segment log disagree: a tool wrote the LMDB log after the migration. */
export class LogMigrationConflictError extends Error {
  override readonly name = 'LogMigrationConflictError';
}

/** `writeOn`: LOG_WRITE_ON from the validated configuration (gateway/config.ts); default segment-event-log.ts's. */
export async function openHostStorage(dataDir: string, writeOn: SegmentWriteMode = segmentWriteOnDefault): Promise<HostStorage> {
  const environment = LmdbEnvironment.open({ path: dataDir });
  try {
    const log = await openLogForWriting(dataDir, environment, writeOn);
    return {
      log,
      snapshots: SnapshotStore.open(environment),
      archive: new CallArchive(environment),
      environment,
      scheduler: nodeScheduler,
      snapshotBuilder: new WorkerSnapshotBuilder(dataDir),
      close: () => environment.close(),
    };
  } catch (error) {
    await environment.close();
    throw error;
  }
}

/** The writer's log: the segment log, migrated from the LMDB log first if the directory still has only that. */
export async function openLogForWriting(dataDir: string, environment: LmdbEnvironment, writeOn: SegmentWriteMode = segmentWriteOnDefault): Promise<SegmentEventLog<HostRecord>> {
  const lmdbLog = LmdbEventLog.open<HostRecord>(environment);
  const target = segmentLogDirectory(dataDir);
  const lmdbHolds = lmdbLog.lastPosition() >= lmdbLog.firstPosition();
  if (!existsSync(target) && (lmdbHolds || lmdbLog.firstPosition() > 1)) await migrate(dataDir, lmdbLog);
  const log = SegmentEventLog.open<HostRecord>(target, { writeOn });
  if (lmdbLog.lastPosition() >= lmdbLog.firstPosition()) await dropMigratedLmdbEntries(lmdbLog, log);
  await lmdbLog.close();
  return log;
}

/** Whichever log the directory holds, for a reader (a worker thread, verify, backup, recovery of a copy). */
export function openLogForReading(dataDir: string, environment: LmdbEnvironment): HostLog {
  if (SegmentEventLog.existsIn(dataDir)) return SegmentEventLog.open<HostRecord>(segmentLogDirectory(dataDir), { readOnly: true });
  return LmdbEventLog.open<HostRecord>(environment);
}

async function migrate(dataDir: string, lmdbLog: LmdbEventLog<HostRecord>): Promise<void> {
  const staging = join(dataDir, migrationStagingName);
  rmSync(staging, { recursive: true, force: true });
  if (lmdbLog.firstPosition() > 1) SegmentEventLog.startAt(staging, lmdbLog.firstPosition());
  const copy = SegmentEventLog.open<HostRecord>(staging);
  const inFlight: Promise<number>[] = [];
  for (const { frame } of lmdbLog.readFrames(lmdbLog.firstPosition())) {
    inFlight.push(copy.appendFrame(frame));
    if (inFlight.length >= migrationAppendsInFlightMax) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  if (copy.lastPosition() !== lmdbLog.lastPosition()) throw new Error(`log migration copied up to ${copy.lastPosition()}, the LMDB log ends at ${lmdbLog.lastPosition()}`);
  await copy.close();
  renameSync(staging, segmentLogDirectory(dataDir));
  const fd = openSync(dataDir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** After a migration (or a crash right after its rename): the LMDB entries are copies; check the newest, delete them. */
async function dropMigratedLmdbEntries(lmdbLog: LmdbEventLog<HostRecord>, log: SegmentEventLog<HostRecord>): Promise<void> {
  const last = lmdbLog.lastPosition();
  const ours = last <= log.lastPosition() && last >= log.firstPosition() ? firstOf(log.readFrames(last)) : undefined;
  const theirs = firstOf(lmdbLog.readFrames(last));
  if (ours === undefined || theirs === undefined || !ours.frame.equals(theirs.frame)) {
    throw new LogMigrationConflictError(
      `the LMDB event log holds entries up to ${last} that the segment log in ${log.directory} does not hold the same way: ` +
        'something wrote the old LMDB log after the migration; move one of them away and start again',
    );
  }
  await lmdbLog.trimBefore(last + 1);
}

function firstOf<T>(items: Iterable<T>): T | undefined {
  for (const item of items) return item;
  return undefined;
}
