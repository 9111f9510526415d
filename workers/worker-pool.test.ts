import { getPriority } from 'node:os';
import t from 'tap';
import { TaskFailedError, TaskTimeoutError, WorkerPool, WorkerPoolBusyError } from './worker-pool.ts';
import type { MisbehavingTask } from './test-fixtures/misbehaving-task.ts';

const filename = new URL('./test-fixtures/misbehaving-task.ts', import.meta.url);

void t.test('a task past its time limit fails alone; the worker is replaced and the next task runs', async (t) => {
  // The limit covers loading a fresh worker (tsx included), which takes seconds on a loaded 2-core CI machine.
  const pool = new WorkerPool<MisbehavingTask, number>({ filename, threads: 1, queueTasksMax: 2, taskTimeoutMs: 8_000, workerHeapMbMax: 64 });
  t.teardown(() => pool.close());
  t.equal(await pool.run({ kind: 'echo', value: 7 }), 7, 'the worker loads TypeScript and answers');
  await t.rejects(pool.run({ kind: 'spin' }), TaskTimeoutError);
  t.equal(await pool.run({ kind: 'echo', value: 8 }), 8, 'a replacement worker serves the next task');
  t.match(pool.stats(), { timedOut: 1, completed: 2, admitted: 0 });
});

void t.test('a task past its memory limit fails alone; the worker is replaced', async (t) => {
  const pool = new WorkerPool<MisbehavingTask, number>({ filename, threads: 1, queueTasksMax: 2, taskTimeoutMs: 30_000, workerHeapMbMax: 48 });
  t.teardown(() => pool.close());
  const failure = await pool.run({ kind: 'hog' }).then(() => undefined, (error: unknown) => error);
  t.ok(failure instanceof TaskFailedError, 'the task fails with TaskFailedError');
  t.equal((failure as TaskFailedError).reason, 'memory');
  t.equal(await pool.run({ kind: 'echo', value: 9 }), 9, 'a replacement worker serves the next task');
});

void t.test('the queue is bounded: one task past threads + queueTasksMax is refused at once', async (t) => {
  const pool = new WorkerPool<MisbehavingTask, number>({ filename, threads: 1, queueTasksMax: 2, taskTimeoutMs: 30_000, workerHeapMbMax: 64, retryAfterSeconds: 3 });
  t.teardown(() => pool.close());
  const admitted = [pool.run({ kind: 'sleep', ms: 300 }), pool.run({ kind: 'sleep', ms: 10 }), pool.run({ kind: 'sleep', ms: 10 })];
  const refused = await pool.run({ kind: 'echo', value: 1 }).then(() => undefined, (error: unknown) => error);
  t.ok(refused instanceof WorkerPoolBusyError, 'the fourth task is refused');
  t.equal((refused as WorkerPoolBusyError).retryAfterSeconds, 3);
  t.same(await Promise.all(admitted), [300, 10, 10], 'the admitted tasks all finish');
  t.equal(pool.stats().refusedBusy, 1);
});

// Linux, where the product runs (per-thread priority is Linux-only).
void t.test('worker threads run at the pool\'s nice value; the engine\'s thread keeps its own', async (t) => {
  const mainBefore = getPriority(process.pid);
  const pool = new WorkerPool<MisbehavingTask, number>({ filename, threads: 1, queueTasksMax: 2, taskTimeoutMs: 30_000, workerHeapMbMax: 64, nice: 7 });
  t.teardown(() => pool.close());
  t.equal(await pool.run({ kind: 'nice' }), Math.max(7, mainBefore), 'the worker thread lowered its own priority');
  t.equal(getPriority(process.pid), mainBefore, 'the main thread did not move');
  t.throws(() => new WorkerPool<MisbehavingTask, number>({ filename, nice: 20 }), RangeError);
});
