/**
 * The disk's physical durability floor (BENCH.md "Floors"): a 1 KB `write` + `fdatasync` into a preallocated file
 * (zeros written and synced first, so no write changes the file's size or its extent map and the sync is data
 * only), serial, one write at a time. Two ways of issuing it, both measured:
 *
 * - `write-fdatasync`: `fs.writeSync` + `fs.fdatasyncSync` on this thread, the textbook floor;
 * - `odsync-pwrite`: one positional `fs.write` on a descriptor opened with O_DSYNC, through libuv's threadpool,
 *   which is how persistence/segment-event-log.ts writes (the kernel syncs the data before the write returns:
 *   one system call and one thread hand-off per batch, and the event loop keeps running meanwhile).
 *
 * `runFsyncFloor(options)` returns the figures and the histogram so a scenario can run it in the same run as its
 * own measurement. Run directly: `node --import tsx bench/fsync-floor.ts --seconds 5 [--dir /dev/shm]` prints
 * the percentiles of both modes.
 *
 * Bounds: the file is `fileBytes` (writes wrap to its start), deleted after the run; `secondsMax` per run.
 */
import { closeSync, constants, fdatasyncSync, openSync, write, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, recordLatencyMs, summarizeLatency } from './lib/histogram.ts';
import type { LatencySummary } from './lib/histogram.ts';

export type FsyncFloorMode = 'write-fdatasync' | 'odsync-pwrite';
export const fsyncFloorRecordBytesDefault = 1024;
/** 64 MiB: the segment size of the segment log, so the floor writes over the same extent sizes. */
export const fsyncFloorFileBytes = 64 * 1024 * 1024;
export const secondsMax = 600;
const preallocateChunkBytes = 1024 * 1024;

export interface FsyncFloorOptions {
  /** A parent directory; the run makes and deletes a fresh directory inside it. */
  readonly directory: string;
  readonly seconds: number;
  readonly mode: FsyncFloorMode;
  readonly recordBytes?: number;
}

export interface FsyncFloorRun {
  readonly mode: FsyncFloorMode;
  readonly recordBytes: number;
  readonly writes: number;
  readonly latency: LatencySummary;
  readonly histogram: Histogram;
}

/** Writes zeros over the whole file and syncs it: later writes change no metadata the sync would have to flush. */
export function preallocateZeros(fd: number, bytes: number): void {
  const zeros = Buffer.alloc(Math.min(preallocateChunkBytes, bytes));
  for (let offset = 0; offset < bytes; offset += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - offset), offset);
  fdatasyncSync(fd);
}

export async function runFsyncFloor(options: FsyncFloorOptions): Promise<FsyncFloorRun> {
  if (!(options.seconds > 0 && options.seconds <= secondsMax)) throw new Error(`seconds must be in (0, ${secondsMax}], got ${options.seconds}`);
  const recordBytes = options.recordBytes ?? fsyncFloorRecordBytesDefault;
  await mkdir(options.directory, { recursive: true });
  const directory = await mkdtemp(join(options.directory, 'fsync-floor-'));
  const path = join(directory, 'floor.segment');
  const setup = openSync(path, 'w');
  preallocateZeros(setup, fsyncFloorFileBytes);
  closeSync(setup);
  const fd = options.mode === 'odsync-pwrite' ? openSync(path, constants.O_RDWR | constants.O_DSYNC) : openSync(path, 'r+');
  const record = Buffer.alloc(recordBytes, 0x5a);
  const histogram = createLatencyHistogram();
  let offset = 0;
  let writes = 0;
  const deadline = performance.now() + options.seconds * 1000;
  try {
    while (performance.now() < deadline) {
      if (offset + recordBytes > fsyncFloorFileBytes) offset = 0;
      const started = performance.now();
      if (options.mode === 'write-fdatasync') {
        writeSync(fd, record, 0, recordBytes, offset);
        fdatasyncSync(fd);
      } else {
        await new Promise<void>((resolve, reject) => write(fd, record, 0, recordBytes, offset, (error) => (error === null ? resolve() : reject(error))));
      }
      recordLatencyMs(histogram, performance.now() - started);
      offset += recordBytes;
      writes += 1;
      // One turn of the event loop between writes, as a server has; it also keeps timers alive in a scenario.
      if (options.mode === 'write-fdatasync' && writes % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(fd);
    await rm(directory, { recursive: true, force: true });
  }
  return { mode: options.mode, recordBytes, writes, latency: summarizeLatency(histogram), histogram };
}

if (process.argv[1] !== undefined && import.meta.url === `file://${process.argv[1]}` || process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, dir: { type: 'string', default: join(process.cwd(), 'data', 'bench') } }, strict: true });
  for (const mode of ['write-fdatasync', 'odsync-pwrite'] as const) {
    const run = await runFsyncFloor({ directory: values.dir, seconds: Number(values.seconds), mode });
    process.stdout.write(`${mode}: ${run.writes} writes, p50 ${run.latency.p50} ms, p90 ${run.latency.p90} ms, p99 ${run.latency.p99} ms, p99.9 ${run.latency.p999} ms, max ${run.latency.max} ms\n`);
  }
}
