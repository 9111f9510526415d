// Open-model load driver (BENCH.md rules 2 and 7): operation i is due at t0 + i / rate whatever happened to
// the operations before it, and its latency is measured from that intended time, so a stall anywhere (the
// server, the network, this process's own event loop) shows up as latency instead of as fewer requests.
//
// Bounds and their outcomes:
// - at most `inFlightMax` operations outstanding; an operation due while the bound is reached is not sent
//   and counts as failed with reason "overload" (never silently deferred);
// - an operation unanswered `timeoutMs` after its intended time counts as timed out; a late answer is
//   counted apart (`lateCompletions`) and not recorded as latency;
// - after the last operation is sent, the driver waits at most `drainTimeoutMs` for the outstanding ones and
//   reports the rest as `inFlightAtEnd`;
// - at most `sendsPerWakeMax` operations are sent per timer wake, then the driver yields to I/O so replies
//   keep being read while it catches up after a stall.
// Latency is recorded for answered operations only; failures and timeouts are counted, not timed.

import type { Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, recordLatencyMs, summarizeLatency } from './histogram.ts';
import type { LatencySummary } from './histogram.ts';

export const defaultTimeoutMs = 10_000;
export const defaultInFlightMax = 10_000;
export const sendsPerWakeMax = 1_000;
export const ratePerSecondMax = 1_000_000;
export const durationMsMax = 3_600_000;
export const timeoutSweepIntervalMsMax = 50;
/** Distinct error messages kept for the report; the rest are only counted. */
export const errorSamplesMax = 5;

/** Promise style: resolve when the operation is answered, reject when it failed. */
export type OpenLoopSend = (index: number) => Promise<void>;
/** Callback style: call `done()` when answered, `done(error)` when it failed; a second call is counted. */
export type OpenLoopSendWithCallback = (index: number, done: (error?: unknown) => void) => void;

interface OpenLoopSettings {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly timeoutMs?: number;
  readonly inFlightMax?: number;
  /** Default: `timeoutMs` plus one sweep, after which every outstanding operation has timed out anyway. */
  readonly drainTimeoutMs?: number;
  /** Monotonic milliseconds; `performance.now` unless a test injects another clock. */
  readonly now?: () => number;
}

export type OpenLoopOptions = OpenLoopSettings &
  (
    | { readonly send: OpenLoopSend; readonly sendWithCallback?: never }
    | { readonly sendWithCallback: OpenLoopSendWithCallback; readonly send?: never }
  );

export interface OpenLoopCounts {
  /** Operations that fell due: sent + failedOverload. */
  readonly scheduled: number;
  /** Operations handed to `send`: answered + failedError + timedOut + inFlightAtEnd. */
  readonly sent: number;
  readonly answered: number;
  /** failedError + failedOverload. */
  readonly failed: number;
  readonly failedError: number;
  readonly failedOverload: number;
  readonly timedOut: number;
  readonly inFlightAtEnd: number;
  /** Answers or errors that arrived after their operation timed out or the run ended. */
  readonly lateCompletions: number;
  /** A second `done` for the same operation: a bug in the caller's adapter, counted so it is seen. */
  readonly duplicateCompletions: number;
}

export interface OpenLoopResult {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly inFlightMax: number;
  readonly counts: OpenLoopCounts;
  /** From the intended send time: the figure to report. */
  readonly latency: Histogram;
  /** From the actual send time: what a coordinated-omission-blind tool would report; for comparison. */
  readonly serviceTime: Histogram;
  /** The driver's own worst lateness (actual minus intended send time): a generator health figure. */
  readonly sendLagMaxMs: number;
  readonly startedAtEpochMs: number;
  readonly elapsedMs: number;
  readonly errorSamples: readonly string[];
}

type OperationState = 'inFlight' | 'answered' | 'failed' | 'timedOut' | 'abandoned';

interface Operation {
  readonly intendedMs: number;
  readonly sentMs: number;
  state: OperationState;
}

interface MutableCounts {
  scheduled: number;
  sent: number;
  answered: number;
  failedError: number;
  failedOverload: number;
  timedOut: number;
  lateCompletions: number;
  duplicateCompletions: number;
}

