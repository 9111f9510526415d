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
 * Workers run TypeScript and get only the Node options a worker accepts (`workerExecArgv`): the loaders of this
 * process (`node --import tsx`, tap's `--import=tsx`), or `--import <tsx>` when it has none; a loader
 * registered only in the main thread (`register()` from tsx/esm/api) does not reach worker threads. V8 flags
 * such as `npm start`'s `--single-threaded-gc` are never passed (a Worker refuses them).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { workerNiceDefault, workerNiceMax } from './thread-priority.ts';

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
  /** The threads' Node options; default `workerExecArgv()` (only what a worker accepts and needs). */
  readonly execArgv?: readonly string[];
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
  readonly reason: 'memory' | 'worker_exit' | 'worker_start' | 'error';

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
  readonly #execArgv: readonly string[];
  #piscina: Piscina<Task, Result> | undefined;
  #admitted = 0;
  #completed = 0;
  #refusedBusy = 0;
  #timedOut = 0;
  #failed = 0;
  #closed = false;

  constructor(settings: WorkerPoolSettings) {
    this.#filename = settings.filename;
    this.#execArgv = settings.execArgv ?? workerExecArgv();
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
    if (this.#piscina === undefined) assertWorkerAcceptsExecArgv(this.#execArgv);
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
      execArgv: [...this.#execArgv],
      workerData: { nice: this.nice },
    });
    return this.#piscina;
  }
}

/**
 * Node options a worker thread accepts and the workers need: module loaders (tsx) and resolution conditions,
 * plus a few that only change diagnostics. Everything else in this process's execArgv is left out on purpose:
 * V8 and other per-process flags (`--single-threaded-gc` from `npm start`, heap sizes, `--inspect`) are
 * refused by `new Worker` with ERR_WORKER_INVALID_EXEC_ARGV, and a thread shares the process's V8 settings
 * anyway. An allow-list rather than a deny-list, so a flag added to `npm start` later cannot break every
 * worker route again.
 */
export const workerFlagsWithValue: ReadonlySet<string> = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);
export const workerFlagsAlone: ReadonlySet<string> = new Set(['--enable-source-maps', '--no-warnings', '--no-deprecation', '--trace-warnings', '--trace-uncaught', '--trace-deprecation']);

/** The workers' execArgv: the allowed part of `execArgv`, plus the tsx loader when neither it nor NODE_OPTIONS has one. */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env['NODE_OPTIONS'] ?? ''): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index += 1) {
    const arg = execArgv[index] as string;
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    if (workerFlagsWithValue.has(name)) {
      kept.push(arg);
      if (equals === -1 && index + 1 < execArgv.length) {
        kept.push(execArgv[index + 1] as string);
        index += 1;
      }
    } else if (workerFlagsAlone.has(arg)) {
      kept.push(arg);
    }
  }
  const hasTsx = [...kept, nodeOptions].some((arg) => arg.includes('tsx'));
  // The two-argument form: `--import=<url>` in a Worker's execArgv was not honoured in our trials on Node 20.
  return hasTsx ? kept : [...kept, '--import', import.meta.resolve('tsx')];
}

/** The workers could not be started at all (refused flags, a loader that does not load): the server must not start. */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
}

const probeTimeoutMs = 30_000;

/**
 * Throws WorkerStartError when Node refuses `execArgv` for a worker thread. Checked before piscina sees the
 * flags: piscina's run() throws the refusal synchronously and its destroy() later rejects the half-added task
 * with nobody listening (an unhandled rejection). `new Worker` validates the flags before the thread starts;
 * the empty thread it starts when they are fine is stopped at once.
 */
export function assertWorkerAcceptsExecArgv(execArgv: readonly string[]): void {
  let worker: Worker;
  try {
    worker = new Worker('', { eval: true, execArgv: [...execArgv] });
  } catch (error) {
    throw new WorkerStartError(`worker threads cannot start with execArgv ${JSON.stringify(execArgv)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  void worker.terminate();
}

/**
 * Starts one thread the way the pool does (piscina, the pool's execArgv and resource limits), runs a
 * TypeScript module on it through the same loader, and stops it. Rejects with WorkerStartError naming the
 * cause. The server calls it at start, so a pool that cannot start fails the start instead of every request.
 */
export async function probeWorkerStart(settings: { readonly workerHeapMbMax?: number; readonly execArgv?: readonly string[] } = {}): Promise<void> {
  const execArgv = [...(settings.execArgv ?? workerExecArgv())];
  assertWorkerAcceptsExecArgv(execArgv);
  let probe: Piscina<null, boolean>;
  try {
    probe = new Piscina<null, boolean>({
      filename: new URL('./worker-probe.ts', import.meta.url).href,
      minThreads: 0, maxThreads: 1, concurrentTasksPerWorker: 1, atomics: 'disabled',
      resourceLimits: { maxOldGenerationSizeMb: settings.workerHeapMbMax ?? workerHeapMbMaxDefault },
      execArgv,
    });
  } catch (error) {
    throw new WorkerStartError(`worker threads cannot start with execArgv ${JSON.stringify(execArgv)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), probeTimeoutMs);
  try {
    await probe.run(null, { signal: abort.signal });
  } catch (error) {
    const why = abort.signal.aborted ? `did not answer within ${probeTimeoutMs} ms` : error instanceof Error ? error.message : String(error);
    throw new WorkerStartError(`worker threads cannot start with execArgv ${JSON.stringify(execArgv)}: ${why}`, { cause: error });
  } finally {
    clearTimeout(timer);
    await probe.destroy();
  }
}

function failureOf(error: unknown): TaskFailedError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(message)) {
    return new TaskFailedError('memory', `the task ran out of its worker's memory limit and was stopped; its worker was replaced (${message})`, { cause: error });
  }
  if (code.startsWith('ERR_WORKER_') || /invalid execArgv/i.test(message)) {
    return new TaskFailedError('worker_start', `the task's worker could not start (${message})`, { cause: error });
  }
  if (/worker exited|Terminating worker thread/i.test(message)) {
    return new TaskFailedError('worker_exit', `the task's worker stopped (${message}); it was replaced`, { cause: error });
  }
  return new TaskFailedError('error', message, { cause: error });
}
