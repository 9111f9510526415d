/**
 * Durable snapshots of actor state on LMDB: at a log position, every actor address with its encoded state bytes,
 * plus a manifest (position, actor count, bytes, SHA-256 of the content). Recovery = the newest complete snapshot
 * + replay of the log after its position. Generic: the store never looks inside the state bytes.
 *
 * Layout (two named databases in the shared environment): manifests by position; entries by [position, index],
 * value = [u16 LE address bytes][address UTF-8][state bytes]. Entries keep the order the caller gave, so a restore
 * rebuilds maps in the same insertion order (DESIGN rule 1: replay gives a byte-identical state). The hash covers,
 * per entry in that order, the u32 LE value length and the value.
 *
 * Crash safety: a save writes a `writing` manifest, then the entries in chunk transactions, then the `complete`
 * manifest in a last transaction. Every commit is fsynced (lmdb-environment.ts), so a complete manifest implies
 * durable entries. latest() only ever returns complete snapshots; leftovers of a crashed save (a `writing`
 * manifest, or entries with no manifest) are ignored and deleted by the next save. Pruning deletes a manifest before
 * its entries, so a crash mid-prune leaves only such leftovers.
 *
 * Readers: a read-only store sees complete snapshots as of its last read transaction. entries() reads in one
 * snapshot-consistent range, and checks count and hash when it reaches the end.
 *
 * Bounds: `snapshotsRetainedDefault` complete snapshots kept, `addressBytesMax` per address, each save transaction
 * at most `saveChunkEntriesMax` entries or about `saveChunkBytesMax` bytes, each delete transaction at most
 * `deleteChunkEntriesMax` entries.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from './lmdb-environment.ts';
import { explainLmdbWriteFailure } from './lmdb-write-failure.ts';

export const manifestDatabaseName = 'snapshot-manifest';
export const entryDatabaseName = 'snapshot-entry';
/** The newest plus one spare: if the newest turns out damaged, recovery falls back one step. */
export const snapshotsRetainedDefault = 2;
/** Addresses are short ("clinic/<id>"); a long one is a bug. Also keeps the u16 length field safe. */
export const addressBytesMax = 1024;
export const saveChunkEntriesMax = 4096;
/** 16 MiB of dirty pages per transaction keeps the writer lock short and the memory of one chunk bounded. */
export const saveChunkBytesMax = 16 * 1024 * 1024;
export const deleteChunkEntriesMax = 10_000;
const entryHeaderBytes = 2;

export type SnapshotManifest =
  | { readonly kind: 'writing'; readonly position: number }
  | {
      readonly kind: 'complete';
      readonly position: number;
      readonly actorCount: number;
      readonly stateBytes: number;
      /** SHA-256, hex. */
      readonly hash: string;
    };

export type CompleteSnapshotManifest = Extract<SnapshotManifest, { kind: 'complete' }>;

export interface Snapshot extends CompleteSnapshotManifest {
  /**
   * The actors in the order they were saved, as fresh copies. Throws SnapshotCorruptionError at the end when the
   * count or the hash differs from the manifest; a caller that stops early has checked nothing.
   */
  entries(): Iterable<[string, Uint8Array]>;
}

export interface SnapshotStoreOptions {
  readonly snapshotsRetained?: number;
}

/** A complete snapshot does not match its manifest (damaged media, or a bug). Fall back to an older one. */
export class SnapshotCorruptionError extends Error {
  override readonly name = 'SnapshotCorruptionError';
  readonly position: number;

  constructor(position: number, reason: string) {
    super(`snapshot at position ${position} is corrupt: ${reason}`);
    this.position = position;
  }
}

/** A save could not be written. Not fatal to the engine (the log still holds everything): retry later. */
export class SnapshotWriteError extends Error {
  override readonly name = 'SnapshotWriteError';
  readonly position: number;

  constructor(position: number, message: string, options?: ErrorOptions) {
    super(`snapshot at position ${position} could not be written: ${message}`, options);
    this.position = position;
  }
}

type EntryKey = [number, number];
type ManifestDatabase = Database<SnapshotManifest, number>;
type EntryDatabase = Database<Buffer, EntryKey>;

