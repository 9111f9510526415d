// A load-generator process of WebSocket operators (forked by operator-load.ts). `setup` opens one session
// per operator given (in batches of `connectConcurrencyMax`), each subscribed to its clinic's board. `run`
// drives the operators with the standard mix at a fixed arrival rate (the open-loop driver: latency from the
// intended send time), round robin over the operators, records ack latency overall and per command, counts
// every outcome, waits `fanoutDrainMs` for the last diffs, and answers with the figures: encoded histograms,
// counts, the fan-out recorder's deliveries and per-intake slowest delivery, and this process's CPU.
//
// Operators marked `passive` get a PassiveSession instead: subscribed like the others, then only counting the
// frames and bytes they receive, undecoded; they send no commands (the rate goes to the decoding sessions).

import type { Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, encodeHistogram, recordLatencyMs } from '../lib/histogram.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import { serveWorker } from './child-worker.ts';
import type { WorkerMessage } from './child-worker.ts';
import { FanoutRecorder } from './fanout-recorder.ts';
import { OperatorScript } from './operator-script.ts';
import type { CommandKind, OperatorIdentity } from './operator-script.ts';
import { newSessionCounters, OperatorSession } from './operator-session.ts';
import { PassiveSession } from './passive-session.ts';
import type { OperatorRunRequest, OperatorRunResult, OperatorSetupRequest, OperatorSetupResult, PassiveFigures } from './operator-messages.ts';

export const connectConcurrencyMax = 200;
/** After the last command: wait at least this long for the last diffs, and until none arrived for `fanoutQuietMs`. */
export const fanoutDrainMs = 1_500;
export const fanoutQuietMs = 500;
export const connectErrorSamplesMax = 5;
export const rejectionSamplesMax = 5;

const counters = newSessionCounters();
const sessions: OperatorSession[] = [];
const scripts: OperatorScript[] = [];
const passiveSessions: PassiveSession[] = [];
let recorder: FanoutRecorder | undefined;

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Waits for the diffs of the last commands: at least `fanoutDrainMs`, then until quiet, at most `timeoutMs`. */
async function drainFanout(fanout: FanoutRecorder, timeoutMs: number): Promise<void> {
  const started = performance.now();
  let seen = fanout.deliveries;
  let quietSince = performance.now();
  while (performance.now() - started < Math.max(fanoutDrainMs, timeoutMs)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (fanout.deliveries !== seen) {
      seen = fanout.deliveries;
      quietSince = performance.now();
    } else if (performance.now() - started >= fanoutDrainMs && performance.now() - quietSince >= fanoutQuietMs) {
      return;
    }
  }
}

async function setup(request: OperatorSetupRequest): Promise<OperatorSetupResult> {
  const started = performance.now();
  const errorSamples: string[] = [];
  let failed = 0;
  const subscribersByClinic = new Map<string, number>();
  const passiveByClinic = new Map<string, number>();
  const identities = request.operators;
  const url = new URL(request.url);
  for (let start = 0; start < identities.length; start += connectConcurrencyMax) {
    const batch = identities.slice(start, start + connectConcurrencyMax);
    const opened = await Promise.allSettled(batch.map(async (operator) => {
      const topic = `clinic/${operator.clinicId}`;
      if (operator.passive === true) {
        const passive = new PassiveSession(url.hostname, Number(url.port), url.pathname, operator.token, operator.index, operator.clinicId);
        await passive.start(topic);
        return { session: passive, operator };
      }
      const session = new OperatorSession(request.url, operator.token, operator.index, operator.clinicId, counters, () => recorder);
      try {
        await session.start(topic);
      } catch (error) {
        session.close();
        throw error;
      }
      return { session, operator };
    }));
    for (const outcome of opened) {
      if (outcome.status === 'fulfilled') {
        const identity: OperatorIdentity = outcome.value.operator;
        const session = outcome.value.session;
        if (session instanceof PassiveSession) {
          passiveSessions.push(session);
          bump(passiveByClinic, identity.clinicId);
          continue;
        }
        sessions.push(session);
        scripts.push(new OperatorScript(identity, identity.index));
        bump(subscribersByClinic, identity.clinicId);
      } else {
        failed += 1;
        const message = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        if (errorSamples.length < connectErrorSamplesMax && !errorSamples.includes(message)) errorSamples.push(message);
      }
    }
  }
  return {
    type: 'setup-done', connected: sessions.length + passiveSessions.length, decoding: sessions.length, failed, errorSamples,
    subscribersByClinic: Object.fromEntries(subscribersByClinic), passiveByClinic: Object.fromEntries(passiveByClinic),
    connectMs: Math.round(performance.now() - started),
  };
}

/** The passive sessions' frames and bytes since the last call, beside the decoding sessions' diff frames, per clinic. */
function passiveFigures(decodedFramesBefore: ReadonlyMap<OperatorSession, number>): PassiveFigures {
  const byClinic = new Map<string, [number, number, number, number]>();
  const row = (clinicId: string): [number, number, number, number] => {
    let entry = byClinic.get(clinicId);
    if (entry === undefined) {
      entry = [0, 0, 0, 0];
      byClinic.set(clinicId, entry);
    }
    return entry;
  };
  let frames = 0;
  let bytes = 0;
  const closes = new Map<string, number>();
  for (const passive of passiveSessions) {
    const taken = passive.takeCounts();
    frames += taken.frames;
    bytes += taken.bytes;
    const entry = row(passive.clinicId);
    entry[0] += 1;
    entry[1] += taken.frames;
    if (!passive.isOpen) bump(closes, String(passive.closeCode ?? 'none'));
  }
  for (const session of sessions) {
    const entry = row(session.clinicId);
    entry[2] += 1;
    entry[3] += session.diffFramesReceived - (decodedFramesBefore.get(session) ?? 0);
  }
  return {
    sessions: passiveSessions.length,
    openSessions: passiveSessions.filter((passive) => passive.isOpen).length,
    frames, bytes, closesByCode: Object.fromEntries(closes), byClinic: Object.fromEntries(byClinic),
  };
}

