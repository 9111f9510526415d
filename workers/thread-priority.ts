/**
 * Worker threads run below the engine's thread: a report or a route sheet is O(history) work that must never
 * take the CPU from commands (DESIGN.md rule 4). On Linux a thread is a task with its own id, and setpriority
 * on that id changes that thread alone, so each worker lowers its own priority (a nice value, 0..19) when it
 * starts. Elsewhere, or when the system refuses, the worker runs at normal priority and says so.
 */
import { readlinkSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';
import { workerData } from 'piscina';

/** Default nice of worker threads: the scheduler then gives the engine's thread most of a contended core. */
export const workerNiceDefault = 10;
export const workerNiceMax = 19;

export type PriorityOutcome = { readonly applied: true; readonly nice: number; readonly threadId: number } | { readonly applied: false; readonly reason: string };

/** The kernel's id of the calling thread (Linux), or undefined. */
export function currentThreadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the calling thread's nice value (only ever lowering its priority: a smaller value is left alone). */
export function lowerThisThreadPriority(nice: number): PriorityOutcome {
  if (!Number.isInteger(nice) || nice < 0 || nice > workerNiceMax) throw new RangeError(`nice must be an integer 0..${workerNiceMax}, got ${nice}`);
  const threadId = currentThreadId();
  if (threadId === undefined) return { applied: false, reason: `per-thread priority is not supported on ${process.platform}` };
  try {
    if (getPriority(threadId) < nice) setPriority(threadId, nice);
    return { applied: true, nice: getPriority(threadId), threadId };
  } catch (error) {
    return { applied: false, reason: (error as Error).message };
  }
}

/**
 * In a pool's worker (at the top of its module): applies the pool's `nice` (workerData, set by WorkerPool), or
 * the default. Threads inherit the nice value of the thread that starts them, and libuv's threadpool — shared
 * with the engine's thread for file, crypto and LMDB work — starts, synchronously, on its first use from
 * whichever thread that is: one file operation started first makes sure it exists before this thread lowers.
 */
export function applyPoolPriority(): PriorityOutcome {
  void access(process.cwd()).catch(() => undefined);
  const setting: unknown = typeof workerData === 'object' && workerData !== null ? Reflect.get(workerData, 'nice') : undefined;
  return lowerThisThreadPriority(typeof setting === 'number' ? setting : workerNiceDefault);
}
