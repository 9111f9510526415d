/**
 * The worker pool as a gateway extension: creates the pool (started on first use, or at once with
 * `WORKERS_WARM_ON_START`), returns the document and CSV import routes, exposes the pool's figures as
 * metrics, and destroys the pool when the gateway closes (before the host closes its storage).
 *
 * Settings come from the validated configuration (`context.config`, gateway/config.ts; docs/configuration.md):
 * WORKERS, WORKER_QUEUE_MAX, WORKER_TASK_TIMEOUT_MS, WORKER_HEAP_MB, WORKERS_WARM_ON_START, WORKER_NICE.
 *
 * At start it probes that a worker thread starts with the pool's execArgv and loader (`probeWorkerStart`);
 * the server does not report ready, and `npm start` exits non-zero, when it cannot.
 */
import { Counter, Gauge } from 'prom-client';
import type { Route } from '../gateway/http/route.ts';
import { importRoutes } from '../gateway/routes/import-routes.ts';
import { workerRoutes } from '../gateway/routes/worker-routes.ts';
import type { GatewayContext } from '../gateway/server.ts';
import type { Config } from '../gateway/config.ts';
import { probeWorkerStart, WorkerPool, type WorkerPoolSettings } from './worker-pool.ts';
import type { WorkerResult, WorkerTask } from './worker-task.ts';

export const taskHandlerUrl = new URL('./task-handler.ts', import.meta.url);

export type WorkerExtensionSettings = Omit<WorkerPoolSettings, 'filename'> & { readonly warmOnStart?: boolean };

/** The pool's settings from the validated configuration. */
export function workerSettingsOf(config: Config): WorkerExtensionSettings {
  return {
    threads: config.workers,
    queueTasksMax: config.workerQueueMax,
    taskTimeoutMs: config.workerTaskTimeoutMs,
    workerHeapMbMax: config.workerHeapMb,
    nice: config.workerNice,
    warmOnStart: config.workersWarmOnStart,
  };
}

/** `settings` overrides the configuration (tests with a misbehaving task module); normally omitted. */
export function createWorkerExtension(settings?: WorkerExtensionSettings): (context: GatewayContext) => Route[] {
  return (context) => {
    const resolved = settings ?? workerSettingsOf(context.config);
    const pool = new WorkerPool<WorkerTask, WorkerResult>({ ...resolved, filename: taskHandlerUrl });
    const probe = probeWorkerStart({
      ...(resolved.workerHeapMbMax === undefined ? {} : { workerHeapMbMax: resolved.workerHeapMbMax }),
      ...(resolved.execArgv === undefined ? {} : { execArgv: resolved.execArgv }),
    });
    // Awaited by becomeReady(); a gateway that never asks must not see an unhandled rejection.
    probe.catch(() => undefined);
    context.beforeReady(() => probe);
    const now = () => context.clock.now();
    const deps = { host: context.host, now, pool, logger: context.logger.child({ module: 'workers' }) };
    const admitted = new Gauge({ name: 'cd_worker_tasks_admitted', help: 'Worker pool tasks admitted now (running or waiting)', registers: [context.metrics.registry] });
    const threads = new Gauge({ name: 'cd_worker_threads', help: 'Worker threads of the pool (WORKERS)', registers: [context.metrics.registry] });
    const queueDepth = new Gauge({ name: 'cd_worker_queue_depth', help: 'Worker tasks admitted beyond the running threads: waiting for a worker', registers: [context.metrics.registry] });
    const tasks = new Counter({ name: 'cd_worker_tasks_total', help: 'Worker pool tasks since start, by outcome: completed, refused (pool full), timed out, failed', labelNames: ['outcome'] as const, registers: [context.metrics.registry] });
    const counted = { completed: 0, refused_busy: 0, timed_out: 0, failed: 0 };
    // Every outcome's series exists from the start (at 0), so rate() and alerts see it before the first event.
    for (const outcome of Object.keys(counted) as Array<keyof typeof counted>) tasks.inc({ outcome }, 0);
    threads.set(pool.threads);
    context.metrics.onScrape(() => {
      const stats = pool.stats();
      admitted.set(stats.admitted);
      queueDepth.set(Math.max(0, stats.admitted - stats.threads));
      // The pool keeps cumulative counts; the counter advances by what happened since the last scrape.
      const now = { completed: stats.completed, refused_busy: stats.refusedBusy, timed_out: stats.timedOut, failed: stats.failed };
      for (const outcome of Object.keys(now) as Array<keyof typeof now>) {
        if (now[outcome] > counted[outcome]) tasks.inc({ outcome }, now[outcome] - counted[outcome]);
        counted[outcome] = now[outcome];
      }
    });
    if (resolved.warmOnStart === true) {
      for (let thread = 0; thread < pool.threads; thread += 1) {
        void pool.run({ kind: 'warm', dataDir: context.host.environment.path, minPosition: 0, asOfMs: now() }).catch((error: unknown) => context.logger.warn({ err: error }, 'worker warm-up failed; the first task will build the replica'));
      }
    }
    context.onClose(() => pool.close());
    return [...workerRoutes(deps), ...importRoutes(deps)];
  };
}

export const workerExtension = createWorkerExtension();
