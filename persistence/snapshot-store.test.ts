import { AssertionError } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { TapTest } from './event-log-suite.ts';
import { LmdbEnvironment } from './lmdb-environment.ts';
import {
  SnapshotCorruptionError,
  SnapshotStore,
  entryDatabaseName,
  manifestDatabaseName,
  saveChunkEntriesMax,
} from './snapshot-store.ts';
import type { SnapshotManifest } from './snapshot-store.ts';

function actors(count: number, salt: number): [string, Uint8Array][] {
  return Array.from({ length: count }, (_, index): [string, Uint8Array] => [
    index % 2 === 0 ? `clinic/${index}` : `doctor/${index}`,
    new TextEncoder().encode(`state ${index} at ${salt}`),
  ]);
}

function entriesOf(store: SnapshotStore): [string, Uint8Array][] {
  const snapshot = store.latest();
  return snapshot === undefined ? [] : [...snapshot.entries()];
}

/** Runs `body` with a writable environment and a store on a fresh directory. */
async function withStore(
  t: TapTest,
  body: (store: SnapshotStore, environment: LmdbEnvironment, path: string) => Promise<void>,
  snapshotsRetained = 2,
): Promise<void> {
  const path = await mkdtemp(join(tmpdir(), 'clinic-dispatch-snapshots-'));
  const environment = LmdbEnvironment.open({ path });
  t.teardown(async () => {
    await environment.close();
    await rm(path, { recursive: true, force: true });
  });
  await body(SnapshotStore.open(environment, { snapshotsRetained }), environment, path);
}

function entryCount(environment: LmdbEnvironment): number {
  return environment.openDatabase<Buffer, [number, number]>(entryDatabaseName, { encoding: 'binary' }).getKeysCount();
}

void t.test('an empty store has no latest snapshot', async (t) => {
  await withStore(t, async (store) => {
    t.equal(store.latest(), undefined);
    t.same(store.list(), []);
  });
});

void t.test('save then latest returns the actors in order, with count, bytes and a sha256', async (t) => {
  await withStore(t, async (store) => {
    const saved = actors(7, 1);
    const manifest = await store.save(120, saved);
    t.match(manifest, { kind: 'complete', position: 120, actorCount: 7 });
    t.equal(manifest.stateBytes, saved.reduce((sum, [, state]) => sum + state.length, 0));
    t.match(manifest.hash, /^[0-9a-f]{64}$/);
    const latest = store.latest();
    t.match(latest, { position: 120, actorCount: 7, hash: manifest.hash });
    const restored = entriesOf(store);
    t.same(restored.map(([address]) => address), saved.map(([address]) => address), 'the order given is kept');
    t.same(restored.map(([, state]) => Buffer.from(state).toString()), saved.map(([, state]) => Buffer.from(state).toString()));
    restored[0]?.[1].fill(0);
    t.same(Buffer.from(entriesOf(store)[0]?.[1] ?? []).toString(), 'state 0 at 1', 'returned bytes are copies');
  });
});

void t.test('a snapshot with no actors is valid', async (t) => {
  await withStore(t, async (store) => {
    const manifest = await store.save(0, []);
    t.equal(manifest.actorCount, 0);
    t.equal(manifest.hash, createHash('sha256').digest('hex'));
    t.same(entriesOf(store), []);
  });
});

void t.test('keeps the N newest snapshots and deletes the entries of older ones', async (t) => {
  await withStore(t, async (store, environment) => {
    for (const position of [10, 20, 30, 40]) await store.save(position, actors(5, position));
    t.same(store.list().map((manifest) => manifest.position), [40, 30]);
    t.equal(entryCount(environment), 10, 'only the entries of the two kept snapshots remain');
    t.same(entriesOf(store).map(([, state]) => Buffer.from(state).toString()), actors(5, 40).map(([, state]) => Buffer.from(state).toString()));
  }, 2);
});

void t.test('a snapshot whose save crashed is ignored, and cleaned by the next save', async (t) => {
  await withStore(t, async (store, environment) => {
    await store.save(10, actors(3, 10));
    // A crash mid-save: a `writing` manifest with some entries, and entries of a save that never wrote a manifest.
    const manifests = environment.openDatabase<SnapshotManifest, number>(manifestDatabaseName, {});
    const entries = environment.openDatabase<Buffer, [number, number]>(entryDatabaseName, { encoding: 'binary' });
    await manifests.put(20, { kind: 'writing', position: 20 });
    await entries.put([20, 0], Buffer.from('partial'));
    await entries.put([25, 0], Buffer.from('orphan'));
    t.equal(store.latest()?.position, 10, 'the newest complete snapshot wins');
    t.same(store.list().map((manifest) => manifest.position), [10]);
    await store.save(30, actors(2, 30));
    t.same(store.list().map((manifest) => manifest.position), [30, 10]);
    t.equal(entryCount(environment), 5, 'the leftovers are gone');
    t.equal(manifests.get(20), undefined);
  });
});

void t.test('saving across many chunk transactions, and reopening, keeps the snapshot', async (t) => {
  await withStore(t, async (store, environment, path) => {
    const many = actors(saveChunkEntriesMax * 2 + 17, 1);
    const manifest = await store.save(5, many);
    t.equal(manifest.actorCount, many.length);
    await environment.close();
    const reopenedEnvironment = LmdbEnvironment.open({ path });
    const reopened = SnapshotStore.open(reopenedEnvironment);
    t.equal(reopened.latest()?.hash, manifest.hash);
    t.equal(entriesOf(reopened).length, many.length);
    await reopenedEnvironment.close();
  });
});

void t.test('damaged entries fail the hash check at the end of entries()', async (t) => {
  await withStore(t, async (store, environment) => {
    await store.save(10, actors(4, 10));
    const entries = environment.openDatabase<Buffer, [number, number]>(entryDatabaseName, { encoding: 'binary' });
    const value = entries.getBinary([10, 2]);
    if (value === undefined) throw new Error('entry missing');
    const damaged = Buffer.from(value);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0x01;
    await entries.put([10, 2], damaged);
    t.throws(() => entriesOf(store), SnapshotCorruptionError);
    await entries.remove([10, 2]);
    t.throws(() => entriesOf(store), /3 actors stored, manifest says 4/);
  });
});

void t.test('the same position replaces; an older position is a bug; bad addresses are bugs', async (t) => {
  await withStore(t, async (store, environment) => {
    await store.save(10, actors(4, 1));
    await store.save(10, actors(2, 2));
    t.same(store.list().map((manifest) => manifest.actorCount), [2]);
    t.equal(entryCount(environment), 2);
    await t.rejects(store.save(9, actors(1, 1)), AssertionError);
    await t.rejects(store.save(11, [['', new Uint8Array(1)]]), AssertionError);
    await t.rejects(store.save(11, [['x'.repeat(2000), new Uint8Array(1)]]), AssertionError);
    t.equal(store.latest()?.position, 10, 'a failed save leaves the previous snapshot');
  });
});

void t.test('a read-only store sees snapshots saved by the writer, and cannot save', async (t) => {
  await withStore(t, async (store, _environment, path) => {
    await store.save(10, actors(3, 10));
    const readerEnvironment = LmdbEnvironment.open({ path, readOnly: true });
    const reader = SnapshotStore.open(readerEnvironment);
    t.equal(reader.latest()?.position, 10);
    await store.save(20, actors(3, 20));
    t.equal(reader.latest()?.position, 20, 'the reader follows new saves');
    t.equal(entriesOf(reader).length, 3);
    t.throws(() => reader.save(30, []), /read-only/);
    await readerEnvironment.close();
  });
});
