// A load-generator process (BENCH.md rule 6: the load generator stays out of the server's process and
// reports its own CPU): `forkWorker` starts a TypeScript module under tsx with an IPC channel, and `ask`
// sends one request and waits for the one answer of the expected type, bounded in time. The worker side
// (`serveWorker`) answers each request with the handler's reply, or with `{type: 'failed'}` and the message.
//
// Lifecycle: opened once, closed once (`close` is idempotent): a polite `exit` request, then SIGKILL after
// `workerExitTimeoutMs`. A worker whose parent goes away exits by itself (the IPC channel closes).

import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const workerStartTimeoutMs = 30_000;
export const workerExitTimeoutMs = 5_000;

export interface WorkerMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface WorkerHandle {
  readonly pid: number;
  /** Sends `request` and resolves with the first answer whose type is `answerType` (or rejects on `failed`). */
  ask<Answer extends WorkerMessage>(request: WorkerMessage, answerType: Answer['type'], timeoutMs: number): Promise<Answer>;
  close(): Promise<void>;
}

function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'type') === 'string';
}

const tsxLoader = (): string => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Forks `moduleUrl` (an import.meta.url-relative URL) with the tsx loader and an IPC channel. */
export async function forkWorker(moduleUrl: URL, nodeArgs: readonly string[] = []): Promise<WorkerHandle> {
  const child: ChildProcess = fork(fileURLToPath(moduleUrl), [], {
    execArgv: [...nodeArgs, '--import', tsxLoader()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const ask = <Answer extends WorkerMessage>(request: WorkerMessage, answerType: Answer['type'], timeoutMs: number): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (message: unknown): void => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'failed') {
          cleanup();
          reject(new Error(`worker ${child.pid ?? '?'}: ${String(message['message'])}`));
          return;
        }
        if (message.type !== answerType) return;
        cleanup();
        resolve(message as Answer);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup();
        reject(new Error(`worker ${child.pid ?? '?'} exited (code ${code}, signal ${signal}) before answering ${request.type}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`worker ${child.pid ?? '?'} did not answer ${request.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(request);
    });
  try {
    await ask({ type: 'hello' }, 'hello', workerStartTimeoutMs);
  } catch (error) {
    kill();
    throw error;
  }
  if (child.pid === undefined) throw new Error('worker has no pid');
  let closing: Promise<void> | undefined;
  return {
    pid: child.pid,
    ask,
    close(): Promise<void> {
      closing ??= (async () => {
        if (child.connected) child.send({ type: 'exit' });
        const timer = setTimeout(kill, workerExitTimeoutMs);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

export type WorkerHandler = (request: WorkerMessage) => Promise<WorkerMessage>;

/** The worker side: answers `hello`, runs `handler` for every other request, exits on `exit` or disconnect. */
export function serveWorker(handler: WorkerHandler, onExit: () => Promise<void> = () => Promise.resolve()): void {
  const leave = (): void => {
    void onExit().finally(() => process.exit(0));
  };
  process.once('disconnect', leave);
  process.on('message', (message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.type === 'hello') {
      process.send?.({ type: 'hello' });
      return;
    }
    if (message.type === 'exit') {
      leave();
      return;
    }
    handler(message).then(
      (answer) => process.send?.(answer),
      (error: unknown) => process.send?.({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) }),
    );
  });
}
