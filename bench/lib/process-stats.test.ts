import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { readProcessSample, readSelfSample, startProcessMeter } from './process-stats.ts';

function burnCpu(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Uses CPU on purpose so the meter has something to see.
  }
}

t.test('this process: CPU used and RSS over an interval', async (t) => {
  const meter = startProcessMeter('self', { sampleIntervalMs: 10 });
  burnCpu(60);
  const usage = meter.stop();
  t.equal(usage.pid, process.pid);
  t.ok(usage.cpuUserMs + usage.cpuSystemMs > 0, 'CPU time was counted');
  t.ok(usage.rssEndBytes > 0 && usage.rssMaxBytes >= usage.rssEndBytes);
  t.equal(usage.exited, false);
  t.same(meter.stop(), usage, 'a second stop returns the same figures');
  t.ok(readSelfSample().rssPeakBytes > 0);
});

t.test('another process from /proc, and what happens when it exits', async (t) => {
  const child = spawn(process.execPath, ['-e', 'const u = Date.now() + 150; while (Date.now() < u); setTimeout(() => {}, 5000)'],
    { stdio: 'ignore' });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('child did not start');
  const meter = startProcessMeter(pid, { sampleIntervalMs: 20 });
  await new Promise((resolve) => setTimeout(resolve, 400));
  const sample = readProcessSample(pid);
  t.ok(sample.rssBytes > 0 && sample.rssPeakBytes >= sample.rssBytes, 'RSS and its peak read from /proc/<pid>/status');
  child.kill('SIGKILL');
  await once(child, 'exit');
  await new Promise((resolve) => setTimeout(resolve, 60));
  const usage = meter.stop();
  t.ok(usage.cpuUserMs + usage.cpuSystemMs > 0, `child CPU ${usage.cpuUserMs} + ${usage.cpuSystemMs} ms`);
  t.equal(usage.exited, true, 'the meter noticed the exit and kept its last sample');
  t.throws(() => readProcessSample(pid), 'a gone process cannot be sampled');
  t.throws(() => startProcessMeter(pid), /no process/);
});
