/**
 * Issue 13, defect 1: `npm start` runs node with `--single-threaded-gc`, the pool copied the process's
 * execArgv into its threads, Node refused the flag for a worker, and every worker route answered a bare 500.
 * Pinned here: the workers get only the flags a worker accepts; a task whose worker cannot start is the
 * documented 503 `task_failed` with the cause logged; a pool that cannot start at all fails the server's start.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { probeWorkerStart, TaskFailedError, WorkerPool, WorkerStartError, workerExecArgv } from './worker-pool.ts';
import type { MisbehavingTask } from './test-fixtures/misbehaving-task.ts';
import { createWorkerExtension, workerExtension } from './worker-extension.ts';
import { serverNodeFlags } from '../gateway/node-flags.ts';
import { runOnWorker } from '../gateway/routes/worker-routes.ts';
import { Problem } from '../gateway/http/problem.ts';
import { gatewayExtensions } from '../gateway/extensions.ts';
import { startTestServer } from '../gateway/test-server.ts';

const filename = new URL('./test-fixtures/misbehaving-task.ts', import.meta.url);

void t.test("workers get the loaders of npm start's command line, never its V8 flags", async (t) => {
  const npmStart = [...serverNodeFlags, '--import', 'tsx'];
  t.same(workerExecArgv(npmStart, ''), ['--import', 'tsx'], 'npm start: --single-threaded-gc dropped, the loader kept');
  t.same(workerExecArgv(['--max-old-space-size=512', '--import=tsx', '--enable-source-maps', '--inspect-port', '9230'], ''), ['--import=tsx', '--enable-source-maps']);
  const bare = workerExecArgv([...serverNodeFlags], '');
  t.equal(bare[0], '--import', 'no loader in the process: the pool adds tsx');
  t.match(bare[1], /tsx/);
  await t.resolves(probeWorkerStart({ execArgv: workerExecArgv(npmStart, '') }), "npm start's flags, filtered, start a worker");
  const refused = await probeWorkerStart({ execArgv: npmStart }).then(() => undefined, (error: unknown) => error);
  t.ok(refused instanceof WorkerStartError, 'the unfiltered flags are what broke: the probe says so');
  t.match((refused as Error).message, /single-threaded-gc/);
});

void t.test('a task whose worker cannot start is a TaskFailedError (worker_start), and the route answers 503 task_failed with the cause logged', async (t) => {
  const pool = new WorkerPool<MisbehavingTask, number>({ filename, threads: 1, queueTasksMax: 1, taskTimeoutMs: 30_000, workerHeapMbMax: 64, execArgv: [...serverNodeFlags, '--import', 'tsx'] });
  t.teardown(() => pool.close());
  const failure = await pool.run({ kind: 'echo', value: 1 }).then(() => undefined, (error: unknown) => error);
  t.ok(failure instanceof TaskFailedError);
  t.equal((failure as TaskFailedError).reason, 'worker_start');

  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(chunk.toString()); done(); } }));
  const host = { whenDurable: async () => undefined, environment: { path: '/nonexistent' }, durablePosition: 0 };
  const brokenPool = new WorkerPool<never, never>({ filename, threads: 1, queueTasksMax: 1, taskTimeoutMs: 30_000, workerHeapMbMax: 64, execArgv: ['--single-threaded-gc'] });
  t.teardown(() => brokenPool.close());
  const deps = { host, now: () => 0, pool: brokenPool, logger } as unknown as Parameters<typeof runOnWorker>[0];
  const problem = await runOnWorker(deps, (base) => ({ ...base, kind: 'warm' })).then(() => undefined, (error: unknown) => error);
  t.ok(problem instanceof Problem, 'a problem, not an unhandled error (the pipeline would make that a 500)');
  t.equal((problem as Problem).status, 503);
  t.equal((problem as Problem).code, 'task_failed');
  t.ok((problem as Problem).headers['Retry-After']);
  t.match(lines.join(''), /worker task failed/, 'the failure is in the log');
  t.match(lines.join(''), /single-threaded-gc/, 'naming the refused flag');
});

void t.test('a server whose workers cannot start does not become ready: the start fails, naming the cause', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-wstart-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const broken = createWorkerExtension({ threads: 1, execArgv: ['--single-threaded-gc'] });
  const extensions = gatewayExtensions.map((extension) => (extension === workerExtension ? broken : extension));
  const failure = await startTestServer({ extensions, dataDir }).then(async (server) => { await server.stop(); return undefined; }, (error: unknown) => error);
  t.ok(failure instanceof WorkerStartError, 'startServer rejects with WorkerStartError');
  t.match((failure as Error).message, /single-threaded-gc/);
});
