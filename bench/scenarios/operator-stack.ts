// The operator scenarios' common stack: a fresh data directory (disk or tmpfs) with the bench region and one
// token per operator, the server under test started on it as its own process, the clinics' free reception
// slots dealt out to their operators, and the operators connected from load-generator processes. `measure`
// runs one measured window at a fixed arrival rate and brackets it with the server's CPU and RSS meter and two
// /metrics scrapes (event-loop delay and utilisation of the engine thread, the server's own command and log
// commit histograms, frames published, slow-reader cut-offs). `close` stops everything it started.

import type { ProcessUsage } from '../lib/process-stats.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import { makeBenchDataDir } from '../load/bench-data-dir.ts';
import type { BenchDataDir, StorageLabel } from '../load/bench-data-dir.ts';
import { benchDoctorId } from '../load/bench-region.ts';
import { freeSlotIds } from '../load/http-json.ts';
import { OperatorLoad } from '../load/operator-load.ts';
import type { OperatorRunSummary } from '../load/operator-load.ts';
import type { WorkerOperator } from '../load/operator-messages.ts';
import { prepareRegion } from '../load/prepare-region.ts';
import type { PreparedRegion } from '../load/prepare-region.ts';
import { startServerProcess } from '../load/server-process.ts';
import type { ServerProcess } from '../load/server-process.ts';
import { deltaByLabel, eventLoopOf, histogramWindow, scrapeMetrics, sumOf } from '../load/server-metrics.ts';
import type { BucketQuantiles, ServerEventLoop } from '../load/server-metrics.ts';

export const slotsListedPerClinicMax = 9_999;

export interface OperatorStackOptions {
  readonly name: string;
  readonly storage: StorageLabel;
  readonly clinics: number;
  readonly doctorsPerClinic: number;
  readonly operators: number;
  readonly workers: number;
  /**
   * How many operators decode what they receive, send the commands and time them (the first ones, so they
   * spread over the clinics); the others are passive sessions that only count frames and bytes
   * (bench/load/passive-session.ts). All of them when omitted.
   */
  readonly decodingSessions?: number;
  readonly serverNodeArgs: readonly string[];
  readonly log: (line: string) => void;
}

export interface MeasuredWindow {
  readonly run: OperatorRunSummary;
  readonly serverUsage: ProcessUsage;
  readonly eventLoop: ServerEventLoop;
  readonly serverCommand: BucketQuantiles;
  readonly logCommit: BucketQuantiles;
  readonly framesPublished: number;
  readonly bytesPublished: number;
  readonly slowReaderCutoffs: number;
  readonly serverCloses: { readonly [code: string]: number };
  readonly serverErrorFrames: { readonly [code: string]: number };
}

export class OperatorStack {
  private constructor(
    readonly dataDir: BenchDataDir,
    readonly region: PreparedRegion,
    readonly server: ServerProcess,
    readonly load: OperatorLoad,
    readonly slotsDealt: number,
  ) {}

