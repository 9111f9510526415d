// Event-loop health of the current thread over an interval (BENCH.md rules 3 and 8).
//
// Three views, because each alone misleads: `monitorEventLoopDelay` (a histogram of timer lateness sampled
// every `resolutionMs`; one 500 ms stall is a single sample among thousands, so its percentiles under-weight
// it), `performance.eventLoopUtilization()` (the share of time the loop was busy), and the longest single
// stall, measured by a setInterval whose drift past its period is the time the loop could not run it.
// Holds two timers (both unref'd, so the probe never keeps a process alive) and no growing state.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';

export const defaultResolutionMs = 10;
export const defaultDriftIntervalMs = 10;
/** A drift above this is a stall worth counting (a busy tick of a few ms is normal work). */
export const defaultStallThresholdMs = 50;

export interface EventLoopProbeOptions {
  readonly resolutionMs?: number;
  readonly driftIntervalMs?: number;
  readonly stallThresholdMs?: number;
}

export interface EventLoopReport {
  readonly wallMs: number;
  /** monitorEventLoopDelay, in ms. */
  readonly delayP50Ms: number;
  readonly delayP90Ms: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  readonly delayMeanMs: number;
  /** 0..1: share of wall time the loop spent running callbacks rather than waiting. */
  readonly utilization: number;
  /** The longest time the drift probe's timer was held up past its period, in ms. */
  readonly longestStallMs: number;
  readonly stallsOverThreshold: number;
  readonly stallThresholdMs: number;
}

export interface EventLoopProbe {
  /** Figures so far, without stopping. */
  read(): EventLoopReport;
  /** Stops the timers and returns the final figures; later calls return the same figures. */
  stop(): EventLoopReport;
}

function nsToMs(nanoseconds: number): number {
  return Math.round(nanoseconds / 1000) / 1000;
}

export function startEventLoopProbe(options: EventLoopProbeOptions = {}): EventLoopProbe {
  const resolutionMs = options.resolutionMs ?? defaultResolutionMs;
  const driftIntervalMs = options.driftIntervalMs ?? defaultDriftIntervalMs;
  const stallThresholdMs = options.stallThresholdMs ?? defaultStallThresholdMs;
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  const utilizationStart: EventLoopUtilization = performance.eventLoopUtilization();
  const startMs = performance.now();
  let lastTickMs = startMs;
  let longestStallMs = 0;
  let stallsOverThreshold = 0;
  let final: EventLoopReport | undefined;

  const noteDrift = (atMs: number): void => {
    const stallMs = atMs - lastTickMs - driftIntervalMs;
    lastTickMs = atMs;
    if (stallMs > longestStallMs) longestStallMs = stallMs;
    if (stallMs > stallThresholdMs) stallsOverThreshold += 1;
  };
  const drift = setInterval(() => noteDrift(performance.now()), driftIntervalMs);
  drift.unref();

  const read = (): EventLoopReport => {
    // A stall that has just ended but has not yet been followed by a probe tick still counts.
    const nowMs = performance.now();
    const pendingStallMs = Math.max(0, nowMs - lastTickMs - driftIntervalMs);
    const utilization = performance.eventLoopUtilization(utilizationStart).utilization;
    const count = delay.count;
    return {
      wallMs: Math.round(nowMs - startMs),
      delayP50Ms: count > 0 ? nsToMs(delay.percentile(50)) : 0,
      delayP90Ms: count > 0 ? nsToMs(delay.percentile(90)) : 0,
      delayP99Ms: count > 0 ? nsToMs(delay.percentile(99)) : 0,
      delayMaxMs: count > 0 ? nsToMs(delay.max) : 0,
      delayMeanMs: count > 0 ? nsToMs(delay.mean) : 0,
      utilization: Math.round(utilization * 1000) / 1000,
      longestStallMs: Math.round(Math.max(longestStallMs, pendingStallMs) * 1000) / 1000,
      stallsOverThreshold: stallsOverThreshold + (pendingStallMs > stallThresholdMs ? 1 : 0),
      stallThresholdMs,
    };
  };

  return {
    read,
    stop(): EventLoopReport {
      if (final !== undefined) return final;
      final = read();
      clearInterval(drift);
      delay.disable();
      return final;
    },
  };
}
