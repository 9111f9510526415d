// seed-peak (BENCH.md): 1,353 operators on WebSockets across a region of clinics, the standard mix at a fixed
// arrival rate. Do we hold the source system's load, and how far below the limits?
//
// One run, side by side (rule 1): our server (its own process, data on disk or, with --tmpfs, on /dev/shm),
// then the durability floor and the network floor on the same device and at the same rate, then the fan-out
// baseline (the `ws` peer) with the same subscribers per clinic at the same rate. Targets (reported, never
// asserted): median ack ≤ 2 ms; p99 ack ≤ durability-floor p99 + 5 ms (≤ 10 ms on tmpfs); p99 fan-out to every
// other operator ≤ p99 ack + 60 ms; nothing dropped. The durability floor of the p99 target is the open-loop one
// (records at the same rate, batched as the host batches, latency per record from its intended arrival): like
// an ack, it counts a slow fsync once for every record that waited on it. The closed-loop commit floor (latency
// per batch at capacity) is reported beside it.

import { Packr } from 'msgpackr';
import { summarizeLatency } from '../lib/histogram.ts';
import { writeResults } from '../lib/results-writer.ts';
import type { JsonValue, RatioInput, ResultSeries } from '../lib/results-writer.ts';
import { runFanoutPeer } from '../load/fanout-peer-run.ts';
import type { FanoutPeerResult } from '../load/fanout-peer-run.ts';
import { runFloors } from '../load/floors.ts';
import type { FloorResults } from '../load/floors.ts';
import { OperatorScript } from '../load/operator-script.ts';
import { OperatorStack } from './operator-stack.ts';
import type { MeasuredWindow } from './operator-stack.ts';
import {
  finite, latencyFigures, loadAverageNote, round, serverProfile, sharedMachineNote, targetFigures, targetLines, usageFigures,
} from './scenario-kit.ts';
import type { ScenarioContext, ScenarioOutcome, TargetCheck } from './scenario-kit.ts';

export const medianAckTargetMs = 2;
export const p99AckOverFloorMs = 5;
export const p99AckTmpfsTargetMs = 10;
export const fanoutOverAckMs = 60;

export interface SeedPeakSettings {
  readonly operators: number;
  readonly clinics: number;
  readonly doctorsPerClinic: number;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly floorSeconds: number;
  readonly workers: number;
  readonly timeoutMs: number;
  readonly tmpfs: boolean;
  readonly skipPeers: boolean;
}

export function seedPeakSettings(context: ScenarioContext): SeedPeakSettings {
  const { args } = context;
  return {
    operators: args.number('operators', { small: 12, full: 1_353 }, { min: 2, max: 25_000 }),
    clinics: args.number('clinics', { small: 2, full: 30 }, { min: 1, max: 1_000 }),
    doctorsPerClinic: args.number('doctors-per-clinic', { small: 4, full: 8 }, { min: 1, max: 200 }),
    // 1,353 operators at one command every three seconds each: a busy hour at every desk at once.
    ratePerSecond: args.number('rate', { small: 30, full: 450 }, { min: 1, max: 100_000 }),
    seconds: args.number('seconds', { small: 2, full: 60 }, { min: 1, max: 3_600 }),
    warmupSeconds: args.number('warmup-seconds', { small: 1, full: 10 }, { min: 0, max: 600 }),
    floorSeconds: args.number('floor-seconds', { small: 1, full: 10 }, { min: 1, max: 600 }),
    workers: args.number('workers', { small: 1, full: 2 }, { min: 1, max: 16 }),
    timeoutMs: args.number('timeout-ms', { small: 10_000, full: 10_000 }, { min: 100, max: 120_000 }),
    tmpfs: args.flag('tmpfs'),
    skipPeers: args.flag('skip-peers'),
  };
}

/** The size of a RegisterCall command frame: the echo floor sends frames of this size. */
export function commandFrameBytes(): number {
  const script = new OperatorScript({ index: 1, clinicId: 'c1', doctorIds: ['c1-d1'], slotIds: [] });
  const planned = script.next('m', Date.now() * 1000);
  return new Packr({ useRecords: false }).pack({ type: 'command', requestId: 12345, command: planned.command }).length;
}

