// The server under test as its own process (BENCH.md rule 6): `gateway/main.ts --port 0` on a given data
// directory, loopback only, with the environment the scenario asks for (rate limits raised, log level).
// Resolves once the `{"event":"listening","port":N}` line is printed; `stop()` is a clean SIGTERM (so a
// `--cpu-prof` profile gets written) bounded by `serverStopTimeoutMs`, then SIGKILL; `kill9()` is the crash.
//
// The server's stdout (pino JSON lines) is kept as the last `stdoutLinesMax` lines, so a scenario can read the
// recovery report or show why a start failed. Every started process is remembered and killed by
// `killAllServers()` (run.ts calls it on the way out, whatever happened).

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from '../../gateway/node-flags.ts';

export const serverStartTimeoutMs = 120_000;
export const serverStopTimeoutMs = 40_000;
export const stdoutLinesMax = 200;
export const benchRateLimitPerSecond = 1_000_000;

const repositoryDirectory = fileURLToPath(new URL('../../', import.meta.url));
const running = new Set<ChildProcess>();

export interface ServerProcessOptions {
  readonly dataDir: string;
  /** Extra environment (RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST default to `benchRateLimitPerSecond`). */
  readonly env?: { readonly [name: string]: string };
  /** Node flags before the script, e.g. `--cpu-prof`, `--max-old-space-size=8192`. */
  readonly nodeArgs?: readonly string[];
  readonly extraArgs?: readonly string[];
  readonly startTimeoutMs?: number;
  /**
   * Another server to run instead of the gateway (a peer: `bench/peer/pg-peer-server.ts`), with its own
   * arguments; it must print the same listening line. `dataDir` is then not passed.
   */
  readonly script?: { readonly path: string; readonly args: readonly string[] };
}

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly baseUrl: string;
  /** The `/metrics` listener of the gateway (its own port); the API's base for a peer that prints none. */
  readonly metricsBaseUrl: string;
  /** ms from spawn to the listening line. */
  readonly listeningAfterMs: number;
  readonly spawnedAtMs: number;
  lines(): readonly string[];
  stop(): Promise<{ readonly code: number | null; readonly signal: string | null }>;
  kill9(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const spawnedAtMs = performance.now();
  const target = options.script === undefined
    ? ['gateway/main.ts', '--port', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--data-dir', options.dataDir, ...(options.extraArgs ?? [])]
    : [options.script.path, ...options.script.args];
  // Ours and the peers alike run with the server's V8 flags, as `npm start` runs ours.
  const child = spawn(process.execPath, [...serverNodeFlags, ...(options.nodeArgs ?? []), '--import', 'tsx', ...target], {
    cwd: repositoryDirectory,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SECOND: String(benchRateLimitPerSecond),
      RATE_LIMIT_BURST: String(benchRateLimitPerSecond),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = exitOf(child);
  void exited.then(() => running.delete(child));
  const lines: string[] = [];
  let partial = '';
  const keep = (chunk: Buffer): void => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > stdoutLinesMax) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async (): Promise<{ code: number | null; signal: string | null }> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), serverStopTimeoutMs);
    const outcome = await exited;
    clearTimeout(timer);
    return outcome;
  };
  const kill9 = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise<ServerProcess>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? serverStartTimeoutMs;
    const timer = setTimeout(() => {
      void kill9();
      reject(new Error(`server did not print its listening line within ${timeoutMs} ms; last lines:\n${lines.slice(-10).join('\n')}`));
    }, timeoutMs);
    const onData = (): void => {
      const line = lines.find((candidate) => candidate.includes('"event":"listening"'));
      const match = line === undefined ? null : /"port":(\d+)/.exec(line);
      if (match === null || child.pid === undefined) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      const port = Number(match[1]);
      const metricsPort = /"metricsPort":(\d+)/.exec(line ?? '')?.[1];
      resolve({
        pid: child.pid, port, baseUrl: `http://127.0.0.1:${port}`, metricsBaseUrl: `http://127.0.0.1:${metricsPort ?? port}`, listeningAfterMs: performance.now() - spawnedAtMs, spawnedAtMs,
        lines: () => [...lines], stop, kill9,
      });
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening; last lines:\n${lines.slice(-10).join('\n')}`));
    });
  });
}

/** SIGKILLs every server process this module started that is still running. */
export async function killAllServers(): Promise<void> {
  const waits: Array<Promise<unknown>> = [];
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(exitOf(child));
      child.kill('SIGKILL');
    }
  }
  await Promise.all(waits);
}
