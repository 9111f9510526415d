// THE NETWORK FLOOR (BENCH.md, "Baselines and floors"): a raw uWebSockets.js echo server (binary frames echoed
// as they are, no logic at all) and an open-loop client measuring round-trip latency for a frame size and
// rate. Our WebSocket figures divided by this floor say what our own logic costs.
//
// The server runs in a child process by default (rule 6: the load generator stays out of the server's
// process), and the result reports both processes' CPU and RSS. The client uses the `ws` library (uWS.js has
// no client); replies on a connection come back in order, so each connection matches them to requests FIFO.
// The server refuses to start unless uWS runs natively (see gateway/uws-native.ts).
// Bounds: `frameBytesMax`, `connectionsMax` (the client holds one fd per connection, and a process may hold
// 20,000 here), `serverBackpressureBytesMax` per socket (uWS drops a frame beyond it; the client then times
// that operation out and the server counts the drop), `serverStartTimeoutMs`, `connectTimeoutMs`.
//   node --import tsx bench/peer/uws-echo-floor.ts --frame-bytes 256 --rate 5000 --seconds 10 --connections 50

import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import uWS from 'uWebSockets.js';
import type { WebSocket as UwsSocket } from 'uWebSockets.js';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { Histogram } from 'hdr-histogram-js';
import { summarizeLatency } from '../lib/histogram.ts';
import type { LatencySummary } from '../lib/histogram.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import type { OpenLoopCounts } from '../lib/open-loop.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import type { ProcessUsage } from '../lib/process-stats.ts';
import { assertNativeUws, describeUwsLoad } from '../../gateway/uws-native.ts';

export const frameBytesMax = 1_048_576;
export const connectionsMax = 10_000;
export const serverBackpressureBytesMax = 4 * 1_048_576;
export const serverStartTimeoutMs = 20_000;
export const serverStopTimeoutMs = 5_000;
export const connectTimeoutMs = 10_000;
export const connectBatchSize = 500;
export const defaultEchoTimeoutMs = 5_000;

export interface UwsEchoServerStats {
  readonly messages: number;
  readonly dropped: number;
}

export interface UwsEchoServer {
  readonly port: number;
  stats(): UwsEchoServerStats;
  close(): void;
}

/** Starts the echo server in this process on 127.0.0.1 (port 0 picks a free one). */
export function startUwsEchoServer(options: { readonly port: number; readonly frameBytesMax: number }): Promise<UwsEchoServer> {
  assertNativeUws();
  const sockets = new Set<UwsSocket<unknown>>();
  let messages = 0;
  let dropped = 0;
  const app = uWS.App().ws<unknown>('/*', {
    compression: uWS.DISABLED,
    maxPayloadLength: options.frameBytesMax,
    maxBackpressure: serverBackpressureBytesMax,
    idleTimeout: 0,
    open: (socket) => {
      sockets.add(socket);
    },
    close: (socket) => {
      sockets.delete(socket);
    },
    message: (socket, message, isBinary) => {
      messages += 1;
      // 2 means uWS dropped the frame at maxBackpressure: count it, the client will see a timeout.
      if (socket.send(message, isBinary) === 2) dropped += 1;
    },
  });
  return new Promise((resolve, reject) => {
    app.listen('127.0.0.1', options.port, (token) => {
      if (token === false) {
        reject(new Error(`uws echo: cannot listen on 127.0.0.1:${options.port}`));
        return;
      }
      let closed = false;
      resolve({
        port: uWS.us_socket_local_port(token),
        stats: () => ({ messages, dropped }),
        close(): void {
          if (closed) return;
          closed = true;
          uWS.us_listen_socket_close(token);
          for (const socket of [...sockets]) socket.close();
        },
      });
    });
  });
}

type ChildMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'stopped'; readonly stats: UwsEchoServerStats }
  | { readonly type: 'error'; readonly message: string };

function isChildMessage(value: unknown): value is ChildMessage {
  const type: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, 'type') : undefined;
  return type === 'listening' || type === 'stopped' || type === 'error';
}

