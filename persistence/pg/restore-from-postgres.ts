/**
 * Rebuilds an LMDB data directory from Postgres alone, for a node that lost its disk: the newest archived
 * snapshot goes into a fresh SnapshotStore, and every archived log entry after it is appended to a fresh log,
 * frame for frame, at the same positions. The server started on the result recovers as after any restart
 * (snapshot + replay), and its projector continues from the projected position, which equals the restored log's
 * end (snapshot-archiver.ts explains why).
 *
 * Everything is read in one REPEATABLE READ, read-only transaction, so a projector still writing elsewhere cannot
 * show the restore a snapshot without its entries. The snapshot is verified twice: the LMDB store's SHA-256 of
 * what it wrote must equal the archived manifest's, and the log frames pass their CRC as they are appended.
 *
 * Refuses a data directory that already holds anything: restoring over live data would mix two histories.
 *
 * Bounds: entries and frames are read `archiveRowsPerReadMax` rows at a time; the snapshot is held in memory
 * once (its size is the manifest's state_bytes), because SnapshotStore.save takes a synchronous iterable; at most
 * `appendsInFlightMax` appends are in flight.
 */
import { readdir } from 'node:fs/promises';
import type { Transaction } from 'kysely';
import { LmdbEnvironment } from '../lmdb-environment.ts';
import { LmdbEventLog } from '../lmdb-event-log.ts';
import { SnapshotStore } from '../snapshot-store.ts';
import type { Database } from './database.ts';
import { openPostgresDatabase } from './postgres-database.ts';

export const archiveRowsPerReadMax = 1_000;
/** Appends queued before waiting for them; far under the log's own bound. */
export const restoreAppendsInFlightMax = 64;
export const restoreApplicationName = 'clinic-dispatch-restore';

export interface RestoreFromPostgresOptions {
  readonly databaseUrl: string;
  readonly dataDir: string;
  /** The schema the projection lives in; absent: the connection's default search_path. */
  readonly schema?: string;
  readonly onProgress?: (progress: RestoreProgress) => void;
}

export interface RestoreProgress {
  readonly phase: 'snapshot' | 'log';
  readonly done: number;
  readonly total: number;
}

export interface RestoreResult {
  /** The snapshot restored, or undefined when the archive held none (the log then starts at 1). */
  readonly snapshotPosition: number | undefined;
  readonly actorCount: number;
  readonly firstLogPosition: number;
  /** The restored log's last position (= the snapshot's when no entry follows it). */
  readonly lastPosition: number;
  readonly entriesRestored: number;
}

/** The target directory already holds files. */
export class RestoreTargetNotEmptyError extends Error {
  override readonly name = 'RestoreTargetNotEmptyError';

  constructor(dataDir: string) {
    super(`${dataDir} is not empty: restore from Postgres writes a fresh data directory; move the old one away first`);
  }
}

/** The archive cannot give a consistent history (a gap, a mismatched snapshot, no snapshot and no first entry). */
export class RestoreArchiveError extends Error {
  override readonly name = 'RestoreArchiveError';
}

export async function restoreFromPostgres(options: RestoreFromPostgresOptions): Promise<RestoreResult> {
  await assertEmptyDirectory(options.dataDir);
  const postgres = openPostgresDatabase({
    databaseUrl: options.databaseUrl,
    applicationName: restoreApplicationName,
    poolConnectionsMax: 1,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
  });
  const environment = LmdbEnvironment.open({ path: options.dataDir });
  try {
    return await postgres.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute((trx) => restoreInto(trx, environment, options.onProgress ?? (() => undefined)));
  } finally {
    await environment.close();
    await postgres.close();
  }
}

