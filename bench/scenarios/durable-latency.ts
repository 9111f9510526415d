// durable-latency (issue 15): how fast a command is acknowledged once durable, against the disk's floor and the
// conventional design, in one run. Per storage (disk, and tmpfs labelled): the floors first — a 1 KB `write` +
// `fdatasync` into a preallocated file (bench/fsync-floor.ts, serial) and one LMDB put with a synced commit
// (bench/lmdb-floor.ts, serial) — then our server (`gateway/main.ts`, the product's start-up, default flags) at
// each rate, open loop, over HTTP (POST /api/v1/calls) and over the WebSocket (RegisterCall commands of operator
// sessions), with the durable path's stage histograms scraped from /metrics around each phase; then the
// Postgres peer (bench/peer/pg-peer-server.ts: one transaction and a row lock per request, fsync on) at the same
// rates over HTTP. p50/p90/p99/p99.9/max with counts; the targets of issue 15 checked on the disk rows.
//
//   npm run bench -- durable-latency                      rates 100,400,1000,5000; 10 s each; disk and tmpfs
//   npm run bench -- durable-latency --size small         seconds, for the smoke test
//   npm run bench -- durable-latency --rates 400 --storages disk --transports http --seconds 5
//   npm run bench -- durable-latency --strace             count fdatasync/fsync/pwrite64 of the server at 400/s (HTTP)
//
// Bounds: `ratesMax` rates; every server and data directory is removed on the way out (run.ts kills servers).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Histogram } from 'hdr-histogram-js';
import { runFsyncFloor } from '../fsync-floor.ts';
import { runLmdbFloor } from '../lmdb-floor.ts';
import { decodeHistogram, summarizeLatency } from '../lib/histogram.ts';
import type { LatencySummary } from '../lib/histogram.ts';
import { escapeXml } from '../lib/percentile-plot.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import { writeResults } from '../lib/results-writer.ts';
import type { JsonValue, RatioInput, ResultSeries } from '../lib/results-writer.ts';
import { makeBenchDataDir } from '../load/bench-data-dir.ts';
import type { StorageLabel } from '../load/bench-data-dir.ts';
import { benchClinicId } from '../load/bench-region.ts';
import { forkWorker } from '../load/child-worker.ts';
import { runHttpOpenLoop } from '../load/http-load.ts';
import type { OpenAnswer } from '../load/http-load.ts';
import { prepareRegion } from '../load/prepare-region.ts';
import { histogramWindow, scrapeMetrics, sumOf } from '../load/server-metrics.ts';
import type { MetricSamples } from '../load/server-metrics.ts';
import { startServerProcess } from '../load/server-process.ts';
import type { ServerProcess } from '../load/server-process.ts';
import { defaultDatabaseUrl } from '../peer/pg-peer-server.ts';
import { segmentWriteOnDefault, type SegmentWriteMode } from '../../persistence/segment-event-log.ts';
import { finite, latencyFigures, loadAverageNote, round, serverProfile, sharedMachineNote, targetFigures, targetLines, usageFigures } from './scenario-kit.ts';
import type { ScenarioContext, ScenarioOutcome, TargetCheck } from './scenario-kit.ts';

export const ratesMax = 12;
export const stageNames = ['decode', 'decide', 'seal_wait', 'append', 'sync', 'reply'] as const;
type Transport = 'http' | 'ws';

interface Settings {
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly floorSeconds: number;
  readonly storages: readonly StorageLabel[];
  readonly transports: readonly Transport[];
  readonly wsSessions: number;
  readonly timeoutMs: number;
  readonly skipPeer: boolean;
  readonly strace: boolean;
  readonly writeOn: readonly SegmentWriteMode[];
}

