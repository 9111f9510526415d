import t from 'tap';
import { sampleCall } from '../../engine/test-harness.ts';
import { closeCodes } from './close-codes.ts';
import { operatorSocketDefaults } from './socket-settings.ts';
import { metricTotal, startSocketStack, TestSocket, type Frame, type SocketStack } from './ws-test-kit.ts';

const callsPerBatch = 100;
/** Enough to fill the loopback's kernel buffers (a few MB) and then the server's bound several times. */
const batchesMax = 400;
const extraBatchesAfterCutOff = 150;
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** One durable batch of `callsPerBatch` new calls in clinic gp1: one coalesced diff frame of ~100 calls. */
async function batch(stack: SocketStack): Promise<void> {
  const results = await Promise.all(Array.from({ length: callsPerBatch }, () => stack.host.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:load')));
  if (!results.every((result) => result.ok)) throw new Error('a load call was refused');
}

/** Publishes batches until the guard cuts a reader off; returns how many it took. */
async function fillUntilCutOff(stack: SocketStack): Promise<number> {
  for (let n = 1; n <= batchesMax; n += 1) {
    await batch(stack);
    await new Promise((resolve) => setImmediate(resolve));
    if ((await metricTotal(stack.gateway.metrics.slowReaderCutoffs)) > 0) return n;
  }
  throw new Error(`no cut-off after ${batchesMax} batches`);
}

t.test('a reader that stops reading is cut off, server memory stays bounded, and it resyncs once it drains', async (t) => {
  const stack = await startSocketStack();
  t.teardown(() => stack.stop());
  const token = stack.tokens.operators['gp1'] as string;
  const fast = await TestSocket.connect(stack.wsUrl, { token, keepFramesMax: 50 });
  const slow = await TestSocket.connect(stack.wsUrl, { token, keepFramesMax: 50 });
  const fastSnapshot = await fast.subscribe('clinic/gp1');
  await slow.subscribe('clinic/gp1');
  const fastSeqs: number[] = [];
  fast.onFrame = (frame: Frame) => {
    if (frame.type === 'diff' && frame['topic'] === 'clinic/gp1') fastSeqs.push(frame['seq'] as number);
  };
  let slowMaxSeqBeforeResync = 0;
  let slowResynced = false;
  slow.onFrame = (frame: Frame) => {
    if (frame.type === 'snapshot' && frame['reason'] === 'resync') slowResynced = true;
    if (frame.type === 'diff' && !slowResynced) slowMaxSeqBeforeResync = Math.max(slowMaxSeqBeforeResync, frame['seq'] as number);
  };
  slow.pause();

  const metrics = stack.gateway.metrics;
  const rssBefore = process.memoryUsage().rss;
  const bytesBefore = await metricTotal(metrics.bytesPublished);
  const batchesToCutOff = await fillUntilCutOff(stack);
  const bytesAtCutOff = await metricTotal(metrics.bytesPublished);
  let rssPeak = process.memoryUsage().rss;
  for (let n = 0; n < extraBatchesAfterCutOff; n += 1) {
    await batch(stack);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }
  const published = (await metricTotal(metrics.bytesPublished)) - bytesBefore;
  const afterCutOff = (await metricTotal(metrics.bytesPublished)) - bytesAtCutOff;
  const peak = await metricTotal(metrics.wsBufferedBytesPeak);
  const lastSeq = fastSnapshot['seq'] as number + batchesToCutOff + extraBatchesAfterCutOff;
  await fast.next((frame) => frame.type === 'diff' && frame['seq'] === lastSeq, 15_000);
  t.comment(
    `cut off after ${batchesToCutOff} batches (${mb(bytesAtCutOff - bytesBefore)} MB published); ${mb(afterCutOff)} MB more published while cut off; ` +
    `${mb(published)} MB published in all during the pause; peak unread per connection ${mb(peak)} MB ` +
    `(bound ${mb(operatorSocketDefaults.bufferedBytesHardMax)} MB); RSS ${mb(rssBefore)} → peak ${mb(rssPeak)} MB`,
  );
  t.equal(await metricTotal(metrics.slowReaderCutoffs), 1, 'the slow reader was cut off (slowReaderCutoffs)');
  t.equal(await metricTotal(metrics.wsStaleConnections), 1, 'and is stale');
  const frameBytesMax = published / (batchesToCutOff + extraBatchesAfterCutOff) * 2;
  t.ok(peak <= operatorSocketDefaults.bufferedBytesHardMax + frameBytesMax, 'unread output of the connection stayed within the hard bound');
  t.ok(afterCutOff > 2 * operatorSocketDefaults.bufferedBytesHardMax, 'while more than twice the bound was published past it');
  // RSS is dominated by the engine's new state (tens of thousands of calls) and the log's mapped pages; the
  // per-connection figure above is the slow reader's share, and it stopped growing at the cut-off.
  t.ok(rssPeak - rssBefore < 512 * 1024 * 1024, `RSS grew by ${mb(rssPeak - rssBefore)} MB over ${(batchesToCutOff + extraBatchesAfterCutOff) * callsPerBatch} new calls`);
  t.same(fastSeqs, fastSeqs.map((_, index) => (fastSnapshot['seq'] as number) + index + 1), 'the reader that keeps up got every frame, no gap');

  slow.resume();
  const stale = await slow.next((frame) => frame.type === 'stale', 15_000);
  t.match(stale, { reason: 'slow_reader', topics: ['clinic/gp1'] }, 'it learns why the diffs stopped');
  const resync = await slow.next((frame) => frame.type === 'snapshot' && frame['reason'] === 'resync', 15_000);
  t.equal(resync['seq'], lastSeq, 'a fresh snapshot at the current seq once it drained');
  t.ok(slowMaxSeqBeforeResync <= (fastSnapshot['seq'] as number) + batchesToCutOff, `nothing published after the cut-off was queued for it (last diff before the resync: seq ${slowMaxSeqBeforeResync})`);
  await batch(stack);
  const next = await slow.next((frame) => frame.type === 'diff' && (frame['seq'] as number) > lastSeq, 10_000);
  t.equal(next['seq'], lastSeq + 1, 'and diffs again from there, without a gap');
  t.equal(await metricTotal(metrics.wsStaleConnections), 0);
  t.equal(await metricTotal(metrics.wsSnapshots, { reason: 'resync' }), 1);
  fast.close();
  slow.close();
});

t.test('a reader that stays behind longer than staleMsMax is closed with 4008', async (t) => {
  const stack = await startSocketStack({ staleMsMax: 1_000, bufferedBytesMax: 256 * 1024, bufferedBytesLowWater: 64 * 1024 });
  t.teardown(() => stack.stop());
  const token = stack.tokens.operators['gp1'] as string;
  const slow = await TestSocket.connect(stack.wsUrl, { token, keepFramesMax: 50 });
  await slow.subscribe('clinic/gp1');
  slow.pause();
  await fillUntilCutOff(stack);
  const metrics = stack.gateway.metrics;
  const deadline = Date.now() + 10_000;
  while ((await metricTotal(metrics.wsCloses, { code: String(closeCodes.slowReader) })) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(await metricTotal(metrics.wsCloses, { code: String(closeCodes.slowReader) }), 1, 'closed by the server after staleMsMax');
  t.equal(await metricTotal(metrics.wsConnections), 0);
  slow.resume();
  t.equal((await slow.closed).code, closeCodes.slowReader, 'the client reads 4008 once it catches up');
});