function nextChildMessage(child: ChildProcess, timeoutMs: number): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown): void => {
      if (!isChildMessage(message)) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`uws echo server process exited (code ${code}) before answering`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`uws echo server process did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

interface EchoServerHandle {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<UwsEchoServerStats>;
}

async function startServerProcess(frameBytes: number): Promise<EchoServerHandle> {
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = fork(fileURLToPath(import.meta.url), ['--serve', '--frame-bytes', String(frameBytes)], {
    execArgv: ['--import', tsxLoader],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const first = await nextChildMessage(child, serverStartTimeoutMs);
    if (first.type !== 'listening' || child.pid === undefined) {
      throw new Error(first.type === 'error' ? first.message : `unexpected ${first.type} from the echo server`);
    }
    return {
      port: first.port,
      pid: child.pid,
      async stop(): Promise<UwsEchoServerStats> {
        const exited = new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once('exit', () => resolve());
        });
        try {
          child.send({ type: 'stop' });
          const last = await nextChildMessage(child, serverStopTimeoutMs);
          return last.type === 'stopped' ? last.stats : { messages: -1, dropped: -1 };
        } finally {
          const killTimer = setTimeout(kill, serverStopTimeoutMs);
          await exited;
          clearTimeout(killTimer);
        }
      },
    };
  } catch (error) {
    kill();
    throw error;
  }
}

/** The server side of the child process: start, report the port, stop on request and report the counts. */
async function serveInChild(frameBytes: number): Promise<void> {
  const reply = (message: ChildMessage): void => {
    process.send?.(message);
  };
  try {
    const server = await startUwsEchoServer({ port: 0, frameBytesMax: frameBytes });
    // If the parent dies without asking us to stop, its IPC channel closes: do not linger as an orphan.
    process.once('disconnect', () => server.close());
    process.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null || Reflect.get(message, 'type') !== 'stop') return;
      server.close();
      process.send?.({ type: 'stopped', stats: server.stats() } satisfies ChildMessage, () => process.disconnect());
    });
    reply({ type: 'listening', port: server.port });
  } catch (error) {
    reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    process.disconnect();
  }
}

interface EchoConnection {
  readonly socket: WebSocket;
  readonly pending: Array<(error?: unknown) => void>;
}

function rawDataBytes(data: RawData): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

function openConnection(url: string, frameBytes: number): Promise<EchoConnection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: frameBytes });
    const connection: EchoConnection = { socket, pending: [] };
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`uws echo: no connection within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve(connection);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('message', (data) => {
      const done = connection.pending.shift();
      done?.(rawDataBytes(data) === frameBytes ? undefined : new Error('echo of a different length'));
    });
    socket.on('close', () => {
      for (const done of connection.pending.splice(0)) done(new Error('connection closed'));
    });
  });
}

async function openConnections(port: number, count: number, frameBytes: number): Promise<EchoConnection[]> {
  const connections: EchoConnection[] = [];
  try {
    // In batches: a burst of thousands of SYNs would overflow the listen backlog and measure that instead.
    for (let start = 0; start < count; start += connectBatchSize) {
      const batch = Math.min(connectBatchSize, count - start);
      const opened = await Promise.allSettled(
        Array.from({ length: batch }, () => openConnection(`ws://127.0.0.1:${port}/`, frameBytes)));
      for (const result of opened) {
        if (result.status === 'fulfilled') connections.push(result.value);
        else throw result.reason;
      }
    }
  } catch (error) {
    for (const connection of connections) connection.socket.terminate();
    throw error;
  }
  return connections;
}

export interface UwsEchoFloorOptions {
  readonly frameBytes: number;
  /** Frames per second over all connections together. */
  readonly rate: number;
  readonly seconds: number;
  readonly connections: number;
  /** Unmeasured run at the same rate first, so JIT and socket buffers settle. Default 0. */
  readonly warmupSeconds?: number;
  readonly timeoutMs?: number;
  /** 'child' (default) runs the server in its own process; 'inline' in this one (for quick checks only). */
  readonly server?: 'child' | 'inline';
}

export interface UwsEchoFloorResult {
  readonly frameBytes: number;
  readonly rate: number;
  readonly seconds: number;
  readonly connections: number;
  readonly server: 'child' | 'inline';
  /** Round trip from the intended send time, ms. */
  readonly summary: LatencySummary;
  readonly counts: OpenLoopCounts;
  readonly histogram: Histogram;
  readonly sendLagMaxMs: number;
  readonly serverStats: UwsEchoServerStats;
  readonly serverUsage: ProcessUsage | undefined;
  readonly clientUsage: ProcessUsage;
  readonly uwsBinary: string;
}

