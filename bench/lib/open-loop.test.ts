import t from 'tap';
import { runOpenLoop, summarize } from './open-loop.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Holds the event loop on purpose: this is the stall under test.
  }
}

t.test('counts answered, failed, timed out and thrown sends (promise style)', async (t) => {
  const result = await runOpenLoop({
    ratePerSecond: 500,
    durationMs: 200,
    timeoutMs: 1_000,
    send: (index) => {
      switch (index % 5) {
        case 0: return sleep(5);
        case 1: return sleep(2).then(() => Promise.reject(new Error('refused')));
        case 2: return new Promise<void>(() => undefined);
        case 3: return Promise.resolve();
        default: throw new Error('cannot send');
      }
    },
  });
  const c = result.counts;
  t.equal(c.scheduled, 100);
  t.equal(c.sent, 100);
  t.equal(c.answered, 40);
  t.equal(c.failedError, 40);
  t.equal(c.failedOverload, 0);
  t.equal(c.failed, 40);
  t.equal(c.timedOut, 20);
  t.equal(c.inFlightAtEnd, 0);
  t.equal(c.sent, c.answered + c.failedError + c.timedOut + c.inFlightAtEnd, 'every sent operation is accounted for');
  t.equal(result.latency.totalCount, 40, 'latency is recorded for answered operations only');
  t.same([...result.errorSamples].sort(), ['Error: cannot send', 'Error: refused']);
  t.equal(summarize(result).count, 40);
});

t.test('callback style: duplicate and late completions are counted apart', async (t) => {
  const result = await runOpenLoop({
    ratePerSecond: 10,
    durationMs: 1_000,
    timeoutMs: 150,
    sendWithCallback: (index, done) => {
      if (index === 0) {
        // Answers after its timeout, while the run is still sending: a late completion.
        setTimeout(() => done(), 400);
        return;
      }
      done();
      if (index === 1) done();
    },
  });
  const c = result.counts;
  t.equal(c.scheduled, 10);
  t.equal(c.answered, 9);
  t.equal(c.timedOut, 1);
  t.equal(c.lateCompletions, 1);
  t.equal(c.duplicateCompletions, 1);
});

t.test('at inFlightMax, due operations fail as overload instead of queueing', async (t) => {
  const result = await runOpenLoop({
    ratePerSecond: 1_000,
    durationMs: 50,
    inFlightMax: 5,
    timeoutMs: 10_000,
    drainTimeoutMs: 20,
    send: () => new Promise<void>(() => undefined),
  });
  const c = result.counts;
  t.equal(c.scheduled, 50);
  t.equal(c.sent, 5);
  t.equal(c.failedOverload, 45);
  t.equal(c.failed, 45);
  t.equal(c.inFlightAtEnd, 5, 'unanswered at the end of the drain time');
  t.equal(c.timedOut, 0);
});

t.test('a stall shows up as latency (coordinated omission is corrected)', async (t) => {
  const stallMs = 200;
  const result = await runOpenLoop({
    ratePerSecond: 1_000,
    durationMs: 1_000,
    send: (index) => {
      // One send holds the whole process for 200 ms: the ~200 operations due meanwhile go out late.
      if (index === 300) busyWait(stallMs);
      return Promise.resolve();
    },
  });
  const fromIntended = summarize(result.latency);
  const fromActual = summarize(result.serviceTime);
  t.equal(result.counts.answered, 1_000);
  t.ok(fromIntended.max >= stallMs * 0.95, `max ${fromIntended.max} ms reflects the stall`);
  t.ok(fromIntended.p99 >= stallMs * 0.75, `p99 ${fromIntended.p99} ms is near the stall, not near zero`);
  t.ok(result.sendLagMaxMs >= stallMs * 0.95, 'the driver reports its own lateness');
  t.ok(fromActual.p99 < fromIntended.p99 / 2,
    `measured from the actual send, p99 ${fromActual.p99} ms would hide it`);
});

t.test('bad settings are refused with a message that says what to do', async (t) => {
  t.throws(() => runOpenLoop({ ratePerSecond: 0, durationMs: 10, send: () => Promise.resolve() }), RangeError);
  t.throws(() => runOpenLoop({ ratePerSecond: 10, durationMs: 10, inFlightMax: 0, send: () => Promise.resolve() }),
    /inFlightMax/);
  const noSender = { ratePerSecond: 10, durationMs: 10 } as unknown as Parameters<typeof runOpenLoop>[0];
  t.throws(() => runOpenLoop(noSender), /either send/);
});

t.test('a run too short for one operation resolves with zero counts', async (t) => {
  const result = await runOpenLoop({ ratePerSecond: 1, durationMs: 10, send: () => Promise.resolve() });
  t.equal(result.counts.scheduled, 0);
  t.same(summarize(result), { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });
});
