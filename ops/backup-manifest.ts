/**
 * `backup-manifest.json`, written last into a backup directory: what the backup holds (the log position and
 * state hash it recovers to, the snapshot it starts from) and every file with its size and SHA-256, so a
 * restore can prove that it put back exactly what was backed up. A backup without a manifest is incomplete
 * (backup renames its staging directory into place only after writing it).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath } from './file-digest.ts';

export const backupManifestName = 'backup-manifest.json';
export const backupFormatVersion = 1;
/** The LMDB data file inside a data directory and inside a backup. */
export const lmdbDataFileName = 'data.mdb';
export const lmdbLockFileName = 'lock.mdb';
/** A manifest is a few hundred bytes per file; more is not a manifest. */
export const manifestBytesMax = 1024 * 1024;

export interface BackupFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface BackupManifest {
  readonly kind: 'clinic-dispatch-backup';
  readonly formatVersion: typeof backupFormatVersion;
  /** When the copy's read transaction began (ISO 8601). */
  readonly createdAt: string;
  readonly durationMs: number;
  readonly sourceDataDir: string;
  readonly compact: boolean;
  /** The last log entry in the backup: a restored server recovers to exactly this position. */
  readonly logPosition: number;
  readonly firstLogPosition: number;
  readonly snapshotPosition: number;
  /** The engine state hash at `logPosition` (persistence/state-codec.ts `stateHash`). */
  readonly stateHash: string;
  /** data.mdb first; then the data directory's small side files (demo-tokens.json). */
  readonly files: readonly BackupFile[];
  readonly node: string;
}

export class BackupManifestError extends Error {
  override readonly name = 'BackupManifestError';
}

export async function writeBackupManifest(directory: string, manifest: BackupManifest): Promise<void> {
  const path = join(directory, backupManifestName);
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  await fsyncPath(path);
}

export function readBackupManifest(directory: string): BackupManifest {
  const path = join(directory, backupManifestName);
  let parsed: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > manifestBytesMax) throw new Error(`larger than ${manifestBytesMax} bytes`);
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BackupManifestError(`${path}: ${error instanceof Error ? error.message : String(error)} (is ${directory} a complete backup?)`);
  }
  const problem = manifestProblem(parsed);
  if (problem !== undefined) throw new BackupManifestError(`${path}: ${problem}`);
  return parsed as BackupManifest;
}

function manifestProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const manifest = value as Record<string, unknown>;
  if (manifest['kind'] !== 'clinic-dispatch-backup') return 'not a clinic-dispatch backup manifest';
  if (manifest['formatVersion'] !== backupFormatVersion) return `format version ${String(manifest['formatVersion'])} is not ${backupFormatVersion}: restore it with the version that wrote it`;
  for (const field of ['logPosition', 'firstLogPosition', 'snapshotPosition', 'durationMs']) {
    if (!Number.isSafeInteger(manifest[field]) || (manifest[field] as number) < 0) return `${field} must be a non-negative integer`;
  }
  if (typeof manifest['stateHash'] !== 'string' || manifest['stateHash'] === '') return 'stateHash is missing';
  const files = manifest['files'];
  if (!Array.isArray(files) || files.length === 0) return 'files is missing';
  for (const file of files as unknown[]) {
    const entry = file as Record<string, unknown> | null;
    if (entry === null || typeof entry['name'] !== 'string' || !/^(log\/)?[A-Za-z0-9._-]+$/.test(entry['name']) || !Number.isSafeInteger(entry['bytes']) || typeof entry['sha256'] !== 'string') {
      return `files has a malformed entry: ${JSON.stringify(file)}`;
    }
  }
  if ((files[0] as BackupFile).name !== lmdbDataFileName) return `the first file must be ${lmdbDataFileName}`;
  return undefined;
}
