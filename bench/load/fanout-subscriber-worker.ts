// Subscribers of the fan-out baseline (a load-generator process): `connect` opens one `ws` client per topic
// given, in batches of `connectConcurrencyMax`, and subscribes each; `begin` starts a measuring window;
// `end` answers with the delivery latency (receive time − the diff's intended publish time, parsed from the
// JSON as a client of the peer would), the deliveries, sequence gaps and this process's CPU.

import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { createLatencyHistogram, encodeHistogram, recordLatencyMs } from '../lib/histogram.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import type { ProcessMeter } from '../lib/process-stats.ts';
import { serveWorker } from './child-worker.ts';
import type { WorkerMessage } from './child-worker.ts';
import { epochMicroseconds } from './fanout-recorder.ts';

export const connectConcurrencyMax = 200;
export const subscribeTimeoutMs = 20_000;

const sockets: WebSocket[] = [];
let histogram = createLatencyHistogram();
let deliveries = 0;
let gaps = 0;
let closed = 0;
let recording = false;
let meter: ProcessMeter | undefined;

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function subscriber(port: number, topic: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    let lastSeq = 0;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no subscription within ${subscribeTimeoutMs} ms`));
    }, subscribeTimeoutMs);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'subscribe', topic })));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      closed += 1;
    });
    socket.on('message', (data) => {
      const receivedUs = epochMicroseconds();
      const message: unknown = JSON.parse(text(data));
      if (typeof message !== 'object' || message === null) return;
      const type: unknown = Reflect.get(message, 'type');
      if (type === 'subscribed') {
        clearTimeout(timer);
        resolve(socket);
        return;
      }
      if (type !== 'diff') return;
      const seq = Number(Reflect.get(message, 'seq'));
      if (lastSeq !== 0 && seq !== lastSeq + 1) gaps += 1;
      lastSeq = seq;
      if (!recording) return;
      const diff: unknown = Reflect.get(message, 'diff');
      const sentAtUs = typeof diff === 'object' && diff !== null ? Number(Reflect.get(diff, 'sentAtUs')) : Number.NaN;
      if (!Number.isFinite(sentAtUs)) return;
      recordLatencyMs(histogram, (receivedUs - sentAtUs) / 1000);
      deliveries += 1;
    });
  });
}

async function connect(message: WorkerMessage): Promise<WorkerMessage> {
  const port = Number(message['port']);
  const topics = message['topics'] as readonly string[];
  let failed = 0;
  for (let start = 0; start < topics.length; start += connectConcurrencyMax) {
    const opened = await Promise.allSettled(topics.slice(start, start + connectConcurrencyMax).map((topic) => subscriber(port, topic)));
    for (const outcome of opened) {
      if (outcome.status === 'fulfilled') sockets.push(outcome.value);
      else failed += 1;
    }
  }
  return { type: 'connected', connected: sockets.length, failed };
}

serveWorker(async (message) => {
  switch (message.type) {
    case 'connect':
      return connect(message);
    case 'begin':
      histogram = createLatencyHistogram();
      deliveries = 0;
      gaps = 0;
      recording = true;
      meter = startProcessMeter('self');
      return { type: 'begun' };
    case 'end': {
      recording = false;
      const usage = meter?.stop();
      return { type: 'ended', histogramBase64: encodeHistogram(histogram), deliveries, gaps, closed, usage: usage ?? null };
    }
    default:
      throw new Error(`fan-out subscriber worker: unknown request ${message.type}`);
  }
}, () => {
  for (const socket of sockets) socket.terminate();
  return Promise.resolve();
});
