/**
 * Heavy work never freezes the engine's thread: a full-history operations report over a generated history of
 * `historyCalls` calls runs on a worker while commands keep flowing on the main thread. The figures (longest
 * event-loop stall and command p99, without and with the reports) are printed as test comments; the only
 * timing assertion is a generous sanity bound. bench/freeze.ts is the measurement at larger scale.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { SequenceIdSource } from '../engine/index.ts';
import { localDate } from '../engine/domain/local-time.ts';
import { EngineHost } from '../persistence/engine-host.ts';
import { summarizeLatency } from '../bench/lib/histogram.ts';
import { generateHistory } from './testing/history-generator.ts';
import { runCommandFlow } from './testing/freeze-harness.ts';
import { WorkerPool } from './worker-pool.ts';
import { taskHandlerUrl } from './worker-extension.ts';
import type { TaskMeta, WorkerResult, WorkerTask } from './worker-task.ts';
import type { OperationsReport } from './reports/operations-report.ts';
import { addDays } from '../engine/domain/local-time.ts';

const historyCalls = 100_000;
const stallSanityBoundMs = 2_000;

void t.test(`a full-history report over ${historyCalls} calls runs on a worker while commands flow`, async (t) => {
  const parent = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dataDir = mkdtempSync(join(parent, 'cd-freeze-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const history = await generateHistory({ dataDir, calls: historyCalls, days: 60, doctorsPerClinic: 8 });
  t.comment(`generated ${history.calls} calls, ${history.appointments} appointments, ${history.commands} commands in ${Math.round(history.durationMs)} ms (${history.rejected} rejected)`);

  const startedWall = Date.now();
  const nowMs = (): number => history.endMs + (Date.now() - startedWall);
  const host = await EngineHost.open({ dataDir, clock: { now: nowMs }, ids: new SequenceIdSource('f') });
  const pool = new WorkerPool<WorkerTask, WorkerResult>({ filename: taskHandlerUrl, threads: 1, queueTasksMax: 4, taskTimeoutMs: 120_000 });
  t.teardown(async () => {
    await pool.close();
    await host.close({ snapshot: false });
  });
  const to = addDays(history.lastDate, 2);
  const reports: Array<{ report: OperationsReport; meta: TaskMeta | undefined }> = [];
  const fullReport = async (): Promise<void> => {
    await host.whenDurable();
    const result = await pool.run({ kind: 'operationsReport', dataDir, minPosition: host.durablePosition, asOfMs: nowMs(), from: history.firstDate, to, format: 'json' });
    if (result.kind !== 'json') throw new Error(`unexpected ${result.kind}`);
    reports.push({ report: result.body as OperationsReport, meta: result.meta });
  };

  const without = await runCommandFlow({ host, nowMs, ratePerSecond: 200, durationMs: 3_000, patientBase: 1_000_000 });
  const withReports = await runCommandFlow({ host, nowMs, ratePerSecond: 200, durationMs: 6_000, patientBase: 2_000_000, heavy: fullReport });
  const p99 = (flow: typeof without): number => summarizeLatency(flow.latency).p99;
  t.comment(`without reports: longest stall ${without.eventLoop.longestStallMs} ms, command p99 ${p99(without)} ms, ${without.flow.counts.answered} commands`);
  t.comment(`with reports:    longest stall ${withReports.eventLoop.longestStallMs} ms, command p99 ${p99(withReports)} ms, ${withReports.flow.counts.answered} commands, ${withReports.heavyRuns} reports (${withReports.heavyMs.join(', ')} ms)`);
  for (const { meta } of reports) t.comment(`report on the worker: ${JSON.stringify(meta)}`);

  t.ok(withReports.heavyRuns >= 1, 'at least one full-history report ran during the flow');
  t.equal(withReports.flow.counts.failed + withReports.flow.counts.timedOut, 0, 'every command was answered');
  t.same([without.rejectionSamples, withReports.rejectionSamples], [[], []], 'and accepted: the flow is real work, not rejections');
  t.ok(withReports.eventLoop.longestStallMs < stallSanityBoundMs, `the engine thread never stalled for ${stallSanityBoundMs} ms (longest ${withReports.eventLoop.longestStallMs} ms)`);
  t.equal(reports[0]?.meta?.rebuilt, true, 'the first report built the replica');
  if (reports.length > 1) t.equal(reports[1]?.meta?.rebuilt, false, 'later reports catch up incrementally');

  // The report counts every call of the history: the resident ones and the archived ones, once each.
  let expected = 0;
  for (const clinic of host.read.region().clinics.values()) {
    const resident = host.read.clinic(clinic.id)?.calls;
    for (const call of resident?.values() ?? []) if (localDate(call.createdAt, clinic.timeZone) <= to) expected += 1;
  }
  for (const call of host.archive.calls()) if (host.read.clinic(call.clinicId)?.calls.has(call.id) !== true && localDate(call.createdAt, 'Europe/Moscow') <= to) expected += 1;
  const report = reports[reports.length - 1]?.report;
  t.ok(expected > historyCalls * 0.95, `the history holds ${expected} calls`);
  t.equal(report?.calls.total, expected, 'the report counts every call once');
  t.ok((report?.serviceLevels.assignedWithinSlaPercent ?? 0) > 0 && (report?.serviceLevels.assignedWithinSlaPercent ?? 100) < 100, 'some calls breach the 30-minute SLA, most do not');
  t.ok((report?.appointments.total ?? 0) > 0 && (report?.feedback.count ?? 0) > 0, 'appointments and feedback within the retention window are counted');
});
