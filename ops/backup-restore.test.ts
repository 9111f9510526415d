/**
 * Backup under load and restore, through the real CLIs (`npm run backup` / `npm run restore`) against a real
 * server process with commands flowing and periodic snapshots:
 *   - the manifest's state hash equals a full, independent replay of the live log up to the manifest's position;
 *   - restore into a fresh directory verifies, recovers to exactly that position and hash (verifyDataDir), and
 *     refuses a non-empty directory without --force, and one a running server holds even with --force;
 *   - a server started on the restored directory serves every call acknowledged before the backup began.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, SequenceIdSource } from '../engine/index.ts';
import { LmdbEnvironment } from '../persistence/lmdb-environment.ts';
import { openLogForReading } from '../persistence/host-storage.ts';
import { SnapshotStore } from '../persistence/snapshot-store.ts';
import { stateHash } from '../persistence/state-codec.ts';
import { recoverInto } from '../persistence/engine-host.ts';
import { verifyDataDir } from '../persistence/verify.ts';
import { readBackupManifest } from './backup-manifest.ts';
import { CallLoad, demoPartnerToken, missingCalls, repoDir, startServerProcess, stopServerProcess } from './server-process.ts';

const loadConnections = 8;
const loadBeforeBackupMs = 1_500;
const loadAfterBackupMs = 700;

function runCli(script: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The state hash at `position` by replaying the live log from its first entry (no snapshot involved). */
async function hashByFullReplay(dataDir: string, position: number): Promise<string> {
  const environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
  try {
    const log = openLogForReading(dataDir, environment);
    const snapshots = SnapshotStore.open(environment);
    const latest = snapshots.latest();
    if (latest !== undefined && latest.position <= position) throw new Error('the test needs a snapshot newer than the backup, so the replay is independent of it');
    const engine = createEngine(new SequenceIdSource('test'));
    recoverInto(engine, log, snapshots, position);
    return stateHash(engine.snapshot());
  } finally {
    await environment.close();
  }
}

t.test('a hot backup under load restores to exactly its log position and state', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'cd-backup-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const dataDir = join(work, 'live');
  const backupDir = join(work, 'backup-1');
  const restoredDir = join(work, 'restored');

  const server = await startServerProcess(dataDir, { SNAPSHOT_EVERY_EVENTS: '150', LOG_LEVEL: 'warn' });
  t.teardown(() => void stopServerProcess(server, 'SIGKILL'));
  const token = demoPartnerToken(dataDir);
  const load = new CallLoad(server.base, token, loadConnections, 0);
  await new Promise((resolve) => setTimeout(resolve, loadBeforeBackupMs));
  const acknowledgedBeforeBackup = [...load.acknowledged];
  const backup = await runCli('ops/backup-data-dir.ts', ['--data-dir', dataDir, '--out', backupDir, '--quiet']);
  t.equal(backup.code, 0, `backup exits 0 ${backup.stderr}`);
  const acknowledgedDuringBackup = load.acknowledged.length - acknowledgedBeforeBackup.length;
  await new Promise((resolve) => setTimeout(resolve, loadAfterBackupMs));
  await load.stop();
  t.equal(load.failures, 0, 'the load ran without failures while the backup ran');
  t.comment(`${acknowledgedBeforeBackup.length} calls before the backup, ${acknowledgedDuringBackup} while it ran, ${load.acknowledged.length} in all`);
  t.equal(await stopServerProcess(server, 'SIGTERM'), 0, 'the server stops cleanly');

  const manifest = readBackupManifest(backupDir);
  t.same(readdirSync(backupDir).sort(), ['backup-manifest.json', 'data.mdb', 'demo-tokens.json', 'log'], 'data, side files, the segment log and manifest; no lock file');
  t.ok(manifest.files.some((file) => file.name.startsWith('log/') && file.name.endsWith('.segment')), 'the manifest lists the segment files with their digests');
  t.same(readdirSync(work).filter((name) => name.includes('partial')), [], 'no staging directory left');
  t.match(JSON.parse(backup.stdout), { event: 'backup', logPosition: manifest.logPosition, stateHash: manifest.stateHash });
  t.ok(manifest.snapshotPosition > 0, `the backup holds a snapshot (at ${manifest.snapshotPosition}) and the log after it (to ${manifest.logPosition})`);
  const live = verifyDataDir(dataDir);
  t.ok(live.lastPosition > manifest.logPosition, `commands kept flowing after the backup's position (${manifest.logPosition} < ${live.lastPosition})`);
  t.equal(await hashByFullReplay(dataDir, manifest.logPosition), manifest.stateHash, "the manifest's hash is the live log's state at the backup's position");

  const restore = await runCli('ops/restore-backup.ts', ['--from', backupDir, '--data-dir', restoredDir, '--quiet']);
  t.equal(restore.code, 0, `restore exits 0 ${restore.stderr}`);
  t.match(JSON.parse(restore.stdout), { event: 'restored', logPosition: manifest.logPosition, stateHash: manifest.stateHash });
  const restored = verifyDataDir(restoredDir);
  t.same(restored.problems, [], 'verify finds no problem in the restored directory');
  t.equal(restored.lastPosition, manifest.logPosition, 'the restored log ends at the backup position');
  t.equal(restored.recoveryHash, manifest.stateHash, 'the restored state hash equals the manifest');
  t.equal(restored.replayHash, manifest.stateHash, 'and so does a full replay of the restored log');

  const again = await runCli('ops/restore-backup.ts', ['--from', backupDir, '--data-dir', restoredDir, '--quiet']);
  t.equal(again.code, 2, 'a non-empty data directory is refused without --force');
  t.match(again.stderr, /is not empty/);

  const restartedOnRestore = await startServerProcess(restoredDir, { LOG_LEVEL: 'warn' });
  t.teardown(() => void stopServerProcess(restartedOnRestore, 'SIGKILL'));
  t.same(await missingCalls(restartedOnRestore.base, token, acknowledgedBeforeBackup), [], 'every call acknowledged before the backup is served from the restore');
  const overRunning = await runCli('ops/restore-backup.ts', ['--from', backupDir, '--data-dir', restoredDir, '--force', '--quiet']);
  t.equal(overRunning.code, 2, '--force still refuses a directory a running server holds');
  t.match(overRunning.stderr, /stop the server/);
  t.equal(await stopServerProcess(restartedOnRestore, 'SIGTERM'), 0);

  const forced = await runCli('ops/restore-backup.ts', ['--from', backupDir, '--data-dir', restoredDir, '--force', '--quiet']);
  t.equal(forced.code, 0, `--force replaces a stopped server's data directory ${forced.stderr}`);
  t.equal(verifyDataDir(restoredDir).recoveryHash, manifest.stateHash, 'back to the backup state (the restart had written a snapshot)');
  t.notOk(existsSync(join(restoredDir, 'data.mdb.restoring')), 'no temporary file left');
});

t.test('backup refuses a missing environment and a non-empty target; restore refuses a non-backup', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'cd-backup-refusals-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const noEnvironment = await runCli('ops/backup-data-dir.ts', ['--data-dir', join(work, 'nothing'), '--out', join(work, 'b'), '--quiet']);
  t.equal(noEnvironment.code, 2);
  t.match(noEnvironment.stderr, /holds no LMDB environment/);
  const notBackup = await runCli('ops/restore-backup.ts', ['--from', work, '--data-dir', join(work, 'r'), '--quiet']);
  t.equal(notBackup.code, 2);
  t.match(notBackup.stderr, /complete backup/);
  const usage = await runCli('ops/backup-data-dir.ts', ['--quiet']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--out is required/);
});
