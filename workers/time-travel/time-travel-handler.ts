/**
 * The time-travel worker's entry (piscina loads its default export). Per data directory it keeps the log and
 * the recovery snapshots open read-only, its own checkpoint store (`<dataDir>/time-travel`, written only by the
 * checkpoint task, which the main thread runs one at a time), and two warm engines: one for queries (a slider
 * moving forward replays only the difference) and one at the checkpoint frontier.
 *
 * Query: the engine is moved to the position the instant resolved to, the view computed with "now" = the
 * instant, plain data returned. Checkpoint: the frontier engine walks to the end of the log and saves a
 * checkpoint after every `checkpointEveryEvents` events, so a query replays at most about that many.
 *
 * Bounds: memory is two engines' live state per data directory (within the worker's heap limit); a replay is at
 * most one checkpoint interval when the checkpointer keeps up (a lagging one lengthens replays past its frontier,
 * never changes an answer); `checkpointsMax` checkpoints on disk; instants older than the oldest kept checkpoint
 * once pruning has begun are refused (beyondHorizon).
 */
import { join } from 'node:path';
import { ReadModel, clinicBoard, listCalls } from '../../engine/index.ts';
import { CallArchive } from '../../persistence/call-archive.ts';
import type { HostLog } from '../../persistence/engine-host.ts';
import { openLogForReading } from '../../persistence/host-storage.ts';
import { LmdbEnvironment } from '../../persistence/lmdb-environment.ts';
import { logMetaDatabaseName } from '../../persistence/lmdb-event-log.ts';
import { SnapshotStore } from '../../persistence/snapshot-store.ts';
import { encodeState } from '../../persistence/state-codec.ts';
import { applyPoolPriority } from '../thread-priority.ts';
import { checkpointDirectoryName, type TimeTravelResult, type TimeTravelSettings, type TimeTravelTask, type TimeTravelView } from './time-travel-task.ts';
import { TravelEngine } from './travel-engine.ts';

export const priority = applyPoolPriority();

/** One checkpoint task walks the log for at most this long. */
export const checkpointSliceMs = 2_000;

interface Travel {
  readonly log: HostLog;
  readonly recoverySnapshots: SnapshotStore;
  readonly checkpoints: SnapshotStore;
  readonly archive: CallArchive;
  readonly release: { resetReadTxn(): void };
  readonly query: TravelEngine;
  readonly frontier: TravelEngine;
}

const travels = new Map<string, Travel>();

function travelFor(dataDir: string, settings: TimeTravelSettings): Travel {
  let travel = travels.get(dataDir);
  if (travel === undefined) {
    const environment = LmdbEnvironment.open({ path: dataDir, readOnly: true });
    const history = LmdbEnvironment.open({ path: join(dataDir, checkpointDirectoryName) });
    travel = {
      // The segment log of the product (or an LMDB log not migrated yet), as every reader opens it.
      log: openLogForReading(dataDir, environment),
      recoverySnapshots: SnapshotStore.open(environment),
      checkpoints: SnapshotStore.open(history, { snapshotsRetained: settings.checkpointsMax }),
      archive: new CallArchive(environment),
      release: environment.openDatabase<number, string>(logMetaDatabaseName, {}),
      query: new TravelEngine(),
      frontier: new TravelEngine(),
    };
    travels.set(dataDir, travel);
  }
  return travel;
}

export default async function handleTimeTravelTask(task: TimeTravelTask): Promise<TimeTravelResult> {
  const travel = travelFor(task.dataDir, task.settings);
  try {
    return task.kind === 'query' ? query(travel, task.position, task.atMs, task.view, task.settings) : await checkpoint(travel, task.settings);
  } finally {
    // An idle worker must not pin old pages of the main environment (lmdb-js: one read transaction per env).
    travel.release.resetReadTxn();
  }
}

function query(travel: Travel, position: number, atMs: number, view: TimeTravelView, settings: TimeTravelSettings): TimeTravelResult {
  const kept = travel.checkpoints.list();
  const oldest = kept.at(-1);
  if (kept.length >= settings.checkpointsMax && oldest !== undefined && position < oldest.position && (travel.recoverySnapshots.latestAtOrBefore(position) === undefined)) {
    return { kind: 'beyondHorizon', detail: `the instant is older than the oldest time-travel checkpoint kept (log position ${oldest.position}); TIME_TRAVEL_CHECKPOINTS_MAX bounds how far back` };
  }
  const cost = travel.query.moveTo(position, travel.log, [travel.checkpoints, travel.recoverySnapshots]);
  const read = new ReadModel(travel.query.engine, travel.archive);
  switch (view.kind) {
    case 'board': {
      const clinic = read.clinic(view.clinicId);
      return clinic === undefined || clinic.info === undefined ? { kind: 'notFound', detail: `clinic ${view.clinicId} did not exist then` } : { kind: 'board', board: clinicBoard(clinic, atMs), cost };
    }
    case 'call': {
      // A call evicted from memory before the instant was closed before it, so its archived copy is its state then.
      const call = read.call(view.callId);
      return call === undefined || call.createdAt > atMs ? { kind: 'notFound', detail: `call ${view.callId} did not exist then` } : { kind: 'call', call, cost };
    }
    case 'calls': {
      const clinic = read.clinic(view.clinicId);
      return clinic === undefined || clinic.info === undefined ? { kind: 'notFound', detail: `clinic ${view.clinicId} did not exist then` } : { kind: 'calls', calls: listCalls(clinic, view.filter), cost };
    }
  }
}

/**
 * Walks the frontier engine towards the end of the log, saving a checkpoint after every N events, for at most
 * `checkpointSliceMs`: a long history is walked in slices (the gateway starts the next one at once), so no task
 * nears the pool's timeout and a query waits at most one slice behind it on this thread.
 */
async function checkpoint(travel: Travel, settings: TimeTravelSettings): Promise<TimeTravelResult> {
  const started = performance.now();
  const frontier = travel.frontier;
  const newest = travel.checkpoints.list()[0];
  if (frontier.position < (newest?.position ?? 0)) {
    frontier.moveTo(newest?.position ?? 0, travel.log, [travel.checkpoints]);
    frontier.resetEventCount();
  }
  const last = travel.log.lastPosition();
  let written = 0;
  for (const entry of travel.log.read(frontier.position + 1)) {
    if (entry.position > last || performance.now() - started > checkpointSliceMs) break;
    frontier.applyEntry(entry);
    if (frontier.eventsSinceMark >= settings.checkpointEveryEvents) {
      const states: Array<[string, Uint8Array]> = frontier.engine.snapshot().map(([address, state]) => [address, encodeState(state)]);
      await travel.checkpoints.save(frontier.position, states);
      frontier.resetEventCount();
      written += 1;
    }
  }
  return { kind: 'checkpointed', position: frontier.position, written, caughtUp: frontier.position >= last, durationMs: performance.now() - started };
}
