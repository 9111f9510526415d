/**
 * A bounded piscina pool: every task runs on a worker thread, never on the engine's thread (DESIGN rule 4).
 *
 * Bounds and what happens at each:
 * - `threads` workers (default cores − 1, at least 1), started on the first task (or by `warm()`), then kept:
 *   each holds a warm read replica, so idle workers are not retired.
 * - at most `threads + queueTasksMax` tasks admitted (running or waiting); one more is refused at once with
 *   WorkerPoolBusyError, which the routes answer 503 with Retry-After. There is never an unbounded backlog.
 * - `taskTimeoutMs` per task, counted from admission (a wait in the queue uses up the budget too, so a caller
 *   never waits longer than that): past it the task is aborted with TaskTimeoutError; piscina terminates the
 *   worker that ran it and starts a replacement, and the other tasks carry on.
 * - `workerHeapMbMax` of V8 old-generation heap per worker (resourceLimits): a task that needs more kills only
 *   its worker (TaskFailedError, reason `memory`); the worker is replaced.
 *
 * Workers run TypeScript: when this process did not start them with the tsx loader (`node --import tsx`, tap's
 * `--import=tsx`), they get `--import <tsx>` in their execArgv; a loader registered only in the main thread
 * (`register()` from tsx/esm/api) does not reach worker threads.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { workerNiceDefault, workerNiceMax } from './thread-priority.ts';
import { serverNodeFlags } from '../gateway/node-flags.ts';

export const queueTasksMaxDefault = 16;
export const taskTimeoutMsDefault = 120_000;
export const workerHeapMbMaxDefault = 2_048;
export const retryAfterSecondsDefault = 5;

export interface WorkerPoolSettings {
  /** The module whose default export handles a task (a file URL). */
  readonly filename: URL;
  readonly threads?: number;
  readonly queueTasksMax?: number;
  readonly taskTimeoutMs?: number;
  readonly workerHeapMbMax?: number;
  readonly retryAfterSeconds?: number;
  /** Nice value of the worker threads (0..19; workers/thread-priority.ts), default `workerNiceDefault`. */
  readonly nice?: number;
}

/** The pool is full: refuse now and say when to come back (HTTP 503 + Retry-After). */
export class WorkerPoolBusyError extends Error {
  override readonly name = 'WorkerPoolBusyError';
  readonly retryAfterSeconds: number;

