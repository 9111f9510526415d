/**
 * The worker pool as a gateway extension: creates the pool (started on first use, or at once with
 * `WORKERS_WARM_ON_START`), returns the document routes, mounts the CSV import endpoints, exposes the pool's
 * figures as metrics, and destroys the pool when the gateway closes (before the host closes its storage).
 *
 * Settings (environment; docs/workers.md): WORKERS (threads, default cores − 1, at least 1, as in
 * gateway/config.ts), WORKER_QUEUE_MAX (tasks waiting beyond the running ones, default 16),
 * WORKER_TASK_TIMEOUT_MS (default 120000), WORKER_HEAP_MB (old-generation heap per worker, default 2048),
 * WORKERS_WARM_ON_START (true: start the workers and build their replicas at start-up), WORKER_NICE (the worker
 * threads' nice value, 0..19, default 10: below the engine's thread; workers/thread-priority.ts).
 */
import { Gauge } from 'prom-client';
import type { Route } from '../gateway/http/route.ts';
import { mountImportRoutes } from '../gateway/routes/import-routes.ts';
import { workerRoutes } from '../gateway/routes/worker-routes.ts';
import type { GatewayContext } from '../gateway/server.ts';
import { queueTasksMaxDefault, taskTimeoutMsDefault, threadsDefault, workerHeapMbMaxDefault, WorkerPool, type WorkerPoolSettings } from './worker-pool.ts';
import type { WorkerResult, WorkerTask } from './worker-task.ts';
import { workerNiceDefault, workerNiceMax } from './thread-priority.ts';

export const taskHandlerUrl = new URL('./task-handler.ts', import.meta.url);

export type WorkerExtensionSettings = Omit<WorkerPoolSettings, 'filename'> & { readonly warmOnStart?: boolean };

/** Reads the settings from the environment; a malformed value is an error naming the variable, at start. */
export function workerSettingsFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): WorkerExtensionSettings {
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer ${min}..${max}, got ${JSON.stringify(raw)}`);
    return value;
  };
  const warm = env['WORKERS_WARM_ON_START']?.trim().toLowerCase();
  return {
    threads: integer('WORKERS', threadsDefault(), 1, 256),
    queueTasksMax: integer('WORKER_QUEUE_MAX', queueTasksMaxDefault, 0, 10_000),
    taskTimeoutMs: integer('WORKER_TASK_TIMEOUT_MS', taskTimeoutMsDefault, 1_000, 3_600_000),
    workerHeapMbMax: integer('WORKER_HEAP_MB', workerHeapMbMaxDefault, 64, 65_536),
    nice: integer('WORKER_NICE', workerNiceDefault, 0, workerNiceMax),
    warmOnStart: warm === 'true' || warm === '1',
  };
}

export function createWorkerExtension(settings: WorkerExtensionSettings = workerSettingsFromEnvironment()): (context: GatewayContext) => Route[] {
  return (context) => {
    const pool = new WorkerPool<WorkerTask, WorkerResult>({ ...settings, filename: taskHandlerUrl });
    const now = () => context.clock.now();
    const deps = { host: context.host, now, pool };
    mountImportRoutes(context.app, { ...deps, tokens: context.tokens, metrics: context.metrics, logger: context.logger.child({ module: 'imports' }) });
    const tasks = new Gauge({ name: 'cd_worker_tasks', help: 'Worker pool tasks: admitted now, and since start completed, refused (pool full), timed out, failed', labelNames: ['state'] as const, registers: [context.metrics.registry] });
    context.metrics.onScrape(() => {
      const stats = pool.stats();
      tasks.set({ state: 'admitted' }, stats.admitted);
      tasks.set({ state: 'completed' }, stats.completed);
      tasks.set({ state: 'refused_busy' }, stats.refusedBusy);
      tasks.set({ state: 'timed_out' }, stats.timedOut);
      tasks.set({ state: 'failed' }, stats.failed);
    });
    if (settings.warmOnStart === true) {
      for (let thread = 0; thread < pool.threads; thread += 1) {
        void pool.run({ kind: 'warm', dataDir: context.host.environment.path, minPosition: 0, asOfMs: now() }).catch((error: unknown) => context.logger.warn({ err: error }, 'worker warm-up failed; the first task will build the replica'));
      }
    }
    context.onClose(() => pool.close());
    return workerRoutes(deps);
  };
}

export const workerExtension = createWorkerExtension();
