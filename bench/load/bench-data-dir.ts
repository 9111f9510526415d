// A fresh data directory for one server under test, labelled by where it lives (BENCH.md "The disk"): on the
// disk under the repository's ./data/bench (gitignored) by default, or on tmpfs under /dev/shm with `--tmpfs`,
// to show our own cost apart from the disk's fsync tail. `remove()` deletes it (idempotent).

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type StorageLabel = 'disk' | 'tmpfs';

export const tmpfsParent = '/dev/shm';
export const diskParent = fileURLToPath(new URL('../../data/bench/', import.meta.url));

export interface BenchDataDir {
  readonly path: string;
  readonly storage: StorageLabel;
  /** The parent directory: where the durability floor runs to measure the same device. */
  readonly parent: string;
  remove(): void;
}

export function makeBenchDataDir(name: string, storage: StorageLabel): BenchDataDir {
  if (storage === 'tmpfs' && !existsSync(tmpfsParent)) throw new Error(`--tmpfs: ${tmpfsParent} does not exist here`);
  const parent = storage === 'tmpfs' ? tmpfsParent : diskParent;
  mkdirSync(parent, { recursive: true });
  const path = mkdtempSync(join(parent, `cd-bench-${name}-`));
  let removed = false;
  return {
    path, storage, parent,
    remove(): void {
      if (removed) return;
      removed = true;
      rmSync(path, { recursive: true, force: true });
    },
  };
}
