/**
 * Where a command's milliseconds go on the durable path (issue 15), as histograms on /metrics:
 * `cd_durable_stage_seconds{stage}` with stage = decode (per HTTP write request: received → the route called),
 * reply (per HTTP request: result → response written), and per tick decide (the engine deciding the tick's
 * commands), seal_wait
 * (first command decided → the tick sealed), append (encoding the entry, handing it to the log) and sync (hand-off
 * → durable: the write, its sync and any write queued ahead); `cd_durable_tick_commands` and
 * `cd_durable_tick_records` (the size of a tick); and the log's writes and the entries they carried
 * (`cd_log_writes_total`, `cd_log_entries_written_total`: entries ÷ writes is the group-commit batch). The
 * WebSocket's decoding is not split out (its command latency is `cd_ws_command_duration_seconds`). Kept apart from gateway/metrics.ts so that file's
 * renames and these additions merge without touching each other.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { EngineHost } from '../persistence/engine-host.ts';
import { SegmentEventLog } from '../persistence/segment-event-log.ts';
import type { HttpStageObserver } from './http/pipeline.ts';

/** 50 µs to 1 s: the floor (one synced write, ~0.15 ms) sits in the low buckets, a disk stall in the high ones. */
export const stageBucketsSeconds = [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1];
export const tickSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

/** Registers the histograms; the returned observer takes the HTTP ends (decode, reply) from the pipeline. */
export function registerDurableStageMetrics(registry: Registry, host: EngineHost): HttpStageObserver {
  const stages = new Histogram({ name: 'cd_durable_stage_seconds', help: 'Durable path by stage: decode and reply per HTTP write request; decide, seal_wait, append and sync per tick', labelNames: ['stage'] as const, buckets: stageBucketsSeconds, registers: [registry] });
  const observer: HttpStageObserver = { observe: (stage, seconds) => stages.observe({ stage }, seconds) };
  const commands = new Histogram({ name: 'cd_durable_tick_commands', help: 'Commands per durable tick', buckets: tickSizeBuckets, registers: [registry] });
  const records = new Histogram({ name: 'cd_durable_tick_records', help: 'Log records (events and idempotency records) per durable tick', buckets: tickSizeBuckets, registers: [registry] });
  host.onTickStages((tick) => {
    stages.observe({ stage: 'decide' }, tick.decideMs / 1000);
    stages.observe({ stage: 'seal_wait' }, tick.sealWaitMs / 1000);
    stages.observe({ stage: 'append' }, tick.appendMs / 1000);
    stages.observe({ stage: 'sync' }, tick.syncMs / 1000);
    commands.observe(tick.commands);
    records.observe(tick.records);
  });
  const log = host.log;
  if (!(log instanceof SegmentEventLog)) return observer;
  let writesSeen = 0;
  let entriesSeen = 0;
  new Counter({
    name: 'cd_log_writes_total', help: 'Synced writes of the segment log (each carries one or more entries)', registers: [registry],
    collect() {
      this.inc(log.writes - writesSeen);
      writesSeen = log.writes;
    },
  });
  new Counter({
    name: 'cd_log_entries_written_total', help: 'Log entries carried by the segment log writes', registers: [registry],
    collect() {
      this.inc(log.entriesWritten - entriesSeen);
      entriesSeen = log.entriesWritten;
    },
  });
  return observer;
}
