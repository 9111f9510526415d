/**
 * `npm run restore -- --from /backups/cd-2024-05-01 --data-dir /var/lib/clinic-dispatch`: puts a backup made
 * by `npm run backup` into a data directory, and proves it: every file's SHA-256 must equal the manifest's, and
 * the restored directory must recover (newest snapshot + log, read-only) to the manifest's log position and
 * state hash. Only then does it report success; a server started on the directory serves that state.
 *
 * The target must be empty or absent. `--force` replaces the LMDB files (and the backup's side files) of a
 * non-empty one — but never while a process has its data file mapped (a running server: stop it first; Linux
 * /proc is checked). Files are written as `<name>.restoring`, fsynced, then renamed, data.mdb last, so a
 * restore cut short leaves no data.mdb that looks whole.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lmdbDataFileName, lmdbLockFileName, readBackupManifest, BackupManifestError, type BackupManifest } from './backup-manifest.ts';
import { copyWithDigest, fsyncPath } from './file-digest.ts';
import { recoveredState } from './recovered-state.ts';
import { startProgress } from './progress.ts';

export interface RestoreOptions {
  readonly from: string;
  readonly dataDir: string;
  readonly force?: boolean;
  readonly quiet?: boolean;
}

export interface RestoreReport {
  readonly dataDir: string;
  readonly from: string;
  readonly logPosition: number;
  readonly snapshotPosition: number;
  readonly stateHash: string;
  readonly bytes: number;
  readonly durationMs: number;
}

/** The target is not empty (without --force) or in use: nothing was changed. */
export class RestoreRefusedError extends Error {
  override readonly name = 'RestoreRefusedError';
}

/** A copied file or the recovered state does not match the manifest: the restored directory must not be used. */
export class RestoreVerificationError extends Error {
  override readonly name = 'RestoreVerificationError';
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const from = resolve(options.from);
  const dataDir = resolve(options.dataDir);
  const quiet = options.quiet ?? false;
  const started = performance.now();
  if (extname(dataDir) !== '') {
    // lmdb-js opens a path with an extension as a file, so no server could use this directory.
    throw new RestoreRefusedError(`${dataDir}: a data directory's name must not end in an extension (${extname(dataDir)})`);
  }
  const manifest = readBackupManifest(from);
  for (const file of manifest.files) {
    if (!existsSync(join(from, file.name))) throw new BackupManifestError(`${from} lacks ${file.name}, which its manifest lists`);
  }
  await prepareTarget(dataDir, manifest, options.force ?? false);
  const bytes = await copyFiles(from, dataDir, manifest, quiet);
  const replay = startProgress({ label: 'recover the restored directory', total: 0, unit: 'entries', quiet });
  const recovered = await recoveredState(dataDir, (replayed, toReplay) => {
    replay.setTotal(toReplay);
    replay.update(replayed);
  });
  replay.stop();
  if (recovered.logPosition !== manifest.logPosition || recovered.stateHash !== manifest.stateHash) {
    throw new RestoreVerificationError(
      `${dataDir} recovers to log position ${recovered.logPosition} with state ${recovered.stateHash}, but the backup recorded ${manifest.logPosition} and ${manifest.stateHash}: do not start a server on it`,
    );
  }
  return {
    dataDir, from, logPosition: recovered.logPosition, snapshotPosition: recovered.snapshotPosition, stateHash: recovered.stateHash,
    bytes, durationMs: Math.round(performance.now() - started),
  };
}

async function prepareTarget(dataDir: string, manifest: BackupManifest, force: boolean): Promise<void> {
  const present = existsSync(dataDir) ? readdirSync(dataDir) : [];
  if (present.length > 0) {
    if (!force) {
      throw new RestoreRefusedError(`${dataDir} is not empty (${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}): restore into a new directory, or pass --force to replace its LMDB files`);
    }
    const dataFile = join(dataDir, lmdbDataFileName);
    const users = existsSync(dataFile) ? processesMapping(dataFile) : [];
    if (users.length > 0) throw new RestoreRefusedError(`${dataFile} is open in process ${users.join(', ')}: stop the server before restoring over its data directory`);
    for (const name of [lmdbLockFileName, ...manifest.files.map((file) => file.name)]) await rm(join(dataDir, name), { force: true });
    // The whole segment log goes: a segment of the old directory that the backup lacks would join the restored log.
    await rm(join(dataDir, 'log'), { recursive: true, force: true });
  }
  await mkdir(dataDir, { recursive: true });
}

/** Copies every file with its digest checked, data.mdb renamed into place last. */
async function copyFiles(from: string, dataDir: string, manifest: BackupManifest, quiet: boolean): Promise<number> {
  const total = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  const progress = startProgress({ label: 'restore', total, unit: 'bytes', quiet });
  let done = 0;
  const staged: string[] = [];
  try {
    for (const file of manifest.files) {
      const temporary = join(dataDir, `${file.name}.restoring`);
      // Segment log files live in log/ (persistence/segment-event-log.ts).
      await mkdir(dirname(temporary), { recursive: true });
      await rm(temporary, { force: true });
      const copied = await copyWithDigest(join(from, file.name), temporary, (bytes) => progress.update(done + bytes));
      done += copied.bytes;
      if (copied.sha256 !== file.sha256 || copied.bytes !== file.bytes) {
        throw new RestoreVerificationError(`${file.name} in ${from} does not match its manifest (${copied.bytes} bytes, sha256 ${copied.sha256}; expected ${file.bytes}, ${file.sha256}): the backup is damaged`);
      }
      staged.push(file.name);
    }
    // data.mdb is first in the manifest; renamed last, so a half-done restore has no data file.
    for (const name of [...staged.slice(1), lmdbDataFileName]) await rename(join(dataDir, `${name}.restoring`), join(dataDir, name));
    if (manifest.files.some((file) => file.name.includes('/'))) await fsyncPath(join(dataDir, 'log'));
    await fsyncPath(dataDir);
    return done;
  } catch (error) {
    for (const name of staged) await rm(join(dataDir, `${name}.restoring`), { force: true });
    throw error;
  } finally {
    progress.stop();
  }
}

/** Pids whose memory maps `file` (Linux /proc; elsewhere, and for other users' processes, nothing is seen). */
export function processesMapping(file: string): number[] {
  const target = realpathSync(file);
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/maps`, 'utf8').includes(target)) pids.push(Number(entry));
    } catch {
      // The process ended, or belongs to someone else.
    }
  }
  return pids;
}

const usage = 'usage: npm run restore -- --from <backup dir> --data-dir <new data dir> [--force] [--quiet]';

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, 'data-dir': { type: 'string' }, force: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (values.from === undefined || values['data-dir'] === undefined) {
    console.error(`--from and --data-dir are required\n${usage}`);
    process.exit(2);
  }
  try {
    const report = await restoreBackup({ from: values.from, dataDir: values['data-dir'], force: values.force, quiet: values.quiet });
    console.log(JSON.stringify({ event: 'restored', ...report }, null, 2));
  } catch (error) {
    console.error(`restore failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof RestoreRefusedError || error instanceof BackupManifestError ? 2 : 1);
  }
}