  static async start(options: OperatorStackOptions): Promise<OperatorStack> {
    const dataDir = makeBenchDataDir(options.name, options.storage);
    let server: ServerProcess | undefined;
    try {
      options.log(`preparing ${options.clinics} clinics × ${options.doctorsPerClinic} doctors and ${options.operators} operator tokens in ${dataDir.path}`);
      const region = await prepareRegion(dataDir.path, options);
      server = await startServerProcess({ dataDir: dataDir.path, nodeArgs: options.serverNodeArgs });
      options.log(`server pid ${server.pid} on port ${server.port} (listening after ${Math.round(server.listeningAfterMs)} ms)`);
      const slotsByClinic = new Map<string, string[]>();
      for (let clinic = 1; clinic <= region.clinics; clinic += 1) {
        slotsByClinic.set(`c${clinic}`, await freeSlotIds(server.baseUrl, region.tokens.admin, `c${clinic}`, slotsListedPerClinicMax));
      }
      const perClinic = new Map<string, number>();
      const decoding = options.decodingSessions ?? region.tokens.operators.length;
      // Slots are dealt among the decoding operators of a clinic only: the passive ones never book.
      const operators: WorkerOperator[] = region.tokens.operators.map((operator, position) => {
        const clinicNumber = Number(operator.clinicId.slice(1));
        const passive = position >= decoding;
        const rank = perClinic.get(operator.clinicId) ?? 0;
        if (!passive) perClinic.set(operator.clinicId, rank + 1);
        return { ...operator, doctorIds: [], slotIds: [], rank, clinicNumber, passive };
      }).map(({ rank, clinicNumber, passive, ...operator }) => {
        if (passive) return { ...operator, passive };
        const colleagues = perClinic.get(operator.clinicId) ?? 1;
        const slots = slotsByClinic.get(operator.clinicId) ?? [];
        return {
          ...operator,
          doctorIds: Array.from({ length: region.doctorsPerClinic }, (_, index) => benchDoctorId(clinicNumber, index + 1)),
          slotIds: slots.filter((_, index) => index % colleagues === rank),
        };
      });
      const slotsDealt = operators.reduce((sum, operator) => sum + operator.slotIds.length, 0);
      options.log(`connecting ${operators.length} operators (${Math.min(decoding, operators.length)} decoding, the others passive) from ${options.workers} load-generator process(es)`);
      const load = await OperatorLoad.start(`ws://127.0.0.1:${server.port}/ws`, operators, options.workers);
      options.log(`connected ${load.setup.connected}/${load.setup.requested} in ${load.setup.connectMs} ms` +
        (load.setup.failed > 0 ? `; ${load.setup.failed} failed: ${load.setup.errorSamples.join(' | ')}` : ''));
      return new OperatorStack(dataDir, region, server, load, slotsDealt);
    } catch (error) {
      await server?.kill9();
      dataDir.remove();
      throw error;
    }
  }

  async warmUp(ratePerSecond: number, durationMs: number, timeoutMs: number): Promise<OperatorRunSummary> {
    return this.load.run({ phase: 'w', ratePerSecond, durationMs, timeoutMs, record: false });
  }

  async measure(phase: string, ratePerSecond: number, durationMs: number, timeoutMs: number): Promise<MeasuredWindow> {
    const before = await scrapeMetrics(this.server.metricsBaseUrl);
    const meter = startProcessMeter(this.server.pid);
    const run = await this.load.run({ phase, ratePerSecond, durationMs, timeoutMs, record: true });
    const serverUsage = meter.stop();
    const after = await scrapeMetrics(this.server.metricsBaseUrl);
    return {
      run, serverUsage,
      eventLoop: eventLoopOf(after),
      serverCommand: histogramWindow(before, after, 'cd_ws_command_duration_seconds'),
      logCommit: histogramWindow(before, after, 'cd_log_commit_duration_seconds'),
      framesPublished: sumOf(after, 'cd_ws_frames_published_total') - sumOf(before, 'cd_ws_frames_published_total'),
      bytesPublished: sumOf(after, 'cd_ws_bytes_published_total') - sumOf(before, 'cd_ws_bytes_published_total'),
      slowReaderCutoffs: sumOf(after, 'cd_ws_slow_reader_cutoffs_total') - sumOf(before, 'cd_ws_slow_reader_cutoffs_total'),
      serverCloses: deltaByLabel(before, after, 'cd_ws_closes_total', 'code'),
      serverErrorFrames: deltaByLabel(before, after, 'cd_ws_error_frames_total', 'code'),
    };
  }

  /** Stops the load generators, then the server cleanly (a profile is written on a clean exit); removes the data. */
  async close(): Promise<void> {
    try {
      await this.load.close();
    } finally {
      try {
        await this.server.stop();
      } finally {
        this.dataDir.remove();
      }
    }
  }
}