export function windowFigures(window: MeasuredWindow): { [key: string]: JsonValue } {
  const { run } = window;
  const serverCpuMs = window.serverUsage.cpuUserMs + window.serverUsage.cpuSystemMs;
  // Delivered: the diff frames the decoding sessions read plus every frame the passive ones counted.
  const deliveredFrames = run.session.diffFrames + run.passive.frames;
  return {
    counts: { ...run.counts },
    rejections: run.rejections,
    rejectionSamples: run.rejectionSamples,
    commandErrors: run.commandErrors,
    substitutedSteps: run.substituted,
    achievedRatePerSecond: round(run.counts.answered / (run.durationMs / 1000), 1),
    ack: latencyFigures(run.ack),
    ackServiceTime: latencyFigures(run.serviceTime),
    ackByCommand: Object.fromEntries([...run.ackByKind].map(([kind, histogram]) => [kind, latencyFigures(histogram)])),
    fanoutToAll: latencyFigures(run.fanoutToAll),
    fanoutPerDelivery: latencyFigures(run.fanoutPerDelivery),
    fanout: {
      intakesAcked: run.intakesAcked, intakesSeen: run.intakesSeen,
      deliveries: run.fanoutDeliveries, deliveriesExpected: run.fanoutDeliveriesExpected,
      deliveriesMissing: run.fanoutDeliveriesExpected - run.fanoutDeliveries,
    },
    sessions: { ...run.session },
    clinicDiffFramesReceived: run.clinicDiffFrames,
    callsInClinicDiffs: run.callsInDiffs,
    generatorSendLagMaxMs: run.sendLagMaxMs,
    generatorCpuPercent: run.generatorCpuPercent,
    generatorProcesses: run.generatorUsage.map((usage) => usageFigures(usage)),
    server: usageFigures(window.serverUsage),
    serverEventLoop: finite(window.eventLoop),
    serverCommandHistogram: finite(window.serverCommand),
    serverLogCommit: finite(window.logCommit),
    serverFramesPublished: window.framesPublished,
    serverBytesPublished: window.bytesPublished,
    serverSlowReaderCutoffs: window.slowReaderCutoffs,
    serverCloses: window.serverCloses,
    serverErrorFrames: window.serverErrorFrames,
    passiveSessions: finite({ ...run.passive, framesMissing: Math.max(0, run.passive.framesExpected - run.passive.frames) }),
    deliveredFrames,
    serverCpuMsPerCommand: run.counts.answered > 0 ? round(serverCpuMs / run.counts.answered, 4) : null,
    serverCpuUsPerDeliveredFrame: deliveredFrames > 0 ? round((serverCpuMs * 1000) / deliveredFrames, 2) : null,
    serverCpuMsPer1000DeliveredFrames: deliveredFrames > 0 ? round((serverCpuMs * 1000) / deliveredFrames, 3) : null,
  };
}

export function droppedCount(window: MeasuredWindow): number {
  const { run } = window;
  const closes = Object.values(run.session.closesByCode).reduce((sum, count) => sum + count, 0);
  const passiveClosed = run.passive.sessions - run.passive.openSessions;
  return run.counts.failed + run.counts.timedOut + run.counts.inFlightAtEnd + run.session.gaps + run.session.staleNotices +
    closes + Math.max(0, run.fanoutDeliveriesExpected - run.fanoutDeliveries) + passiveClosed + Math.max(0, run.passive.framesExpected - run.passive.frames);
}

