/**
 * The durability floor (BENCH.md "Floors"): a bare batched LMDB append, no engine, no encoding per batch, no
 * checksums. One tick = one put of a pre-encoded batch of N records of ~`recordBytes` bytes (the same frame the
 * event log writes), up to `batchesInFlightMax` ticks in flight, for `seconds` per configuration. It reports durable
 * batches and records per second and the commit latency (put → durable) percentiles, for each data directory
 * (disk under the repo's ./data, tmpfs under /dev/shm, labelled) and each way of waiting for durability:
 *
 * - `sync-commit`: overlappingSync off, the awaited put resolves after fsync (what persistence/ uses);
 * - `overlapping-flushed`: lmdb-js's Linux default overlappingSync on, the put resolves at commit and we then
 *   await `db.flushed`.
 *
 * The loop is closed (at most `batchesInFlightMax` in flight, a new tick as soon as there is room), so it measures
 * capacity; latency under an open arrival rate belongs to the scenarios that use this as their floor.
 *
 * `runLmdbFloor(options)` returns the figures and histograms so a scenario can run it side by side with its own;
 * run directly, it writes bench/results/lmdb-floor-<UTC stamp>.{json,md,svg}:
 *   node --import tsx bench/lmdb-floor.ts --records 300 --batch 100 --seconds 5
 *
 * Bounds: every run's data directory is deleted after it; `secondsMax` per configuration.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { open } from 'lmdb';
import type { Histogram } from 'hdr-histogram-js';
import { encodeLogEntry, frameHeaderBytes } from '../persistence/log-record-codec.ts';
import { runOpenLoop } from './lib/open-loop.ts';
import type { OpenLoopCounts } from './lib/open-loop.ts';
import { createLatencyHistogram, recordLatencyMs, summarizeLatency } from './lib/histogram.ts';
import type { LatencySummary } from './lib/histogram.ts';
import { writeResults } from './lib/results-writer.ts';
import type { RatioInput } from './lib/results-writer.ts';

export type FloorDurability = 'sync-commit' | 'overlapping-flushed';
/** `batch-per-put`: one value per tick holding the batch (the event log's shape); `record-per-put`: N puts. */
export type FloorLayout = 'batch-per-put' | 'record-per-put';

export interface LmdbFloorTarget {
  /** "disk" or "tmpfs": printed beside every figure. */
  readonly label: string;
  /** A parent directory; each run makes and then deletes a fresh directory inside it. */
  readonly directory: string;
}

export interface LmdbFloorOptions {
  readonly recordBytes?: number;
  readonly batchRecords?: number;
  readonly seconds?: number;
  readonly batchesInFlightMax?: number;
  readonly targets?: readonly LmdbFloorTarget[];
  readonly durabilities?: readonly FloorDurability[];
  readonly layout?: FloorLayout;
}

export interface LmdbFloorRun {
  readonly target: string;
  readonly directory: string;
  readonly durability: FloorDurability;
  readonly batches: number;
  readonly records: number;
  readonly bytes: number;
  readonly elapsedSeconds: number;
  readonly batchesPerSecond: number;
  readonly recordsPerSecond: number;
  readonly megabytesPerSecond: number;
  /** LMDB write transactions committed in the measured window; below `batches` when ticks were merged. */
  readonly transactions: number;
  readonly recordsPerTransaction: number;
  /** CPU of the whole process (the JS thread and lmdb-js's write thread) per second of wall time. */
  readonly cpuCoresBusy: number;
  readonly commitLatency: LatencySummary;
  readonly histogram: Histogram;
}

export interface LmdbFloorResult {
  readonly recordBytes: number;
  readonly recordBytesActual: number;
  readonly batchRecords: number;
  readonly batchBytes: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly batchesInFlightMax: number;
  readonly layout: FloorLayout;
  readonly runs: readonly LmdbFloorRun[];
}

export const recordBytesDefault = 300;
export const batchRecordsDefault = 100;
export const secondsDefault = 5;
export const secondsMax = 600;
/** Enough to keep the write thread busy while one commit syncs, like the log's group commit. */
export const batchesInFlightMaxDefault = 4;
/**
 * How the engine host batched its LMDB log (two appends in flight, later turns merged into one entry) before the
 * log moved to segment files (issue 15): the open-loop floor keeps that policy, so it stays the floor of an
 * LMDB-backed log.
 */
export const lmdbHostAppendsInFlightMax = 2;
/** The first commits grow the file and fault the map in; they say nothing about steady state. */
const warmupSecondsMax = 1;
const mapSizeBytesInitial = 1024 * 1024 * 1024;

