/**
 * `npm run backup -- --data-dir ./data --out /backups/cd-2024-05-01`: a consistent hot copy of the LMDB
 * environment and, after it, of the segment log (`log/`) while the server runs, plus a manifest (log position, state hash, files with SHA-256).
 *
 * Why a separate process and not an admin endpoint: LMDB is built for several processes on one environment.
 * This CLI opens it read-only (no writer lock is taken; it may run beside the live server, as the service
 * user, who can write the lock file) and lets LMDB copy it from one read transaction (`mdb_env_copy2`, lmdb-js
 * `backup(path, compact)`): every named database — log, snapshots, tokens, webhook stores — as of one commit,
 * without pausing the writer. The server's engine thread does no backup work at all. While the read
 * transaction is open, pages it sees cannot be reused, so the data file may grow by what is written during the
 * copy; the next commits reuse that space.
 *
 * Then it recovers the copy (newest snapshot + the log after it, read-only) to record the log position and
 * state hash the backup stands for, digests the files, writes the manifest, fsyncs, and renames the staging
 * directory into place — a directory named `--out` is always a complete backup.
 *
 * Bounds: side files (small non-LMDB files at the top of the data directory, e.g. demo-tokens.json) at most
 * `sideFilesMax`, each at most `sideFileBytesMax`; bigger or more are skipped with a warning.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { open } from 'lmdb';
import { namedDatabasesMax } from '../persistence/lmdb-environment.ts';
import { segmentLogDirectory, segmentLogDirectoryName } from '../persistence/segment-event-log.ts';
import { backupFormatVersion, lmdbDataFileName, lmdbLockFileName, writeBackupManifest, type BackupFile, type BackupManifest } from './backup-manifest.ts';
import { copyWithDigest, digestFile, fsyncPath } from './file-digest.ts';
import { recoveredState } from './recovered-state.ts';
import { startProgress } from './progress.ts';

export const sideFilesMax = 64;
export const sideFileBytesMax = 16 * 1024 * 1024;
/** How often the copy's progress is sampled (the copy runs on LMDB's thread and reports nothing itself). */
export const copyPollIntervalMs = 250;

export interface BackupOptions {
  readonly dataDir: string;
  readonly outDir: string;
  /** Compacting copy: slower, and omits free pages (smaller). */
  readonly compact?: boolean;
  readonly quiet?: boolean;
  readonly warn?: (message: string) => void;
}

/** The data directory holds no LMDB environment, or the target is not usable: nothing was written. */
export class BackupRefusedError extends Error {
  override readonly name = 'BackupRefusedError';
}

