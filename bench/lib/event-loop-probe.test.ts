import t from 'tap';
import { startEventLoopProbe } from './event-loop-probe.ts';

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Holds the event loop on purpose: the stall the probe must see.
  }
}

t.test('a single long stall shows as the longest stall, with utilization', async (t) => {
  const probe = startEventLoopProbe({ resolutionMs: 10, driftIntervalMs: 10, stallThresholdMs: 50 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  busyWait(150);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const report = probe.stop();
  t.ok(report.longestStallMs >= 120, `longest stall ${report.longestStallMs} ms`);
  t.ok(report.stallsOverThreshold >= 1);
  t.ok(report.utilization > 0 && report.utilization <= 1, `utilization ${report.utilization}`);
  t.ok(report.delayMaxMs > 0, 'monitorEventLoopDelay saw it too');
  t.same(probe.stop(), report, 'a second stop returns the same figures');
});

t.test('a stall at the very end still counts', async (t) => {
  const probe = startEventLoopProbe();
  await new Promise((resolve) => setTimeout(resolve, 30));
  busyWait(100);
  t.ok(probe.read().longestStallMs >= 80, 'read right after the stall includes it');
  probe.stop();
});
