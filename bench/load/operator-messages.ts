// The IPC messages between operator-load.ts (the orchestrator) and operator-worker.ts (a load-generator
// process). Plain data only: histograms travel as HdrHistogram compressed base64, maps as objects.
// Type aliases rather than interfaces, so they fit the worker channel's index-signature message type.

import type { OpenLoopCounts } from '../lib/open-loop.ts';
import type { ProcessUsage } from '../lib/process-stats.ts';
import type { OperatorIdentity } from './operator-script.ts';

/** `passive`: a session that only counts what it receives (passive-session.ts); it sends no commands. */
export type WorkerOperator = OperatorIdentity & { readonly token: string; readonly passive?: boolean };

export type OperatorSetupRequest = {
  readonly type: 'setup';
  readonly url: string;
  readonly operators: readonly WorkerOperator[];
};

export type OperatorSetupResult = {
  readonly type: 'setup-done';
  /** Sessions open, decoding and passive. */
  readonly connected: number;
  /** Of `connected`, the decoding sessions: they send this process's share of the commands. */
  readonly decoding: number;
  readonly failed: number;
  readonly errorSamples: readonly string[];
  /** Decoding sessions per clinic (they send the commands and time the fan-out). */
  readonly subscribersByClinic: { readonly [clinicId: string]: number };
  readonly passiveByClinic: { readonly [clinicId: string]: number };
  readonly connectMs: number;
};

export type OperatorRunRequest = {
  readonly type: 'run';
  /** Tags the intakes of this run; only deliveries of this phase are recorded. */
  readonly phase: string;
  /** Commands per second from this process. */
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  /** False for a warm-up: figures are still returned but the fan-out per intake is not. */
  readonly record: boolean;
};

export type SessionFigures = {
  readonly gaps: number;
  readonly resyncsRequested: number;
  readonly resyncSnapshots: number;
  readonly staleNotices: number;
  readonly diffFrames: number;
  readonly diffsIgnored: number;
  readonly unmatchedFrames: number;
  readonly closesByCode: { readonly [code: string]: number };
  readonly openSessions: number;
};

export type OperatorRunResult = {
  readonly type: 'run-done';
  readonly counts: OpenLoopCounts;
  readonly latencyBase64: string;
  readonly serviceTimeBase64: string;
  readonly byKindBase64: { readonly [kind: string]: string };
  readonly sendLagMaxMs: number;
  readonly elapsedMs: number;
  readonly errorSamples: readonly string[];
  readonly rejections: { readonly [kindAndProblem: string]: number };
  readonly rejectionSamples: readonly string[];
  readonly commandErrors: { readonly [code: string]: number };
  readonly substituted: number;
  readonly ackedIntakesByClinic: { readonly [clinicId: string]: number };
  readonly fanoutBase64: string;
  readonly fanoutDeliveries: number;
  readonly fanoutSlowestByIntake: ReadonlyArray<readonly [string, number]>;
  readonly fanoutIntakesUntracked: number;
  readonly clinicDiffFrames: number;
  readonly callsInDiffs: number;
  readonly session: SessionFigures;
  readonly passive: PassiveFigures;
  readonly usage: ProcessUsage;
};

/**
 * What the passive sessions received in the window (frames and bytes, undecoded), and per clinic the frames
 * of the passive and of the decoding sessions, so the orchestrator can check the passive ones got what the
 * decoding ones did: `[passive sessions, their frames, decoding sessions, their diff frames]`.
 */
export type PassiveFigures = {
  readonly sessions: number;
  readonly openSessions: number;
  readonly frames: number;
  readonly bytes: number;
  readonly closesByCode: { readonly [code: string]: number };
  readonly byClinic: { readonly [clinicId: string]: readonly [number, number, number, number] };
};
