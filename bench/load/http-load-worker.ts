// An HTTP load-generator process: `cannon` runs autocannon (closed loop: throughput, with autocannon's own
// latency figures, BENCH.md rule 8) on one partner endpoint or on a rotation of GET paths; `open` runs the same
// requests through our open-loop driver at a fixed rate (latency from the intended send time into
// hdr-histogram). Both answer with this process's CPU over the window.

import autocannon from 'autocannon';
import { Pool } from 'undici';
import { encodeHistogram } from '../lib/histogram.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import { serveWorker } from './child-worker.ts';
import type { WorkerMessage } from './child-worker.ts';
import { PartnerRequests } from './partner-endpoints.ts';
import type { PartnerData, PartnerEndpoint, PlainRequest } from './partner-endpoints.ts';

export const openLoopConnectionsMax = 256;
export const statusKindsMax = 20;

function headersFor(token: string, request: PlainRequest): { [name: string]: string } {
  return { authorization: `Bearer ${token}`, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) };
}

function holdIdOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const holdId: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'holdId') : undefined;
    return typeof holdId === 'string' ? holdId : undefined;
  } catch {
    return undefined;
  }
}

function cannonRequests(endpoint: PartnerEndpoint | undefined, paths: readonly string[], token: string, data: PartnerData): autocannon.RequestSpec[] {
  if (endpoint === undefined) {
    let next = 0;
    return [{
      method: 'GET',
      setupRequest: (request) => ({ ...request, method: 'GET', path: paths[next++ % paths.length] ?? '/healthz', headers: { authorization: `Bearer ${token}` } }),
    }];
  }
  const requests = new PartnerRequests(data);
  if (endpoint !== 'hold-book') {
    return [{
      setupRequest: (request) => {
        const built = requests.single(endpoint);
        return { ...request, method: built.method, path: built.path, headers: headersFor(token, built), ...(built.body === undefined ? {} : { body: built.body }) };
      },
    }];
  }
  return [
    {
      setupRequest: (request, context) => {
        const slotId = requests.nextSlot();
        context['slotId'] = slotId;
        const built = requests.hold(slotId);
        return { ...request, method: built.method, path: built.path, headers: headersFor(token, built), body: built.body ?? '{}' };
      },
      onResponse: (status, body, context) => {
        context['holdId'] = status === 201 ? holdIdOf(body) : undefined;
      },
    },
    {
      setupRequest: (request, context) => {
        const holdId = context['holdId'];
        const built = requests.book(String(context['slotId']), typeof holdId === 'string' ? holdId : undefined);
        return { ...request, method: built.method, path: built.path, headers: headersFor(token, built), body: built.body ?? '{}' };
      },
    },
  ];
}

async function cannon(message: WorkerMessage): Promise<WorkerMessage> {
  const endpoint = message['endpoint'] as PartnerEndpoint | undefined;
  const paths = (message['paths'] as readonly string[] | undefined) ?? [];
  const token = String(message['token']);
  const meter = startProcessMeter('self');
  const result = await autocannon({
    url: String(message['baseUrl']), connections: Number(message['connections']), duration: Number(message['seconds']),
    pipelining: 1, timeout: 10, requests: cannonRequests(endpoint, paths, token, message['data'] as PartnerData),
  });
  const usage = meter.stop();
  const pick = (stats: autocannon.Stats): { [key: string]: number } => ({
    average: stats.average, p50: stats.p50, p90: stats.p90, p97_5: stats.p97_5, p99: stats.p99, p99_9: stats.p99_9, max: stats.max,
  });
  return {
    type: 'cannoned', requestsPerSecond: pick(result.requests), requestsTotal: result.requests.total, latencyMs: pick(result.latency),
    durationSeconds: result.duration, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).slice(0, statusKindsMax).map(([status, stats]) => [status, stats.count])),
    usage,
  };
}

async function send(pool: Pool, token: string, request: PlainRequest, statuses: Map<number, number>): Promise<{ status: number; body: string }> {
  const response = await pool.request({
    method: request.method, path: request.path, headers: headersFor(token, request),
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const body = await response.body.text();
  statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
  return { status: response.statusCode, body };
}

async function openLoop(message: WorkerMessage): Promise<WorkerMessage> {
  const endpoint = message['endpoint'] as PartnerEndpoint;
  const token = String(message['token']);
  const requests = new PartnerRequests(message['data'] as PartnerData);
  const pool = new Pool(String(message['baseUrl']), { connections: openLoopConnectionsMax, pipelining: 1 });
  const statuses = new Map<number, number>();
  const meter = startProcessMeter('self');
  try {
    const result = await runOpenLoop({
      ratePerSecond: Number(message['ratePerSecond']), durationMs: Number(message['seconds']) * 1000, timeoutMs: Number(message['timeoutMs']),
      send: async () => {
        if (endpoint === 'hold-book') {
          const slotId = requests.nextSlot();
          const hold = await send(pool, token, requests.hold(slotId), statuses);
          const booked = await send(pool, token, requests.book(slotId, hold.status === 201 ? holdIdOf(hold.body) : undefined), statuses);
          if (booked.status >= 500) throw new Error(`HTTP ${booked.status}`);
          return;
        }
        const answer = await send(pool, token, requests.single(endpoint), statuses);
        if (answer.status >= 500) throw new Error(`HTTP ${answer.status}`);
      },
    });
    return {
      type: 'opened', counts: result.counts, histogramBase64: encodeHistogram(result.latency), sendLagMaxMs: result.sendLagMaxMs,
      statusCodes: Object.fromEntries([...statuses].slice(0, statusKindsMax)), usage: meter.stop(),
    };
  } finally {
    await pool.destroy();
  }
}

serveWorker(async (message) => {
  if (message.type === 'cannon') return cannon(message);
  if (message.type === 'open') return openLoop(message);
  throw new Error(`http load worker: unknown request ${message.type}`);
});