function validateFloorOptions(options: UwsEchoFloorOptions): void {
  if (!Number.isInteger(options.frameBytes) || options.frameBytes < 1 || options.frameBytes > frameBytesMax) {
    throw new RangeError(`uws echo: frameBytes must be an integer in [1, ${frameBytesMax}]`);
  }
  if (!Number.isInteger(options.connections) || options.connections < 1 || options.connections > connectionsMax) {
    throw new RangeError(`uws echo: connections must be an integer in [1, ${connectionsMax}]; spread more over processes`);
  }
  if (!(options.seconds > 0) || !(options.rate > 0)) throw new RangeError('uws echo: rate and seconds must be > 0');
}

/** Measures the echo round trip at a fixed arrival rate and returns the summary with both processes' usage. */
export async function runUwsEchoFloor(options: UwsEchoFloorOptions): Promise<UwsEchoFloorResult> {
  validateFloorOptions(options);
  assertNativeUws();
  const mode = options.server ?? 'child';
  const server: EchoServerHandle = mode === 'child'
    ? await startServerProcess(options.frameBytes)
    : await startUwsEchoServer({ port: 0, frameBytesMax: options.frameBytes }).then((inline) => ({
      port: inline.port,
      pid: process.pid,
      stop: (): Promise<UwsEchoServerStats> => {
        inline.close();
        return Promise.resolve(inline.stats());
      },
    }));
  let connections: EchoConnection[] = [];
  let serverStats: UwsEchoServerStats | undefined;
  try {
    connections = await openConnections(server.port, options.connections, options.frameBytes);
    const payload = Buffer.alloc(options.frameBytes, 0x5a);
    const sendWithCallback = (index: number, done: (error?: unknown) => void): void => {
      const connection = connections[index % connections.length];
      if (connection === undefined || connection.socket.readyState !== WebSocket.OPEN) {
        done(new Error('connection not open'));
        return;
      }
      connection.pending.push(done);
      connection.socket.send(payload, { binary: true });
    };
    const timeoutMs = options.timeoutMs ?? defaultEchoTimeoutMs;
    const warmupSeconds = options.warmupSeconds ?? 0;
    if (warmupSeconds > 0) {
      await runOpenLoop({ ratePerSecond: options.rate, durationMs: warmupSeconds * 1000, timeoutMs, sendWithCallback });
    }
    const serverMeter = mode === 'child' ? startProcessMeter(server.pid) : undefined;
    const clientMeter = startProcessMeter('self');
    const run = await runOpenLoop({ ratePerSecond: options.rate, durationMs: options.seconds * 1000, timeoutMs,
      sendWithCallback });
    const serverUsage = serverMeter?.stop();
    const clientUsage = clientMeter.stop();
    for (const connection of connections) connection.socket.close();
    connections = [];
    serverStats = await server.stop();
    return {
      frameBytes: options.frameBytes, rate: options.rate, seconds: options.seconds, connections: options.connections,
      server: mode, summary: summarizeLatency(run.latency), counts: run.counts, histogram: run.latency,
      sendLagMaxMs: run.sendLagMaxMs, serverStats, serverUsage, clientUsage,
      uwsBinary: describeUwsLoad().expectedBinary,
    };
  } finally {
    for (const connection of connections) connection.socket.terminate();
    if (serverStats === undefined) await server.stop().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean', default: false },
      'frame-bytes': { type: 'string', default: '256' },
      rate: { type: 'string', default: '5000' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      'warmup-seconds': { type: 'string', default: '2' },
      inline: { type: 'boolean', default: false },
    },
  });
  if (values.serve) {
    await serveInChild(Number(values['frame-bytes']));
    return;
  }
  const result = await runUwsEchoFloor({
    frameBytes: Number(values['frame-bytes']), rate: Number(values.rate), seconds: Number(values.seconds),
    connections: Number(values.connections), warmupSeconds: Number(values['warmup-seconds']),
    server: values.inline ? 'inline' : 'child',
  });
  const { histogram: _histogram, ...printable } = result;
  process.stdout.write(`${JSON.stringify(printable, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`uws echo floor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
