/**
 * Time travel as a gateway extension: records when each log position became durable (persistence/time-index.ts),
 * runs a time-travel worker pool of its own (workers/time-travel/, so a replay never queues behind a report and
 * never runs on the engine's thread), keeps the worker's checkpoints current (one checkpoint task at a time,
 * started after every `checkpointEveryEvents` durable events and once at start), and installs the `?at=` reader
 * the board and call routes use.
 *
 * An instant resolves to the last log position durable at or before it. Before the first recorded instant, or
 * after now, is a 400: there is no state to show.
 *
 * Settings (gateway/config.ts; docs/configuration.md): TIME_TRAVEL_CHECKPOINT_EVERY_EVENTS (N, default 50000),
 * TIME_TRAVEL_CHECKPOINTS_MAX (default 1000), TIME_TRAVEL_RESOLUTION_MS (default 100), TIME_TRAVEL_WORKERS
 * (default 1), TIME_TRAVEL_TIMEOUT_MS (default 30000); the heap and nice value follow WORKER_HEAP_MB / WORKER_NICE.
 */
import type { BoardView, CallFilter, HomeCall } from '../../engine/index.ts';
import { TimeIndex } from '../../persistence/time-index.ts';
import { TaskFailedError, TaskTimeoutError, WorkerPool, WorkerPoolBusyError } from '../../workers/worker-pool.ts';
import type { Config } from '../config.ts';
import type { TimeTravelResult, TimeTravelSettings, TimeTravelTask, TimeTravelView } from '../../workers/time-travel/time-travel-task.ts';
import { Problem } from '../http/problem.ts';
import type { Route } from '../http/route.ts';
import { parseInstant, type AsOfReader } from '../routes/as-of.ts';
import type { GatewayContext } from '../server.ts';

export const timeTravelHandlerUrl = new URL('../../workers/time-travel/time-travel-handler.ts', import.meta.url);

export interface TimeTravelExtensionSettings extends TimeTravelSettings {
  readonly resolutionMs: number;
  readonly threads: number;
  readonly taskTimeoutMs: number;
  readonly workerHeapMbMax: number;
  readonly nice: number;
}

export const checkpointEveryEventsDefault = 50_000;

/** The time-travel settings from the validated configuration (gateway/config.ts), the heap and nice value the worker pool's. */
export function timeTravelSettingsOf(config: Config): TimeTravelExtensionSettings {
  return {
    checkpointEveryEvents: config.timeTravelCheckpointEveryEvents,
    checkpointsMax: config.timeTravelCheckpointsMax,
    resolutionMs: config.timeTravelResolutionMs,
    threads: config.timeTravelWorkers,
    taskTimeoutMs: config.timeTravelTimeoutMs,
    workerHeapMbMax: config.workerHeapMb,
    nice: config.workerNice,
  };
}

function poolProblem(error: unknown): never {
  if (error instanceof WorkerPoolBusyError) throw new Problem(503, 'workers_busy', error.message, { headers: { 'Retry-After': String(error.retryAfterSeconds) } });
  if (error instanceof TaskTimeoutError) throw new Problem(503, 'task_timeout', error.message, { headers: { 'Retry-After': String(error.retryAfterSeconds) } });
  if (error instanceof TaskFailedError && error.reason !== 'error') throw new Problem(503, 'task_failed', error.message);
  throw error;
}

