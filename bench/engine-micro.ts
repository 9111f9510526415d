/**
 * Micro-benchmark of the engine alone (decide + evolve, no I/O): commands per second and per-command time
 * for RegisterCall and AssignCall on a region of clinics. Not a test: it reports numbers into
 * bench/results/. Run: `node --import tsx bench/engine-micro.ts [--calls 50000] [--clinics 20] [--doctors 20]`.
 *
 * The raw floor beside it is the cost of the same number of empty Map writes of the same call object, so
 * the ratio says what the engine's logic costs over storing the record at all.
 */
import { parseArgs } from 'node:util';
import { createEngine, SequenceIdSource, type Command } from '../engine/index.ts';
import { demoRegionCommands } from '../engine/demo-region.ts';
import { createLatencyHistogram, recordLatencyMs } from './lib/histogram.ts';
import { sampleRegisterCommand } from './lib/sample-call.ts';
import { writeResults } from './lib/results-writer.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '50000' },
    doctors: { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const callCount = Number(values.calls);
const doctorsPerClinic = Number(values.doctors);
const startMs = Date.UTC(2026, 10, 23, 6, 0);

const engine = createEngine(new SequenceIdSource('b'));
for (const command of demoRegionCommands(doctorsPerClinic)) engine.submit(command, { at: startMs, by: 'admin:bench' });
engine.takeEvents();

const registerCommand = sampleRegisterCommand;

function measure(label: string, count: number, build: (i: number) => Command, atOf: (i: number) => number) {
  const histogram = createLatencyHistogram();
  let rejected = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) {
    const t0 = process.hrtime.bigint();
    const result = engine.submit(build(i), { at: atOf(i), by: 'operator:bench' });
    recordLatencyMs(histogram, Number(process.hrtime.bigint() - t0) / 1e6);
    if (!result.ok) rejected += 1;
    if (i % 1000 === 999) engine.takeEvents();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  engine.takeEvents();
  return { label, count, rejected, seconds, perSecond: count / seconds, histogram };
}

const callIds: string[] = [];
const register = measure('RegisterCall', callCount, (i) => registerCommand(i), (i) => startMs + i);
const clinicsCalls = new Map<string, string[]>();
for (const clinicId of ['gp1', 'gp2', 'gp3']) {
  const state = engine.stateOf(`clinic/${clinicId}`) as { calls: Map<string, { id: string; status: string }> };
  for (const call of state.calls.values()) if (call.status === 'new') callIds.push(call.id);
  clinicsCalls.set(clinicId, []);
}
const assignable = callIds.length;
const assign = measure(
  'AssignCall',
  assignable,
  (i) => {
    const callId = callIds[i] as string;
    const clinicId = callId.slice(0, callId.indexOf('.'));
    return { type: 'AssignCall', callId, doctorId: `${clinicId}-d${(i % doctorsPerClinic) + 1}`, visitDate: '2026-11-24' };
  },
  () => startMs + callCount,
);

// The raw floor: storing the same records in a Map, no logic.
const floorStarted = process.hrtime.bigint();
const floorMap = new Map<string, unknown>();
for (let i = 0; i < callCount; i += 1) floorMap.set(`k${i}`, registerCommand(i));
const floorPerSecond = callCount / (Number(process.hrtime.bigint() - floorStarted) / 1e9);

const files = writeResults({
  scenario: 'engine-micro',
  parameters: { calls: callCount, clinics: 3, doctorsPerClinic },
  figures: {
    registerPerSecond: Math.round(register.perSecond),
    registerRejected: register.rejected,
    assignPerSecond: Math.round(assign.perSecond),
    assignCount: assign.count,
    assignRejected: assign.rejected,
    rawMapWritesPerSecond: Math.round(floorPerSecond),
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  },
  series: [
    { name: 'RegisterCall decide+evolve', role: 'ours', histogram: register.histogram },
    { name: 'AssignCall decide+evolve (2 actors)', role: 'ours', histogram: assign.histogram },
  ],
  ratios: [{ name: 'RegisterCall per second vs raw Map writes of the same record', ours: register.perSecond, reference: floorPerSecond, referenceName: 'raw Map.set' }],
  notes: ['Engine only, one thread, no I/O, no durability: this is the ceiling the durable pipeline works under.'],
  headline: `register ${Math.round(register.perSecond).toLocaleString('en')}/s, assign ${Math.round(assign.perSecond).toLocaleString('en')}/s (decide+evolve, no I/O)`,
  ...(values.out === undefined ? {} : { outputDir: values.out }),
});
console.log(`register ${Math.round(register.perSecond)}/s (${register.rejected} rejected), assign ${Math.round(assign.perSecond)}/s over ${assign.count}; results: ${files.markdownPath}`);
