/**
 * Snapshots built off the engine thread (issue 15: the 466 ms stall after ~34,000 calls was the snapshot's
 * encoding of every actor on the engine thread; measured in docs/bench.md). A worker thread keeps its own replica
 * of the engine, rebuilt the way recovery builds one (newest snapshot + the log after it, read-only) and then
 * kept current by replaying only the entries since its last build; asked for a snapshot at position P (an entry
 * already durable), it replays up to P, encodes every actor and the idempotency ledger, and moves the bytes back.
 * The engine thread only receives them and hands them to the snapshot store. The replica is the same engine fed
 * the same entries, so its state at P is the host's state at P (what `verify` and the kill -9 suite check).
 *
 * Bounds: one build at a time (the host never asks for two); the replica holds what the engine holds (a second
 * copy of the live state, in the worker's heap); `buildTimeoutMs` per build, after which the worker is replaced
 * and the snapshot skipped (the log still holds everything).
 */
import { Worker } from 'node:worker_threads';

export const buildTimeoutMs = 10 * 60_000;

export interface SnapshotBuild {
  /** The encoded actors and the ledger at `position`, ready for SnapshotStore.save. */
  build(position: number, nowMs: number): Promise<Array<[string, Uint8Array]>>;
  close(): Promise<void>;
}

type Answer = { readonly id: number; readonly entries: Array<[string, Uint8Array]> } | { readonly id: number; readonly error: string };

export class WorkerSnapshotBuilder implements SnapshotBuild {
  readonly #dataDir: string;
  #worker: Worker | undefined;
  #next = 0;
  readonly #waiting = new Map<number, { resolve: (entries: Array<[string, Uint8Array]>) => void; reject: (error: Error) => void }>();

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
  }

  build(position: number, nowMs: number): Promise<Array<[string, Uint8Array]>> {
    const worker = this.#start();
    const id = (this.#next += 1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        void this.#stop();
        reject(new Error(`the snapshot build at ${position} took more than ${buildTimeoutMs} ms; its worker was stopped`));
      }, buildTimeoutMs);
      timer.unref();
      this.#waiting.set(id, {
        resolve: (entries) => { clearTimeout(timer); resolve(entries); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      worker.postMessage({ id, position, nowMs });
    });
  }

  async close(): Promise<void> {
    await this.#stop();
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    // A JavaScript entry that registers tsx in the thread, then imports the TypeScript module. No execArgv: the
    // server's V8 flags (--single-threaded-gc) are process-wide and not valid for a worker thread.
    const worker = new Worker(new URL('./snapshot-builder-entry.mjs', import.meta.url), { execArgv: [], workerData: { dataDir: this.#dataDir } });
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const waiter = this.#waiting.get(answer.id);
      this.#waiting.delete(answer.id);
      if (waiter === undefined) return;
      if ('error' in answer) waiter.reject(new Error(answer.error));
      else waiter.resolve(answer.entries);
    });
    const fail = (error: Error): void => {
      this.#worker = undefined;
      for (const waiter of this.#waiting.values()) waiter.reject(error);
      this.#waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the snapshot worker exited with ${code}`)));
    this.#worker = worker;
    return worker;
  }

  async #stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}

