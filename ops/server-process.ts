/**
 * A real server process (`gateway/main.ts`, as `npm start` runs it) for the operations tests: start it on a
 * data directory, wait for its `{"event":"listening","port":N}` line, drive partner API calls at it, stop it
 * with a signal and get its exit code. Also a small closed-loop load of call registrations that records which
 * ones were acknowledged (201), for "every acknowledged request is still there" checks.
 *
 * Bounds: a start waits at most `startTimeoutMs`; a stop at most `stopTimeoutMs`, then SIGKILL (and the
 * caller sees a null exit code).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { serverNodeFlags } from '../gateway/node-flags.ts';

export const repoDir = fileURLToPath(new URL('../', import.meta.url));
export const startTimeoutMs = 60_000;
export const stopTimeoutMs = 60_000;

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly base: string;
  /** The `/metrics` listener (`--metrics-port 0`: a free port, from the listening line). */
  readonly metricsBase: string;
  /** Everything the process wrote to stdout so far (JSON log lines and the listening line). */
  output(): string;
}

export function startServerProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...serverNodeFlags, '--import', 'tsx', 'gateway/main.ts', '--port', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    cwd: repoDir,
    env: { ...process.env, LOG_LEVEL: 'info', RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start in ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    const onData = (): void => {
      const match = /\{"event":"listening","port":(\d+),"metricsPort":(\d+)/.exec(buffer);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      const port = Number(match[1]);
      resolve({ child, port, base: `http://127.0.0.1:${port}`, metricsBase: `http://127.0.0.1:${Number(match[2])}`, output: () => buffer });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${buffer}`));
    });
  });
}

/** Sends the signal and resolves with the exit code (null if it had to be killed after `stopTimeoutMs`). */
export function stopServerProcess(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) {
      resolve(server.child.exitCode);
      return;
    }
    const timer = setTimeout(() => server.child.kill('SIGKILL'), stopTimeoutMs);
    server.child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    server.child.kill(signal);
  });
}

export function demoPartnerToken(dataDir: string): string {
  return (JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as { partner: string }).partner;
}

export function callBody(n: number): Record<string, unknown> {
  return {
    source: 'call_center', kind: 'primary',
    patient: { surname: 'Опсов', name: `П${n}`, birthDate: '1970-01-01', sex: 'M', policy: String(4000000000000000 + n) },
    address: { text: 'ул. Свободы', house: String(1 + (n % 100)) },
    complaints: { text: 'температура' },
  };
}

/** Closed-loop registrations from `connections` loops until `stop()` or the first non-201 answer of a loop. */
export class CallLoad {
  readonly acknowledged: string[] = [];
  readonly refusedWith503: number[] = [];
  failures = 0;
  readonly #pool: Pool;
  readonly #token: string;
  readonly #loops: Array<Promise<void>> = [];
  #stopped = false;
  #next = 0;

  constructor(base: string, token: string, connections: number, firstPatient: number) {
    this.#pool = new Pool(base, { connections });
    this.#token = token;
    this.#next = firstPatient;
    for (let i = 0; i < connections; i += 1) this.#loops.push(this.#loop());
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      this.#next += 1;
      try {
        const response = await this.#pool.request({
          method: 'POST', path: '/api/v1/calls',
          headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
          body: JSON.stringify(callBody(this.#next)),
        });
        const body = (await response.body.json()) as { id?: string };
        if (response.statusCode === 201 && typeof body.id === 'string') {
          this.acknowledged.push(body.id);
          continue;
        }
        if (response.statusCode === 503) this.refusedWith503.push(Number(response.headers['retry-after']));
        else this.failures += 1;
      } catch {
        this.failures += 1; // refused or reset: not acknowledged
      }
      return;
    }
  }

  /** Resolves when every loop has ended on its own (the server stopped answering 201). */
  async finished(): Promise<void> {
    await Promise.all(this.#loops);
    await this.#pool.close();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.finished();
  }
}

/** GETs each call; returns the ids that did not come back 200. */
export async function missingCalls(base: string, token: string, callIds: readonly string[]): Promise<string[]> {
  const pool = new Pool(base, { connections: 8 });
  const missing: string[] = [];
  try {
    for (let i = 0; i < callIds.length; i += 64) {
      await Promise.all(callIds.slice(i, i + 64).map(async (id) => {
        const response = await pool.request({ method: 'GET', path: `/api/v1/calls/${id}`, headers: { authorization: `Bearer ${token}` } });
        await response.body.dump();
        if (response.statusCode !== 200) missing.push(id);
      }));
    }
  } finally {
    await pool.close();
  }
  return missing;
}
