// The operator load generator, orchestrator side: N WebSocket operators spread over `workers` forked
// processes (each process holds at most `sessionsPerWorkerMax` sockets, well under the 20,000 descriptors a
// process may hold here), dealt round robin so every process holds operators of every clinic. `run` gives
// each process its share of the arrival rate (in proportion to its open sessions), starts them together,
// and merges what they measured: ack latency overall and per command, fan-out latency per delivery and per
// intake ("seen by every other operator": the slowest delivery of each intake across all processes), the
// deliveries expected against those seen, and every count (sent, answered, rejected, failed, timed out,
// gaps, resyncs, stale, closes). Lifecycle: started once, closed once.

import type { Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, mergeHistograms, recordLatencyMs } from '../lib/histogram.ts';
import type { OpenLoopCounts } from '../lib/open-loop.ts';
import type { ProcessUsage } from '../lib/process-stats.ts';
import { forkWorker } from './child-worker.ts';
import type { WorkerHandle } from './child-worker.ts';
import type { OperatorRunResult, OperatorSetupResult, WorkerOperator } from './operator-messages.ts';

export const sessionsPerWorkerMax = 18_000;
export const workersMax = 16;
export const setupTimeoutMs = 15 * 60_000;

export interface OperatorSetupSummary {
  readonly requested: number;
  readonly connected: number;
  readonly failed: number;
  readonly errorSamples: readonly string[];
  /** Decoding sessions per clinic (they command and time); `passiveByClinic` the passive ones. */
  readonly subscribersByClinic: ReadonlyMap<string, number>;
  readonly passiveByClinic: ReadonlyMap<string, number>;
  readonly decoding: number;
  readonly passive: number;
  readonly connectMs: number;
  readonly workers: number;
}

export interface OperatorRunSummary {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly counts: OpenLoopCounts;
  readonly ack: Histogram;
  readonly serviceTime: Histogram;
  readonly ackByKind: ReadonlyMap<string, Histogram>;
  readonly fanoutPerDelivery: Histogram;
  readonly fanoutToAll: Histogram;
  readonly fanoutDeliveries: number;
  readonly fanoutDeliveriesExpected: number;
  readonly intakesAcked: number;
  readonly intakesSeen: number;
  readonly rejections: { readonly [kindAndProblem: string]: number };
  readonly rejectionSamples: readonly string[];
  readonly commandErrors: { readonly [code: string]: number };
  readonly substituted: number;
  readonly errorSamples: readonly string[];
  readonly session: {
    readonly gaps: number; readonly resyncsRequested: number; readonly resyncSnapshots: number; readonly staleNotices: number;
    readonly diffFrames: number; readonly diffsIgnored: number; readonly closesByCode: { readonly [code: string]: number };
    readonly openSessions: number;
  };
  readonly clinicDiffFrames: number;
  readonly callsInDiffs: number;
  readonly passive: PassiveSummary;
  readonly sendLagMaxMs: number;
  readonly generatorUsage: readonly ProcessUsage[];
  /** Sum over the load-generator processes, in percent of one core. */
  readonly generatorCpuPercent: number;
}

/**
 * What the passive sessions received, and what they should have: per clinic, the decoding sessions' mean
 * diff frames × the clinic's passive sessions (every subscriber of a clinic is sent the same frames).
 */
export interface PassiveSummary {
  readonly sessions: number;
  readonly openSessions: number;
  readonly frames: number;
  readonly bytes: number;
  readonly framesExpected: number;
  /** Of the clinics with passive sessions, the lowest ratio of passive frames per session to decoded frames per session. */
  readonly lowestClinicRatio: number | null;
  readonly closesByCode: { readonly [code: string]: number };
}

function addInto(target: Map<string, number>, source: { readonly [key: string]: number }): void {
  for (const [key, value] of Object.entries(source)) target.set(key, (target.get(key) ?? 0) + value);
}

function sumCounts(all: readonly OpenLoopCounts[]): OpenLoopCounts {
  const keys = ['scheduled', 'sent', 'answered', 'failed', 'failedError', 'failedOverload', 'timedOut', 'inFlightAtEnd',
    'lateCompletions', 'duplicateCompletions'] as const;
  const total = Object.fromEntries(keys.map((key) => [key, all.reduce((sum, counts) => sum + counts[key], 0)]));
  return total as unknown as OpenLoopCounts;
}

