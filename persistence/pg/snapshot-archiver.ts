/**
 * Copies the newest LMDB snapshot to Postgres (`snapshot_manifest` + `snapshot_archive`, states as bytea), so a
 * node that lost its disk can be rebuilt from Postgres alone (restore-from-postgres.ts).
 *
 * A snapshot is archived only once the projection has passed its position: the event archive then holds every
 * entry up to the projected position, so snapshot + archived entries after it always reach the projected
 * position, and a restored node's log ends exactly where the projection stands (no entry the projection missed).
 *
 * One snapshot is one transaction (manifest first, then the entries in bounded INSERTs), so a half-copied
 * snapshot is never visible; the LMDB store checks count and hash at the end of its iteration, and a mismatch
 * rolls the copy back. Older archived snapshots beyond `archivedSnapshotsRetained` are deleted in the same
 * transaction (their entries go with them by ON DELETE CASCADE).
 *
 * Bounds: `archivedSnapshotsRetained` snapshots kept; entries go in chunks of insert-chunks.ts.
 */
import type { Kysely } from 'kysely';
import type { Snapshot } from '../snapshot-store.ts';
import type { Database } from './database.ts';
import { insertChunks } from './insert-chunks.ts';

/** The newest and one spare, as the LMDB store keeps: a damaged newest one still leaves a way back. */
export const archivedSnapshotsRetained = 2;

/** What the archiver reads: the LMDB SnapshotStore satisfies it. */
export interface SnapshotSource {
  latest(): Snapshot | undefined;
}

export class SnapshotArchiver {
  readonly #db: Kysely<Database>;
  readonly #source: SnapshotSource;
  readonly #retained: number;

  constructor(db: Kysely<Database>, source: SnapshotSource, retained: number = archivedSnapshotsRetained) {
    this.#db = db;
    this.#source = source;
    this.#retained = retained;
  }

  /**
   * Archives the newest LMDB snapshot when it is newer than the newest archived one and not ahead of
   * `projectedPosition`. Resolves with the archived position, or undefined when there was nothing to do.
   */
  async archiveLatest(projectedPosition: number): Promise<number | undefined> {
    const snapshot = this.#source.latest();
    if (snapshot === undefined || snapshot.position > projectedPosition) return undefined;
    const newest = await this.newestArchivedPosition();
    if (newest !== undefined && newest >= snapshot.position) return undefined;
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('snapshot_manifest')
        .values({
          position: snapshot.position,
          actor_count: snapshot.actorCount,
          state_bytes: snapshot.stateBytes,
          hash: snapshot.hash,
        })
        .execute();
      let entryIndex = 0;
      const rows = mapIterable(snapshot.entries(), ([address, state]) => ({
        position: snapshot.position,
        entry_index: entryIndex++,
        address,
        state: Buffer.from(state.buffer, state.byteOffset, state.byteLength),
      }));
      for (const chunk of insertChunks(rows, (row) => row.state.length + row.address.length)) {
        await trx.insertInto('snapshot_archive').values(chunk).execute();
      }
      const expired = await trx
        .selectFrom('snapshot_manifest')
        .select('position')
        .orderBy('position', 'desc')
        .offset(this.#retained)
        .execute();
      if (expired.length > 0) {
        await trx.deleteFrom('snapshot_manifest').where('position', 'in', expired.map((row) => row.position)).execute();
      }
    });
    return snapshot.position;
  }

  async newestArchivedPosition(): Promise<number | undefined> {
    const row = await this.#db.selectFrom('snapshot_manifest').select('position').orderBy('position', 'desc').limit(1).executeTakeFirst();
    return row?.position;
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
