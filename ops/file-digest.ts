/**
 * SHA-256 of a file while reading it (`digestFile`) or while copying it (`copyWithDigest`), streamed in
 * `chunkBytes` pieces so a data file of many GiB never sits in memory, with a byte count for a progress bar.
 * `fsyncPath` makes a written file (or a directory entry) durable before a backup or restore reports success.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export const chunkBytes = 4 * 1024 * 1024;

export async function digestFile(path: string, onBytes?: (bytes: number) => void): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
      onBytes?.(bytes);
    }
  } finally {
    await file.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Copies `from` to a new file `to` (refuses to overwrite) and fsyncs it; returns what was written. */
export async function copyWithDigest(from: string, to: string, onBytes?: (bytes: number) => void): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const source = await open(from, 'r');
  const target = await open(to, 'wx', 0o600);
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await source.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      let written = 0;
      while (written < bytesRead) written += (await target.write(chunk, written, bytesRead - written)).bytesWritten;
      bytes += bytesRead;
      onBytes?.(bytes);
    }
    await target.sync();
  } finally {
    await source.close();
    await target.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** fsync of a file or a directory (a directory: so a rename or a new name in it survives a power cut). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