function listOf<T extends string>(raw: string, allowed: readonly T[], name: string): T[] {
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${name}: "${item}" is not one of ${allowed.join(', ')}`);
  if (items.length === 0) throw new Error(`--${name} needs at least one of ${allowed.join(', ')}`);
  return items as T[];
}

function settingsOf(context: ScenarioContext): Settings {
  const { args } = context;
  const small = args.size === 'small';
  const rates = args.text('rates', small ? '100,400' : '100,400,1000,5000').split(',').map(Number);
  if (rates.length === 0 || rates.length > ratesMax || rates.some((rate) => !Number.isFinite(rate) || rate < 1 || rate > 100_000)) {
    throw new Error(`--rates: 1..${ratesMax} rates in 1..100000 commands/s`);
  }
  return {
    rates,
    seconds: args.number('seconds', { small: 1, full: 10 }, { min: 1, max: 600 }),
    warmupSeconds: args.number('warmup-seconds', { small: 1, full: 3 }, { min: 0, max: 600 }),
    floorSeconds: args.number('floor-seconds', { small: 1, full: 5 }, { min: 1, max: 600 }),
    storages: listOf(args.text('storages', small ? 'disk' : 'disk,tmpfs'), ['disk', 'tmpfs'] as const, 'storages'),
    transports: listOf(args.text('transports', 'http,ws'), ['http', 'ws'] as const, 'transports'),
    wsSessions: args.number('ws-sessions', { small: 4, full: 16 }, { min: 1, max: 1_000 }),
    timeoutMs: args.number('timeout-ms', { small: 10_000, full: 10_000 }, { min: 100, max: 120_000 }),
    skipPeer: args.flag('skip-peer'),
    strace: args.flag('strace'),
    writeOn: listOf(args.text('write-on', segmentWriteOnDefault), ['engine-thread', 'threadpool'] as const, 'write-on'),
  };
}

interface Row {
  readonly storage: StorageLabel;
  readonly system: string;
  readonly transport: Transport;
  readonly rate: number;
  readonly latency: LatencySummary;
  readonly histogram: Histogram;
  readonly counts: JsonValue;
  /** HTTP status codes, or the WebSocket outcomes (accepted, rejected, error:<code>, not-sent at the session bound). */
  readonly answers?: JsonValue;
  readonly stages?: JsonValue;
  readonly server?: JsonValue;
  readonly generator?: JsonValue;
}

function stagesBetween(before: MetricSamples, after: MetricSamples): { [stage: string]: JsonValue } {
  const stages: { [stage: string]: JsonValue } = {};
  for (const stage of stageNames) stages[stage] = finite(histogramWindow(before, after, 'cd_durable_stage_seconds', { label: 'stage', value: stage }));
  const ticks = sumOf(after, 'cd_durable_tick_commands_count') - sumOf(before, 'cd_durable_tick_commands_count');
  const commands = sumOf(after, 'cd_durable_tick_commands_sum') - sumOf(before, 'cd_durable_tick_commands_sum');
  const writes = sumOf(after, 'cd_log_writes_total') - sumOf(before, 'cd_log_writes_total');
  const entries = sumOf(after, 'cd_log_entries_written_total') - sumOf(before, 'cd_log_entries_written_total');
  stages['ticks'] = ticks;
  stages['commandsPerTick'] = ticks > 0 ? round(commands / ticks, 2) : 0;
  stages['logWrites'] = writes;
  stages['entriesPerWrite'] = writes > 0 ? round(entries / writes, 2) : 0;
  return stages;
}

async function runWsOpenLoop(request: { readonly wsUrl: string; readonly operators: readonly { clinicId: string; token: string }[]; readonly ratePerSecond: number;
  readonly seconds: number; readonly timeoutMs: number; readonly tag: number }): Promise<OpenAnswer & { readonly outcomes: { readonly [kind: string]: number } }> {
  const worker = await forkWorker(new URL('../load/ws-command-worker.ts', import.meta.url));
  try {
    return await worker.ask({ type: 'ws-open', ...request }, 'ws-opened', request.seconds * 1000 + 2 * request.timeoutMs + 60_000);
  } finally {
    await worker.close();
  }
}

/** strace -c attached to the server for one phase: the syscall counts (and time) of the durable path. */
function startStrace(pid: number): { stop(): Promise<string> } {
  const directory = mkdtempSync(join(tmpdir(), 'cd-strace-'));
  const output = join(directory, 'strace.txt');
  const child = spawn('strace', ['-f', '-c', '-e', 'trace=fdatasync,fsync,msync,pwrite64,pwritev,write,writev', '-p', String(pid), '-o', output], { stdio: 'ignore' });
  return {
    async stop(): Promise<string> {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT');
      await exited;
      const text = existsSync(output) ? readFileSync(output, 'utf8') : '(strace wrote nothing: is it installed, and may it attach?)';
      rmSync(directory, { recursive: true, force: true });
      return text;
    },
  };
}

export async function runDurableLatency(context: ScenarioContext): Promise<ScenarioOutcome> {
  const settings = settingsOf(context);
  const notes: string[] = [sharedMachineNote, loadAverageNote('at start'),
    'latency from the intended send time (open loop); ours = the product server started as `npm start` starts it, on a fresh data directory',
    'floors are serial (one write or one commit at a time, 1 KB): what one synced write costs on this device in this run'];
  const figures: { [key: string]: JsonValue } = {};
  const rows: Row[] = [];
  const floors = new Map<StorageLabel, { readonly fsync: LatencySummary; readonly odsync: LatencySummary; readonly lmdb: LatencySummary }>();
  const series: ResultSeries[] = [];
  const profile = serverProfile(context, 'durable-latency');
  for (const storage of settings.storages) {
    const dataDir = makeBenchDataDir('durable-latency', storage);
    try {
      context.log(`${storage}: floors (${settings.floorSeconds} s each)`);
      const fsync = await runFsyncFloor({ directory: dataDir.parent, seconds: settings.floorSeconds, mode: 'write-fdatasync' });
      const odsync = await runFsyncFloor({ directory: dataDir.parent, seconds: settings.floorSeconds, mode: 'odsync-pwrite' });
      const lmdb = await runLmdbFloor({ recordBytes: 1024, batchRecords: 1, batchesInFlightMax: 1, seconds: settings.floorSeconds, targets: [{ label: storage, directory: dataDir.parent }], durabilities: ['sync-commit'] });
      const lmdbRun = lmdb.runs[0];
      if (lmdbRun === undefined) throw new Error('the LMDB floor returned no run');
      floors.set(storage, { fsync: fsync.latency, odsync: odsync.latency, lmdb: lmdbRun.commitLatency });
      figures[`${storage} floors`] = finite({ writeFdatasync: fsync.latency, odsyncPwrite: odsync.latency, lmdbSyncedCommit: lmdbRun.commitLatency });
      series.push({ name: `${storage}: write + fdatasync, 1 KB (floor)`, role: 'floor', histogram: fsync.histogram });
      series.push({ name: `${storage}: LMDB put + synced commit (floor)`, role: 'floor', histogram: lmdbRun.histogram });

      for (const writeOn of settings.writeOn) {
      const oursName = settings.writeOn.length > 1 ? `ours (${writeOn})` : 'ours';
      const serverDir = makeBenchDataDir(`durable-latency-${writeOn}`, storage);
      const region = await prepareRegion(serverDir.path, { clinics: 2, doctorsPerClinic: 2, operators: settings.wsSessions });
      const server: ServerProcess = await startServerProcess({ dataDir: serverDir.path, nodeArgs: profile.nodeArgs, env: { LOG_WRITE_ON: writeOn } });
      const clinicIds = [benchClinicId(1), benchClinicId(2)];
      try {
        let tag = 50;
        // Warm-up, discarded: JIT, connections, the first segment's pages; each transport at the first rate.
        for (const transport of settings.transports) {
          if (settings.warmupSeconds === 0) break;
          tag += 1;
          context.log(`${storage}: warm-up over ${transport} for ${settings.warmupSeconds} s`);
          if (transport === 'http') {
            await runHttpOpenLoop({ baseUrl: server.baseUrl, token: region.tokens.partner, endpoint: 'create-call', ratePerSecond: settings.rates[0] ?? 100, seconds: settings.warmupSeconds, timeoutMs: settings.timeoutMs,
              data: { clinicIds, searchPolicies: [], slotIds: [], appointmentIds: [], tag } });
          } else {
            await runWsOpenLoop({ wsUrl: `ws://127.0.0.1:${server.port}/ws`, operators: region.tokens.operators.map((operator) => ({ clinicId: operator.clinicId, token: operator.token })),
              ratePerSecond: settings.rates[0] ?? 100, seconds: settings.warmupSeconds, timeoutMs: settings.timeoutMs, tag });
          }
        }
        for (const rate of settings.rates) {
          for (const transport of settings.transports) {
            tag += 1;
            context.log(`${storage}: ${oursName} over ${transport} at ${rate}/s for ${settings.seconds} s`);
            const before = await scrapeMetrics(server.metricsBaseUrl);
            const meter = startProcessMeter(server.pid);
            const strace = settings.strace && transport === 'http' && rate === 400 ? startStrace(server.pid) : undefined;
            const answer = transport === 'http'
              ? await runHttpOpenLoop({ baseUrl: server.baseUrl, token: region.tokens.partner, endpoint: 'create-call', ratePerSecond: rate, seconds: settings.seconds, timeoutMs: settings.timeoutMs,
                data: { clinicIds, searchPolicies: [], slotIds: [], appointmentIds: [], tag } })
              : await runWsOpenLoop({ wsUrl: `ws://127.0.0.1:${server.port}/ws`, operators: region.tokens.operators.map((operator) => ({ clinicId: operator.clinicId, token: operator.token })),
                ratePerSecond: rate, seconds: settings.seconds, timeoutMs: settings.timeoutMs, tag });
            if (strace !== undefined) figures[`${storage} strace at 400/s over HTTP`] = await strace.stop();
            const usage = meter.stop();
            const after = await scrapeMetrics(server.metricsBaseUrl);
            const histogram = decodeHistogram(answer.histogramBase64);
            const stages = stagesBetween(before, after);
            const answers = finite('outcomes' in answer ? answer.outcomes : answer.statusCodes);
            rows.push({ storage, system: oursName, transport, rate, latency: summarizeLatency(histogram), histogram, counts: finite(answer.counts), answers, stages, server: usageFigures(usage), generator: usageFigures(answer.usage) });
            if (rate === 400 || settings.rates.length === 1) series.push({ name: `${storage}: ${oursName} over ${transport} at ${rate}/s`, role: 'ours', histogram });
          }
        }
      } finally {
        await server.stop();
        serverDir.remove();
      }
      }
      if (!settings.skipPeer) await runPeer(context, settings, storage, rows, series);
    } finally {
      dataDir.remove();
    }
  }
  notes.push(loadAverageNote('at end'));

  const checks: TargetCheck[] = [];
  const ratios: RatioInput[] = [];
  const disk = floors.get('disk');
  for (const transport of settings.transports) {
    const at400 = rows.find((row) => row.storage === 'disk' && row.system.startsWith('ours') && row.transport === transport && row.rate === 400 && (settings.writeOn.length === 1 || row.system.includes(segmentWriteOnDefault)));
    const peer400 = rows.find((row) => row.storage === 'disk' && row.system === 'pg peer' && row.rate === 400);
    if (at400 !== undefined && disk !== undefined) {
      checks.push({ target: `disk, ${transport}, 400/s: ack p50 ≤ floor p50 + 0.5 ms`, measured: `${at400.latency.p50} ms vs ${round(disk.fsync.p50 + 0.5)} ms (floor p50 ${disk.fsync.p50})`, met: at400.latency.p50 <= disk.fsync.p50 + 0.5 });
      checks.push({ target: `disk, ${transport}, 400/s: ack p99 ≤ 2 × floor p99 + 1 ms`, measured: `${at400.latency.p99} ms vs ${round(2 * disk.fsync.p99 + 1)} ms (floor p99 ${disk.fsync.p99})`, met: at400.latency.p99 <= 2 * disk.fsync.p99 + 1 });
      ratios.push({ name: `disk, ${transport}, 400/s: ack p50 vs write+fdatasync p50`, ours: at400.latency.p50, reference: disk.fsync.p50, referenceName: 'floor', unit: 'ms' });
      ratios.push({ name: `disk, ${transport}, 400/s: ack p50 vs LMDB synced commit p50`, ours: at400.latency.p50, reference: disk.lmdb.p50, referenceName: 'LMDB floor', unit: 'ms' });
    }
    if (at400 !== undefined && peer400 !== undefined) {
      checks.push({ target: `disk, ${transport}, 400/s: ack p50 ≤ ½ pg peer p50`, measured: `${at400.latency.p50} ms vs peer ${peer400.latency.p50} ms`, met: at400.latency.p50 <= peer400.latency.p50 / 2 });
      checks.push({ target: `disk, ${transport}, 400/s: ack p99 ≤ ½ pg peer p99`, measured: `${at400.latency.p99} ms vs peer ${peer400.latency.p99} ms`, met: at400.latency.p99 <= peer400.latency.p99 / 2 });
      ratios.push({ name: `disk, ${transport}, 400/s: ack p50 vs pg peer p50`, ours: at400.latency.p50, reference: peer400.latency.p50, referenceName: 'pg peer', unit: 'ms' });
      ratios.push({ name: `disk, ${transport}, 400/s: ack p99 vs pg peer p99`, ours: at400.latency.p99, reference: peer400.latency.p99, referenceName: 'pg peer', unit: 'ms' });
    }
    const at5000 = rows.find((row) => row.storage === 'disk' && row.system.startsWith('ours') && row.transport === transport && row.rate === 5000 && (settings.writeOn.length === 1 || row.system.includes(segmentWriteOnDefault)));
    if (at5000 !== undefined) checks.push({ target: `disk, ${transport}, 5000/s: ack p99 ≤ 10 ms`, measured: `${at5000.latency.p99} ms`, met: at5000.latency.p99 <= 10 });
  }
  figures['rows'] = rows.map((row) => finite({ storage: row.storage, system: row.system, transport: row.transport, rate: row.rate, latency: latencyFigures(row.histogram), counts: row.counts, answers: row.answers ?? null,
    stages: row.stages ?? null, server: row.server ?? null, generator: row.generator ?? null }));
  figures['targets'] = targetFigures(checks);
  notes.push(...table(rows, floors));
  const headline400 = settings.transports.map((transport) => {
    const row = rows.find((candidate) => candidate.storage === 'disk' && candidate.system.startsWith('ours') && (settings.writeOn.length === 1 || candidate.system.includes(segmentWriteOnDefault)) && candidate.transport === transport && candidate.rate === 400);
    return row === undefined ? '' : `${transport} ${row.latency.p50}/${row.latency.p99} ms`;
  }).filter((part) => part !== '').join(', ');
  const peer = rows.find((row) => row.storage === 'disk' && row.system === 'pg peer' && row.rate === 400);
  const headline = `ack p50/p99 at 400/s on disk: ${headline400 || 'n/a'}; pg peer ${peer === undefined ? 'n/a' : `${peer.latency.p50}/${peer.latency.p99} ms`}; ` +
    `write+fdatasync floor ${disk === undefined ? 'n/a' : `${disk.fsync.p50}/${disk.fsync.p99} ms`}; targets met ${checks.filter((check) => check.met).length}/${checks.length}`;
  const files = writeResults({
    scenario: 'durable-latency',
    ...(context.outputDir === undefined ? {} : { outputDir: context.outputDir }),
    commandLine: context.commandLine,
    parameters: { ...settings, rates: [...settings.rates], storages: [...settings.storages], transports: [...settings.transports], options: context.args.record() },
    figures, series: series.slice(0, 12), ratios, notes, headline,
    svg: renderByRate(rows, floors),
  });
  return { files: [files], summary: [headline, ...targetLines(checks)], profiles: profile.path === undefined ? [] : [profile.path] };
}