export class SnapshotStore {
  private readonly environment: LmdbEnvironment;
  private readonly manifests: ManifestDatabase;
  private readonly entryValues: EntryDatabase;
  private readonly snapshotsRetained: number;
  private saveTail: Promise<unknown> = Promise.resolve();

  private constructor(environment: LmdbEnvironment, options: SnapshotStoreOptions) {
    this.environment = environment;
    this.snapshotsRetained = options.snapshotsRetained ?? snapshotsRetainedDefault;
    assert(Number.isSafeInteger(this.snapshotsRetained) && this.snapshotsRetained >= 1, 'keep at least one snapshot');
    this.manifests = environment.openDatabase<SnapshotManifest, number>(manifestDatabaseName, {});
    this.entryValues = environment.openDatabase<Buffer, EntryKey>(entryDatabaseName, { encoding: 'binary' });
  }

  static open(environment: LmdbEnvironment, options: SnapshotStoreOptions = {}): SnapshotStore {
    return new SnapshotStore(environment, options);
  }

  /**
   * Writes a snapshot of the actors at a log position and resolves once it is durable and older snapshots beyond
   * the retained count are gone. Saves run one at a time. A position older than the newest complete snapshot is a
   * bug; the same position replaces it. Rejects with SnapshotWriteError when the disk refuses.
   */
  save(position: number, actors: Iterable<[string, Uint8Array]>): Promise<CompleteSnapshotManifest> {
    assert(!this.environment.readOnly, 'save on a read-only snapshot store');
    assert(Number.isSafeInteger(position) && position >= 0, `snapshot position must be a safe integer >= 0, got ${position}`);
    const saved = this.saveTail.then(() => this.saveNow(position, actors));
    this.saveTail = saved.catch(() => undefined);
    return saved;
  }

  /** The newest complete snapshot, or undefined when there is none. */
  latest(): Snapshot | undefined {
    const manifest = this.list()[0];
    return manifest === undefined ? undefined : this.snapshotOf(manifest);
  }

  /** The newest complete snapshot at or before a log position (time travel replays from it), or undefined. */
  latestAtOrBefore(position: number): Snapshot | undefined {
    const manifest = this.list().find((candidate) => candidate.position <= position);
    return manifest === undefined ? undefined : this.snapshotOf(manifest);
  }

  /** The complete snapshots held, newest first. */
  list(): CompleteSnapshotManifest[] {
    if (this.environment.readOnly) this.manifests.resetReadTxn();
    const complete: CompleteSnapshotManifest[] = [];
    for (const { value } of this.manifests.getRange({ reverse: true })) {
      if (value.kind === 'complete') complete.push(value);
    }
    return complete;
  }

  private snapshotOf(manifest: CompleteSnapshotManifest): Snapshot {
    const entryValues = this.entryValues;
    return {
      ...manifest,
      *entries(): Iterable<[string, Uint8Array]> {
        const hash = createHash('sha256');
        let actorCount = 0;
        const range = entryValues.getRange({ start: [manifest.position, 0], end: [manifest.position + 1, 0] });
        for (const { value } of range) {
          hashEntry(hash, value);
          actorCount++;
          yield decodeEntry(manifest.position, value);
        }
        if (actorCount !== manifest.actorCount) {
          throw new SnapshotCorruptionError(manifest.position, `${actorCount} actors stored, manifest says ${manifest.actorCount}`);
        }
        const digest = hash.digest('hex');
        if (digest !== manifest.hash) {
          throw new SnapshotCorruptionError(manifest.position, `content hash ${digest} differs from manifest ${manifest.hash}`);
        }
      },
    };
  }

  private async saveNow(position: number, actors: Iterable<[string, Uint8Array]>): Promise<CompleteSnapshotManifest> {
    const newest = this.list()[0];
    assert(
      newest === undefined || position >= newest.position,
      `snapshot position ${position} is older than the newest snapshot ${newest?.position ?? 0}`,
    );
    try {
      await this.deleteIncomplete();
      if (newest?.position === position) await this.deleteSnapshot(position);
      await this.manifests.put(position, { kind: 'writing', position });
      const manifest = await this.writeEntries(position, actors);
      await this.manifests.put(position, manifest);
      await this.prune();
      return manifest;
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      const failure = await explainLmdbWriteFailure(error);
      throw new SnapshotWriteError(position, failure.message, { cause: failure.cause });
    }
  }