function validate(options: OpenLoopOptions): void {
  const { ratePerSecond, durationMs } = options;
  if (!(ratePerSecond > 0 && ratePerSecond <= ratePerSecondMax)) {
    throw new RangeError(`open loop: ratePerSecond must be in (0, ${ratePerSecondMax}], got ${ratePerSecond}`);
  }
  if (!(durationMs > 0 && durationMs <= durationMsMax)) {
    throw new RangeError(`open loop: durationMs must be in (0, ${durationMsMax}], got ${durationMs}`);
  }
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0)) throw new RangeError(`open loop: timeoutMs must be > 0, got ${timeoutMs}`);
  const inFlightMax = options.inFlightMax ?? defaultInFlightMax;
  if (!(Number.isInteger(inFlightMax) && inFlightMax > 0)) {
    throw new RangeError(`open loop: inFlightMax must be a positive integer, got ${inFlightMax}`);
  }
  if (typeof options.send !== 'function' && typeof options.sendWithCallback !== 'function') {
    throw new TypeError('open loop: give either send (promise style) or sendWithCallback (callback style)');
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** One run's state; `runOpenLoop` is its only user. Opened once, finished once (`finish` guards itself). */
class OpenLoopRun {
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly inFlightMax: number;
  private readonly sweepIntervalMs: number;
  private readonly drainTimeoutMs: number;
  private readonly intervalMs: number;
  private readonly total: number;
  private readonly latency = createLatencyHistogram();
  private readonly serviceTime = createLatencyHistogram();
  private readonly counts: MutableCounts = {
    scheduled: 0, sent: 0, answered: 0, failedError: 0, failedOverload: 0,
    timedOut: 0, lateCompletions: 0, duplicateCompletions: 0,
  };
  private readonly errorSamples: string[] = [];
  // Insertion order is start order, and intended times grow with it: the timeout sweep relies on that.
  private readonly inFlight = new Map<number, Operation>();
  private readonly startedAtEpochMs = Date.now();
  private readonly t0: number;
  private next = 0;
  private sendLagMaxMs = 0;
  private sendingDone = false;
  private finished = false;
  private pumpTimeout: NodeJS.Timeout | undefined;
  private pumpImmediate: NodeJS.Immediate | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OpenLoopOptions, private readonly resolve: (result: OpenLoopResult) => void) {
    this.now = options.now ?? (() => performance.now());
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.inFlightMax = options.inFlightMax ?? defaultInFlightMax;
    this.sweepIntervalMs = Math.max(1, Math.min(timeoutSweepIntervalMsMax, this.timeoutMs / 4));
    this.drainTimeoutMs = options.drainTimeoutMs ?? this.timeoutMs + this.sweepIntervalMs;
    this.intervalMs = 1000 / options.ratePerSecond;
    this.total = Math.floor((options.ratePerSecond * options.durationMs) / 1000);
    this.t0 = this.now();
  }

  begin(): void {
    if (this.total === 0) {
      this.finish();
      return;
    }
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepIntervalMs);
    this.pump();
  }

  private settle(index: number, operation: Operation, error: unknown, failed: boolean): void {
    if (operation.state === 'timedOut' || operation.state === 'abandoned') {
      this.counts.lateCompletions += 1;
      return;
    }
    if (operation.state !== 'inFlight') {
      this.counts.duplicateCompletions += 1;
      return;
    }
    this.inFlight.delete(index);
    const completedMs = this.now();
    if (failed) {
      operation.state = 'failed';
      this.counts.failedError += 1;
      const message = describeError(error);
      if (this.errorSamples.length < errorSamplesMax && !this.errorSamples.includes(message)) {
        this.errorSamples.push(message);
      }
    } else {
      operation.state = 'answered';
      this.counts.answered += 1;
      recordLatencyMs(this.latency, completedMs - operation.intendedMs);
      recordLatencyMs(this.serviceTime, completedMs - operation.sentMs);
    }
    if (this.sendingDone && this.inFlight.size === 0) this.finish();
  }

  private start(index: number): void {
    this.counts.scheduled += 1;
    if (this.inFlight.size >= this.inFlightMax) {
      this.counts.failedOverload += 1;
      return;
    }
    const intendedMs = this.t0 + index * this.intervalMs;
    const sentMs = this.now();
    this.sendLagMaxMs = Math.max(this.sendLagMaxMs, sentMs - intendedMs);
    const operation: Operation = { intendedMs, sentMs, state: 'inFlight' };
    this.inFlight.set(index, operation);
    this.counts.sent += 1;
    const { send, sendWithCallback } = this.options;
    try {
      if (sendWithCallback !== undefined) {
        sendWithCallback(index, (error?: unknown) => this.settle(index, operation, error, error !== undefined));
      } else if (send !== undefined) {
        send(index).then(
          () => this.settle(index, operation, undefined, false),
          (error: unknown) => this.settle(index, operation, error, true),
        );
      }
    } catch (error) {
      // A send that throws synchronously failed to send; it is the caller's failure, counted like a reject.
      this.settle(index, operation, error, true);
    }
  }

  private pump(): void {
    this.pumpTimeout = undefined;
    this.pumpImmediate = undefined;
    if (this.finished) return;
    const wakeMs = this.now();
    let sentThisWake = 0;
    while (this.next < this.total && this.t0 + this.next * this.intervalMs <= wakeMs && sentThisWake < sendsPerWakeMax) {
      this.start(this.next);
      this.next += 1;
      sentThisWake += 1;
    }
    if (this.next >= this.total) {
      this.sendingDone = true;
      if (this.inFlight.size === 0) this.finish();
      else this.drainTimer = setTimeout(() => this.finish(), this.drainTimeoutMs);
      return;
    }
    // Behind schedule: yield to I/O (replies) and continue at once; on time: sleep until the next is due.
    if (sentThisWake >= sendsPerWakeMax) {
      this.pumpImmediate = setImmediate(() => this.pump());
    } else {
      const dueInMs = this.t0 + this.next * this.intervalMs - this.now();
      this.pumpTimeout = setTimeout(() => this.pump(), Math.max(0, dueInMs));
    }
  }

  private sweep(): void {
    const sweepMs = this.now();
    for (const [index, operation] of this.inFlight) {
      if (sweepMs - operation.intendedMs < this.timeoutMs) break;
      operation.state = 'timedOut';
      this.inFlight.delete(index);
      this.counts.timedOut += 1;
    }
    if (this.sendingDone && this.inFlight.size === 0) this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.sweepTimer);
    clearTimeout(this.drainTimer);
    clearTimeout(this.pumpTimeout);
    clearImmediate(this.pumpImmediate);
    const inFlightAtEnd = this.inFlight.size;
    for (const operation of this.inFlight.values()) operation.state = 'abandoned';
    this.inFlight.clear();
    const counts = this.counts;
    this.resolve({
      ratePerSecond: this.options.ratePerSecond,
      durationMs: this.options.durationMs,
      timeoutMs: this.timeoutMs,
      inFlightMax: this.inFlightMax,
      counts: { ...counts, failed: counts.failedError + counts.failedOverload, inFlightAtEnd },
      latency: this.latency,
      serviceTime: this.serviceTime,
      sendLagMaxMs: Math.round(this.sendLagMaxMs * 1000) / 1000,
      startedAtEpochMs: this.startedAtEpochMs,
      elapsedMs: Math.round((this.now() - this.t0) * 1000) / 1000,
      errorSamples: [...this.errorSamples],
    });
  }
}

/** Runs one open-loop measurement and resolves when every operation is settled or the drain time is up. */
export function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  validate(options);
  return new Promise<OpenLoopResult>((resolve) => new OpenLoopRun(options, resolve).begin());
}

/** Latency summary (ms) of an open-loop run, from the intended send time; or of any latency histogram. */
export function summarize(source: OpenLoopResult | Histogram): LatencySummary {
  return summarizeLatency('counts' in source ? source.latency : source);
}
