/**
 * The progress helper: plain lines for logs (rate and time left), a bar on a terminal, nothing when quiet.
 */
import t from 'tap';
import { PassThrough } from 'node:stream';
import { formatAmount, formatDuration, startProgress } from './progress.ts';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  Object.assign(stream, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

t.test('amounts and durations', async (t) => {
  t.equal(formatAmount(1536, 'bytes'), '1.5 KiB');
  t.equal(formatAmount(3 * 1024 ** 3, 'bytes'), '3.0 GiB');
  t.equal(formatAmount(12345, 'entries'), '12,345 entries');
  t.equal(formatDuration(5), '5s');
  t.equal(formatDuration(125), '2m05s');
  t.equal(formatDuration(3_725), '1h02m');
  t.equal(formatDuration(Number.POSITIVE_INFINITY), '?');
});

t.test('off a terminal: one plain line at stop with percent, amounts, rate and time left', async (t) => {
  const { stream, text } = fakeStream(false);
  const progress = startProgress({ label: 'replay', total: 200, unit: 'entries', stream });
  for (let i = 1; i <= 100; i += 1) progress.update(i);
  progress.stop();
  progress.stop();
  await new Promise((resolve) => setImmediate(resolve));
  t.match(text(), /^replay: 50% 100 entries \/ 200 entries, [\d,.]+ entries\/s, \S+ left\n$/);
});

t.test('on a terminal: a bar', async (t) => {
  const { stream, text } = fakeStream(true);
  const progress = startProgress({ label: 'copy', total: 4096, unit: 'bytes', stream });
  progress.update(2048);
  progress.setTotal(8192);
  progress.increment(2048);
  progress.stop();
  await new Promise((resolve) => setImmediate(resolve));
  t.match(text(), /copy \[.*\] 50% \| 4\.0 KiB \/ 8\.0 KiB \| .*\/s \| \S+ left/);
});

t.test('quiet prints nothing', async (t) => {
  const { stream, text } = fakeStream(false);
  const progress = startProgress({ label: 'x', total: 1, unit: 'entries', stream, quiet: true });
  progress.update(1);
  progress.stop();
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(text(), '');
});