  private async writeEntries(position: number, actors: Iterable<[string, Uint8Array]>): Promise<CompleteSnapshotManifest> {
    const hash = createHash('sha256');
    let actorCount = 0;
    let stateBytes = 0;
    let chunkEntries = 0;
    let chunkBytes = 0;
    let chunkCommitted: Promise<boolean> | undefined;
    for (const [address, state] of actors) {
      const value = encodeEntry(address, state);
      hashEntry(hash, value);
      // Puts of one event-loop turn share one transaction; awaiting at a chunk boundary ends that transaction and
      // bounds the memory held by queued values.
      chunkCommitted = this.entryValues.put([position, actorCount], value);
      actorCount++;
      stateBytes += state.length;
      chunkEntries++;
      chunkBytes += value.length;
      if (chunkEntries >= saveChunkEntriesMax || chunkBytes >= saveChunkBytesMax) {
        await chunkCommitted;
        chunkCommitted = undefined;
        chunkEntries = 0;
        chunkBytes = 0;
      }
    }
    if (chunkCommitted !== undefined) await chunkCommitted;
    return { kind: 'complete', position, actorCount, stateBytes, hash: hash.digest('hex') };
  }

  /** Deletes complete snapshots beyond the retained count, oldest last kept. */
  private async prune(): Promise<void> {
    const expired = this.list().slice(this.snapshotsRetained);
    for (const manifest of expired) await this.deleteSnapshot(manifest.position);
  }

  /** Leftovers of crashed saves or prunes: `writing` manifests, and entries whose position has no manifest. */
  private async deleteIncomplete(): Promise<void> {
    // Collected before deleting: a range iterator must not live across the awaits of the deletions.
    const writing = [...this.manifests.getRange({})].filter(({ value }) => value.kind === 'writing');
    for (const { key } of writing) await this.deleteSnapshot(key);
    let from = 0;
    for (;;) {
      const position = this.firstEntryPositionFrom(from);
      if (position === undefined) return;
      if (this.manifests.get(position)?.kind !== 'complete') await this.deleteSnapshot(position);
      from = position + 1;
    }
  }

  private firstEntryPositionFrom(from: number): number | undefined {
    for (const key of this.entryValues.getKeys({ start: [from, 0], limit: 1 })) return key[0];
    return undefined;
  }

  /** Manifest first, then entries in chunks: a crash in between leaves orphan entries, never a broken manifest. */
  private async deleteSnapshot(position: number): Promise<void> {
    await this.manifests.remove(position);
    for (;;) {
      const keys = [...this.entryValues.getKeys({ start: [position, 0], end: [position + 1, 0], limit: deleteChunkEntriesMax })];
      if (keys.length === 0) return;
      await this.entryValues.transaction(() => {
        for (const key of keys) this.entryValues.removeSync(key);
      });
    }
  }
}

function encodeEntry(address: string, state: Uint8Array): Buffer {
  const addressBytes = Buffer.byteLength(address, 'utf8');
  assert(addressBytes > 0 && addressBytes <= addressBytesMax, `actor address must be 1..${addressBytesMax} bytes, got ${addressBytes}`);
  const value = Buffer.allocUnsafe(entryHeaderBytes + addressBytes + state.length);
  value.writeUInt16LE(addressBytes, 0);
  value.write(address, entryHeaderBytes, 'utf8');
  value.set(state, entryHeaderBytes + addressBytes);
  return value;
}

function decodeEntry(position: number, value: Buffer): [string, Uint8Array] {
  if (value.length < entryHeaderBytes) throw new SnapshotCorruptionError(position, 'entry shorter than its header');
  const addressBytes = value.readUInt16LE(0);
  if (entryHeaderBytes + addressBytes > value.length) throw new SnapshotCorruptionError(position, 'entry address runs past its end');
  const address = value.toString('utf8', entryHeaderBytes, entryHeaderBytes + addressBytes);
  // A copy into a plain Uint8Array: the caller owns the bytes, whatever lmdb-js does with its read buffers later.
  return [address, new Uint8Array(value.subarray(entryHeaderBytes + addressBytes))];
}

function hashEntry(hash: Hash, value: Uint8Array): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32LE(value.length, 0);
  hash.update(length);
  hash.update(value);
}
