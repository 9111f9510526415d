// The fan-out baseline's server process (bench/peer/ws-fanout-peer.ts: the same diffs sent per client as JSON
// with `ws`, one send per subscriber per diff, no coalescing). `start` opens the peer on a free loopback port;
// `publish` publishes a realistic clinic diff at a fixed rate, round robin over the given topics, each carrying
// its intended publish time (`sentAtUs`, epoch µs) so subscribers in other processes can time the delivery,
// and answers with the peer's counters and this process's CPU and RSS over the window.

import { runOpenLoop } from '../lib/open-loop.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import { startWsFanoutPeer } from '../peer/ws-fanout-peer.ts';
import type { WsFanoutPeer } from '../peer/ws-fanout-peer.ts';
import { serveWorker } from './child-worker.ts';
import type { WorkerMessage } from './child-worker.ts';

let peer: WsFanoutPeer | undefined;

async function publish(message: WorkerMessage): Promise<WorkerMessage> {
  const current = peer;
  if (current === undefined) throw new Error('fan-out peer: publish before start');
  const topics = message['topics'] as readonly string[];
  const template = message['diff'] as { readonly [field: string]: unknown };
  const ratePerSecond = Number(message['ratePerSecond']);
  const durationMs = Number(message['durationMs']);
  const before = current.stats();
  const meter = startProcessMeter('self');
  const intervalMs = 1000 / ratePerSecond;
  const t0 = performance.now();
  const result = await runOpenLoop({
    ratePerSecond, durationMs, timeoutMs: 10_000,
    sendWithCallback: (index, done) => {
      const topic = topics[index % topics.length] ?? 'clinic/c1';
      current.publish(topic, { ...template, sentAtUs: (performance.timeOrigin + t0 + index * intervalMs) * 1000 });
      done();
    },
  });
  // Let the sends queued by the last publishes leave before the meter stops.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const usage = meter.stop();
  const after = current.stats();
  return {
    type: 'published', published: after.published - before.published, framesSent: after.framesSent - before.framesSent,
    bytesSent: after.bytesSent - before.bytesSent, droppedSubscribers: after.droppedSubscribers - before.droppedSubscribers,
    sendLagMaxMs: result.sendLagMaxMs, usage,
  };
}

serveWorker(async (message) => {
  if (message.type === 'start') {
    peer = await startWsFanoutPeer({ port: 0 });
    return { type: 'started', port: peer.port };
  }
  if (message.type === 'publish') return publish(message);
  throw new Error(`fan-out peer worker: unknown request ${message.type}`);
}, async () => {
  await peer?.close();
});
