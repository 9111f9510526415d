/**
 * freeze (BENCH.md): does heavy work move the command p99? A history of `--calls` home calls (with their
 * appointments) is generated straight into a data directory through the engine; the host recovers it; then
 * commands flow on the engine's thread at `--rate` per second (open model, latency from the intended send
 * time to the durable reply) for `--seconds`: quiet (before any heavy work), while the worker pool builds
 * full-history operations reports and route-sheet PDFs back to back, and quiet again after. Also measured: the full-history report's time (cold:
 * the worker builds its replica first; warm: it catches up) and memory (the worker's V8 heap, the process RSS
 * peak), and one route-sheet PDF.
 *
 *   node --import tsx bench/freeze.ts [--calls 200000] [--days 300] [--rate 200] [--seconds 10] [--tmpfs]
 *        [--data-dir <dir> (reuse a generated history; kept)] [--keep] [--size small|full] [--out <dir>]
 *
 * `npm run bench -- freeze …` runs this file with the same options. Unknown options are ignored (the runner
 * passes its own). The load generator and the workers share this machine with the engine: see the notes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SequenceIdSource } from '../engine/index.ts';
import { addDays } from '../engine/domain/local-time.ts';
import { EngineHost } from '../persistence/engine-host.ts';
import { summarizeLatency } from './lib/histogram.ts';
import { startProcessMeter } from './lib/process-stats.ts';
import { writeResults, type JsonValue } from './lib/results-writer.ts';
import { generateHistory, type GeneratedHistory } from '../workers/testing/history-generator.ts';
import { runCommandFlow, type FlowResult } from '../workers/testing/freeze-harness.ts';
import { threadsDefault, WorkerPool } from '../workers/worker-pool.ts';
import { workerNiceDefault } from '../workers/thread-priority.ts';
import { taskHandlerUrl } from '../workers/worker-extension.ts';
import type { TaskMeta, WorkerResult, WorkerTask } from '../workers/worker-task.ts';
import type { OperationsReport } from '../workers/reports/operations-report.ts';

const { values } = parseArgs({
  strict: false,
  options: {
    calls: { type: 'string' }, days: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' },
    tmpfs: { type: 'boolean' }, 'data-dir': { type: 'string' }, 'worker-nice': { type: 'string' }, keep: { type: 'boolean' }, size: { type: 'string' }, out: { type: 'string' },
  },
});
const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
const small = text('size') === 'small';
const calls = Number(text('calls') ?? (small ? 20_000 : 200_000));
const days = Number(text('days') ?? (small ? 30 : 300));
const ratePerSecond = Number(text('rate') ?? 200);
const seconds = Number(text('seconds') ?? (small ? 3 : 10));
const tmpfs = values['tmpfs'] === true;
// The worker threads' nice value (workers/thread-priority.ts); `--worker-nice 0` measures without lowering them.
const workerNice = Number(text('worker-nice') ?? workerNiceDefault);
const reuse = text('data-dir');
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

const dataDir = reuse === undefined ? mkdtempSync(join(tmpfs && existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'cd-freeze-')) : resolve(reuse);
const loadAtStart = loadavg();
// A reused directory carries the generated history's figures (its dates and end instant) beside the data.
const historyFile = join(dataDir, 'freeze-history.json');
let history: GeneratedHistory;
if (reuse !== undefined && existsSync(historyFile)) {
  history = JSON.parse(readFileSync(historyFile, 'utf8')) as GeneratedHistory;
  console.log(`reusing ${history.calls} generated calls in ${dataDir}`);
} else {
  console.log(`generating ${calls} calls over ${days} working days into ${dataDir}`);
  history = await generateHistory({ dataDir, calls, days, onProgress: (p) => { if (p.day % 25 === 0) console.log(`  day ${p.day}/${p.days}: ${p.calls} calls`); } });
  writeFileSync(historyFile, JSON.stringify(history));
  console.log(`  done in ${Math.round(history.durationMs / 1000)} s (${history.commands} commands, ${history.rejected} rejected)`);
}
const firstDate = history.firstDate;
const startedWall = Date.now();
// The host's clock continues where the history ended, so no timer fires for a year of skipped time.
const endMs = history.endMs;
const nowMs = (): number => endMs + (Date.now() - startedWall);

const recoveryStarted = performance.now();
const host = await EngineHost.open({ dataDir, clock: { now: nowMs }, ids: new SequenceIdSource('z') });
const recoveryMs = Math.round(performance.now() - recoveryStarted);
const lastDate = history.lastDate;
const to = addDays(lastDate, 2);
const threads = threadsDefault();
const pool = new WorkerPool<WorkerTask, WorkerResult>({ filename: taskHandlerUrl, threads, queueTasksMax: 8, taskTimeoutMs: 3_600_000, nice: workerNice });

async function task(build: (base: { dataDir: string; minPosition: number; asOfMs: number }) => WorkerTask): Promise<{ result: WorkerResult; ms: number }> {
  await host.whenDurable();
  const started = performance.now();
  const result = await pool.run(build({ dataDir, minPosition: host.durablePosition, asOfMs: nowMs() }));
  return { result, ms: Math.round(performance.now() - started) };
}
const fullReport = () => task((base) => ({ ...base, kind: 'operationsReport', from: firstDate, to, format: 'json' }));
let sheetIndex = 0;
const routeSheet = () => task((base) => ({ ...base, kind: 'routeSheet', doctorId: `gp${1 + (sheetIndex % 3)}-d1`, date: addDays(lastDate, -(sheetIndex++ % 20)), format: 'pdf' }));
const metaOf = (result: WorkerResult): TaskMeta | undefined => ('meta' in result ? result.meta : undefined);

// Fresh patients per run: a reused directory still holds the open calls of the last run's patients.
const patientSalt = (Math.floor(Date.now() / 1000) % 90) * 100_000;

try {
  // The quiet window first, before any heavy work has touched the process; a second one closes the run.
  const without: FlowResult = await runCommandFlow({ host, nowMs, ratePerSecond, durationMs: seconds * 1000, patientBase: 10_000_000 + patientSalt });
  const meter = startProcessMeter('self', { sampleIntervalMs: 50 });
  const cold = await fullReport();
  const warm = await fullReport();
  const usage = meter.stop();
  const sheet = await routeSheet();
  const report = cold.result.kind === 'json' ? (cold.result.body as OperationsReport) : undefined;
  console.log(`full-history report: cold ${cold.ms} ms, warm ${warm.ms} ms, ${report?.calls.total ?? '?'} calls; route sheet PDF ${sheet.ms} ms`);
  let heavyIndex = 0;
  const withWork: FlowResult = await runCommandFlow({
    host, nowMs, ratePerSecond, durationMs: seconds * 1000, patientBase: 20_000_000 + patientSalt,
    heavy: () => (heavyIndex++ % 4 === 0 ? fullReport() : routeSheet()),
  });
  const after: FlowResult = await runCommandFlow({ host, nowMs, ratePerSecond, durationMs: seconds * 1000, patientBase: 30_000_000 + patientSalt });
  const p99Without = summarizeLatency(without.latency).p99;
  const p99With = summarizeLatency(withWork.latency).p99;
  const ratio = p99Without > 0 ? Math.round((p99With / p99Without) * 100) / 100 : null;
  const flowFigures = (flow: FlowResult): { [key: string]: JsonValue } => ({
    latency: { ...summarizeLatency(flow.latency) }, counts: { ...flow.flow.counts }, rejected: flow.rejected, rejectionSamples: [...flow.rejectionSamples],
    longestStallMs: flow.eventLoop.longestStallMs, stallsOver50Ms: flow.eventLoop.stallsOverThreshold,
    eventLoopDelayP99Ms: flow.eventLoop.delayP99Ms, eventLoopUtilization: flow.eventLoop.utilization,
    heavyRuns: flow.heavyRuns, heavyMsMax: flow.heavyMs.length === 0 ? null : Math.max(...flow.heavyMs),
  });
  const coldMeta = metaOf(cold.result);
  const warmMeta = metaOf(warm.result);
  const headline = `command p99 ${p99Without} ms quiet vs ${p99With} ms while workers build full-history reports and route sheets ` +
    `over ${report?.calls.total ?? history.calls} calls (×${ratio ?? '?'}); longest stall ${without.eventLoop.longestStallMs} vs ${withWork.eventLoop.longestStallMs} ms; ` +
    `report cold ${(cold.ms / 1000).toFixed(1)} s / warm ${(warm.ms / 1000).toFixed(1)} s, worker heap ${mb(coldMeta?.heapTotalBytes ?? 0)} MB`;
  const files = writeResults({
    scenario: 'freeze',
    ...(text('out') === undefined ? {} : { outputDir: text('out') as string }),
    parameters: { calls: history.calls, days, ratePerSecond, seconds, storage: tmpfs ? 'tmpfs' : 'disk', threads, workerNice, reusedDataDir: reuse !== undefined, reportRange: `${firstDate}..${to}` },
    figures: {
      history: { reused: reuse !== undefined, calls: history.calls, appointments: history.appointments, commands: history.commands, rejected: history.rejected, generateMs: Math.round(history.durationMs), lastPosition: history.lastPosition },
      recoveryMs,
      report: {
        callsCounted: report?.calls.total ?? null, coldMs: cold.ms, warmMs: warm.ms,
        coldCatchUpMs: coldMeta?.catchUpMs ?? null, warmCatchUpMs: warmMeta?.catchUpMs ?? null,
        workerHeapUsedMb: mb(warmMeta?.heapUsedBytes ?? 0), workerHeapTotalMb: mb(coldMeta?.heapTotalBytes ?? 0),
        processRssStartMb: mb(usage.rssStartBytes), processRssPeakMb: mb(usage.rssMaxBytes),
      },
      routeSheetPdfMs: sheet.ms,
      without: flowFigures(without),
      with: flowFigures(withWork),
      quietAfter: flowFigures(after),
      commandP99RatioWithOverWithout: ratio,
    },
    series: [
      { name: 'command ack, quiet', role: 'baseline', histogram: without.latency },
      { name: 'command ack, workers building reports', role: 'ours', histogram: withWork.latency },
      { name: 'command ack, quiet again after', role: 'baseline', histogram: after.latency },
    ],
    ratios: [{ name: 'command p99 with reports ÷ without', ours: p99With, reference: p99Without, referenceName: 'quiet window', unit: 'ms' }],
    notes: [
      `scale: ${history.calls} generated calls from ${history.firstDate} to ${history.lastDate} (the full target is 1,355,437 calls)`,
      `data directory on ${tmpfs ? 'tmpfs (/dev/shm)' : 'disk'}; ${availableParallelism()} cores shared by the engine thread, ${threads} worker thread(s) and this process's load generator`,
      `load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on a shared machine shows up as stalls)`,
      'report memory: the worker heap figures are V8 heap_total/heap_used of the worker after the report; the RSS peak is the whole process (engine + worker) sampled every 50 ms across the cold and warm reports',
    ],
    headline,
  });
  console.log(headline);
  console.log(`results: ${files.markdownPath}`);
} finally {
  await pool.close();
  await host.close({ snapshot: false });
  if (reuse === undefined && values['keep'] !== true) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`data directory kept: ${dataDir}`);
}
