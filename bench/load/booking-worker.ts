// A load-generator process of the booking storm (forked by booking-load.ts). `setup` gives each of its clients
// a keep-alive connection to one system (ours or the pg peer; the lean raw-http-client.ts for both, as the
// generators share the CPU with the servers) and renders each client's header lines once. `saturate` runs every
// client as a closed loop on its own connection (an attempt as soon as the last one finished) until the
// deadline: the capacity figure. `open` runs attempts at a fixed arrival rate through the open-loop driver:
// the latency figure, from the intended start time; an attempt takes a free connection (the clients' first,
// then new ones up to `openConnectionsPerClientMax` per client, then it waits for one, counted). Both start at
// the same epoch instant in every process, answer with counts, the latency histogram, every booking won
// (slot, appointment) for the double-booking check, and this process's CPU.

import { createLatencyHistogram, encodeHistogram, recordLatencyMs } from '../lib/histogram.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import { attemptBooking, attemptPatient, bookingHeaders, slotAt } from './booking-attempt.ts';
import type { AttemptOutcome, HotWindow } from './booking-attempt.ts';
import { serveWorker } from './child-worker.ts';
import type { WorkerMessage } from './child-worker.ts';
import { RawHttpConnection } from './raw-http-client.ts';

export const clientsPerWorkerMax = 10_000;
export const statusSamplesMax = 20;
export const openConnectionsPerClientMax = 2;

let target: { readonly host: string; readonly port: number } | undefined;
/** One per client, in client order: the closed loops' own, and the open loop's first free ones. */
let connections: RawHttpConnection[] = [];
/** Opened by the open loop when every connection was busy. */
const spareConnections: RawHttpConnection[] = [];
let clientHeaders: readonly string[] = [];
let clients = 0;
let workerIndex = 0;
let attempts = 0;

interface Tally {
  attempts: number;
  booked: number;
  lostHold: number;
  lostBook: number;
  errors: number;
  decidedRequests: number;
  readonly errorStatuses: Map<string, number>;
  readonly successes: Array<readonly [string, string]>;
}

function newTally(): Tally {
  return { attempts: 0, booked: 0, lostHold: 0, lostBook: 0, errors: 0, decidedRequests: 0, errorStatuses: new Map(), successes: [] };
}

