// Runs the fan-out baseline beside ours in the same scenario (BENCH.md "Baselines and floors"): the `ws`
// peer in its own process, its subscribers spread over load-generator processes with the same number of
// subscribers per clinic topic as our run had, and diffs published at the same rate as our commands (one
// JSON diff per command, as an uncoalescing server sends). Reports the delivery latency from the intended
// publish time, the deliveries against those expected, the peer's frames and CPU, and the subscribers' CPU.

import type { Histogram } from 'hdr-histogram-js';
import { mergeHistograms } from '../lib/histogram.ts';
import type { ProcessUsage } from '../lib/process-stats.ts';
import { forkWorker } from './child-worker.ts';
import type { WorkerHandle, WorkerMessage } from './child-worker.ts';

export const peerConnectTimeoutMs = 10 * 60_000;
export const peerDrainMs = 1_500;

export interface FanoutPeerOptions {
  readonly subscribersByClinic: ReadonlyMap<string, number>;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly workers: number;
  readonly doctorsPerClinic: number;
}

export interface FanoutPeerResult {
  readonly latency: Histogram;
  readonly subscribers: number;
  readonly subscribeFailures: number;
  readonly published: number;
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly deliveries: number;
  readonly deliveriesExpected: number;
  readonly gaps: number;
  readonly droppedSubscribers: number;
  readonly sendLagMaxMs: number;
  readonly serverUsage: ProcessUsage;
  readonly generatorUsage: readonly ProcessUsage[];
}

/** A clinic diff shaped like ours: the board (counters, one row per doctor) and one whole call. */
export function sampleClinicDiff(doctorsPerClinic: number): { readonly [field: string]: unknown } {
  const doctors = Array.from({ length: doctorsPerClinic }, (_, index) => ({
    doctorId: `c1-d${index + 1}`, name: `Врач 1-${index + 1}`, assigned: 3, completed: 7, phone: '+79200010001',
  }));
  return {
    board: { clinicId: 'c1', date: '2026-11-22', counters: { received: 4, new: 12, assigned: 30, overdue: 1, completed: 70 }, doctors },
    calls: [{
      id: 'c1.ab12cd34', number: 1234, clinicId: 'c1', status: 'new', overdue: false, createdAt: '2026-11-22T10:15:00+03:00',
      visitDate: '2026-11-22', source: 'call_center', kind: 'primary',
      patient: { id: 'ab12cd33', surname: 'Стендов', name: 'Пациент12', birthDate: '1971-02-03', sex: 'M', ageYears: 55, ageCategory: 'adult', policy: '7000123000000012' },
      address: { text: 'г. Ярославль, ул. Стендовая 1-2', house: '13', apartment: '13' },
      complaints: { text: 'температура 38, слабость', tags: ['temperature', 'weakness'] }, emergencyAdvice: false, redFlags: [],
      history: [{ at: '2026-11-22T10:15:00+03:00', status: 'new', by: 'operator:0123456789abcdef' }],
      districtId: 'c1-a2', subdivisionId: 'adult', dueAt: '2026-11-22T10:45:00+03:00', externalId: 'b:m:1795000000000000:12',
    }],
  };
}

export async function runFanoutPeer(options: FanoutPeerOptions): Promise<FanoutPeerResult> {
  const workers: WorkerHandle[] = [];
  let server: WorkerHandle | undefined;
  try {
    server = await forkWorker(new URL('./fanout-peer-worker.ts', import.meta.url));
    const started = await server.ask<WorkerMessage & { readonly port: number }>({ type: 'start' }, 'started', 30_000);
    const count = Math.max(1, options.workers);
    const shares: string[][] = Array.from({ length: count }, () => []);
    let next = 0;
    for (const [clinicId, subscribers] of options.subscribersByClinic) {
      for (let index = 0; index < subscribers; index += 1) shares[next++ % count]?.push(`clinic/${clinicId}`);
    }
    for (let index = 0; index < count; index += 1) workers.push(await forkWorker(new URL('./fanout-subscriber-worker.ts', import.meta.url)));
    const connected = await Promise.all(workers.map((worker, index) => worker.ask<WorkerMessage & { connected: number; failed: number }>(
      { type: 'connect', port: started.port, topics: shares[index] ?? [] }, 'connected', peerConnectTimeoutMs)));
    await Promise.all(workers.map((worker) => worker.ask({ type: 'begin' }, 'begun', 30_000)));
    const topics = [...options.subscribersByClinic.keys()].map((clinicId) => `clinic/${clinicId}`);
    type Published = WorkerMessage & { published: number; framesSent: number; bytesSent: number; droppedSubscribers: number; sendLagMaxMs: number; usage: ProcessUsage };
    const published = await server.ask<Published>({
      type: 'publish', topics, diff: sampleClinicDiff(options.doctorsPerClinic), ratePerSecond: options.ratePerSecond, durationMs: options.durationMs,
    }, 'published', options.durationMs + 120_000);
    await new Promise((resolve) => setTimeout(resolve, peerDrainMs));
    type Ended = WorkerMessage & { histogramBase64: string; deliveries: number; gaps: number; usage: ProcessUsage | null };
    const ended = await Promise.all(workers.map((worker) => worker.ask<Ended>({ type: 'end' }, 'ended', 60_000)));
    const subscribers = connected.reduce((sum, entry) => sum + entry.connected, 0);
    const perTopic = options.subscribersByClinic;
    let expected = 0;
    const publishedPerTopic = published.published / Math.max(1, topics.length);
    for (const count of perTopic.values()) expected += publishedPerTopic * count;
    return {
      latency: mergeHistograms(ended.map((entry) => entry.histogramBase64)),
      subscribers,
      subscribeFailures: connected.reduce((sum, entry) => sum + entry.failed, 0),
      published: published.published,
      framesSent: published.framesSent,
      bytesSent: published.bytesSent,
      deliveries: ended.reduce((sum, entry) => sum + entry.deliveries, 0),
      deliveriesExpected: Math.round(expected),
      gaps: ended.reduce((sum, entry) => sum + entry.gaps, 0),
      droppedSubscribers: published.droppedSubscribers,
      sendLagMaxMs: published.sendLagMaxMs,
      serverUsage: published.usage,
      generatorUsage: ended.flatMap((entry) => (entry.usage === null ? [] : [entry.usage])),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
    await server?.close();
  }
}