async function run(request: OperatorRunRequest): Promise<OperatorRunResult> {
  const fanout = new FanoutRecorder(request.phase);
  recorder = fanout;
  const byKind = new Map<CommandKind, Histogram>();
  const rejections = new Map<string, number>();
  const errorsByCode = new Map<string, number>();
  const ackedIntakesByClinic = new Map<string, number>();
  let substituted = 0;
  const rejectionSamples: string[] = [];
  const countersBefore = { ...counters, errorsByCode: new Map(counters.errorsByCode), closesByCode: new Map(counters.closesByCode) };
  for (const passive of passiveSessions) passive.takeCounts();
  const decodedFramesBefore = new Map(sessions.map((session) => [session, session.diffFramesReceived]));
  const meter = startProcessMeter('self');
  const intervalMs = 1000 / request.ratePerSecond;
  const t0 = performance.now();
  const sessionCount = sessions.length;
  const result = await runOpenLoop({
    ratePerSecond: request.ratePerSecond, durationMs: request.durationMs, timeoutMs: request.timeoutMs,
    sendWithCallback: (index, done) => {
      const slot = index % Math.max(1, sessionCount);
      const session = sessions[slot];
      const script = scripts[slot];
      if (session === undefined || script === undefined) {
        done(new Error('no session'));
        return;
      }
      const intendedMs = t0 + index * intervalMs;
      const planned = script.next(request.phase, (performance.timeOrigin + intendedMs) * 1000);
      if (planned.substituted) substituted += 1;
      session.command(planned.command, (outcome) => {
        const latencyMs = performance.now() - intendedMs;
        if (outcome.kind === 'error') {
          bump(errorsByCode, outcome.code);
          done(new Error(outcome.code));
          return;
        }
        if (latencyMs < request.timeoutMs) {
          let histogram = byKind.get(planned.kind);
          if (histogram === undefined) {
            histogram = createLatencyHistogram();
            byKind.set(planned.kind, histogram);
          }
          recordLatencyMs(histogram, latencyMs);
        }
        if (outcome.kind === 'accepted') {
          planned.onAccepted(outcome.result);
          if (planned.kind === 'RegisterCall') bump(ackedIntakesByClinic, script.identity.clinicId);
        } else {
          bump(rejections, `${planned.kind} ${outcome.problemType}`);
          const sample = `${planned.kind}: ${outcome.detail}`;
          if (rejectionSamples.length < rejectionSamplesMax && !rejectionSamples.includes(sample)) rejectionSamples.push(sample);
        }
        done();
      });
    },
  });
  if (request.record) await drainFanout(fanout, request.timeoutMs);
  recorder = undefined;
  const passive = passiveFigures(decodedFramesBefore);
  const usage = meter.stop();
  const delta = (now: number, before: number): number => now - before;
  return {
    type: 'run-done',
    counts: result.counts,
    latencyBase64: encodeHistogram(result.latency),
    serviceTimeBase64: encodeHistogram(result.serviceTime),
    byKindBase64: Object.fromEntries([...byKind].map(([kind, histogram]) => [kind, encodeHistogram(histogram)])),
    sendLagMaxMs: result.sendLagMaxMs,
    elapsedMs: result.elapsedMs,
    errorSamples: [...result.errorSamples],
    rejections: Object.fromEntries(rejections),
    rejectionSamples,
    commandErrors: Object.fromEntries(errorsByCode),
    substituted,
    ackedIntakesByClinic: Object.fromEntries(ackedIntakesByClinic),
    fanoutBase64: encodeHistogram(fanout.perDelivery),
    fanoutDeliveries: fanout.deliveries,
    fanoutSlowestByIntake: request.record ? [...fanout.slowestByIntake] : [],
    fanoutIntakesUntracked: fanout.intakesUntracked,
    clinicDiffFrames: fanout.diffFrames,
    callsInDiffs: fanout.callsInDiffs,
    session: {
      gaps: delta(counters.gaps, countersBefore.gaps),
      resyncsRequested: delta(counters.resyncsRequested, countersBefore.resyncsRequested),
      resyncSnapshots: delta(counters.resyncSnapshots, countersBefore.resyncSnapshots),
      staleNotices: delta(counters.staleNotices, countersBefore.staleNotices),
      diffFrames: delta(counters.diffFrames, countersBefore.diffFrames),
      diffsIgnored: delta(counters.diffsIgnored, countersBefore.diffsIgnored),
      unmatchedFrames: delta(counters.unmatchedFrames, countersBefore.unmatchedFrames),
      closesByCode: Object.fromEntries([...counters.closesByCode].map(([code, count]) => [String(code), count - (countersBefore.closesByCode.get(code) ?? 0)])),
      openSessions: sessions.filter((session) => session.isOpen).length,
    },
    passive,
    usage,
  };
}

serveWorker(async (message: WorkerMessage): Promise<WorkerMessage> => {
  if (message.type === 'setup') return setup(message as unknown as OperatorSetupRequest);
  if (message.type === 'run') return run(message as unknown as OperatorRunRequest);
  throw new Error(`operator worker: unknown request ${message.type}`);
}, () => {
  for (const session of sessions) session.close();
  for (const passive of passiveSessions) passive.close();
  return Promise.resolve();
});