async function runPeer(context: ScenarioContext, settings: Settings, storage: StorageLabel, rows: Row[], series: ResultSeries[]): Promise<void> {
  if (storage === 'tmpfs') return; // Postgres keeps its data where it is installed: the peer runs once, on its disk.
  const schema = `bench_durable_${process.pid}`;
  const peer = await startServerProcess({
    dataDir: '', script: { path: 'bench/peer/pg-peer-server.ts', args: ['--port', '0', '--reset', '--schema', schema, '--clinics', '2', '--doctors-per-clinic', '2', '--slots-per-doctor', '10', '--patients', '1000'] },
  });
  try {
    if (settings.warmupSeconds > 0) {
      context.log(`pg peer: warm-up for ${settings.warmupSeconds} s`);
      await runHttpOpenLoop({ baseUrl: peer.baseUrl, token: 'none', endpoint: 'create-call', ratePerSecond: settings.rates[0] ?? 100, seconds: settings.warmupSeconds, timeoutMs: settings.timeoutMs,
        data: { clinicIds: ['c1', 'c2'], searchPolicies: [], slotIds: [], appointmentIds: [], tag: 69 } });
    }
    for (const rate of settings.rates) {
      context.log(`pg peer over http at ${rate}/s for ${settings.seconds} s`);
      const meter = startProcessMeter(peer.pid);
      const answer = await runHttpOpenLoop({ baseUrl: peer.baseUrl, token: 'none', endpoint: 'create-call', ratePerSecond: rate, seconds: settings.seconds, timeoutMs: settings.timeoutMs,
        data: { clinicIds: ['c1', 'c2'], searchPolicies: [], slotIds: [], appointmentIds: [], tag: 70 + rate % 20 } });
      const histogram = decodeHistogram(answer.histogramBase64);
      rows.push({ storage, system: 'pg peer', transport: 'http', rate, latency: summarizeLatency(histogram), histogram, counts: finite(answer.counts), answers: finite(answer.statusCodes), server: usageFigures(meter.stop()), generator: usageFigures(answer.usage) });
      if (rate === 400 || settings.rates.length === 1) series.push({ name: `pg peer over http at ${rate}/s`, role: 'baseline', histogram });
    }
    await peer.stop();
  } finally {
    const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'] ?? defaultDatabaseUrl, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

/** The latency table by rate, as Markdown lines for the notes (the figures hold the same numbers). */
function table(rows: readonly Row[], floors: ReadonlyMap<StorageLabel, { readonly fsync: LatencySummary; readonly odsync: LatencySummary; readonly lmdb: LatencySummary }>): string[] {
  const lines = ['latency by rate (ms; count = answered):', '', '| storage | system | transport | rate/s | count | p50 | p90 | p99 | p99.9 | max | sync p50 ≤ | sync p99 ≤ | cmds/tick | entries/write |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    const stages = row.stages as { readonly [key: string]: JsonValue } | undefined;
    const sync = stages?.['sync'] as { readonly p50UpToMs?: number; readonly p99UpToMs?: number } | undefined;
    lines.push(`| ${row.storage} | ${row.system} | ${row.transport} | ${row.rate} | ${row.latency.count} | ${row.latency.p50} | ${row.latency.p90} | ${row.latency.p99} | ${row.latency.p999} | ${row.latency.max} | ` +
      `${sync?.p50UpToMs ?? '—'} | ${sync?.p99UpToMs ?? '—'} | ${String(stages?.['commandsPerTick'] ?? '—')} | ${String(stages?.['entriesPerWrite'] ?? '—')} |`);
  }
  for (const [storage, floor] of floors) {
    lines.push(`| ${storage} | floor: write + fdatasync | — | serial | ${floor.fsync.count} | ${floor.fsync.p50} | ${floor.fsync.p90} | ${floor.fsync.p99} | ${floor.fsync.p999} | ${floor.fsync.max} | | | | |`);
    lines.push(`| ${storage} | floor: O_DSYNC pwrite | — | serial | ${floor.odsync.count} | ${floor.odsync.p50} | ${floor.odsync.p90} | ${floor.odsync.p99} | ${floor.odsync.p999} | ${floor.odsync.max} | | | | |`);
    lines.push(`| ${storage} | floor: LMDB synced commit | — | serial | ${floor.lmdb.count} | ${floor.lmdb.p50} | ${floor.lmdb.p90} | ${floor.lmdb.p99} | ${floor.lmdb.p999} | ${floor.lmdb.max} | | | | |`);
  }
  return lines;
}

/** Latency by rate: p50 (solid) and p99 (dashed) of each system and transport, log-scaled ms, floors as lines. */
export function renderByRate(rows: readonly Row[], floors: ReadonlyMap<StorageLabel, { readonly fsync: LatencySummary; readonly lmdb: LatencySummary }>): string {
  const width = 760;
  const height = 420;
  const left = 70;
  const right = 230;
  const top = 40;
  const bottom = 50;
  const rates = [...new Set(rows.map((row) => row.rate))].sort((a, b) => a - b);
  const values = rows.flatMap((row) => [row.latency.p50, row.latency.p99]).concat([...floors.values()].flatMap((floor) => [floor.fsync.p50, floor.lmdb.p50])).filter((value) => value > 0);
  const low = Math.max(0.01, Math.min(...values, 1) / 1.5);
  const high = Math.max(...values, 1) * 1.5;
  const x = (rate: number): number => left + (rates.length <= 1 ? 0.5 : rates.indexOf(rate) / (rates.length - 1)) * (width - left - right);
  const y = (ms: number): number => top + (1 - (Math.log10(Math.max(ms, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * (height - top - bottom);
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`, `<text x="${left}" y="20" font-size="14">durable-latency: ack latency by rate (p50 solid, p99 dashed; ms, log scale)</text>`];
  for (let decade = Math.floor(Math.log10(low)); decade <= Math.ceil(Math.log10(high)); decade += 1) {
    const ms = 10 ** decade;
    if (ms < low || ms > high) continue;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/><text x="${left - 6}" y="${y(ms) + 4}" text-anchor="end">${ms}</text>`);
  }
  for (const rate of rates) parts.push(`<text x="${x(rate)}" y="${height - bottom + 18}" text-anchor="middle">${rate}/s</text>`);
  const groups = [...new Set(rows.map((row) => `${row.storage} · ${row.system} · ${row.transport}`))];
  groups.forEach((group, index) => {
    const color = palette[index % palette.length] ?? '#000';
    const members = rows.filter((row) => `${row.storage} · ${row.system} · ${row.transport}` === group).sort((a, b) => a.rate - b.rate);
    for (const [field, dash] of [['p50', ''], ['p99', ' stroke-dasharray="5,4"']] as const) {
      const points = members.map((row) => `${x(row.rate)},${y(row.latency[field])}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points}"/>`);
    }
    parts.push(`<rect x="${width - right + 10}" y="${top + index * 16}" width="12" height="3" fill="${color}"/><text x="${width - right + 28}" y="${top + index * 16 + 5}">${escapeXml(group)}</text>`);
  });
  let legend = groups.length;
  for (const [storage, floor] of floors) {
    for (const [name, value] of [['write+fdatasync p50', floor.fsync.p50], ['LMDB commit p50', floor.lmdb.p50]] as const) {
      parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(value)}" y2="${y(value)}" stroke="#444" stroke-dasharray="1,3"/>`);
      parts.push(`<text x="${width - right + 10}" y="${top + legend * 16 + 5}">${escapeXml(`${storage} floor: ${name} ${value} ms`)}</text>`);
      legend += 1;
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}
