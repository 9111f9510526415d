// The booking storm's generator, orchestrator side: `clients` HTTP clients against one system, spread over
// `workers` processes, each client with its own principal on our side (a token each, so holds of different
// clients conflict instead of renewing one principal's hold). Both phases start at one epoch instant in every
// process (`startDelayMs` ahead, so the hot windows line up) and their figures are merged here.

import type { Histogram } from 'hdr-histogram-js';
import { mergeHistograms } from '../lib/histogram.ts';
import type { OpenLoopCounts } from '../lib/open-loop.ts';
import type { ProcessUsage } from '../lib/process-stats.ts';
import type { HotWindow } from './booking-attempt.ts';
import { forkWorker } from './child-worker.ts';
import type { WorkerHandle, WorkerMessage } from './child-worker.ts';

export const startDelayMs = 1_000;

export interface BookingPhaseResult {
  readonly attempts: number;
  readonly booked: number;
  readonly lostHold: number;
  readonly lostBook: number;
  readonly errors: number;
  readonly decidedRequests: number;
  readonly errorStatuses: { readonly [status: string]: number };
  readonly successes: ReadonlyArray<readonly [string, string]>;
  readonly elapsedMs: number;
  readonly latency: Histogram;
  readonly counts: OpenLoopCounts | undefined;
  /** Open loop only: connections opened beyond one per client, and attempts that waited for a free one. */
  readonly connectionsOpened: number;
  readonly connectionWaits: number;
  readonly generatorUsage: readonly ProcessUsage[];
}

type PhaseAnswer = WorkerMessage & {
  readonly attempts: number; readonly booked: number; readonly lostHold: number; readonly lostBook: number; readonly errors: number;
  readonly decidedRequests: number; readonly errorStatuses: { readonly [status: string]: number };
  readonly successes: ReadonlyArray<readonly [string, string]>; readonly elapsedMs: number; readonly histogramBase64: string;
  readonly counts?: OpenLoopCounts; readonly usage: ProcessUsage;
  readonly connectionsOpened?: number; readonly connectionWaits?: number;
};

function sumCounts(all: readonly OpenLoopCounts[]): OpenLoopCounts | undefined {
  const first = all[0];
  if (first === undefined) return undefined;
  return all.slice(1).reduce<OpenLoopCounts>((total, counts) => ({
    scheduled: total.scheduled + counts.scheduled, sent: total.sent + counts.sent, answered: total.answered + counts.answered,
    failed: total.failed + counts.failed, failedError: total.failedError + counts.failedError,
    failedOverload: total.failedOverload + counts.failedOverload, timedOut: total.timedOut + counts.timedOut,
    inFlightAtEnd: total.inFlightAtEnd + counts.inFlightAtEnd, lateCompletions: total.lateCompletions + counts.lateCompletions,
    duplicateCompletions: total.duplicateCompletions + counts.duplicateCompletions,
  }), first);
}

function merge(answers: readonly PhaseAnswer[]): BookingPhaseResult {
  const sum = (pick: (answer: PhaseAnswer) => number): number => answers.reduce((total, answer) => total + pick(answer), 0);
  const statuses: { [status: string]: number } = {};
  for (const answer of answers) {
    for (const [status, count] of Object.entries(answer.errorStatuses)) statuses[status] = (statuses[status] ?? 0) + count;
  }
  return {
    attempts: sum((answer) => answer.attempts), booked: sum((answer) => answer.booked), lostHold: sum((answer) => answer.lostHold),
    lostBook: sum((answer) => answer.lostBook), errors: sum((answer) => answer.errors), decidedRequests: sum((answer) => answer.decidedRequests),
    errorStatuses: statuses, successes: answers.flatMap((answer) => answer.successes),
    elapsedMs: Math.max(...answers.map((answer) => answer.elapsedMs)),
    latency: mergeHistograms(answers.map((answer) => answer.histogramBase64)),
    counts: sumCounts(answers.flatMap((answer) => (answer.counts === undefined ? [] : [answer.counts]))),
    connectionsOpened: sum((answer) => answer.connectionsOpened ?? 0), connectionWaits: sum((answer) => answer.connectionWaits ?? 0),
    generatorUsage: answers.map((answer) => answer.usage),
  };
}

export class BookingLoad {
  private constructor(private readonly workers: readonly WorkerHandle[]) {}

  static async start(baseUrl: string, tokens: readonly string[], clients: number, workerCount: number): Promise<BookingLoad> {
    const count = Math.max(1, Math.min(workerCount, clients));
    const workers: WorkerHandle[] = [];
    try {
      for (let index = 0; index < count; index += 1) workers.push(await forkWorker(new URL('./booking-worker.ts', import.meta.url)));
      await Promise.all(workers.map((worker, index) => {
        const share = Math.floor(clients / count) + (index < clients % count ? 1 : 0);
        const first = index * Math.floor(clients / count) + Math.min(index, clients % count);
        return worker.ask({ type: 'setup', baseUrl, worker: index, clients: share, tokens: tokens.slice(first, first + share) }, 'ready', 30_000);
      }));
      return new BookingLoad(workers);
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.close()));
      throw error;
    }
  }

  /** `onStart` runs when the phase starts in every process (to start the server's meters then, not earlier). */
  async saturate(window: Omit<HotWindow, 'startAtEpochMs'>, durationMs: number, timeoutMs: number, onStart?: () => void): Promise<BookingPhaseResult> {
    const startAtEpochMs = Date.now() + startDelayMs;
    if (onStart !== undefined) setTimeout(onStart, startDelayMs);
    const answers = await Promise.all(this.workers.map((worker) => worker.ask<PhaseAnswer>(
      { type: 'saturate', window: { ...window, startAtEpochMs }, durationMs, timeoutMs }, 'saturated', startDelayMs + durationMs + timeoutMs + 60_000)));
    return merge(answers);
  }

  async open(window: Omit<HotWindow, 'startAtEpochMs'>, ratePerSecond: number, durationMs: number, timeoutMs: number, onStart?: () => void): Promise<BookingPhaseResult> {
    const startAtEpochMs = Date.now() + startDelayMs;
    if (onStart !== undefined) setTimeout(onStart, startDelayMs);
    const share = ratePerSecond / this.workers.length;
    const answers = await Promise.all(this.workers.map((worker) => worker.ask<PhaseAnswer>(
      { type: 'open', window: { ...window, startAtEpochMs }, ratePerSecond: share, durationMs, timeoutMs }, 'opened', startDelayMs + durationMs + 2 * timeoutMs + 60_000)));
    return merge(answers);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