function checks(settings: SeedPeakSettings, window: MeasuredWindow, floors: FloorResults | undefined): TargetCheck[] {
  const ack = summarizeLatency(window.run.ack);
  const fanout = summarizeLatency(window.run.fanoutToAll);
  const floorP99 = floors?.durabilityOpen.latency.p99;
  const p99Limit = settings.tmpfs ? p99AckTmpfsTargetMs : floorP99 === undefined ? Number.NaN : floorP99 + p99AckOverFloorMs;
  const dropped = droppedCount(window);
  return [
    { target: `median ack ≤ ${medianAckTargetMs} ms`, measured: `${ack.p50} ms`, met: ack.p50 <= medianAckTargetMs },
    {
      target: settings.tmpfs ? `p99 ack ≤ ${p99AckTmpfsTargetMs} ms (tmpfs)` : `p99 ack ≤ durability floor p99 + ${p99AckOverFloorMs} ms`,
      measured: `${ack.p99} ms` + (settings.tmpfs ? '' : floorP99 === undefined ? ' (no floor measured: --skip-peers)'
        : ` vs open-loop floor p99 ${floorP99} ms (limit ${round(p99Limit)} ms; closed-loop commit floor p99 ${floors?.durability.commitLatency.p99} ms)`),
      met: ack.p99 <= p99Limit,
    },
    { target: `p99 fan-out to every other operator ≤ p99 ack + ${fanoutOverAckMs} ms`, measured: `${fanout.p99} ms vs limit ${round(ack.p99 + fanoutOverAckMs)} ms`, met: fanout.count > 0 && fanout.p99 <= ack.p99 + fanoutOverAckMs },
    { target: 'nothing dropped (failed, timed out, gaps, stale, closes, missing deliveries)', measured: `${dropped}`, met: dropped === 0 },
  ];
}

