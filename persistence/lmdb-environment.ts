/**
 * One LMDB environment (one data directory, one memory map) shared by the event log and the snapshot store as
 * separate named databases. Opened once, closed once: the lifecycle lives here so the log and the store stay naive.
 *
 * Durability: the writer opens with `overlappingSync: false`. lmdb-js enables overlappingSync by default on Linux,
 * and then an awaited put resolves when its transaction is committed and visible, BEFORE the fsync (README,
 * "overlappingSync"). With it off, lmdb-js's write thread begins each transaction without MDB_NOSYNC
 * (src/writer.cpp, WriteWorker::Write), so mdb_txn_commit fdatasyncs the data pages and writes the meta page
 * through the O_DSYNC descriptor (mdb.c, mdb_txn_commit -> mdb_env_sync0, mdb_env_write_meta) before the write
 * thread marks the batch committed and the JS promise resolves. So: a resolved put is on disk, and no caller has
 * to remember to await `flushed`. Group commit is kept anyway: every put of one event-loop turn shares one
 * transaction, and turns that queue up while a commit is syncing are written by the next one.
 *
 * Read-only: workers in other threads or processes open the same path with `readOnly: true`; lmdb-js then removes
 * every write method, and each reader sees the last committed (hence durable) transaction.
 *
 * Bounds: `namedDatabasesMax` named databases; the map starts at `mapSizeBytesInitial` and lmdb-js grows it when a
 * transaction needs more pages (mdb.c, mdb_page_alloc "lmdb-js addition"), so only the disk bounds the data.
 */
import { strict as assert } from 'node:assert';
import { open } from 'lmdb';
import type { Database, DatabaseOptions, Key, RootDatabase } from 'lmdb';

/** Log, log meta, snapshot manifests, snapshot entries, and the gateway's tokens, sessions and webhook stores. */
export const namedDatabasesMax = 16;
/**
 * 1 GiB of address space, not of disk: the file grows page by page. Starting here avoids a dozen remaps in the
 * first hours; past it lmdb-js doubles the map as needed.
 */
export const mapSizeBytesInitial = 1024 * 1024 * 1024;

export interface LmdbEnvironmentOptions {
  /** The data directory; created if missing (the writer only). */
  readonly path: string;
  readonly readOnly?: boolean;
  readonly mapSizeBytes?: number;
}

/** A named database was asked for on a read-only environment before any writer created it. */
export class LmdbDatabaseMissingError extends Error {
  override readonly name = 'LmdbDatabaseMissingError';

  constructor(path: string, databaseName: string) {
    super(`LMDB database "${databaseName}" does not exist in ${path} yet: open the writer first`);
  }
}

export class LmdbEnvironment {
  readonly path: string;
  readonly readOnly: boolean;
  private readonly root: RootDatabase;
  private closing: Promise<void> | undefined;

  private constructor(path: string, readOnly: boolean, root: RootDatabase) {
    this.path = path;
    this.readOnly = readOnly;
    this.root = root;
  }

  static open(options: LmdbEnvironmentOptions): LmdbEnvironment {
    const readOnly = options.readOnly ?? false;
    const root = open({
      path: options.path,
      readOnly,
      // See the module comment: a resolved write must mean an fsynced write.
      overlappingSync: false,
      // A directory always, even when its name has a dot (lmdb-js would otherwise open 'data.v2' as a single file).
      noSubdir: false,
      maxDbs: namedDatabasesMax,
      mapSize: options.mapSizeBytes ?? mapSizeBytesInitial,
    });
    return new LmdbEnvironment(options.path, readOnly, root);
  }

  /**
   * Whether a resolved write is already fsynced. lmdb-js may fall back to the environment's existing flags when
   * another handle in this process opened the same path first, so this reads back what the handle really uses.
   */
  commitsAreDurable(): boolean {
    const flags = this.root as unknown as { readonly overlappingSync?: boolean; readonly noSync?: boolean };
    return flags.overlappingSync === false && flags.noSync !== true;
  }

  /** Opens (the writer: creates) a named database. Throws LmdbDatabaseMissingError for a reader if it is absent. */
  openDatabase<V, K extends Key>(name: string, options: DatabaseOptions): Database<V, K> {
    this.assertOpen();
    // lmdb-js returns undefined (typed as a Database) for a missing database on a read-only environment.
    const database = this.root.openDB<V, K>({ ...options, name }) as Database<V, K> | undefined;
    if (database === undefined) throw new LmdbDatabaseMissingError(this.path, name);
    return database;
  }

  isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** Closes the environment once; later calls return the same promise. Callers close their log/store first. */
  close(): Promise<void> {
    this.closing ??= this.root.close();
    return this.closing;
  }

  private assertOpen(): void {
    assert(this.closing === undefined, `LMDB environment ${this.path} is closed`);
  }
}