const repositoryDirectory = fileURLToPath(new URL('../', import.meta.url));
const tmpfsDirectory = '/dev/shm';

export function defaultFloorTargets(): LmdbFloorTarget[] {
  const targets: LmdbFloorTarget[] = [{ label: 'disk', directory: join(repositoryDirectory, 'data', 'bench') }];
  if (existsSync(tmpfsDirectory)) targets.push({ label: 'tmpfs', directory: tmpfsDirectory });
  return targets;
}

/** The msgpack bytes of one record alone: its single-record frame less the frame header and the array header. */
function recordEncodedBytes(record: object): number {
  return encodeLogEntry([record]).length - frameHeaderBytes - 1;
}

/** A realistic event (a registered home call), padded so that its msgpack encoding is `recordBytes` (or more). */
function sampleRecord(index: number, recordBytes: number): object {
  const record = {
    type: 'HomeCallRegistered',
    at: 1_795_000_000_000 + index,
    callId: `gp1.${index}`,
    clinicId: 'gp1',
    patient: { policy: String(4_000_000_000_000_000 + index), surname: 'Иванова', birthDate: '1975-01-01' },
    address: { text: 'ул. Свободы', house: '12' },
    complaints: 'кашель',
    note: '',
  };
  // The note is ASCII, so each character adds one byte; its length header grows by a byte or two past 31 and 255
  // characters, which the second pass takes back.
  for (let pass = 0; pass < 2; pass++) {
    const shortfall = recordBytes - recordEncodedBytes(record);
    if (shortfall === 0) break;
    record.note = 'x'.repeat(Math.max(0, record.note.length + shortfall));
  }
  return record;
}

interface DriveResult {
  readonly batches: number;
  readonly elapsedSeconds: number;
}

/** Issues one batch per event-loop turn while fewer than `inFlightMax` are in flight, until `durationMs` ends. */
function drive(durationMs: number, inFlightMax: number, issue: () => Promise<unknown>, onDurable: (latencyMs: number) => void): Promise<DriveResult> {
  return new Promise<DriveResult>((resolve, reject) => {
    const started = performance.now();
    const deadline = started + durationMs;
    let inFlight = 0;
    let batches = 0;
    let scheduled = false;
    let stopped = false;
    const finishIfIdle = (): void => {
      if (stopped && inFlight === 0) resolve({ batches, elapsedSeconds: (performance.now() - started) / 1000 });
    };
    const schedule = (): void => {
      if (scheduled || stopped || inFlight >= inFlightMax) return;
      scheduled = true;
      setImmediate(tick);
    };
    const tick = (): void => {
      scheduled = false;
      if (performance.now() >= deadline) {
        stopped = true;
        finishIfIdle();
        return;
      }
      inFlight++;
      const issued = performance.now();
      issue().then(() => {
        inFlight--;
        batches++;
        onDurable(performance.now() - issued);
        finishIfIdle();
        schedule();
      }, reject);
      schedule();
    };
    schedule();
  });
}

