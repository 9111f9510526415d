/**
 * Micro-benchmark of the engine alone (decide + evolve, no I/O): commands per second, per CPU-second and per
 * command, for RegisterCall and AssignCall on a region of clinics, with what each command costs the garbage
 * collector (bytes allocated per command, collections, the GC's share of the window). Not a test: it reports
 * numbers into bench/results/. Run:
 * `node --single-threaded-gc --import tsx bench/engine-micro.ts [--calls 50000] [--doctors 20] [--out <dir>]`
 * (the flag is the server's, gateway/node-flags.ts; without it V8's helper threads collect beside the loop).
 *
 * The commands are built before the timed loop (the gateway hands the engine a decoded command; building the
 * bench's own objects is not the engine's cost). Each command is timed with `performance.now()` (no BigInt per
 * command); the throughput is the whole loop's count over its wall time, and over the process's CPU time,
 * which holds on a shared machine where the wall clock also counts other processes' turns.
 *
 * The raw floor beside it is the cost of the same number of empty Map writes of the same call object, so
 * the ratio says what the engine's logic costs over storing the record at all.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createEngine, SequenceIdSource, type Command } from '../engine/index.ts';
import { demoRegionCommands } from '../engine/demo-region.ts';
import { GcMeter, type GcWindow } from './lib/gc-meter.ts';
import { createLatencyHistogram, recordLatencyMs } from './lib/histogram.ts';
import { sampleRegisterCommand } from './lib/sample-call.ts';
import { writeResults } from './lib/results-writer.ts';

const { values } = parseArgs({
  strict: true,
  options: {
    calls: { type: 'string', default: '50000' },
    doctors: { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const callCount = Number(values.calls);
const doctorsPerClinic = Number(values.doctors);
if (!Number.isSafeInteger(callCount) || callCount < 1) throw new Error('--calls must be a whole number ≥ 1');
if (!Number.isSafeInteger(doctorsPerClinic) || doctorsPerClinic < 1) throw new Error('--doctors must be a whole number ≥ 1');
const startMs = Date.UTC(2026, 10, 23, 6, 0);
const loadAtStart = loadavg();

const engine = createEngine(new SequenceIdSource('b'));
for (const command of demoRegionCommands(doctorsPerClinic)) engine.submit(command, { at: startMs, by: 'admin:bench' });
engine.takeEvents();

interface Measured {
  readonly label: string;
  readonly count: number;
  readonly rejected: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly perSecond: number;
  readonly perCpuSecond: number;
  readonly gc: GcWindow;
  readonly histogram: ReturnType<typeof createLatencyHistogram>;
}

function measure(label: string, commands: readonly Command[], atOf: (i: number) => number): Measured {
  const histogram = createLatencyHistogram();
  const meter = new GcMeter();
  let rejected = 0;
  const cpuStarted = process.cpuUsage();
  meter.start();
  const started = performance.now();
  for (let i = 0; i < commands.length; i += 1) {
    const t0 = performance.now();
    const result = engine.submit(commands[i] as Command, { at: atOf(i), by: 'operator:bench' });
    recordLatencyMs(histogram, performance.now() - t0);
    if (!result.ok) rejected += 1;
    // The durable pipeline takes a tick's events; here every 1,000 commands, so they do not pile up.
    if (i % 1000 === 999) engine.takeEvents();
  }
  const seconds = (performance.now() - started) / 1000;
  const gc = meter.stop();
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  engine.takeEvents();
  const count = commands.length;
  return { label, count, rejected, seconds, cpuSeconds, perSecond: count / seconds, perCpuSecond: count / cpuSeconds, gc, histogram };
}

const registerCommands: Command[] = [];
for (let i = 0; i < callCount; i += 1) registerCommands.push(sampleRegisterCommand(i));
const register = measure('RegisterCall', registerCommands, (i) => startMs + i);

const assignCommands: Command[] = [];
for (const clinicId of ['gp1', 'gp2', 'gp3']) {
  const state = engine.stateOf(`clinic/${clinicId}`) as { calls: Map<string, { id: string; status: string }> };
  for (const call of state.calls.values()) {
    if (call.status !== 'new') continue;
    const i = assignCommands.length;
    assignCommands.push({ type: 'AssignCall', callId: call.id, doctorId: `${clinicId}-d${(i % doctorsPerClinic) + 1}`, visitDate: '2026-11-24' });
  }
}
const assign = measure('AssignCall', assignCommands, () => startMs + callCount);

// The raw floor: storing the same records in a Map, no logic.
const floorStarted = performance.now();
const floorMap = new Map<string, unknown>();
for (let i = 0; i < callCount; i += 1) floorMap.set(`k${i}`, registerCommands[i]);
const floorPerSecond = callCount / ((performance.now() - floorStarted) / 1000);
const loadAtEnd = loadavg();

function figuresOf(m: Measured, prefix: string): Record<string, number> {
  return {
    [`${prefix}PerSecond`]: Math.round(m.perSecond),
    [`${prefix}PerCpuSecond`]: Math.round(m.perCpuSecond),
    [`${prefix}CpuUsPerCommand`]: round2((m.cpuSeconds * 1e6) / m.count),
    [`${prefix}Rejected`]: m.rejected,
    [`${prefix}AllocatedBytesPerCommand`]: Math.round(m.gc.allocatedBytes / m.count),
    [`${prefix}RetainedBytesPerCommand`]: Math.round(m.gc.retainedBytes / m.count),
    [`${prefix}GcCollections`]: m.gc.collections,
    [`${prefix}GcScavenges`]: m.gc.scavenges,
    [`${prefix}GcMarkSweeps`]: m.gc.markSweeps,
    [`${prefix}GcMs`]: round2(m.gc.gcMs),
    [`${prefix}GcMaxMs`]: round2(m.gc.gcMaxMs),
    [`${prefix}GcScavengeMs`]: round2(m.gc.scavengeMs),
    [`${prefix}GcMarkSweepMs`]: round2(m.gc.markSweepMs),
    [`${prefix}GcSharePercent`]: round2((100 * m.gc.gcMs) / (m.seconds * 1000)),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

const files = writeResults({
  scenario: 'engine-micro',
  parameters: { calls: callCount, clinics: 3, doctorsPerClinic, nodeFlags: process.execArgv.filter((flag) => !flag.startsWith('--import')).join(' ') },
  figures: {
    ...figuresOf(register, 'register'),
    assignCount: assign.count,
    ...figuresOf(assign, 'assign'),
    rawMapWritesPerSecond: Math.round(floorPerSecond),
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
    loadAverageAtStart: round2(loadAtStart[0] ?? 0),
    loadAverageAtEnd: round2(loadAtEnd[0] ?? 0),
  },
  series: [
    { name: 'RegisterCall decide+evolve', role: 'ours', histogram: register.histogram },
    { name: 'AssignCall decide+evolve (2 actors)', role: 'ours', histogram: assign.histogram },
  ],
  ratios: [
    { name: 'RegisterCall per second vs raw Map writes of the same record', ours: register.perSecond, reference: floorPerSecond, referenceName: 'raw Map.set' },
    { name: 'RegisterCall per CPU-second vs the target', ours: register.perCpuSecond, reference: 200_000, referenceName: 'target 200,000/s' },
    { name: 'AssignCall per CPU-second vs the target', ours: assign.perCpuSecond, reference: 300_000, referenceName: 'target 300,000/s' },
  ],
  notes: [
    'Engine only, one thread, no I/O, no durability: this is the ceiling the durable pipeline works under.',
    `Load average ${loadAtStart.map((v) => v.toFixed(2)).join(' ')} at the start, ${loadAtEnd.map((v) => v.toFixed(2)).join(' ')} at the end (2 cores, shared): per-second figures count other processes' turns, per-CPU-second figures do not.`,
    'Allocated bytes and GC time come from V8 (v8.GCProfiler) over the timed loop; the GC share is GC time over the loop\'s wall time.',
  ],
  headline: `register ${Math.round(register.perCpuSecond).toLocaleString('en')}/CPU-s (${Math.round(register.gc.allocatedBytes / register.count).toLocaleString('en')} B/cmd, GC ${round2((100 * register.gc.gcMs) / (register.seconds * 1000))} %), assign ${Math.round(assign.perCpuSecond).toLocaleString('en')}/CPU-s (decide+evolve, no I/O)`,
  ...(values.out === undefined ? {} : { outputDir: values.out }),
});
for (const m of [register, assign]) {
  console.log(
    `${m.label}: ${Math.round(m.perSecond)}/s wall, ${Math.round(m.perCpuSecond)}/CPU-s, ${m.count} commands (${m.rejected} rejected), ` +
      `${Math.round(m.gc.allocatedBytes / m.count)} B allocated/cmd, ${Math.round(m.gc.retainedBytes / m.count)} B retained/cmd, ` +
      `GC ${m.gc.scavenges} scavenges ${round2(m.gc.scavengeMs)} ms + ${m.gc.markSweeps} mark-sweeps ${round2(m.gc.markSweepMs)} ms = ${round2((100 * m.gc.gcMs) / (m.seconds * 1000))} % (max ${round2(m.gc.gcMaxMs)} ms)`,
  );
}
console.log(`load ${loadAtStart[0]?.toFixed(2)} → ${loadAtEnd[0]?.toFixed(2)}; results: ${files.markdownPath}`);