/** `given` overrides the configuration (tests with a short checkpoint interval); normally omitted. */
export function createTimeTravelExtension(given?: TimeTravelExtensionSettings): (context: GatewayContext) => Route[] {
  return (context) => {
    const settings = given ?? timeTravelSettingsOf(context.config);
    const { host, clock, logger } = context;
    const dataDir = host.environment.path;
    const index = TimeIndex.open(host.environment, host.durablePosition, clock.now(), { resolutionMs: settings.resolutionMs });
    const pool = new WorkerPool<TimeTravelTask, TimeTravelResult>({
      filename: timeTravelHandlerUrl, threads: settings.threads, queueTasksMax: 16, taskTimeoutMs: settings.taskTimeoutMs,
      workerHeapMbMax: settings.workerHeapMbMax, nice: settings.nice,
    });
    const travelSettings: TimeTravelSettings = { checkpointEveryEvents: settings.checkpointEveryEvents, checkpointsMax: settings.checkpointsMax };
    let eventsSinceCheckpoint = 0;
    let checkpointing: Promise<unknown> | undefined;
    let closed = false;
    const startCheckpoint = (): void => {
      if (checkpointing !== undefined || closed) return;
      eventsSinceCheckpoint = 0;
      let again = false;
      checkpointing = pool.run({ kind: 'checkpoint', dataDir, settings: travelSettings })
        .then((result) => {
          again = result.kind === 'checkpointed' && !result.caughtUp;
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'time-travel checkpoint failed; queries replay further until the next one'))
        .finally(() => {
          checkpointing = undefined;
          // A long history is walked in slices, one after another, until the frontier reaches the log's end.
          if (again) startCheckpoint();
        });
    };
    host.onDurable((events, position) => {
      index.record(position, clock.now());
      eventsSinceCheckpoint += events.length;
      if (eventsSinceCheckpoint >= settings.checkpointEveryEvents) startCheckpoint();
    });
    if (host.durablePosition > 0) startCheckpoint();

    const resolve = (at: string): { atMs: number; position: number } => {
      const atMs = parseInstant(at);
      const nowMs = clock.now();
      if (atMs > nowMs) throw new Problem(400, 'validation_failed', `at ${at} is in the future: time travel shows the past`, { errors: [{ path: '/at', message: 'in the future' }] });
      const first = index.first;
      const position = index.positionAt(atMs);
      if (first === undefined || position === undefined) {
        throw new Problem(400, 'validation_failed', `at ${at} is before the first recorded event${first === undefined ? '' : ` (${new Date(first.atMs).toISOString()})`}`, { errors: [{ path: '/at', message: 'before the first event' }] });
      }
      return { atMs, position };
    };
    const ask = async (view: TimeTravelView, at: string): Promise<TimeTravelResult> => {
      const { atMs, position } = resolve(at);
      let result: TimeTravelResult;
      try {
        result = await pool.run({ kind: 'query', dataDir, position, atMs, view, settings: travelSettings });
      } catch (error) {
        poolProblem(error);
      }
      if (result.kind === 'notFound') throw new Problem(404, 'not_found', result.detail);
      if (result.kind === 'beyondHorizon') throw new Problem(400, 'validation_failed', result.detail, { errors: [{ path: '/at', message: 'beyond the time-travel horizon' }] });
      return result;
    };
    const reader: AsOfReader = {
      board: async (clinicId, at): Promise<BoardView> => {
        const result = await ask({ kind: 'board', clinicId }, at);
        if (result.kind !== 'board') throw new Error(`time travel answered ${result.kind} to a board query`);
        return result.board;
      },
      call: async (callId, at): Promise<HomeCall> => {
        const result = await ask({ kind: 'call', callId }, at);
        if (result.kind !== 'call') throw new Error(`time travel answered ${result.kind} to a call query`);
        return result.call;
      },
      calls: async (clinicId: string, filter: CallFilter, at): Promise<HomeCall[]> => {
        const result = await ask({ kind: 'calls', clinicId, filter }, at);
        if (result.kind !== 'calls') throw new Error(`time travel answered ${result.kind} to a call-list query`);
        return result.calls;
      },
    };
    context.routeDeps.asOf.reader = reader;
    context.onClose(async () => {
      closed = true;
      context.routeDeps.asOf.reader = undefined;
      // A checkpoint in flight is abandoned: the store ignores a half-written one, and the next start redoes it.
      await pool.close();
      await index.close();
    });
    return [];
  };
}

export const timeTravelExtension = createTimeTravelExtension();
