import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { slotAt } from './booking-attempt.ts';
import { summarizeCpuProfile } from './cpu-profile-summary.ts';
import { FanoutRecorder } from './fanout-recorder.ts';
import { intakeExternalId, OperatorScript, parseExternalId } from './operator-script.ts';
import { eventLoopOf, histogramWindow, parseMetrics, sumOf } from './server-metrics.ts';

t.test('the intake tag carries phase, intended send time and sender', async (t) => {
  const id = intakeExternalId('m', 1_795_000_000_123_456.7, 42);
  t.same(parseExternalId(id), { phase: 'm', intendedEpochUs: 1_795_000_000_123_457, operatorIndex: 42 });
  t.equal(parseExternalId('partner-7'), undefined);
  t.equal(parseExternalId(7), undefined);
});

t.test('the operator cycle: 11 steps, dependent steps use earlier replies, missing inputs become desk intakes', async (t) => {
  const script = new OperatorScript({ index: 3, clinicId: 'c2', doctorIds: ['c2-d1', 'c2-d2'], slotIds: ['c2-d1.20261123.0800'] });
  const kinds: string[] = [];
  let substituted = 0;
  for (let step = 0; step < 11; step += 1) {
    const planned = script.next('m', step * 1000);
    kinds.push(planned.kind);
    if (planned.substituted) substituted += 1;
    const type = planned.command.type;
    planned.onAccepted(type === 'HoldSlot' ? { holdId: 'h1' } : { id: `c2.call${step}`, visitDate: '2026-11-22', status: 'new' });
    if (type === 'AssignCall') t.equal(planned.command['visitDate'], '2026-11-22', 'assigned for the call\'s visit date');
    if (type === 'BookAppointment') t.match(planned.command['booking'], { slotId: 'c2-d1.20261123.0800', holdId: 'h1' });
  }
  t.same(kinds, ['RegisterCall', 'AcceptCall', 'AssignCall', 'CompleteCall', 'RegisterCall', 'AssignCall', 'CompleteCall', 'HoldSlot', 'BookAppointment', 'RegisterCall', 'CancelCall']);
  t.equal(substituted, 0);
  const starved = new OperatorScript({ index: 4, clinicId: 'c1', doctorIds: [], slotIds: [] }, 1);
  const accept = starved.next('m', 0);
  t.equal(accept.kind, 'RegisterCall', 'no received call to accept: a desk intake instead');
  t.equal(accept.substituted, true);
});

t.test('fan-out recorder: first appearance of another operator\'s intake of the phase, slowest per intake', async (t) => {
  const recorder = new FanoutRecorder('m');
  const call = (sender: number, historyLength: number, phase = 'm') => ({
    externalId: intakeExternalId(phase, 1_000_000, sender), history: Array.from({ length: historyLength }, () => ({})),
  });
  recorder.onClinicDiff({ calls: [call(1, 1), call(2, 1), call(1, 2), call(3, 1, 'w')] }, 2, 1_005_000);
  recorder.onClinicDiff({ calls: [call(1, 1)] }, 5, 1_009_000);
  t.equal(recorder.deliveries, 2, 'own intake, later changes and other phases are not deliveries');
  t.same([...recorder.slowestByIntake.values()], [9], 'the slowest delivery of the intake, in ms');
  recorder.onClinicDiff(null, 1, 0);
  t.equal(recorder.diffFrames, 3);
});

t.test('metrics: a window between two scrapes', async (t) => {
  const before = parseMetrics([
    '# HELP x', 'cd_ws_frames_published_total 10',
    'cd_log_commit_duration_seconds_bucket{le="0.001"} 5', 'cd_log_commit_duration_seconds_bucket{le="0.01"} 10',
    'cd_log_commit_duration_seconds_bucket{le="+Inf"} 10', 'cd_log_commit_duration_seconds_sum 0.02', 'cd_log_commit_duration_seconds_count 10',
  ].join('\n'));
  const after = parseMetrics([
    'cd_ws_frames_published_total 110',
    'cd_log_commit_duration_seconds_bucket{le="0.001"} 55', 'cd_log_commit_duration_seconds_bucket{le="0.01"} 109',
    'cd_log_commit_duration_seconds_bucket{le="+Inf"} 110', 'cd_log_commit_duration_seconds_sum 0.12', 'cd_log_commit_duration_seconds_count 110',
    'cd_event_loop_delay_seconds{stat="p50"} 0.0102', 'cd_event_loop_delay_seconds{stat="p99"} 0.02',
    'cd_event_loop_delay_seconds{stat="p999"} 0.03', 'cd_event_loop_delay_seconds{stat="max"} 0.05', 'cd_event_loop_utilization 0.25',
  ].join('\n'));
  t.equal(sumOf(after, 'cd_ws_frames_published_total') - sumOf(before, 'cd_ws_frames_published_total'), 100);
  const window = histogramWindow(before, after, 'cd_log_commit_duration_seconds');
  t.equal(window.count, 100);
  t.equal(window.p50UpToMs, 1, 'half of the window within 1 ms: the median is at most 1 ms');
  t.equal(window.p999UpToMs, Infinity, 'one beyond the last finite bucket');
  t.equal(window.meanMs, 1);
  t.same(eventLoopOf(after), { delayP50Ms: 10.2, delayP99Ms: 20, delayP999Ms: 30, delayMaxMs: 50, utilization: 0.25 });
});

t.test('the hot window moves on every windowMs', async (t) => {
  const window = { slots: ['a', 'b', 'c', 'd', 'e', 'f'], hot: 2, windowMs: 100, startAtEpochMs: 1_000 };
  t.equal(slotAt(window, 1_050, 0), 'a');
  t.equal(slotAt(window, 1_050, 0.99), 'b');
  t.equal(slotAt(window, 1_150, 0), 'c');
  t.equal(slotAt(window, 1_350, 0), 'a', 'wraps around when the list runs out');
  t.equal(slotAt(window, 900, 0), 'a', 'before the start: the first window');
});

t.test('cpu profile: self time by function, idle apart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cpuprofile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'x.cpuprofile');
  writeFileSync(file, JSON.stringify({
    startTime: 0, endTime: 100_000,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 3, callFrame: { functionName: 'decide', url: 'file:///x/engine/a.ts', lineNumber: 9 } },
      { id: 4, callFrame: { functionName: 'decide', url: 'file:///x/engine/a.ts', lineNumber: 9 } },
      { id: 5, callFrame: { functionName: '', url: 'file:///x/b.ts', lineNumber: 0 } },
    ],
    samples: [2, 2, 3, 4, 4, 5, 2, 2, 2, 2],
  }));
  const summary = summarizeCpuProfile(file, 5);
  t.equal(summary.durationMs, 100);
  t.equal(summary.idleMs, 60);
  t.equal(summary.busyMs, 40);
  t.same(summary.top.map((row) => [row.name, row.location, row.selfMs, row.busyPercent]),
    [['decide', '/x/engine/a.ts:10', 30, 75], ['(anonymous)', '/x/b.ts:1', 10, 25]]);
});
