/**
 * The gateway's Prometheus metrics (prom-client), one registry per server so tests can start several. Per API
 * method and per WebSocket command: request counts and latency histograms (what the source system watched
 * per method); plus connections, fan-out, slow-reader cut-offs, log commit latency, projector lag and the
 * engine thread's event-loop delay and utilisation.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBucketsSeconds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The `stat` label values of cd_event_loop_delay_seconds and their percentiles (plus `max`). */
export const eventLoopPercentiles: ReadonlyArray<readonly [string, number]> = [['p50', 50], ['p99', 99], ['p999', 99.9]];

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'cd_http_requests_total', help: 'Partner API requests by operation and status', labelNames: ['operation', 'status'] as const, registers: [this.registry] });
  readonly httpLatency = new Histogram({ name: 'cd_http_request_duration_seconds', help: 'Partner API latency by operation', labelNames: ['operation'] as const, buckets: latencyBucketsSeconds, registers: [this.registry] });
  readonly wsCommands = new Counter({ name: 'cd_ws_commands_total', help: 'Operator WebSocket commands by type and outcome', labelNames: ['command', 'outcome'] as const, registers: [this.registry] });
  readonly wsLatency = new Histogram({ name: 'cd_ws_command_duration_seconds', help: 'Operator WebSocket command latency (received to durable reply)', labelNames: ['command'] as const, buckets: latencyBucketsSeconds, registers: [this.registry] });
  readonly wsConnections = new Gauge({ name: 'cd_ws_connections', help: 'Open operator WebSocket connections', registers: [this.registry] });
  readonly framesPublished = new Counter({ name: 'cd_ws_frames_published_total', help: 'Coalesced diff frames published per topic', registers: [this.registry] });
  readonly bytesPublished = new Counter({ name: 'cd_ws_bytes_published_total', help: 'Bytes of diff frames published', registers: [this.registry] });
  readonly slowReaderCutoffs = new Counter({ name: 'cd_ws_slow_reader_cutoffs_total', help: 'Subscribers cut off from diffs for exceeding the buffered-bytes bound', registers: [this.registry] });
  readonly wsStaleConnections = new Gauge({ name: 'cd_ws_stale_connections', help: 'Operator sockets cut off from diffs, waiting to drain and resync', registers: [this.registry] });
  readonly wsBufferedBytesPeak = new Gauge({ name: 'cd_ws_buffered_bytes_peak', help: 'Largest unread output of one operator socket seen by the fan-out checks since start', registers: [this.registry] });
  readonly wsSnapshots = new Counter({ name: 'cd_ws_snapshots_total', help: 'Snapshot frames sent, by reason (subscribe, resync)', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly wsErrorFrames = new Counter({ name: 'cd_ws_error_frames_total', help: 'Error frames sent to operator sockets, by code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly wsCloses = new Counter({ name: 'cd_ws_closes_total', help: 'Operator socket closes, by close code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly logCommitSeconds = new Histogram({ name: 'cd_log_commit_duration_seconds', help: 'Event log append to durable', buckets: latencyBucketsSeconds, registers: [this.registry] });
  readonly logPosition = new Gauge({ name: 'cd_log_position', help: 'Last durable log position', registers: [this.registry] });
  readonly projectorLagEntries = new Gauge({ name: 'cd_projector_lag_entries', help: 'Log entries not yet projected to Postgres', registers: [this.registry] });
  /**
   * Percentiles of the delay over the last scrape interval as a gauge labelled `stat` (p50, p99, p999, max):
   * not `quantile`, which Prometheus reserves for a summary's own series.
   */
  readonly eventLoopDelaySeconds = new Gauge({ name: 'cd_event_loop_delay_seconds', help: 'Engine thread event-loop delay over the last scrape interval, by stat: p50, p99, p999, max', labelNames: ['stat'] as const, registers: [this.registry] });
  readonly eventLoopUtilization = new Gauge({ name: 'cd_event_loop_utilization', help: 'Engine thread event-loop utilisation since the last scrape', registers: [this.registry] });
  readonly webhookDeliveries = new Counter({ name: 'cd_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly callsOpen = new Gauge({ name: 'cd_calls_open', help: 'Open home-visit calls on each clinic board by status (received, new, assigned); read from the board counters at scrape time', labelNames: ['clinic', 'status'] as const, registers: [this.registry] });
  readonly callsOverdue = new Gauge({ name: 'cd_calls_overdue', help: 'Open calls past their SLA deadline by clinic and stage: assign = not assigned within the assign SLA (30 min by default), serve = assigned but not served within the serve SLA (24 h by default); read at scrape time', labelNames: ['clinic', 'stage'] as const, registers: [this.registry] });
  readonly snapshotPauseSeconds = new Gauge({ name: 'cd_snapshot_pause_seconds', help: 'Engine thread pause of the last snapshot (encoding every actor); read at scrape time', registers: [this.registry] });
  readonly #scrapeHooks: Array<() => void> = [];
  readonly #loopDelay = monitorEventLoopDelay({ resolution: 10 });
  #lastUtilization = performance.eventLoopUtilization();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cd_node_' });
    this.#loopDelay.enable();
  }

  /** Samples the event loop into gauges; called at scrape time. */
  sampleEventLoop(): void {
    for (const [stat, percentile] of eventLoopPercentiles) this.eventLoopDelaySeconds.set({ stat }, this.#loopDelay.percentile(percentile) / 1e9);
    this.eventLoopDelaySeconds.set({ stat: 'max' }, this.#loopDelay.max / 1e9);
    const now = performance.eventLoopUtilization();
    this.eventLoopUtilization.set(performance.eventLoopUtilization(now, this.#lastUtilization).utilization);
    this.#lastUtilization = now;
    this.#loopDelay.reset();
  }

  /** Registers a cheap sampler run at each scrape (board counters, snapshot pause): gauges read, not pushed. */
  onScrape(hook: () => void): void {
    this.#scrapeHooks.push(hook);
  }

  /** Runs the scrape samplers; called at scrape time beside `sampleEventLoop`. */
  sampleAtScrape(): void {
    for (const hook of this.#scrapeHooks) hook();
  }

  close(): void {
    this.#loopDelay.disable();
    this.registry.clear();
  }
}