function count(tally: Tally, outcome: AttemptOutcome): void {
  tally.attempts += 1;
  switch (outcome.kind) {
    case 'booked':
      tally.booked += 1;
      tally.decidedRequests += 2;
      tally.successes.push([outcome.slotId, outcome.appointmentId]);
      return;
    case 'lost-hold':
      tally.lostHold += 1;
      tally.decidedRequests += 1;
      return;
    case 'lost-book':
      tally.lostBook += 1;
      tally.decidedRequests += 2;
      return;
    case 'error': {
      tally.errors += 1;
      tally.decidedRequests += outcome.requests - 1;
      const key = String(outcome.status);
      if (tally.errorStatuses.size < statusSamplesMax || tally.errorStatuses.has(key)) tally.errorStatuses.set(key, (tally.errorStatuses.get(key) ?? 0) + 1);
      return;
    }
    default: {
      const unhandled: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(unhandled)}`);
    }
  }
}

function tallyFigures(tally: Tally): { [key: string]: unknown } {
  return { ...tally, errorStatuses: Object.fromEntries(tally.errorStatuses), successes: tally.successes };
}

function openConnection(): RawHttpConnection {
  if (target === undefined) throw new Error('booking worker: not set up');
  return new RawHttpConnection(target.host, target.port);
}

/** The open loop's connections: free ones first, new ones up to `max`, then a wait in line for a returned one. */
class FreeConnections {
  readonly #free: RawHttpConnection[];
  readonly #waiting: Array<(connection: RawHttpConnection) => void> = [];
  readonly #max: number;
  #count: number;
  waits = 0;
  opened = 0;

  constructor(initial: readonly RawHttpConnection[], max: number) {
    this.#free = [...initial];
    this.#count = initial.length;
    this.#max = max;
  }

  take(): RawHttpConnection | Promise<RawHttpConnection> {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#count < this.#max) {
      const connection = openConnection();
      spareConnections.push(connection);
      this.#count += 1;
      this.opened += 1;
      return connection;
    }
    this.waits += 1;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(connection: RawHttpConnection): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free.push(connection);
    else next(connection);
  }
}

async function oneAttempt(connection: RawHttpConnection, client: number, window: HotWindow, timeoutMs: number): Promise<AttemptOutcome> {
  attempts += 1;
  const slotId = slotAt(window, Date.now(), Math.random());
  try {
    return await attemptBooking(connection, clientHeaders[client] ?? bookingHeaders(undefined), slotId, attemptPatient(workerIndex, client, attempts), timeoutMs);
  } catch {
    return { kind: 'error', status: 0, requests: 1 };
  }
}

async function waitUntil(epochMs: number): Promise<void> {
  const delayMs = epochMs - Date.now();
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
}

async function saturate(message: WorkerMessage): Promise<WorkerMessage> {
  const window = message['window'] as HotWindow;
  const durationMs = Number(message['durationMs']);
  const timeoutMs = Number(message['timeoutMs']);
  await waitUntil(window.startAtEpochMs);
  const tally = newTally();
  const histogram = createLatencyHistogram();
  const meter = startProcessMeter('self');
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(connections.map(async (connection, client) => {
    while (performance.now() < deadline) {
      const attemptStarted = performance.now();
      const outcome = await oneAttempt(connection, client, window, timeoutMs);
      recordLatencyMs(histogram, performance.now() - attemptStarted);
      count(tally, outcome);
    }
  }));
  const elapsedMs = performance.now() - started;
  return { type: 'saturated', ...tallyFigures(tally), elapsedMs, histogramBase64: encodeHistogram(histogram), usage: meter.stop() };
}

async function openLoop(message: WorkerMessage): Promise<WorkerMessage> {
  const window = message['window'] as HotWindow;
  const timeoutMs = Number(message['timeoutMs']);
  await waitUntil(window.startAtEpochMs);
  const tally = newTally();
  const freeList = new FreeConnections(connections, clients * openConnectionsPerClientMax);
  const meter = startProcessMeter('self');
  const result = await runOpenLoop({
    ratePerSecond: Number(message['ratePerSecond']), durationMs: Number(message['durationMs']), timeoutMs,
    send: async (index) => {
      const connection = await freeList.take();
      let outcome: AttemptOutcome;
      try {
        outcome = await oneAttempt(connection, index % Math.max(1, clients), window, timeoutMs);
      } finally {
        freeList.give(connection);
      }
      count(tally, outcome);
      if (outcome.kind === 'error') throw new Error(`HTTP ${outcome.status}`);
    },
  });
  return {
    type: 'opened', ...tallyFigures(tally), counts: result.counts, elapsedMs: result.elapsedMs,
    histogramBase64: encodeHistogram(result.latency), sendLagMaxMs: result.sendLagMaxMs, usage: meter.stop(),
    connectionsOpened: freeList.opened, connectionWaits: freeList.waits,
  };
}

serveWorker(async (message) => {
  switch (message.type) {
    case 'setup': {
      clients = Number(message['clients']);
      if (!Number.isInteger(clients) || clients < 1 || clients > clientsPerWorkerMax) throw new RangeError(`clients in [1, ${clientsPerWorkerMax}]`);
      workerIndex = Number(message['worker']);
      const tokens = message['tokens'] as readonly string[];
      const url = new URL(String(message['baseUrl']));
      if (url.protocol !== 'http:') throw new Error(`booking worker: plain http only, got ${url.protocol}`);
      target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 80 : Number(url.port) };
      connections = Array.from({ length: clients }, () => openConnection());
      clientHeaders = Array.from({ length: clients }, (_, client) => bookingHeaders(tokens.length === 0 ? undefined : tokens[client % tokens.length]));
      return { type: 'ready' };
    }
    case 'saturate':
      return saturate(message);
    case 'open':
      return openLoop(message);
    default:
      throw new Error(`booking worker: unknown request ${message.type}`);
  }
}, async () => {
  for (const connection of [...connections, ...spareConnections]) connection.close();
});