export class OperatorLoad {
  private constructor(
    private readonly workers: readonly WorkerHandle[],
    private readonly sessionsByWorker: readonly number[],
    readonly setup: OperatorSetupSummary,
  ) {}

  static async start(url: string, operators: readonly WorkerOperator[], workerCount: number): Promise<OperatorLoad> {
    const needed = Math.ceil(operators.length / sessionsPerWorkerMax);
    const count = Math.min(workersMax, Math.max(1, workerCount, needed));
    const decodingRequested = operators.filter((operator) => operator.passive !== true).length;
    // Operators are dealt round robin, so the decoding ones (the first) reach every process only if there are enough.
    if (decodingRequested < count) throw new RangeError(`operator load: ${decodingRequested} decoding sessions for ${count} processes; every process needs one`);
    const shares: WorkerOperator[][] = Array.from({ length: count }, () => []);
    operators.forEach((operator, index) => shares[index % count]?.push(operator));
    const workers: WorkerHandle[] = [];
    try {
      for (let index = 0; index < count; index += 1) workers.push(await forkWorker(new URL('./operator-worker.ts', import.meta.url)));
      const results = await Promise.all(workers.map((worker, index) =>
        worker.ask<OperatorSetupResult>({ type: 'setup', url, operators: shares[index] ?? [] }, 'setup-done', setupTimeoutMs)));
      const subscribers = new Map<string, number>();
      const passiveByClinic = new Map<string, number>();
      for (const result of results) {
        addInto(subscribers, result.subscribersByClinic);
        addInto(passiveByClinic, result.passiveByClinic);
      }
      const setup: OperatorSetupSummary = {
        requested: operators.length,
        connected: results.reduce((sum, result) => sum + result.connected, 0),
        failed: results.reduce((sum, result) => sum + result.failed, 0),
        errorSamples: [...new Set(results.flatMap((result) => result.errorSamples))].slice(0, 5),
        subscribersByClinic: subscribers,
        passiveByClinic,
        decoding: results.reduce((sum, result) => sum + result.decoding, 0),
        passive: results.reduce((sum, result) => sum + result.connected - result.decoding, 0),
        connectMs: Math.max(...results.map((result) => result.connectMs)),
        workers: count,
      };
      // The arrival rate is shared in proportion to the decoding sessions: the passive ones send nothing.
      return new OperatorLoad(workers, results.map((result) => result.decoding), setup);
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.close()));
      throw error;
    }
  }

  get pids(): readonly number[] {
    return this.workers.map((worker) => worker.pid);
  }

  async run(options: { readonly phase: string; readonly ratePerSecond: number; readonly durationMs: number;
    readonly timeoutMs: number; readonly record: boolean }): Promise<OperatorRunSummary> {
    const totalSessions = this.sessionsByWorker.reduce((sum, count) => sum + count, 0);
    if (totalSessions === 0) throw new Error('operator load: no session is open');
    const active = this.workers.map((worker, index) => ({ worker, sessions: this.sessionsByWorker[index] ?? 0 }))
      .filter((entry) => entry.sessions > 0);
    const answerWithinMs = options.durationMs + options.timeoutMs + 60_000;
    const results = await Promise.all(active.map(({ worker, sessions }) => worker.ask<OperatorRunResult>({
      type: 'run', phase: options.phase, ratePerSecond: (options.ratePerSecond * sessions) / totalSessions,
      durationMs: options.durationMs, timeoutMs: options.timeoutMs, record: options.record,
    }, 'run-done', answerWithinMs)));
    return this.merge(options, results);
  }

  private merge(options: { readonly ratePerSecond: number; readonly durationMs: number }, results: readonly OperatorRunResult[]): OperatorRunSummary {
    const kinds = new Set(results.flatMap((result) => Object.keys(result.byKindBase64)));
    const ackByKind = new Map<string, Histogram>();
    for (const kind of kinds) {
      ackByKind.set(kind, mergeHistograms(results.flatMap((result) => {
        const encoded = result.byKindBase64[kind];
        return encoded === undefined ? [] : [encoded];
      })));
    }
    const slowest = new Map<string, number>();
    for (const result of results) {
      for (const [intake, latencyMs] of result.fanoutSlowestByIntake) {
        const seen = slowest.get(intake);
        if (seen === undefined || latencyMs > seen) slowest.set(intake, latencyMs);
      }
    }
    const fanoutToAll = createLatencyHistogram();
    for (const latencyMs of slowest.values()) recordLatencyMs(fanoutToAll, latencyMs);
    const acked = new Map<string, number>();
    for (const result of results) addInto(acked, result.ackedIntakesByClinic);
    let expected = 0;
    for (const [clinicId, intakes] of acked) expected += intakes * Math.max(0, (this.setup.subscribersByClinic.get(clinicId) ?? 0) - 1);
    const rejections = new Map<string, number>();
    const commandErrors = new Map<string, number>();
    const closes = new Map<string, number>();
    for (const result of results) {
      addInto(rejections, result.rejections);
      addInto(commandErrors, result.commandErrors);
      addInto(closes, result.session.closesByCode);
    }
    const sum = (pick: (result: OperatorRunResult) => number): number => results.reduce((total, result) => total + pick(result), 0);
    const clinicRows = new Map<string, [number, number, number, number]>();
    const passiveCloses = new Map<string, number>();
    for (const result of results) {
      addInto(passiveCloses, result.passive.closesByCode);
      for (const [clinicId, row] of Object.entries(result.passive.byClinic)) {
        const total = clinicRows.get(clinicId) ?? [0, 0, 0, 0];
        for (let index = 0; index < 4; index += 1) total[index] = (total[index] ?? 0) + (row[index] ?? 0);
        clinicRows.set(clinicId, total);
      }
    }
    let passiveExpected = 0;
    let lowestClinicRatio: number | null = null;
    for (const [passiveSessions, passiveFrames, decodingSessions, decodedFrames] of clinicRows.values()) {
      if (passiveSessions === 0 || decodingSessions === 0) continue;
      const perDecoder = decodedFrames / decodingSessions;
      passiveExpected += perDecoder * passiveSessions;
      if (perDecoder > 0) {
        const ratio = passiveFrames / passiveSessions / perDecoder;
        lowestClinicRatio = lowestClinicRatio === null ? ratio : Math.min(lowestClinicRatio, ratio);
      }
    }
    const passive: PassiveSummary = {
      sessions: sum((result) => result.passive.sessions),
      openSessions: sum((result) => result.passive.openSessions),
      frames: sum((result) => result.passive.frames),
      bytes: sum((result) => result.passive.bytes),
      framesExpected: Math.round(passiveExpected),
      lowestClinicRatio: lowestClinicRatio === null ? null : Math.round(lowestClinicRatio * 10_000) / 10_000,
      closesByCode: Object.fromEntries(passiveCloses),
    };
    const usage = results.map((result) => result.usage);
    return {
      ratePerSecond: options.ratePerSecond,
      durationMs: options.durationMs,
      counts: sumCounts(results.map((result) => result.counts)),
      ack: mergeHistograms(results.map((result) => result.latencyBase64)),
      serviceTime: mergeHistograms(results.map((result) => result.serviceTimeBase64)),
      ackByKind,
      fanoutPerDelivery: mergeHistograms(results.map((result) => result.fanoutBase64)),
      fanoutToAll,
      fanoutDeliveries: sum((result) => result.fanoutDeliveries),
      fanoutDeliveriesExpected: expected,
      intakesAcked: [...acked.values()].reduce((total, count) => total + count, 0),
      intakesSeen: slowest.size,
      rejections: Object.fromEntries(rejections),
      rejectionSamples: [...new Set(results.flatMap((result) => result.rejectionSamples))].slice(0, 10),
      commandErrors: Object.fromEntries(commandErrors),
      substituted: sum((result) => result.substituted),
      errorSamples: [...new Set(results.flatMap((result) => result.errorSamples))].slice(0, 5),
      session: {
        gaps: sum((result) => result.session.gaps),
        resyncsRequested: sum((result) => result.session.resyncsRequested),
        resyncSnapshots: sum((result) => result.session.resyncSnapshots),
        staleNotices: sum((result) => result.session.staleNotices),
        diffFrames: sum((result) => result.session.diffFrames),
        diffsIgnored: sum((result) => result.session.diffsIgnored),
        closesByCode: Object.fromEntries(closes),
        openSessions: sum((result) => result.session.openSessions),
      },
      clinicDiffFrames: sum((result) => result.clinicDiffFrames),
      callsInDiffs: sum((result) => result.callsInDiffs),
      passive,
      sendLagMaxMs: Math.max(...results.map((result) => result.sendLagMaxMs)),
      generatorUsage: usage,
      generatorCpuPercent: Math.round(usage.reduce((total, entry) => total + entry.cpuPercent, 0) * 10) / 10,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
