/**
 * A data directory written before the segment log (its log in LMDB's `event-log` database) opens with every
 * entry: the writer migrates the log once, the state is the same, positions continue, and the old entries are
 * gone from LMDB. A crash between the copy's rename and the LMDB deletion is the same as a finished migration.
 */
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, SequenceIdSource } from '../engine/index.ts';
import { demoRegionCommands } from '../engine/demo-region.ts';
import { mondayNineMs, sampleCall } from '../engine/test-harness.ts';
import { CallArchive } from './call-archive.ts';
import { EngineHost, nodeScheduler, type HostRecord } from './engine-host.ts';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { LmdbEventLog } from './lmdb-event-log.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { segmentLogDirectory } from './segment-event-log.ts';
import { verifyDataDir } from './verify.ts';

/** A host as the product ran before the segment log: its log in LMDB. */
async function openOldLayoutHost(dataDir: string, clock: ManualClock): Promise<EngineHost> {
  const environment = LmdbEnvironment.open({ path: dataDir });
  return EngineHost.openOn({
    log: LmdbEventLog.open<HostRecord>(environment),
    snapshots: SnapshotStore.open(environment),
    archive: new CallArchive(environment),
    environment,
    scheduler: nodeScheduler,
    close: () => environment.close(),
  }, { clock, ids: new SequenceIdSource('old'), onFatal: (error) => { throw error; } });
}

t.test('an LMDB-log data directory is migrated to the segment log with nothing lost', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-migrate-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const clock = new ManualClock(mondayNineMs);
  const old = await openOldLayoutHost(dataDir, clock);
  for (const command of demoRegionCommands(3)) t.ok((await old.submit(command, 'admin:demo')).ok);
  const registered = await Promise.all(Array.from({ length: 40 }, () => old.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:1')));
  t.ok(registered.every((result) => result.ok));
  const lastOld = old.durablePosition;
  const hash = old.stateHash();
  await old.close({ snapshot: false });
  t.notOk(existsSync(segmentLogDirectory(dataDir)), 'the old layout has no segment log');

  const host = await EngineHost.open({ dataDir, clock, ids: new SequenceIdSource('new'), onFatal: (error) => { throw error; } });
  t.ok(existsSync(segmentLogDirectory(dataDir)), 'the writer migrated the log');
  t.equal(host.durablePosition, lastOld, 'every entry is there');
  t.equal(host.recovery.replayedEntries, lastOld, 'and was replayed from the segment log');
  t.equal(host.stateHash(), hash, 'the same state');
  const after = await host.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:1');
  t.ok(after.ok);
  t.equal(host.durablePosition, lastOld + 1, 'positions continue');
  await host.close({ snapshot: false });

  const environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
  const lmdbLog = LmdbEventLog.open<HostRecord>(environment);
  t.equal([...lmdbLog.read(1)].length, 0, 'the LMDB copies are deleted after the migration');
  await environment.close();
  const verified = verifyDataDir(dataDir);
  t.same(verified.problems, []);
  t.equal(verified.lastPosition, lastOld + 1);
});
