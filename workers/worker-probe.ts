/**
 * The start-up probe's task module (workers/worker-pool.ts `probeWorkerStart`): TypeScript, loaded by
 * piscina as the task handler is, so an answer proves the pool's execArgv is accepted and its loader works
 * in a worker thread.
 */
export default function probe(): boolean {
  const answered: boolean = true;
  return answered;
}