export async function runSeedPeak(context: ScenarioContext): Promise<ScenarioOutcome> {
  const settings = seedPeakSettings(context);
  const storage = settings.tmpfs ? 'tmpfs' : 'disk';
  const scenarioName = settings.tmpfs ? `${context.scenario}-tmpfs` : context.scenario;
  const notes = [sharedMachineNote, `data directory on ${storage}`, loadAverageNote('at start')];
  const profile = serverProfile(context, scenarioName);
  const stack = await OperatorStack.start({
    name: context.scenario, storage, clinics: settings.clinics, doctorsPerClinic: settings.doctorsPerClinic,
    operators: settings.operators, workers: settings.workers, serverNodeArgs: profile.nodeArgs, log: context.log,
  });
  let window: MeasuredWindow;
  const storageParent = stack.dataDir.parent;
  const subscribersByClinic = stack.load.setup.subscribersByClinic;
  const setupFigures = { ...stack.load.setup, subscribersByClinic: Object.fromEntries(subscribersByClinic) };
  try {
    if (settings.warmupSeconds > 0) {
      context.log(`warm-up: ${settings.ratePerSecond}/s for ${settings.warmupSeconds} s`);
      await stack.warmUp(settings.ratePerSecond, settings.warmupSeconds * 1000, settings.timeoutMs);
    }
    context.log(`measuring: ${settings.ratePerSecond}/s for ${settings.seconds} s`);
    window = await stack.measure('m', settings.ratePerSecond, settings.seconds * 1000, settings.timeoutMs);
  } finally {
    await stack.close();
  }
  let floors: FloorResults | undefined;
  let peer: FanoutPeerResult | undefined;
  if (!settings.skipPeers) {
    context.log(`floors: lmdb on ${storage} and uws echo at ${settings.ratePerSecond}/s, ${settings.floorSeconds} s each`);
    floors = await runFloors({
      storage, storageParent, seconds: settings.floorSeconds, ratePerSecond: settings.ratePerSecond,
      frameBytes: commandFrameBytes(), connections: settings.operators,
    });
    context.log(`fan-out peer: ${settings.ratePerSecond} diffs/s to the same subscribers for ${settings.floorSeconds} s`);
    peer = await runFanoutPeer({
      subscribersByClinic, ratePerSecond: settings.ratePerSecond, durationMs: settings.floorSeconds * 1000,
      workers: settings.workers, doctorsPerClinic: settings.doctorsPerClinic,
    });
  }
  notes.push(loadAverageNote('at end'));
  const targetChecks = checks(settings, window, floors);
  const series: ResultSeries[] = [
    { name: 'ack (ours)', role: 'ours', histogram: window.run.ack },
    { name: 'fan-out to all (ours)', role: 'ours', histogram: window.run.fanoutToAll },
  ];
  const ratios: RatioInput[] = [];
  if (floors !== undefined) {
    series.push({ name: `lmdb commit floor (${storage})`, role: 'floor', histogram: floors.durabilityHistogram });
    series.push({ name: `write + fdatasync floor (${storage})`, role: 'floor', histogram: floors.fsyncHistogram });
    series.push({ name: `lmdb open-loop floor (${storage}, ${settings.ratePerSecond}/s)`, role: 'floor', histogram: floors.durabilityOpenHistogram });
    series.push({ name: 'uws echo floor', role: 'floor', histogram: floors.networkHistogram });
  }
  if (peer !== undefined) {
    series.push({ name: 'ws fan-out peer', role: 'baseline', histogram: peer.latency });
    const ours = window.run.session.diffFrames;
    const ourCpuUs = (window.serverUsage.cpuUserMs + window.serverUsage.cpuSystemMs) * 1000;
    const peerCpuUs = (peer.serverUsage.cpuUserMs + peer.serverUsage.cpuSystemMs) * 1000;
    if (ours > 0 && peer.deliveries > 0) {
      ratios.push({ name: 'server CPU per delivered diff frame, ours (deciding and logging the commands too) ÷ ws peer (fan-out only)', ours: round(ourCpuUs / ours, 2), reference: round(peerCpuUs / peer.deliveries, 2), referenceName: 'ws fan-out peer', unit: 'µs' });
    }
    // Per command (the peer publishes one diff per command): the two windows have different lengths.
    const answered = window.run.counts.answered;
    if (answered > 0 && peer.published > 0) {
      ratios.push({ name: 'diff frames delivered per command, ours ÷ ws peer (below 1: coalescing)', ours: round(ours / answered, 2), reference: round(peer.deliveries / peer.published, 2), referenceName: 'ws fan-out peer', unit: 'frames' });
    }
  }
  const ack = summarizeLatency(window.run.ack);
  const fanout = summarizeLatency(window.run.fanoutToAll);
  const headline = `${storage}: ${settings.operators} operators, ${settings.ratePerSecond} cmd/s: ack p50 ${ack.p50} / p99 ${ack.p99} ms` +
    (floors === undefined ? '' : ` (lmdb floor p99: open-loop ${floors.durabilityOpen.latency.p99} ms, commit ${floors.durability.commitLatency.p99} ms; write+fdatasync floor p50 ${floors.fsync.p50} / p99 ${floors.fsync.p99} ms)`) +
    `, fan-out to all p99 ${fanout.p99} ms, dropped ${droppedCount(window)}; targets met ${targetChecks.filter((check) => check.met).length}/${targetChecks.length}`;
  const figures: { [key: string]: JsonValue } = {
    targets: targetFigures(targetChecks),
    setup: finite(setupFigures),
    slotsDealtToOperators: stack.slotsDealt,
    regionPreparedMs: stack.region.preparedInMs,
    ...windowFigures(window),
  };
  if (floors !== undefined) {
    const { histogram: _histogram, ...durability } = floors.durability;
    figures['durabilityFloor'] = finite(durability);
    figures['durabilityOpenFloor'] = finite(floors.durabilityOpen);
    figures['fsyncFloor'] = finite(floors.fsync);
    figures['networkFloor'] = finite({ ...floors.network, serverUsage: usageFigures(floors.network.serverUsage), clientUsage: usageFigures(floors.network.clientUsage) });
  }
  if (peer !== undefined) {
    const { latency: _latency, serverUsage, generatorUsage, ...rest } = peer;
    figures['fanoutPeer'] = finite({ ...rest, latency: latencyFigures(peer.latency), server: usageFigures(serverUsage), generators: generatorUsage.map((usage) => usageFigures(usage)) });
  }
  const files = writeResults({
    scenario: scenarioName,
    ...(context.outputDir === undefined ? {} : { outputDir: context.outputDir }),
    commandLine: context.commandLine,
    parameters: { ...settings, storage, options: context.args.record() },
    figures, series, ratios, notes, headline,
  });
  return { files: [files], summary: [headline, ...targetLines(targetChecks)], profiles: profile.path === undefined ? [] : [profile.path] };
}
