// The two floors a WebSocket scenario is judged against, measured in the same run (BENCH.md rule 1): the
// durability floor (bench/lmdb-floor.ts: bare batched LMDB appends of an event-sized record, fsync per
// commit, on the same device as the server's data directory), twice — closed loop (commit latency per batch at
// capacity) and open loop at the scenario's rate (latency per record from its intended arrival, batched as the
// engine host batches: what durability alone costs a command) — and the network floor
// (bench/peer/uws-echo-floor.ts: a raw uWebSockets.js echo of a command-sized frame at the same arrival rate).
// Ack latency ÷ these floors says what our own logic costs.

import type { Histogram } from 'hdr-histogram-js';
import { runLmdbFloor, runOpenLmdbFloor } from '../lmdb-floor.ts';
import type { LmdbFloorRun, OpenLmdbFloorRun } from '../lmdb-floor.ts';
import { runUwsEchoFloor } from '../peer/uws-echo-floor.ts';
import type { UwsEchoFloorResult } from '../peer/uws-echo-floor.ts';
import type { StorageLabel } from './bench-data-dir.ts';
import { runFsyncFloor } from '../fsync-floor.ts';
import type { LatencySummary } from '../lib/histogram.ts';

/** About the size of one of our events in the log (a registered call, msgpack). */
export const floorRecordBytes = 500;
/** Events per durable tick at the scenarios' rates: a few commands' events each. */
export const floorBatchRecords = 10;
export const echoConnectionsMax = 1_000;

export interface FloorOptions {
  readonly storage: StorageLabel;
  /** The directory the server's data directory lives in: the floor writes beside it. */
  readonly storageParent: string;
  readonly seconds: number;
  readonly ratePerSecond: number;
  readonly frameBytes: number;
  readonly connections: number;
}

export interface FloorResults {
  readonly durability: LmdbFloorRun;
  /** Open loop at the scenario's rate: the floor a command's ack latency is judged against. */
  readonly durabilityOpen: Omit<OpenLmdbFloorRun, 'histogram'>;
  readonly durabilityOpenHistogram: Histogram;
  readonly network: Omit<UwsEchoFloorResult, 'histogram'>;
  readonly durabilityHistogram: Histogram;
  readonly networkHistogram: Histogram;
  /** The disk's own floor (issue 15): a 1 KB write + fdatasync into a preallocated file, serial, on the same device. */
  readonly fsync: LatencySummary;
  readonly fsyncHistogram: Histogram;
}

export async function runFloors(options: FloorOptions): Promise<FloorResults> {
  const lmdb = await runLmdbFloor({
    recordBytes: floorRecordBytes, batchRecords: floorBatchRecords, seconds: options.seconds,
    targets: [{ label: options.storage, directory: options.storageParent }], durabilities: ['sync-commit'],
  });
  const durability = lmdb.runs[0];
  if (durability === undefined) throw new Error('lmdb floor returned no run');
  const { histogram: durabilityOpenHistogram, ...durabilityOpen } = await runOpenLmdbFloor({
    target: { label: options.storage, directory: options.storageParent }, ratePerSecond: options.ratePerSecond, seconds: options.seconds,
    recordBytes: floorRecordBytes,
  });
  const echo = await runUwsEchoFloor({
    frameBytes: options.frameBytes, rate: options.ratePerSecond, seconds: options.seconds,
    connections: Math.max(1, Math.min(echoConnectionsMax, options.connections)), warmupSeconds: Math.min(2, options.seconds / 2),
  });
  const { histogram, ...network } = echo;
  const fsync = await runFsyncFloor({ directory: options.storageParent, seconds: options.seconds, mode: 'write-fdatasync' });
  return { durability, durabilityOpen, durabilityOpenHistogram, network, durabilityHistogram: durability.histogram, networkHistogram: histogram, fsync: fsync.latency, fsyncHistogram: fsync.histogram };
}