export async function backupDataDir(options: BackupOptions): Promise<BackupManifest> {
  const dataDir = resolve(options.dataDir);
  const outDir = resolve(options.outDir);
  const quiet = options.quiet ?? false;
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  if (!existsSync(join(dataDir, lmdbDataFileName))) throw new BackupRefusedError(`${dataDir} holds no LMDB environment (${lmdbDataFileName} is missing)`);
  if (existsSync(outDir) && (!statSync(outDir).isDirectory() || readdirSync(outDir).length > 0)) {
    throw new BackupRefusedError(`${outDir} exists and is not an empty directory: back up into a new directory`);
  }
  // No dot after the first character: lmdb-js takes a path with an extension for a file, not a directory.
  const staging = join(dirname(outDir), `.cd-backup-partial-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const started = performance.now();
    const createdAt = new Date().toISOString();
    const compact = options.compact ?? false;
    await copyEnvironment(dataDir, staging, compact, quiet);
    const dataFile = await digestWithProgress(join(staging, lmdbDataFileName), quiet);
    const sideFiles = await copySideFiles(dataDir, staging, warn);
    // After LMDB's copy: the log copied later holds at least every entry the copied snapshots cover.
    const logFiles = await copyLogFiles(dataDir, staging);
    const replay = startProgress({ label: 'recover the copy', total: 0, unit: 'entries', quiet });
    const recovered = await recoveredState(staging, (replayed, toReplay) => {
      replay.setTotal(toReplay);
      replay.update(replayed);
    });
    replay.stop();
    // The read-only open made a lock file; a backup holds data only.
    await rm(join(staging, lmdbLockFileName), { force: true });
    const manifest: BackupManifest = {
      kind: 'clinic-dispatch-backup', formatVersion: backupFormatVersion, createdAt,
      durationMs: Math.round(performance.now() - started),
      sourceDataDir: dataDir, compact,
      logPosition: recovered.logPosition, firstLogPosition: recovered.firstLogPosition,
      snapshotPosition: recovered.snapshotPosition, stateHash: recovered.stateHash,
      files: [{ name: lmdbDataFileName, ...dataFile }, ...sideFiles, ...logFiles],
      node: process.version,
    };
    await writeBackupManifest(staging, manifest);
    await fsyncPath(staging);
    if (existsSync(outDir)) await rmdir(outDir);
    await rename(staging, outDir);
    await fsyncPath(dirname(outDir));
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** LMDB's own consistent copy, from one read transaction; progress is the growing size of the copy. */
async function copyEnvironment(dataDir: string, staging: string, compact: boolean, quiet: boolean): Promise<void> {
  const sourceBytes = (await stat(join(dataDir, lmdbDataFileName))).size;
  const progress = startProgress({ label: compact ? 'copy (compacting)' : 'copy', total: sourceBytes, unit: 'bytes', quiet });
  const poll = setInterval(() => {
    stat(join(staging, lmdbDataFileName)).then((s) => progress.update(s.size), () => undefined);
  }, copyPollIntervalMs);
  // Same flags as the server's handle (persistence/lmdb-environment.ts), read-only.
  const root = open({ path: dataDir, readOnly: true, overlappingSync: false, maxDbs: namedDatabasesMax, noSubdir: false });
  try {
    await root.backup(staging, compact);
    const copied = (await stat(join(staging, lmdbDataFileName))).size;
    progress.setTotal(Math.max(sourceBytes, copied));
    progress.update(copied);
  } finally {
    clearInterval(poll);
    progress.stop();
    await root.close();
  }
  await fsyncPath(join(staging, lmdbDataFileName));
}

async function digestWithProgress(path: string, quiet: boolean): Promise<{ bytes: number; sha256: string }> {
  const progress = startProgress({ label: 'checksum', total: (await stat(path)).size, unit: 'bytes', quiet });
  try {
    return await digestFile(path, (bytes) => progress.update(bytes));
  } finally {
    progress.stop();
  }
}

/**
 * The segment log (persistence/segment-event-log.ts), file by file in order, after LMDB's copy. The log only
 * grows at its end, so the copy is a prefix of it: a record being written while its segment is copied is torn in
 * the copy, and a reader of the copy stops before it, as after a crash; it was not acknowledged before the copy's
 * LMDB transaction anyway, which is all the copy's snapshots depend on.
 */
async function copyLogFiles(dataDir: string, staging: string): Promise<BackupFile[]> {
  const source = segmentLogDirectory(dataDir);
  if (!existsSync(source)) return [];
  const target = join(staging, segmentLogDirectoryName);
  await mkdir(target, { recursive: true });
  const files: BackupFile[] = [];
  for (const name of readdirSync(source).sort()) {
    if (!/^[A-Za-z0-9_-]+\.segment$|^first-position$/.test(name)) continue;
    files.push({ name: `${segmentLogDirectoryName}/${name}`, ...(await copyWithDigest(join(source, name), join(target, name))) });
  }
  await fsyncPath(target);
  return files;
}

/** Small regular files beside the environment (demo-tokens.json). They are not part of LMDB's consistent copy. */
async function copySideFiles(dataDir: string, staging: string, warn: (message: string) => void): Promise<BackupFile[]> {
  const files: BackupFile[] = [];
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === lmdbDataFileName || entry.name === lmdbLockFileName) continue;
    if (!/^[A-Za-z0-9._-]+$/.test(entry.name)) {
      warn(`skipped ${entry.name}: an unusual file name`);
      continue;
    }
    const bytes = statSync(join(dataDir, entry.name)).size;
    if (bytes > sideFileBytesMax || files.length >= sideFilesMax) {
      warn(`skipped ${entry.name}: side files are at most ${sideFilesMax}, each at most ${sideFileBytesMax} bytes`);
      continue;
    }
    files.push({ name: entry.name, ...(await copyWithDigest(join(dataDir, entry.name), join(staging, entry.name))) });
  }
  return files;
}

const usage = 'usage: npm run backup -- --out <new directory> [--data-dir <dir> (DATA_DIR, ./data)] [--compact] [--quiet]';

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, out: { type: 'string' }, compact: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (values.out === undefined || values.out === '') {
    console.error(`--out is required\n${usage}`);
    process.exit(2);
  }
  const dataDir = values['data-dir'] ?? (process.env['DATA_DIR'] || './data');
  try {
    const manifest = await backupDataDir({ dataDir, outDir: values.out, compact: values.compact, quiet: values.quiet });
    console.log(JSON.stringify({ event: 'backup', outDir: resolve(values.out), ...manifest }, null, 2));
  } catch (error) {
    console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof BackupRefusedError ? 2 : 1);
  }
}
