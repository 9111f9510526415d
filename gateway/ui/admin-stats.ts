/**
 * `GET /api/v1/admin/stats` (admin only): the numbers of the UI's SRE page as JSON — per API method and per
 * socket command the request count, the failed ones (and of those the server's own) and latency percentiles (estimated from the /metrics histograms, so the
 * same numbers a Prometheus would compute), socket connections, log commit latency, projector lag, and the
 * event-loop delay of the engine thread. The browser turns counts into throughput by differencing polls.
 *
 * The event-loop delay has its own histogram here, restarted every `loopWindowMs`, so polling this page does
 * not reset the one /metrics reports.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Type } from '@sinclair/typebox';
import type { GatewayMetrics } from '../metrics.ts';
import { defineRoute, type Route } from '../http/route.ts';
import { problemReplies } from '../schemas/common.ts';

export const loopWindowMs = 10_000;
/** The sampling timer's period: Node's histogram counts it in every sample, so it is taken off again. */
const loopResolutionMs = 5;
const quantiles = [0.5, 0.95, 0.99] as const;

export interface LatencyRow {
  readonly name: string;
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

/**
 * A latency row with its failures: `errors` requests that did not succeed (an API reply of 400 or more, a socket
 * command not `ok`), of which `serverErrors` were the server's fault (5xx, or a socket command's `error`). A name
 * known only to the counter (every request refused before it was timed) has no percentiles (null).
 */
export interface MethodRow {
  readonly name: string;
  readonly count: number;
  readonly errors: number;
  readonly serverErrors: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
}

type Outcome = 'ok' | 'error' | 'server_error';

/** Joins the latency rows with the request counter's outcomes per name (the counter's label `outcomeLabel`). */
export function methodRows(latency: readonly LatencyRow[], counter: readonly Sample[], label: string, outcomeLabel: string, classify: (value: string) => Outcome): MethodRow[] {
  const totals = new Map<string, { count: number; errors: number; serverErrors: number }>();
  for (const sample of counter) {
    const name = String(sample.labels[label] ?? '');
    const total = totals.get(name) ?? { count: 0, errors: 0, serverErrors: 0 };
    totals.set(name, total);
    const outcome = classify(String(sample.labels[outcomeLabel] ?? ''));
    total.count += sample.value;
    if (outcome !== 'ok') total.errors += sample.value;
    if (outcome === 'server_error') total.serverErrors += sample.value;
  }
  const rows: MethodRow[] = latency.map((row) => {
    const total = totals.get(row.name);
    return { ...row, count: Math.max(row.count, total?.count ?? 0), errors: total?.errors ?? 0, serverErrors: total?.serverErrors ?? 0 };
  });
  const timed = new Set(latency.map((row) => row.name));
  for (const [name, total] of totals) {
    if (timed.has(name) || total.count === 0) continue;
    rows.push({ name, ...total, p50Ms: null, p95Ms: null, p99Ms: null });
  }
  return rows.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

export function httpOutcome(status: string): Outcome {
  const code = Number(status);
  return code >= 500 ? 'server_error' : code >= 400 ? 'error' : 'ok';
}

export function wsOutcome(outcome: string): Outcome {
  return outcome === 'ok' ? 'ok' : outcome === 'error' ? 'server_error' : 'error';
}

interface Sample {
  readonly value: number;
  readonly labels: Partial<Record<string, string | number>>;
  readonly metricName?: string;
}

/** Percentiles per label value from cumulative histogram buckets, interpolated linearly inside a bucket. */
export function latencyRows(samples: readonly Sample[], label: string): LatencyRow[] {
  const groups = new Map<string, { buckets: Array<[number, number]>; count: number }>();
  for (const sample of samples) {
    const name = String(sample.labels[label] ?? '');
    const group = groups.get(name) ?? { buckets: [], count: 0 };
    groups.set(name, group);
    if (sample.metricName?.endsWith('_bucket') === true) {
      const le = sample.labels['le'];
      group.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), sample.value]);
    } else if (sample.metricName?.endsWith('_count') === true) group.count = sample.value;
  }
  const rows: LatencyRow[] = [];
  for (const [name, group] of groups) {
    if (group.count === 0) continue;
    const buckets = group.buckets.sort((a, b) => a[0] - b[0]);
    const [p50, p95, p99] = quantiles.map((q) => quantileOf(buckets, group.count, q) * 1000);
    rows.push({ name, count: group.count, p50Ms: round(p50 ?? 0), p95Ms: round(p95 ?? 0), p99Ms: round(p99 ?? 0) });
  }
  return rows.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

function quantileOf(buckets: ReadonlyArray<readonly [number, number]>, count: number, q: number): number {
  const rank = q * count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, cumulative] of buckets) {
    if (cumulative >= rank) {
      // Past the last finite bound the histogram knows only "more than": report that bound.
      if (!Number.isFinite(bound)) return lowerBound;
      const inBucket = cumulative - lowerCount;
      return inBucket === 0 ? bound : lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = bound;
    lowerCount = cumulative;
  }
  return lowerBound;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function adminStatsRoute(metrics: GatewayMetrics, now: () => number): { route: Route; stop: () => void } {
  const loop = monitorEventLoopDelay({ resolution: loopResolutionMs });
  loop.enable();
  let windowStartedMs = now();
  const gauge = async (name: string): Promise<number> => (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
  const samples = async (name: string): Promise<Sample[]> => (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  const route = defineRoute({
    method: 'get', path: '/api/v1/admin/stats', operationId: 'adminStats', tag: 'Operations', roles: ['admin'],
    summary: 'Throughput counters and latency percentiles per API method and socket command, connections, event-loop delay, projector lag',
    replies: { 200: Type.Object({}, { additionalProperties: true }), ...problemReplies },
    handle: async () => {
      const delayMs = (nanoseconds: number): number => round(Math.max(0, nanoseconds / 1e6 - loopResolutionMs));
      const eventLoopDelayMs = { p50: delayMs(loop.percentile(50)), p99: delayMs(loop.percentile(99)), max: delayMs(loop.max) };
      if (now() - windowStartedMs >= loopWindowMs) {
        loop.reset();
        windowStartedMs = now();
      }
      const commit = latencyRows(await samples('cd_log_commit_duration_seconds'), 'none')[0];
      return {
        status: 200,
        body: {
          at: now(),
          http: methodRows(latencyRows(await samples('cd_http_request_duration_seconds'), 'operation'), await samples('cd_http_requests_total'), 'operation', 'status', httpOutcome),
          ws: methodRows(latencyRows(await samples('cd_ws_command_duration_seconds'), 'command'), await samples('cd_ws_commands_total'), 'command', 'outcome', wsOutcome),
          connections: await gauge('cd_ws_connections'),
          staleConnections: await gauge('cd_ws_stale_connections'),
          framesPublished: await gauge('cd_ws_frames_published_total'),
          eventLoopDelayMs,
          projectorLagEntries: await gauge('cd_projector_lag_entries'),
          logPosition: await gauge('cd_log_position'),
          logCommitMs: { p50: commit?.p50Ms ?? 0, p99: commit?.p99Ms ?? 0 },
        },
      };
    },
  });
  return { route, stop: () => loop.disable() };
}
