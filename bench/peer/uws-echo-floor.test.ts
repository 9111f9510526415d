import t from 'tap';
import { runUwsEchoFloor } from './uws-echo-floor.ts';

t.test('the echo floor, server in a child process, returns a summary with both sides measured', async (t) => {
  const result = await runUwsEchoFloor({ frameBytes: 128, rate: 200, seconds: 1, connections: 4 });
  t.equal(result.server, 'child');
  t.equal(result.counts.scheduled, 200);
  t.equal(result.counts.sent, result.counts.answered + result.counts.failedError + result.counts.timedOut
    + result.counts.inFlightAtEnd, 'every sent frame accounted for');
  t.ok(result.summary.count > 0, `answered ${result.summary.count}`);
  t.ok(result.summary.p50 > 0 && result.summary.max >= result.summary.p99);
  t.ok(result.serverStats.messages >= result.counts.answered, 'the server echoed what was answered');
  t.ok(result.serverUsage !== undefined && result.serverUsage.pid !== process.pid, 'server CPU from its own process');
  t.equal(result.clientUsage.pid, process.pid);
});

t.test('the echo floor inline, for quick checks', async (t) => {
  const result = await runUwsEchoFloor({ frameBytes: 4_096, rate: 100, seconds: 0.5, connections: 1, server: 'inline' });
  t.ok(result.summary.count > 0);
  t.equal(result.serverUsage, undefined);
});

t.test('settings out of bounds are refused', async (t) => {
  await t.rejects(runUwsEchoFloor({ frameBytes: 0, rate: 1, seconds: 1, connections: 1 }), RangeError);
  await t.rejects(runUwsEchoFloor({ frameBytes: 16, rate: 1, seconds: 1, connections: 20_000 }), /spread more/);
});
