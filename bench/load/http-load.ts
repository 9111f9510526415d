// Orchestrator side of the HTTP generator (http-load-worker.ts): one forked process per measurement, so the
// load generator never shares the orchestrator's event loop, closed once it has answered.

import type { ProcessUsage } from '../lib/process-stats.ts';
import type { OpenLoopCounts } from '../lib/open-loop.ts';
import { forkWorker } from './child-worker.ts';
import type { WorkerMessage } from './child-worker.ts';
import type { PartnerData, PartnerEndpoint } from './partner-endpoints.ts';

export type CannonAnswer = WorkerMessage & {
  readonly requestsPerSecond: { readonly [stat: string]: number };
  readonly requestsTotal: number;
  readonly latencyMs: { readonly [stat: string]: number };
  readonly durationSeconds: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodes: { readonly [status: string]: number };
  readonly usage: ProcessUsage;
};

export type OpenAnswer = WorkerMessage & {
  readonly counts: OpenLoopCounts;
  readonly histogramBase64: string;
  readonly sendLagMaxMs: number;
  readonly statusCodes: { readonly [status: string]: number };
  readonly usage: ProcessUsage;
};

export interface CannonRequest {
  readonly baseUrl: string;
  readonly token: string;
  readonly connections: number;
  readonly seconds: number;
  readonly endpoint?: PartnerEndpoint;
  readonly paths?: readonly string[];
  readonly data?: PartnerData;
}

async function withWorker<T>(work: (ask: <A extends WorkerMessage>(request: WorkerMessage, answer: A['type'], timeoutMs: number) => Promise<A>) => Promise<T>): Promise<T> {
  const worker = await forkWorker(new URL('./http-load-worker.ts', import.meta.url));
  try {
    return await work((request, answer, timeoutMs) => worker.ask(request, answer, timeoutMs));
  } finally {
    await worker.close();
  }
}

export function runCannon(request: CannonRequest): Promise<CannonAnswer> {
  return withWorker((ask) => ask<CannonAnswer>({ type: 'cannon', ...request }, 'cannoned', request.seconds * 1000 + 60_000));
}

export function runHttpOpenLoop(request: { readonly baseUrl: string; readonly token: string; readonly endpoint: PartnerEndpoint;
  readonly ratePerSecond: number; readonly seconds: number; readonly timeoutMs: number; readonly data: PartnerData }): Promise<OpenAnswer> {
  return withWorker((ask) => ask<OpenAnswer>({ type: 'open', ...request }, 'opened', request.seconds * 1000 + 2 * request.timeoutMs + 60_000));
}