  constructor(admittedMax: number, retryAfterSeconds: number) {
    super(`the worker pool is full (${admittedMax} tasks running or queued): retry in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class TaskTimeoutError extends Error {
  override readonly name = 'TaskTimeoutError';
  readonly retryAfterSeconds: number;

  constructor(taskTimeoutMs: number, retryAfterSeconds: number) {
    super(`the task did not finish within ${taskTimeoutMs} ms and was stopped; its worker was replaced`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The task's worker died under it (memory limit, crash) or the task threw. Only this task failed. */
export class TaskFailedError extends Error {
  override readonly name = 'TaskFailedError';
  readonly reason: 'memory' | 'worker_exit' | 'error';

  constructor(reason: TaskFailedError['reason'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

export interface WorkerPoolStats {
  readonly threads: number;
  readonly admitted: number;
  readonly admittedMax: number;
  readonly completed: number;
  readonly refusedBusy: number;
  readonly timedOut: number;
  readonly failed: number;
}

export function threadsDefault(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class WorkerPool<Task, Result> {
  readonly threads: number;
  readonly queueTasksMax: number;
  readonly taskTimeoutMs: number;
  readonly workerHeapMbMax: number;
  readonly nice: number;
  readonly retryAfterSeconds: number;
  readonly #filename: URL;
  #piscina: Piscina<Task, Result> | undefined;
  #admitted = 0;
  #completed = 0;
  #refusedBusy = 0;
  #timedOut = 0;
  #failed = 0;
  #closed = false;

  constructor(settings: WorkerPoolSettings) {
    this.#filename = settings.filename;
    this.threads = settings.threads ?? threadsDefault();
    this.queueTasksMax = settings.queueTasksMax ?? queueTasksMaxDefault;
    this.taskTimeoutMs = settings.taskTimeoutMs ?? taskTimeoutMsDefault;
    this.workerHeapMbMax = settings.workerHeapMbMax ?? workerHeapMbMaxDefault;
    this.nice = settings.nice ?? workerNiceDefault;
    if (!Number.isInteger(this.nice) || this.nice < 0 || this.nice > workerNiceMax) throw new RangeError(`nice must be an integer 0..${workerNiceMax}, got ${this.nice}`);
    this.retryAfterSeconds = settings.retryAfterSeconds ?? retryAfterSecondsDefault;
    for (const [name, value, min] of [['threads', this.threads, 1], ['queueTasksMax', this.queueTasksMax, 0], ['taskTimeoutMs', this.taskTimeoutMs, 1], ['workerHeapMbMax', this.workerHeapMbMax, 16]] as const) {
      if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
    }
  }

  get admittedMax(): number {
    return this.threads + this.queueTasksMax;
  }

  stats(): WorkerPoolStats {
    return {
      threads: this.threads, admitted: this.#admitted, admittedMax: this.admittedMax, completed: this.#completed,
      refusedBusy: this.#refusedBusy, timedOut: this.#timedOut, failed: this.#failed,
    };
  }

  /** Starts the workers now rather than on the first task. */
  warm(): void {
    this.#pool();
  }

  /**
   * Runs a task on a worker. `transfer` lists buffers moved (not copied) into the worker. Rejects with
   * WorkerPoolBusyError, TaskTimeoutError or TaskFailedError.
   */
  async run(task: Task, transfer: readonly ArrayBuffer[] = []): Promise<Result> {
    if (this.#closed) throw new Error('the worker pool is closed: no new tasks are accepted');
    if (this.#admitted >= this.admittedMax) {
      this.#refusedBusy += 1;
      throw new WorkerPoolBusyError(this.admittedMax, this.retryAfterSeconds);
    }
    this.#admitted += 1;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.taskTimeoutMs);
    try {
      const result = await this.#pool().run(task, { signal: abort.signal, transferList: [...transfer] });
      this.#completed += 1;
      return result;
    } catch (error) {
      if (abort.signal.aborted) {
        this.#timedOut += 1;
        throw new TaskTimeoutError(this.taskTimeoutMs, this.retryAfterSeconds);
      }
      this.#failed += 1;
      throw failureOf(error);
    } finally {
      clearTimeout(timer);
      this.#admitted -= 1;
    }
  }

  /** Stops every worker (tasks in flight reject). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const piscina = this.#piscina;
    this.#piscina = undefined;
    if (piscina !== undefined) await piscina.destroy();
  }

  #pool(): Piscina<Task, Result> {
    this.#piscina ??= new Piscina<Task, Result>({
      filename: this.#filename.href,
      minThreads: this.threads,
      maxThreads: this.threads,
      // The admission count above is the real bound; piscina's own queue is only a backstop.
      maxQueue: this.admittedMax,
      concurrentTasksPerWorker: 1,
      // Between tasks a worker must run its event loop (lmdb-js releases its read snapshot on a timer).
      atomics: 'disabled',
      resourceLimits: { maxOldGenerationSizeMb: this.workerHeapMbMax },
      execArgv: workerExecArgv(),
      workerData: { nice: this.nice },
    });
    return this.#piscina;
  }
}

/** This process's flags less those a worker refuses, plus the tsx loader when the process was not started with it. */
export function workerExecArgv(): string[] {
  // The server's V8 flags (gateway/node-flags.ts) are not valid for worker threads: Node refuses to start the worker.
  const inherited = process.execArgv.filter((arg) => !serverNodeFlags.includes(arg));
  const hasTsx = [...inherited, process.env['NODE_OPTIONS'] ?? ''].some((arg) => arg.includes('tsx'));
  // The two-argument form: `--import=<url>` in a Worker's execArgv was not honoured in our trials on Node 20.
  return hasTsx ? inherited : [...inherited, '--import', import.meta.resolve('tsx')];
}

function failureOf(error: unknown): TaskFailedError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(message)) {
    return new TaskFailedError('memory', `the task ran out of its worker's memory limit and was stopped; its worker was replaced (${message})`, { cause: error });
  }
  if (/worker exited|Terminating worker thread/i.test(message)) {
    return new TaskFailedError('worker_exit', `the task's worker stopped (${message}); it was replaced`, { cause: error });
  }
  return new TaskFailedError('error', message, { cause: error });
}
