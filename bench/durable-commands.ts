/**
 * Durable commands (issue 4's bench): commands per second and ack latency (submit → reply after fsync) of
 * the whole host — engine, log entry per tick, replies released after the commit — side by side in one run
 * with the durability floor (a bare batched LMDB append of the same record size and batch size), on disk and
 * on tmpfs (/dev/shm, labelled). Two phases per target: an open-loop phase at a fixed arrival rate for latency
 * (from the intended send time), and a closed-loop phase with a bounded number of commands in flight for
 * capacity. The generator shares the process with the host: stated in the notes.
 *
 * Run: `node --import tsx bench/durable-commands.ts [--rate 5000] [--seconds 5] [--in-flight 2000]`
 */
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { EngineHost } from '../persistence/engine-host.ts';
import { demoRegionCommands } from '../engine/demo-region.ts';
import { runOpenLoop, summarize } from './lib/open-loop.ts';
import { createLatencyHistogram, recordLatencyMs, summarizeLatency } from './lib/histogram.ts';
import { runLmdbFloor } from './lmdb-floor.ts';
import { sampleRegisterCommand } from './lib/sample-call.ts';
import { writeResults, type RatioInput, type ResultSeries } from './lib/results-writer.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '5' },
    'in-flight': { type: 'string', default: '2000' },
    out: { type: 'string' },
    targets: { type: 'string', default: 'disk,tmpfs' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const inFlight = Number(values['in-flight']);
const runId = randomBytes(3).toString('hex');

const registerCommand = sampleRegisterCommand;

async function openHost(directory: string): Promise<EngineHost> {
  let counter = 0;
  const host = await EngineHost.open({ dataDir: directory, clock: { now: () => Date.now() }, ids: { next: () => `${runId}${(counter += 1).toString(36)}` } });
  for (const command of demoRegionCommands(20)) await host.submit(command, 'admin:bench');
  return host;
}

async function measureTarget(label: string, parent: string) {
  mkdirSync(parent, { recursive: true });
  const directory = mkdtempSync(join(parent, 'cd-durable-'));
  try {
    const host = await openHost(directory);
    let next = 0;
    let rejected = 0;
    const startPosition = host.durablePosition;
    const open = await runOpenLoop({
      ratePerSecond: rate,
      durationMs: seconds * 1000,
      send: async () => {
        const result = await host.submit(registerCommand((next += 1)), 'operator:bench');
        if (!result.ok) rejected += 1;
      },
    });
    const entries = host.durablePosition - startPosition;
    // Capacity: keep `inFlight` commands outstanding for the same duration.
    const capacityHistogram = createLatencyHistogram();
    const deadline = performance.now() + seconds * 1000;
    let done = 0;
    const worker = async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        await host.submit(registerCommand((next += 1)), 'operator:bench');
        recordLatencyMs(capacityHistogram, performance.now() - started);
        done += 1;
      }
    };
    const capacityStarted = performance.now();
    await Promise.all(Array.from({ length: inFlight }, worker));
    const capacityPerSecond = done / ((performance.now() - capacityStarted) / 1000);
    const snapshotStarted = performance.now();
    await host.snapshotNow();
    const snapshotMs = performance.now() - snapshotStarted;
    const result = {
      label,
      open,
      rejected,
      eventsPerEntry: (open.counts.answered * 3) / Math.max(1, entries),
      capacityPerSecond,
      capacityHistogram,
      snapshotPauseMs: host.lastSnapshotPauseMs,
      snapshotMs,
      calls: next,
    };
    await host.close({ snapshot: false });
    return result;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const targets = values.targets.split(',').map((name) => (name === 'tmpfs' ? { label: 'tmpfs', directory: '/dev/shm' } : { label: 'disk', directory: join(process.cwd(), 'data', 'bench') }))
  .filter((target) => target.label !== 'tmpfs' || existsSync('/dev/shm'));
const series: ResultSeries[] = [];
const ratios: RatioInput[] = [];
const figures: Record<string, number | string> = {};
for (const target of targets) {
  const ours = await measureTarget(target.label, target.directory);
  const batchRecords = Math.max(1, Math.round(ours.eventsPerEntry));
  const floor = await runLmdbFloor({ recordBytes: 420, batchRecords, seconds: Math.min(seconds, 5), targets: [target], durabilities: ['sync-commit'] });
  const floorRun = floor.runs[0];
  const ack = summarize(ours.open.latency);
  series.push({ name: `${target.label}: ack latency at ${rate}/s (ours)`, role: 'ours', histogram: ours.open.latency });
  if (floorRun !== undefined) {
    series.push({ name: `${target.label}: LMDB commit, batch of ${batchRecords} (floor)`, role: 'floor', histogram: floorRun.histogram });
    const floorSummary = summarizeLatency(floorRun.histogram);
    ratios.push({ name: `${target.label}: ack p99 vs floor commit p99`, ours: ack.p99, reference: floorSummary.p99, referenceName: 'floor', unit: 'ms' });
    ratios.push({ name: `${target.label}: durable commands/s (closed loop) vs floor records/s ÷ 3 events per command`, ours: ours.capacityPerSecond, reference: floorRun.recordsPerSecond / 3, referenceName: 'floor' });
    figures[`${target.label}.floorCommitP99Ms`] = floorSummary.p99;
    figures[`${target.label}.floorRecordsPerSecond`] = Math.round(floorRun.recordsPerSecond);
  }
  Object.assign(figures, {
    [`${target.label}.ackP50Ms`]: ack.p50,
    [`${target.label}.ackP99Ms`]: ack.p99,
    [`${target.label}.ackP999Ms`]: ack.p999,
    [`${target.label}.ackMaxMs`]: ack.max,
    [`${target.label}.answered`]: ours.open.counts.answered,
    [`${target.label}.failed`]: ours.open.counts.failed,
    [`${target.label}.timedOut`]: ours.open.counts.timedOut,
    [`${target.label}.rejected`]: ours.rejected,
    [`${target.label}.eventsPerLogEntry`]: Math.round(ours.eventsPerEntry * 10) / 10,
    [`${target.label}.capacityCommandsPerSecond`]: Math.round(ours.capacityPerSecond),
    [`${target.label}.capacityP99Ms`]: summarizeLatency(ours.capacityHistogram).p99,
    [`${target.label}.snapshotPauseMs`]: Math.round(ours.snapshotPauseMs * 10) / 10,
    [`${target.label}.callsInState`]: ours.calls,
  });
  console.log(`${target.label}: ack p50 ${ack.p50} ms p99 ${ack.p99} ms at ${rate}/s; capacity ${Math.round(ours.capacityPerSecond)}/s; floor p99 ${figures[`${target.label}.floorCommitP99Ms`]} ms`);
}
const disk = figures['disk.capacityCommandsPerSecond'];
const files = writeResults({
  scenario: 'durable-commands',
  parameters: { ratePerSecond: rate, seconds, closedLoopInFlight: inFlight, recordBytesFloor: 420 },
  figures,
  series,
  ratios,
  notes: [
    'The load generator runs in the same process as the host (it calls host.submit directly): no network, so this isolates engine + log + durability.',
    'Ack latency is from the intended send time (open loop); capacity is a closed loop with the given number of commands in flight.',
    'One RegisterCall writes 2–3 events (patient, routing, the call); the floor appends records of ~420 bytes in batches of the observed events per log entry.',
    '"tmpfs" rows put the data directory on /dev/shm to show our own cost apart from the disk.',
  ],
  headline: `durable RegisterCall: ${String(figures['disk.ackP50Ms'])} ms p50 / ${String(figures['disk.ackP99Ms'])} ms p99 ack at ${rate}/s on disk (floor p99 ${String(figures['disk.floorCommitP99Ms'])} ms); capacity ${String(disk)}/s`,
  ...(values.out === undefined ? {} : { outputDir: values.out }),
});
console.log(files.markdownPath);