interface RunConfiguration {
  readonly target: LmdbFloorTarget;
  readonly durability: FloorDurability;
  readonly layout: FloorLayout;
  readonly records: readonly object[];
  readonly batchValue: Buffer;
  readonly recordValues: readonly Buffer[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly batchesInFlightMax: number;
}

async function runOne(configuration: RunConfiguration): Promise<LmdbFloorRun> {
  const { target, durability, layout } = configuration;
  await mkdir(target.directory, { recursive: true });
  const directory = await mkdtemp(join(target.directory, 'lmdb-floor-'));
  const root = open({
    path: directory,
    overlappingSync: durability === 'overlapping-flushed',
    maxDbs: 1,
    mapSize: mapSizeBytesInitial,
  });
  try {
    const database = root.openDB<Buffer, number>({ name: 'floor', encoding: 'binary' });
    let key = 0;
    const put = (): Promise<boolean> => {
      if (layout === 'batch-per-put') return database.put(++key, configuration.batchValue);
      let last: Promise<boolean> = Promise.resolve(true);
      for (const value of configuration.recordValues) last = database.put(++key, value);
      // Puts of one turn share one transaction: the last one resolving means all of them did.
      return last;
    };
    const issue = durability === 'sync-commit'
      ? put
      : async (): Promise<void> => {
        await put();
        await database.flushed;
      };
    await drive(configuration.warmupSeconds * 1000, configuration.batchesInFlightMax, issue, () => undefined);

    const histogram = createLatencyHistogram();
    const transactionsBefore = lastTransactionId(root);
    const cpuBefore = process.cpuUsage();
    const driven = await drive(configuration.seconds * 1000, configuration.batchesInFlightMax, issue, (latencyMs) =>
      recordLatencyMs(histogram, latencyMs),
    );
    const cpu = process.cpuUsage(cpuBefore);
    const transactions = lastTransactionId(root) - transactionsBefore;
    const records = driven.batches * configuration.records.length;
    const bytes = driven.batches * configuration.batchValue.length;
    return {
      target: target.label,
      directory: target.directory,
      durability,
      batches: driven.batches,
      records,
      bytes,
      elapsedSeconds: round(driven.elapsedSeconds, 3),
      batchesPerSecond: Math.round(driven.batches / driven.elapsedSeconds),
      recordsPerSecond: Math.round(records / driven.elapsedSeconds),
      megabytesPerSecond: round(bytes / driven.elapsedSeconds / 1e6, 2),
      transactions,
      recordsPerTransaction: transactions === 0 ? 0 : round(records / transactions, 1),
      cpuCoresBusy: round((cpu.user + cpu.system) / 1e6 / driven.elapsedSeconds, 2),
      commitLatency: summarizeLatency(histogram),
      histogram,
    };
  } finally {
    await root.close();
    await rm(directory, { recursive: true, force: true });
  }
}

function lastTransactionId(root: ReturnType<typeof open>): number {
  const stats = root.getStats() as { readonly lastTxnId?: unknown };
  assert(typeof stats.lastTxnId === 'number', 'lmdb-js getStats() reports lastTxnId');
  return stats.lastTxnId;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Runs every target × durability configuration one after the other and returns the figures. */
export async function runLmdbFloor(options: LmdbFloorOptions = {}): Promise<LmdbFloorResult> {
  const recordBytes = options.recordBytes ?? recordBytesDefault;
  const batchRecords = options.batchRecords ?? batchRecordsDefault;
  const seconds = options.seconds ?? secondsDefault;
  const batchesInFlightMax = options.batchesInFlightMax ?? batchesInFlightMaxDefault;
  const layout = options.layout ?? 'batch-per-put';
  assert(Number.isSafeInteger(recordBytes) && recordBytes >= 1, 'recordBytes must be a positive integer');
  assert(Number.isSafeInteger(batchRecords) && batchRecords >= 1, 'batchRecords must be a positive integer');
  assert(seconds > 0 && seconds <= secondsMax, `seconds must be in (0, ${secondsMax}]`);
  assert(Number.isSafeInteger(batchesInFlightMax) && batchesInFlightMax >= 1, 'batchesInFlightMax must be >= 1');
  const records = Array.from({ length: batchRecords }, (_, index) => sampleRecord(index, recordBytes));
  const batchValue = encodeLogEntry(records);
  const recordValues = records.map((record) => encodeLogEntry([record]));
  const recordBytesActual = round(records.reduce((sum: number, record) => sum + recordEncodedBytes(record), 0) / records.length, 1);
  const warmupSeconds = Math.min(warmupSecondsMax, seconds / 5);
  const runs: LmdbFloorRun[] = [];
  for (const target of options.targets ?? defaultFloorTargets()) {
    for (const durability of options.durabilities ?? (['sync-commit', 'overlapping-flushed'] as const)) {
      runs.push(await runOne({
        target, durability, layout, records, batchValue, recordValues, seconds, warmupSeconds, batchesInFlightMax,
      }));
    }
  }
  return {
    recordBytes, recordBytesActual, batchRecords, batchBytes: batchValue.length, seconds, warmupSeconds,
    batchesInFlightMax, layout, runs,
  };
}

function runName(run: LmdbFloorRun): string {
  return `${run.target} ${run.durability}`;
}

function ratiosOf(result: LmdbFloorResult): RatioInput[] {
  const find = (target: string, durability: FloorDurability): LmdbFloorRun | undefined =>
    result.runs.find((run) => run.target === target && run.durability === durability);
  const ratios: RatioInput[] = [];
  const diskSync = find('disk', 'sync-commit');
  const tmpfsSync = find('tmpfs', 'sync-commit');
  const diskOverlapping = find('disk', 'overlapping-flushed');
  if (diskSync !== undefined && tmpfsSync !== undefined) {
    ratios.push({ name: 'records/s, disk ÷ tmpfs (sync-commit): what the disk costs', ours: diskSync.recordsPerSecond, reference: tmpfsSync.recordsPerSecond, referenceName: 'tmpfs sync-commit', unit: 'records/s' });
  }
  if (diskSync !== undefined && diskOverlapping !== undefined) {
    ratios.push({ name: 'records/s on disk, sync-commit ÷ overlapping-flushed', ours: diskSync.recordsPerSecond, reference: diskOverlapping.recordsPerSecond, referenceName: 'disk overlapping-flushed', unit: 'records/s' });
    ratios.push({ name: 'commit p99 on disk, sync-commit ÷ overlapping-flushed', ours: diskSync.commitLatency.p99, reference: diskOverlapping.commitLatency.p99, referenceName: 'disk overlapping-flushed', unit: 'ms' });
  }
  return ratios;
}

function parseDurabilities(text: string): FloorDurability[] {
  return text.split(',').map((name) => {
    assert(name === 'sync-commit' || name === 'overlapping-flushed', `unknown durability "${name}"`);
    return name;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      'record-bytes': { type: 'string' },
      batch: { type: 'string', default: String(batchRecordsDefault) },
      seconds: { type: 'string', default: String(secondsDefault) },
      'in-flight': { type: 'string', default: String(batchesInFlightMaxDefault) },
      durability: { type: 'string', default: 'sync-commit,overlapping-flushed' },
      targets: { type: 'string', default: 'disk,tmpfs' },
      layout: { type: 'string', default: 'batch-per-put' },
      out: { type: 'string' },
    },
  });
  const layout = values.layout;
  assert(layout === 'batch-per-put' || layout === 'record-per-put', `unknown layout "${layout}"`);
  const wanted = new Set(values.targets.split(','));
  const result = await runLmdbFloor({
    // `--records 300` is the record size in bytes (the brief's spelling); `--record-bytes` says so.
    recordBytes: Number(values['record-bytes'] ?? values.records ?? recordBytesDefault),
    batchRecords: Number(values.batch),
    seconds: Number(values.seconds),
    batchesInFlightMax: Number(values['in-flight']),
    durabilities: parseDurabilities(values.durability),
    targets: defaultFloorTargets().filter((target) => wanted.has(target.label)),
    layout,
  });
  const figures: Record<string, Record<string, number | string>> = {};
  for (const run of result.runs) {
    figures[runName(run)] = {
      directory: run.directory, batches: run.batches, records: run.records, batchesPerSecond: run.batchesPerSecond,
      recordsPerSecond: run.recordsPerSecond, megabytesPerSecond: run.megabytesPerSecond, transactions: run.transactions,
      recordsPerTransaction: run.recordsPerTransaction, cpuCoresBusy: run.cpuCoresBusy,
      commitP50Ms: run.commitLatency.p50, commitP99Ms: run.commitLatency.p99, commitP999Ms: run.commitLatency.p999, commitMaxMs: run.commitLatency.max,
    };
  }
  const headlineRun = result.runs.find((run) => run.target === 'disk' && run.durability === 'sync-commit') ?? result.runs[0];
  const files = writeResults({
    scenario: 'lmdb-floor',
    parameters: {
      recordBytes: result.recordBytes, recordBytesActual: result.recordBytesActual, batchRecords: result.batchRecords,
      batchBytes: result.batchBytes, secondsPerRun: result.seconds, warmupSeconds: result.warmupSeconds,
      batchesInFlightMax: result.batchesInFlightMax, layout: result.layout,
    },
    figures,
    series: result.runs.map((run) => ({ name: runName(run), role: 'floor' as const, histogram: run.histogram })),
    ratios: ratiosOf(result),
    notes: [
      'Closed loop: a new batch as soon as fewer than batchesInFlightMax are in flight; latency is put → durable, not from an intended send time.',
      'disk = a directory under the repo ./data (the machine disk); tmpfs = /dev/shm (no fsync cost), labelled per run.',
      'sync-commit = overlappingSync off, the put resolves after fsync (persistence/ uses this); overlapping-flushed = lmdb-js default, put then await db.flushed.',
      'One process; the CPU figure covers the JS thread and the lmdb-js write thread.',
    ],
    ...(headlineRun === undefined ? {} : {
      headline: `${runName(headlineRun)}: ${headlineRun.recordsPerSecond.toLocaleString('en')} records/s durable ` +
        `(${headlineRun.batchesPerSecond.toLocaleString('en')} batches of ${result.batchRecords}/s), commit p99 ${headlineRun.commitLatency.p99} ms`,
    }),
    ...(values.out === undefined ? {} : { outputDir: values.out }),
  });
  for (const run of result.runs) {
    console.log(`${runName(run).padEnd(26)} ${String(run.recordsPerSecond).padStart(9)} records/s ` +
      `${String(run.batchesPerSecond).padStart(7)} batches/s  ${run.recordsPerTransaction} records/txn  ` +
      `commit p50 ${run.commitLatency.p50} ms p99 ${run.commitLatency.p99} ms p99.9 ${run.commitLatency.p999} ms max ${run.commitLatency.max} ms  cpu ${run.cpuCoresBusy}`);
  }
  console.log(`results: ${files.jsonPath}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}

export interface OpenLmdbFloorOptions {
  /** A parent directory; the run makes and then deletes a fresh directory inside it. */
  readonly target: LmdbFloorTarget;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly recordBytes?: number;
  readonly batchesInFlightMax?: number;
}

export interface OpenLmdbFloorRun {
  readonly target: string;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly batchesInFlightMax: number;
  readonly batches: number;
  readonly recordsPerBatch: number;
  readonly counts: OpenLoopCounts;
  /** From each record's intended arrival to its batch being durable. */
  readonly latency: LatencySummary;
  readonly histogram: Histogram;
}

/**
 * The durability floor as one command meets it: records arrive at the scenario's rate (open model, BENCH.md
 * rule 2), each joins the batch being filled, the batch is sealed on the next turn and put as one value with at
 * most `batchesInFlightMax` in flight (the LMDB-backed engine host's group commit, `lmdbHostAppendsInFlightMax`,
 * with no engine, no encoding and nothing else on the thread), and each record's latency runs from its intended
 * arrival to its batch being durable. A slow fsync so counts once for every record that waited on it, as it
 * does for commands; the closed-loop floor above counts it once per batch, at thousands of batches a second,
 * which hides the fsync tail a command sees.
 */
export async function runOpenLmdbFloor(options: OpenLmdbFloorOptions): Promise<OpenLmdbFloorRun> {
  const inFlightMax = options.batchesInFlightMax ?? lmdbHostAppendsInFlightMax;
  const record = encodeLogEntry([sampleRecord(0, options.recordBytes ?? recordBytesDefault)]);
  await mkdir(options.target.directory, { recursive: true });
  const directory = await mkdtemp(join(options.target.directory, 'lmdb-open-floor-'));
  const root = open({ path: directory, overlappingSync: false, maxDbs: 1, mapSize: mapSizeBytesInitial });
  try {
    const database = root.openDB<Buffer, number>({ name: 'floor', encoding: 'binary' });
    let key = 0;
    let batches = 0;
    let records = 0;
    let pending: Array<{ readonly resolve: () => void; readonly reject: (error: unknown) => void }> = [];
    let inFlight = 0;
    let scheduled = false;
    const schedule = (): void => {
      if (scheduled || inFlight >= inFlightMax || pending.length === 0) return;
      scheduled = true;
      setImmediate(seal);
    };
    const seal = (): void => {
      scheduled = false;
      if (pending.length === 0 || inFlight >= inFlightMax) return;
      const waiters = pending;
      pending = [];
      inFlight += 1;
      const value = waiters.length === 1 ? record : Buffer.concat(waiters.map(() => record));
      database.put(++key, value).then(() => {
        inFlight -= 1;
        batches += 1;
        records += waiters.length;
        for (const waiter of waiters) waiter.resolve();
        schedule();
      }, (error: unknown) => {
        inFlight -= 1;
        for (const waiter of waiters) waiter.reject(error);
      });
    };
    const send = (): Promise<void> => new Promise<void>((resolve, reject) => {
      pending.push({ resolve, reject });
      schedule();
    });
    // The first commits grow the file and fault the map in.
    await runOpenLoop({ ratePerSecond: options.ratePerSecond, durationMs: Math.min(warmupSecondsMax, options.seconds / 2) * 1000, send });
    batches = 0;
    records = 0;
    const result = await runOpenLoop({ ratePerSecond: options.ratePerSecond, durationMs: options.seconds * 1000, send });
    return {
      target: options.target.label, ratePerSecond: options.ratePerSecond, seconds: options.seconds, batchesInFlightMax: inFlightMax,
      batches, recordsPerBatch: batches === 0 ? 0 : round(records / batches, 2), counts: result.counts,
      latency: summarizeLatency(result.latency), histogram: result.latency,
    };
  } finally {
    await root.close();
    await rm(directory, { recursive: true, force: true });
  }
}
