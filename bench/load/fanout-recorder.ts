// Fan-out latency as the operators see it (BENCH.md rule 3: sent → the diff seen by every other subscribed
// operator). Every receiving session hands each clinic diff to the recorder; a call in it that is a bench
// intake of the recorded phase, at its first appearance (history of one entry), sent by another operator, is
// one delivery: latency = receive time − the intake's intended send time (both epoch µs on this machine's
// clock, the sender in another process). Per intake the recorder also keeps the slowest delivery it saw, so
// the orchestrator can merge these across processes into "seen by every other operator" latency.
// Bounds: `intakesTrackedMax` intakes kept for the per-intake maximum; beyond it deliveries are still
// recorded per delivery and the overflow is counted.

import type { Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, recordLatencyMs } from '../lib/histogram.ts';
import { parseExternalId } from './operator-script.ts';

export const intakesTrackedMax = 200_000;

export function epochMicroseconds(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

export class FanoutRecorder {
  readonly perDelivery: Histogram = createLatencyHistogram();
  readonly slowestByIntake = new Map<string, number>();
  deliveries = 0;
  intakesUntracked = 0;
  /** Diff frames and changed calls looked at: what the receivers had to read. */
  diffFrames = 0;
  callsInDiffs = 0;

  constructor(private readonly phase: string) {}

  onClinicDiff(data: unknown, receiverOperatorIndex: number, receivedEpochUs: number): void {
    this.diffFrames += 1;
    if (typeof data !== 'object' || data === null) return;
    const calls: unknown = Reflect.get(data, 'calls');
    if (!Array.isArray(calls)) return;
    for (const call of calls as readonly unknown[]) {
      this.callsInDiffs += 1;
      if (typeof call !== 'object' || call === null) continue;
      const history: unknown = Reflect.get(call, 'history');
      if (!Array.isArray(history) || history.length !== 1) continue;
      const externalId: unknown = Reflect.get(call, 'externalId');
      const parsed = parseExternalId(externalId);
      if (parsed === undefined || parsed.phase !== this.phase || parsed.operatorIndex === receiverOperatorIndex) continue;
      const latencyMs = (receivedEpochUs - parsed.intendedEpochUs) / 1000;
      recordLatencyMs(this.perDelivery, latencyMs);
      this.deliveries += 1;
      const key = externalId as string;
      const slowest = this.slowestByIntake.get(key);
      if (slowest !== undefined) {
        if (latencyMs > slowest) this.slowestByIntake.set(key, latencyMs);
      } else if (this.slowestByIntake.size < intakesTrackedMax) {
        this.slowestByIntake.set(key, latencyMs);
      } else {
        this.intakesUntracked += 1;
      }
    }
  }
}