async function restoreInto(
  trx: Transaction<Database>,
  environment: LmdbEnvironment,
  onProgress: (progress: RestoreProgress) => void,
): Promise<RestoreResult> {
  const manifest = await trx.selectFrom('snapshot_manifest').selectAll().orderBy('position', 'desc').limit(1).executeTakeFirst();
  let actorCount = 0;
  if (manifest !== undefined) {
    const actors = await readSnapshot(trx, manifest.position, manifest.actor_count, onProgress);
    const saved = await SnapshotStore.open(environment).save(manifest.position, actors);
    if (saved.hash !== manifest.hash || saved.actorCount !== manifest.actor_count) {
      throw new RestoreArchiveError(
        `archived snapshot ${manifest.position} does not match its manifest (hash ${saved.hash} vs ${manifest.hash}, ` +
          `${saved.actorCount} vs ${manifest.actor_count} actors)`,
      );
    }
    actorCount = saved.actorCount;
  }
  const firstLogPosition = (manifest?.position ?? 0) + 1;
  const restored = await restoreLog(trx, environment, firstLogPosition, onProgress);
  return {
    snapshotPosition: manifest?.position,
    actorCount,
    firstLogPosition,
    lastPosition: firstLogPosition - 1 + restored,
    entriesRestored: restored,
  };
}

async function readSnapshot(
  trx: Transaction<Database>,
  position: number,
  total: number,
  onProgress: (progress: RestoreProgress) => void,
): Promise<[string, Uint8Array][]> {
  const actors: [string, Uint8Array][] = [];
  onProgress({ phase: 'snapshot', done: 0, total });
  for (;;) {
    const rows = await trx
      .selectFrom('snapshot_archive')
      .select(['entry_index', 'address', 'state'])
      .where('position', '=', position)
      .where('entry_index', '>=', actors.length)
      .orderBy('entry_index')
      .limit(archiveRowsPerReadMax)
      .execute();
    for (const row of rows) {
      if (row.entry_index !== actors.length) {
        throw new RestoreArchiveError(`archived snapshot ${position} is missing entry ${actors.length}`);
      }
      actors.push([row.address, new Uint8Array(row.state)]);
    }
    onProgress({ phase: 'snapshot', done: actors.length, total });
    if (rows.length < archiveRowsPerReadMax) return actors;
  }
}

/** Appends every archived frame from `firstPosition` on; resolves with how many. */
async function restoreLog(
  trx: Transaction<Database>,
  environment: LmdbEnvironment,
  firstPosition: number,
  onProgress: (progress: RestoreProgress) => void,
): Promise<number> {
  const counted = await trx
    .selectFrom('event_archive')
    .select((eb) => [eb.fn.countAll<number>().as('entries'), eb.fn.min('position').as('first')])
    .where('position', '>=', firstPosition)
    .executeTakeFirstOrThrow();
  const total = Number(counted.entries);
  if (total > 0 && counted.first !== firstPosition) {
    throw new RestoreArchiveError(
      `the archive's first entry after the snapshot is ${String(counted.first)}, expected ${firstPosition}: entries are missing`,
    );
  }
  await LmdbEventLog.startAt(environment, firstPosition);
  const log = LmdbEventLog.open<unknown>(environment);
  let expected = firstPosition;
  onProgress({ phase: 'log', done: 0, total });
  try {
    for (;;) {
      const rows = await trx
        .selectFrom('event_archive')
        .select(['position', 'frame'])
        .where('position', '>=', expected)
        .orderBy('position')
        .limit(archiveRowsPerReadMax)
        .execute();
      let inFlight: Promise<number>[] = [];
      for (const row of rows) {
        if (row.position !== expected) throw new RestoreArchiveError(`the archive has no entry at position ${expected}`);
        inFlight.push(log.appendFrame(row.frame));
        expected++;
        if (inFlight.length >= restoreAppendsInFlightMax) {
          await Promise.all(inFlight);
          inFlight = [];
        }
      }
      await Promise.all(inFlight);
      onProgress({ phase: 'log', done: expected - firstPosition, total });
      if (rows.length < archiveRowsPerReadMax) break;
    }
  } finally {
    await log.close();
  }
  return expected - firstPosition;
}

async function assertEmptyDirectory(dataDir: string): Promise<void> {
  try {
    const names = await readdir(dataDir);
    if (names.length > 0) throw new RestoreTargetNotEmptyError(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
}
