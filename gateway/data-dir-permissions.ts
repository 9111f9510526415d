/**
 * The data directory holds patients' data, token hashes, session hashes and webhook secrets: only the server's
 * own user may read it (docs/security.md). At start the process's umask becomes 0077, so every file it creates
 * from then on (LMDB's data.mdb and lock.mdb, snapshots, demo-tokens.json, import uploads) is 0600 and every
 * directory 0700; a directory left readable by an older version is tightened too: itself to 0700 and the files
 * directly in it to 0600.
 */
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const privateUmask = 0o077;
export const dataDirMode = 0o700;
export const dataFileMode = 0o600;

/** Sets the umask; call once, first thing, before any file of the data directory is created. */
export function usePrivateUmask(): void {
  process.umask(privateUmask);
}

/** Tightens an existing data directory and the files in it; returns the names it changed. */
export function tightenDataDir(dataDir: string): string[] {
  const changed: string[] = [];
  if ((statSync(dataDir).mode & 0o777) !== dataDirMode) {
    chmodSync(dataDir, dataDirMode);
    changed.push('.');
  }
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    const path = join(dataDir, entry.name);
    const mode = statSync(path).mode & 0o777;
    const wanted = entry.isDirectory() ? dataDirMode : dataFileMode;
    if (entry.isFile() || entry.isDirectory()) {
      if ((mode & 0o077) !== 0) {
        chmodSync(path, mode & wanted);
        changed.push(entry.name);
      }
    }
  }
  return changed;
}
