/**
 * What the main thread asks the time-travel worker, and what comes back. A query names the log position the
 * instant resolved to (persistence/time-index.ts, on the main thread) and the instant itself (the views read
 * "now" as that instant); the worker replays to that position and answers plain data, which the gateway
 * formats as the live routes do.
 */
import type { BoardView, CallFilter, HomeCall } from '../../engine/index.ts';

/** The worker's checkpoint store: its own LMDB environment inside the data directory (derived data: deletable). */
export const checkpointDirectoryName = 'time-travel';

export type TimeTravelView =
  | { readonly kind: 'board'; readonly clinicId: string }
  | { readonly kind: 'call'; readonly callId: string }
  | { readonly kind: 'calls'; readonly clinicId: string; readonly filter: CallFilter };

export interface TimeTravelSettings {
  /** N: a checkpoint after every N events, so any position is at most about N events from a replay start. */
  readonly checkpointEveryEvents: number;
  /** Checkpoints kept; older ones are deleted, and instants before the oldest kept one are refused. */
  readonly checkpointsMax: number;
}

export type TimeTravelTask =
  | { readonly kind: 'query'; readonly dataDir: string; readonly position: number; readonly atMs: number; readonly view: TimeTravelView; readonly settings: TimeTravelSettings }
  | { readonly kind: 'checkpoint'; readonly dataDir: string; readonly settings: TimeTravelSettings };

export interface ReplayCost {
  /** The position the replay started from (a checkpoint, a recovery snapshot, the warm engine, or 0). */
  readonly fromPosition: number;
  readonly replayedEntries: number;
  readonly replayedEvents: number;
  readonly durationMs: number;
}

export type TimeTravelResult =
  | { readonly kind: 'board'; readonly board: BoardView; readonly cost: ReplayCost }
  | { readonly kind: 'call'; readonly call: HomeCall; readonly cost: ReplayCost }
  | { readonly kind: 'calls'; readonly calls: HomeCall[]; readonly cost: ReplayCost }
  | { readonly kind: 'notFound'; readonly detail: string }
  | { readonly kind: 'beyondHorizon'; readonly detail: string }
  /** `caughtUp` false: the slice ended before the end of the log; the gateway starts the next slice. */
  | { readonly kind: 'checkpointed'; readonly position: number; readonly written: number; readonly caughtUp: boolean; readonly durationMs: number };
